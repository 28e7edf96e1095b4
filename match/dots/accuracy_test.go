package dots

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"github.com/smpmatch/smpmatch/match/scene"
)

// Typical colours: scalp skins (light, medium, dark) and healed dots
// (blue-grey carbon black on light skin, brown-black, near black) and
// stubble hair.
var (
	lightSkin  = colour.LabD50{L: 66, A: 12, B: 16}
	mediumSkin = colour.LabD50{L: 52, A: 14, B: 22}
	darkSkin   = colour.LabD50{L: 38, A: 12, B: 22}
	blueGrey   = colour.LabD50{L: 36, A: 0, B: -4}
	greyDot    = colour.LabD50{L: 46, A: -1, B: -5}
	brownBlack = colour.LabD50{L: 28, A: 4, B: 4}
	nearBlack  = colour.LabD50{L: 22, A: 1, B: 0}
	blackHair  = colour.LabD50{L: 19, A: 1, B: 1}
)

// dotCase is one rendered field, named as a sentence.
type dotCase struct {
	name string
	f    scene.DotField
}

func dotCases() []dotCase {
	cam := synth.Camera{CCT: 6500, WhiteBalance: 1}
	base := func(f scene.DotField) scene.DotField {
		f.Camera = cam
		if f.W == 0 {
			f.W, f.H = 640, 480
		}
		if f.JPEGQuality == 0 {
			f.JPEGQuality = 90
		}
		if f.Noise == 0 {
			f.Noise = 0.01
		}
		f.Hair = blackHair
		return f
	}
	return []dotCase{
		{"0.8 mm blue-grey dots 1.6 mm apart on light skin, sharp", base(scene.DotField{Skin: lightSkin, Dot: blueGrey, PxPerMM: 10, DiameterMM: 0.8, SpacingMM: 1.6, Blur: 0.6, Seed: 1})},
		{"the same blurred (σ 1.2 px) with stubble", base(scene.DotField{Skin: lightSkin, Dot: blueGrey, PxPerMM: 10, DiameterMM: 0.8, SpacingMM: 1.6, Blur: 1.2, Stubble: 0.05, Seed: 2})},
		{"1.2 mm brown-black dots 2 mm apart on medium skin", base(scene.DotField{Skin: mediumSkin, Dot: brownBlack, PxPerMM: 8, DiameterMM: 1.2, SpacingMM: 2, Blur: 0.8, Noise: 0.015, Seed: 3})},
		{"0.5 mm near-black dots 1 mm apart on dark skin", base(scene.DotField{Skin: darkSkin, Dot: nearBlack, PxPerMM: 16, DiameterMM: 0.5, SpacingMM: 1, Blur: 0.8, Seed: 4})},
		{"0.4 mm grey dots, heavy blur (σ 1.5 px)", base(scene.DotField{Skin: lightSkin, Dot: greyDot, PxPerMM: 20, DiameterMM: 0.4, SpacingMM: 1.0, Blur: 1.5, Seed: 5})},
		{"dense field: 0.9 mm dots 1.2 mm apart", base(scene.DotField{Skin: mediumSkin, Dot: blueGrey, PxPerMM: 10, DiameterMM: 0.9, SpacingMM: 1.2, Blur: 0.7, Seed: 6})},
		{"sizes vary 15%, stubble, noisy, JPEG 75", base(scene.DotField{Skin: mediumSkin, Dot: brownBlack, PxPerMM: 12, DiameterMM: 0.7, SizeJitter: 0.15, SpacingMM: 1.5, Blur: 0.8, Noise: 0.02, JPEGQuality: 75, Stubble: 0.04, Seed: 7})},
		{"dense black stubble (10%) over light skin, shaded head", base(scene.DotField{Skin: lightSkin, Dot: blueGrey, PxPerMM: 12, DiameterMM: 0.8, SpacingMM: 1.6, Blur: 0.7, Stubble: 0.1, Shading: 0.3, Seed: 8})},
	}
}

// nnTruth is the median nearest-neighbour distance of the rendered dots.
func nnTruth(d []scene.Dot) float64 {
	var f []found
	for _, x := range d {
		f = append(f, found{x: x.X, y: x.Y})
	}
	return median(nearest(f))
}

