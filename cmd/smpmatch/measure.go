package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/match/batch"
	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/urfave/cli/v2"
)

func measureFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "profile", Usage: "colour-correct with the session profile `FILE` from calibrate"},
		&cli.BoolFlag{Name: "uncalibrated", Usage: "without profile or card, measure anyway as sRGB (results say \"calibrated\": false)"},
		&cli.StringFlag{Name: "roi", Usage: "measure only inside `x,y,w,h` (pixels of the photo)"},
		&cli.StringFlag{Name: "roi-mask", Usage: "measure only where the mask `PNG` (photo size) is not black"},
		&cli.StringFlag{Name: "card-corners", Usage: "corners of the card in the photo `x1,y1,...,x4,y4` (next to patch 1, 6, 24, 19)"},
		&cli.StringFlag{Name: "region", Usage: "search for the card only in `x,y,w,h`"},
		&cli.IntFlag{Name: "max-pixels", Value: photo.DefaultMaxPixels, Usage: "refuse photos with more pixels than this"},
	}
}

func measureCommand() *cli.Command {
	return &cli.Command{
		Name:      "measure",
		Usage:     "measure hair and scalp colour (L*a*b* D50) and their contrast in scalp photos",
		ArgsUsage: "PHOTO...",
		Flags: append(measureFlags(),
			&cli.BoolFlag{Name: "json", Usage: "print JSON Lines (one object per photo) instead of text"},
			&cli.StringFlag{Name: "mask-out", Usage: "write a picture of what was counted as hair and scalp to `DIR`"},
			&cli.StringFlag{Name: "corrected-out", Usage: "write the colour-corrected photo (sRGB PNG, no metadata) to `DIR`"},
			&cli.BoolFlag{Name: "dots", Usage: "measure healed SMP dots (follow-up photo): colour, count, size, spacing, density, skin"},
			&cli.StringFlag{Name: "card-size", Value: "classic", Usage: "with --dots: the card in the photo, for scale: classic, passport, or its patch side in `MM`"},
		),
		Action: runMeasure,
	}
}

// measureOptions builds the measurement options from flags shared by
// measure, match and batch.
func measureOptions(c *cli.Context) (measure.Options, error) {
	var opt measure.Options
	ro, err := readOptions(c)
	if err != nil {
		return opt, err
	}
	opt.Read = ro
	opt.Uncalibrated = c.Bool("uncalibrated")
	if p := c.String("profile"); p != "" {
		prof, err := calibrate.LoadProfile(p)
		if err != nil {
			return opt, usageError{err}
		}
		opt.Profile = prof
	}
	if s := c.String("roi"); s != "" {
		r, err := parseRect(s, "--roi")
		if err != nil {
			return opt, err
		}
		opt.ROI = r
	}
	if p := c.String("roi-mask"); p != "" {
		m, err := loadMask(p)
		if err != nil {
			return opt, usageError{err}
		}
		opt.ROIMask = m
	}
	return opt, nil
}

func loadMask(path string) (*image.Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--roi-mask: %w", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("--roi-mask %s: not a PNG: %w", path, err)
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, gg, bb, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			if a > 0 && r+gg+bb > 0 {
				g.Pix[y*g.Stride+x] = 255
			}
		}
	}
	return g, nil
}

func writePNG(dir, photoPath, suffix string, img image.Image) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("encoding %s picture of %s: %w", suffix, photoPath, err)
	}
	name := strings.TrimSuffix(filepath.Base(photoPath), filepath.Ext(photoPath)) + "." + suffix + ".png"
	return calibrate.WriteFileAtomic(filepath.Join(dir, name), buf.Bytes())
}

func runMeasure(c *cli.Context) error {
	photos := c.Args().Slice()
	if len(photos) == 0 {
		return usagef("measure needs at least one PHOTO")
	}
	opt, err := measureOptions(c)
	if err != nil {
		return err
	}
	for _, flag := range []string{"mask-out", "corrected-out"} {
		if d := c.String(flag); d != "" {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return usagef("--%s: %v", flag, err)
			}
		}
	}
	if c.Bool("dots") {
		return runMeasureDots(c, photos, opt)
	}
	enc := json.NewEncoder(c.App.Writer)
	failed := 0
	for _, p := range photos {
		res, art := batch.Measure(p, p, opt, c.Int("max-pixels"))
		if !res.OK {
			failed++
			fmt.Fprintf(c.App.ErrWriter, "smpmatch: %s\n", res.Error)
		}
		if art != nil {
			if d := c.String("mask-out"); d != "" {
				if err := writePNG(d, p, "mask", art.Overlay); err != nil {
					fmt.Fprintf(c.App.ErrWriter, "smpmatch: %v\n", err)
				}
			}
			if d := c.String("corrected-out"); d != "" {
				if err := writePNG(d, p, "corrected", art.Corrected); err != nil {
					fmt.Fprintf(c.App.ErrWriter, "smpmatch: %v\n", err)
				}
			}
		}
		if c.Bool("json") {
			if err := enc.Encode(res); err != nil {
				return fmt.Errorf("writing JSON: %w", err)
			}
		} else {
			printMeasure(c.App.Writer, res)
		}
	}
	if failed > 0 {
		return partialFailure{failed: failed, total: len(photos)}
	}
	return nil
}

func printMeasure(w io.Writer, r measure.Result) {
	if !r.OK {
		fmt.Fprintf(w, "%s: FAILED: %s\n\n", r.Photo, r.Error)
		return
	}
	fmt.Fprintf(w, "%s: corrected by %s", r.Photo, r.Correction)
	if r.Calibration != nil {
		fmt.Fprintf(w, " (card fit: cross-validated ΔE00 %.2f)", r.Calibration.LooMeanDE00)
	}
	fmt.Fprintln(w)
	if r.Hair.Found {
		fmt.Fprintf(w, "  hair   L*a*b* %6.1f %6.1f %6.1f  (spread ΔE00 %.1f, %s, coverage %.0f%%)\n",
			r.Hair.Lab.L, r.Hair.Lab.A, r.Hair.Lab.B, r.Hair.Spread, r.Hair.Kind, 100*r.Hair.Fraction)
	} else {
		fmt.Fprintln(w, "  hair   not found")
	}
	if r.Scalp.Found {
		fmt.Fprintf(w, "  scalp  L*a*b* %6.1f %6.1f %6.1f  (spread ΔE00 %.1f, ITA %.0f° %s)\n",
			r.Scalp.Lab.L, r.Scalp.Lab.A, r.Scalp.Lab.B, r.Scalp.Spread, r.Scalp.ITADeg, r.Scalp.ITACategory)
	} else {
		fmt.Fprintln(w, "  scalp  not found")
	}
	if r.Hair.Found && r.Scalp.Found {
		fmt.Fprintf(w, "  contrast ΔE00 %.1f, ΔL* %.1f, ΔC* %.1f, Δh %.0f°, luminance ratio %.2f\n",
			r.Contrast.DE00, r.Contrast.DL, r.Contrast.DC, r.Contrast.DH, r.Contrast.Ratio)
	}
	conf := "confident"
	if r.LowConfidence {
		conf = "LOW CONFIDENCE: do not trust these colours"
	}
	fmt.Fprintf(w, "  confidence %.2f (%s)\n", r.Confidence, conf)
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	fmt.Fprintln(w)
}
