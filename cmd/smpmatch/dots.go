package main

import (
	"fmt"
	"io"

	"github.com/smpmatch/smpmatch/match/dots"
	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/urfave/cli/v2"
)

// runMeasureDots is `measure --dots`: healed dots instead of hair.
func runMeasureDots(c *cli.Context, photos []string, mo measure.Options) error {
	if _, _, err := dots.ParseCardSize(c.String("card-size")); err != nil {
		return usageError{fmt.Errorf("--card-size: %w", err)}
	}
	opt := dots.Options{Measure: mo, CardSize: c.String("card-size"), MaxPixels: c.Int("max-pixels")}
	return eachPhoto(c, photos, func(p string) photoOutcome {
		res, art, err := dots.MeasurePhoto(p, opt)
		o := photoOutcome{ok: res.OK && err == nil, err: res.Error, value: res, print: func(w io.Writer) { printDots(w, res) }}
		if err != nil && o.err == "" {
			o.err = err.Error()
		}
		if art != nil {
			o.pics = []picture{{"mask-out", "dots", art.Mask}, {"corrected-out", "corrected", art.Corrected}}
		}
		return o
	})
}

func printDots(w io.Writer, r dots.Result) {
	if !printPhotoHeader(w, r.Photo, r.OK, r.Error, r.Correction, r.Calibration) {
		return
	}
	if r.Scale != nil {
		fmt.Fprintf(w, "  scale  %.4f mm/px, assuming a ColorChecker %s (%.1f mm patches)\n", r.Scale.MMPerPx, r.Scale.CardAssumed, r.Scale.PatchMM)
	}
	d := r.Dots
	if !d.Found {
		fmt.Fprintln(w, "  dots   not found")
	} else {
		fmt.Fprintf(w, "  dots   L*a*b* %6.1f %6.1f %6.1f  (spread ΔE00 %.1f), %d counted\n", d.Lab.L, d.Lab.A, d.Lab.B, d.Spread, d.Count)
		fmt.Fprintf(w, "         diameter %.1f px", d.DiameterPx)
		if d.DiameterMM != nil {
			fmt.Fprintf(w, " = %.2f mm", *d.DiameterMM)
		}
		fmt.Fprintf(w, ", spacing %.1f px", d.SpacingPx)
		if d.SpacingMM != nil {
			fmt.Fprintf(w, " = %.2f mm", *d.SpacingMM)
		}
		if d.DensityPerCM2 != nil {
			fmt.Fprintf(w, ", %.0f dots/cm²", *d.DensityPerCM2)
		}
		fmt.Fprintf(w, " (blur σ %.1f px)\n", d.BlurPx)
	}
	if r.Skin.Found {
		fmt.Fprintf(w, "  skin   L*a*b* %6.1f %6.1f %6.1f  (spread ΔE00 %.1f, ITA %.0f° %s)\n",
			r.Skin.Lab.L, r.Skin.Lab.A, r.Skin.Lab.B, r.Skin.Spread, r.Skin.ITADeg, r.Skin.ITACategory)
		fmt.Fprintf(w, "  contrast ΔE00 %.1f, ΔL* %.1f, ΔC* %.1f, Δh %.0f°, luminance ratio %.2f\n",
			r.Contrast.DE00, r.Contrast.DL, r.Contrast.DC, r.Contrast.DH, r.Contrast.Ratio)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	fmt.Fprintln(w)
}