// TestDotFieldsAreMeasured renders healed dot fields and measures them on
// the exactly undone camera (a perfect card): dot colour, count, diameter
// and spacing against the renderer's truth.
func TestDotFieldsAreMeasured(t *testing.T) {
	var sumDE float64
	for _, c := range dotCases() {
		img, tr := scene.RenderDots(c.f)
		f, err := measureField(scene.ToLab(img, c.f.Camera), Region{}, 0, jpegChromaVar)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(f.counted) == 0 {
			t.Errorf("%s: no dots found", c.name)
			continue
		}
		de := colour.DeltaE00(f.dot.Lab, tr.Dot)
		skinDE := colour.DeltaE00(f.skin.Lab, tr.Skin)
		sumDE += de
		countErr := float64(len(f.counted)-tr.Inside) / float64(tr.Inside)
		trueD := 2 * tr.Dots[0].R
		if c.f.SizeJitter > 0 {
			var ds []float64
			for _, d := range tr.Dots {
				ds = append(ds, 2*d.R)
			}
			trueD = median(ds)
		}
		diaErr := f.diameter/trueD - 1
		spErr := f.spacing/nnTruth(tr.Dots) - 1
		t.Logf("%-58s dot ΔE00 %.2f (%v vs %v, spread %.1f)  skin ΔE00 %.2f  count %d/%d (%+.1f%%)  diameter %.2f/%.2f px (%+.1f%%)  spacing %+.1f%%  blur σ %.2f  core %.2f",
			c.name, de, f.dot.Lab, tr.Dot, f.dot.Spread, skinDE, len(f.counted), tr.Inside, 100*countErr, f.diameter, trueD, 100*diaErr, 100*spErr, f.sigma, f.coverage)
		if de > 3 {
			t.Errorf("%s: dot colour %v is %.2f ΔE00 from %v", c.name, f.dot.Lab, de, tr.Dot)
		}
		if skinDE > 2 {
			t.Errorf("%s: skin %v is %.2f ΔE00 from %v", c.name, f.skin.Lab, skinDE, tr.Skin)
		}
		if math.Abs(countErr) > 0.05 {
			t.Errorf("%s: counted %d dots, %d are wholly inside (%+.1f%%)", c.name, len(f.counted), tr.Inside, 100*countErr)
		}
		if math.Abs(diaErr) > 0.10 {
			t.Errorf("%s: diameter %.2f px, true %.2f (%+.1f%%)", c.name, f.diameter, trueD, 100*diaErr)
		}
		if math.Abs(spErr) > 0.10 {
			t.Errorf("%s: spacing %.2f px off the truth by %+.1f%%", c.name, f.spacing, 100*spErr)
		}
	}
	mean := sumDE / float64(len(dotCases()))
	t.Logf("mean dot ΔE00 %.2f over %d fields", mean, len(dotCases()))
	if mean > 2.0 {
		t.Errorf("mean dot colour error %.2f ΔE00, want ≤ 2.0", mean)
	}
}

// grownCard is measure's exclusion: the card outline pushed out by 1.5
// patch pitches from its centre.
func grownCard(c card.Corners, pitch float64) card.Corners {
	var cx, cy float64
	for _, p := range c {
		cx += p.X / 4
		cy += p.Y / 4
	}
	var out card.Corners
	for k, p := range c {
		dx, dy := p.X-cx, p.Y-cy
		d := math.Hypot(dx, dy)
		s := (d + 1.5*pitch) / d
		out[k] = card.Point{X: cx + dx*s, Y: cy + dy*s}
	}
	return out
}

// clearOf reports whether a disc lies wholly outside a convex quadrilateral.
func clearOf(q card.Corners, x, y, r float64) bool {
	inside := true
	for k := range q {
		a, b := q[k], q[(k+1)%4]
		ex, ey := b.X-a.X, b.Y-a.Y
		l := math.Hypot(ex, ey)
		// signed distance to the edge's line; the corners run one way
		// round, so inside is the same side for all edges
		sd := (ex*(y-a.Y) - ey*(x-a.X)) / l
		if sd < 0 {
			inside = false
		}
		t := math.Max(0, math.Min(1, ((x-a.X)*ex+(y-a.Y)*ey)/(l*l)))
		if math.Hypot(x-a.X-t*ex, y-a.Y-t*ey) < r {
			return false
		}
	}
	return !inside
}

// TestDotsWithACardInFrameGiveMillimetres measures photos with a card in
// frame end to end (decode, card, correction, dots): the card gives the
// scale, so diameters in millimetres and density per cm² are checked.
func TestDotsWithACardInFrameGiveMillimetres(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and reads two photos with a card")
	}
	cam := synth.Camera{CCT: 5000, WhiteBalance: 0.8}
	for _, c := range []struct {
		name, size string
		patch      float64
		f          scene.DotField
	}{
		{"Passport, 0.8 mm dots 1.5 mm apart", "passport", PassportPatchMM,
			scene.DotField{W: 1400, H: 1000, Skin: lightSkin, Dot: blueGrey, PxPerMM: 8, DiameterMM: 0.8, SpacingMM: 1.5, Blur: 0.7, Noise: 0.01, JPEGQuality: 90, Seed: 11}},
		{"a 10 mm-patch card, 0.6 mm dots 1.2 mm apart, stubble", "10",
			10, scene.DotField{W: 1300, H: 1000, Skin: mediumSkin, Dot: brownBlack, PxPerMM: 12, DiameterMM: 0.6, SpacingMM: 1.2, Blur: 0.8, Noise: 0.01, JPEGQuality: 90, Stubble: 0.03, Hair: blackHair, Seed: 12}},
	} {
		c.f.Camera = cam
		img, tr, ct := scene.RenderDotsWithCard(c.f, c.patch, scene.CardPlacement{AngleDeg: 4})
		path := filepath.Join(t.TempDir(), "followup.jpg")
		b, err := synth.Encode(img, "jpeg", 95)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		res, art, err := MeasurePhoto(path, Options{CardSize: c.size})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if art == nil || art.Mask == nil {
			t.Errorf("%s: no mask picture", c.name)
		}
		if res.Scale == nil || res.Dots.DiameterMM == nil || res.Dots.DensityPerCM2 == nil {
			t.Fatalf("%s: no scale from the card: %+v", c.name, res)
		}
		excl := grownCard(ct.Corners, ct.PatchPitchPx)
		want := 0
		for _, d := range tr.Dots {
			if d.X-d.R >= 0 && d.Y-d.R >= 0 && d.X+d.R <= float64(c.f.W) && d.Y+d.R <= float64(c.f.H) && clearOf(excl, d.X, d.Y, d.R) {
				want++
			}
		}
		de := colour.DeltaE00(res.Dots.Lab, tr.Dot)
		countErr := float64(res.Dots.Count-want) / float64(want)
		diaErr := *res.Dots.DiameterMM/c.f.DiameterMM - 1
		denErr := *res.Dots.DensityPerCM2/tr.DensityPerCM2 - 1
		t.Logf("%-52s card %s (%.0f mm patches): dot ΔE00 %.2f, count %d/%d (%+.1f%%), diameter %.3f/%.3f mm (%+.1f%%), density %.1f/%.1f per cm² (%+.1f%%), card fit ΔE00 %.2f",
			c.name, res.Scale.CardAssumed, res.Scale.PatchMM, de, res.Dots.Count, want, 100*countErr, *res.Dots.DiameterMM, c.f.DiameterMM, 100*diaErr,
			*res.Dots.DensityPerCM2, tr.DensityPerCM2, 100*denErr, res.Calibration.LooMeanDE00)
		if de > 3 {
			t.Errorf("%s: dot colour %v is %.2f ΔE00 from %v", c.name, res.Dots.Lab, de, tr.Dot)
		}
		if math.Abs(countErr) > 0.05 {
			t.Errorf("%s: counted %d, want %d", c.name, res.Dots.Count, want)
		}
		if math.Abs(diaErr) > 0.10 {
			t.Errorf("%s: diameter %.3f mm, true %.3f", c.name, *res.Dots.DiameterMM, c.f.DiameterMM)
		}
		if math.Abs(denErr) > 0.10 {
			t.Errorf("%s: density %.1f per cm², true %.1f", c.name, *res.Dots.DensityPerCM2, tr.DensityPerCM2)
		}
	}
}
