package segment

import (
	"math"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// The colours stage: on sharp strands (no blur, so the cores are pure
// fibre) over skin lit unevenly, the two ends of the mixture are the skin
// and the fibre. The shadow band, more than a stop below the best-lit
// skin, is out of the region (the skin-and-light stage drops it).
func TestEndsAreTheSkinAndTheFibre(t *testing.T) {
	img, skin, hair, _, inShadow := stageScene()
	reg := make([]bool, img.W*img.H)
	for i := range reg {
		reg[i] = !inShadow(i%img.W, i/img.W)
	}
	e := findEnds(endsInput{lab: img.Pix, reg: reg, w: img.W, h: img.H, hairDarkHint: true, tilePx: 20, stride: 1})
	if !e.found {
		t.Fatal("no hair end found")
	}
	// The skin is reported at the region's median light.
	sx := skin.XYZ()
	mid := 1 - 0.33*0.5
	skinMid := colour.XYZ{X: sx.X * mid, Y: sx.Y * mid, Z: sx.Z * mid}.LabD50()
	dSkin := colour.DeltaE00(e.skin, skinMid)
	dHairChroma := colour.DeltaE00(colour.LabD50{L: hair.L, A: e.hair.A, B: e.hair.B}, hair)
	t.Logf("skin %v (at mid light %v, ΔE00 %.2f), hair %v (true %v)", e.skin, skinMid, dSkin, e.hair, hair)
	if dSkin > 2 {
		t.Errorf("skin end %.2f ΔE00 from the skin", dSkin)
	}
	if !e.hairDarker || dHairChroma > 2 || e.hair.L < hair.L-3 || e.hair.L > hair.L+3 {
		t.Errorf("hair end %v, want the fibre %v within 3 L* and 2 ΔE00 in a*, b*", e.hair, hair)
	}
}

// The light is read at the card only where skin tiles surround it: amid
// them it is interpolated; with skin on one side only (a card beside the
// head) it would be the fit carried beyond its data.
func TestLightAtCardOnlyAmidTheSkin(t *testing.T) {
	const w, h = 400, 300
	feat := func(x, y float64) [6]float64 {
		u, v := 2*x/w-1, 2*y/h-1
		return [6]float64{1, u, v, u * u, u * v, v * v}
	}
	// Light falling to the right: log Y = −0.3 u.
	coef := [6]float64{0, -0.3}
	card := Polygon{{180, 130}, {220, 130}, {220, 170}, {180, 170}}
	tiles := func(keep func(x, y float64) bool) ([]lightTile, []bool) {
		var pts []lightTile
		var use []bool
		for y := 10.0; y < h; y += 20 {
			for x := 10.0; x < w; x += 20 {
				if (x > 170 && x < 230 && y > 120 && y < 180) || !keep(x, y) {
					continue
				}
				pts = append(pts, lightTile{feat(x, y), dot6(coef, feat(x, y)), x, y})
				use = append(use, true)
			}
		}
		return pts, use
	}
	for _, c := range []struct {
		name string
		keep func(x, y float64) bool
		want bool
	}{
		{"skin all round", func(x, y float64) bool { return true }, true},
		{"skin on the left only", func(x, y float64) bool { return x < 170 }, false},
		{"skin above only", func(x, y float64) bool { return y < 120 }, false},
	} {
		pts, use := tiles(c.keep)
		z, ok := lightAtCard(endsInput{w: w, h: h, card: card}, pts, use, coef, feat)
		if ok != c.want {
			t.Errorf("%s: read at the card %v, want %v", c.name, ok, c.want)
		}
		if ok && math.Abs(z-dot6(coef, feat(200, 150))) > 1e-9 {
			t.Errorf("%s: log light %.4f at the card, want the fit's %.4f there", c.name, z, dot6(coef, feat(200, 150)))
		}
	}
	if _, ok := lightAtCard(endsInput{w: w, h: h}, nil, nil, coef, feat); ok {
		t.Error("read at a card with no card in the photo")
	}
}

// The fibre width is read across strands, and only there: isolated 2 px
// strands read about 2 px, while a mass of hair (one block of it, as a
// whole head of hair is at 640 px, where a fibre is a fraction of a pixel)
// has no fibre to read and reports none, rather than the mass's own
// width (the real intake photos read 26–292 px "fibres" that way).
func TestFibreWidthOnlyFromStrands(t *testing.T) {
	skin := colour.LabD50{L: 62, A: 12, B: 18}
	hair := colour.LabD50{L: 22, A: 3, B: 5}
	const w, h = 400, 300
	for _, c := range []struct {
		name         string
		hairAt       func(x, y int) bool
		wantLo, want float64 // widthObsPx within [wantLo, want], 0 for none
	}{
		{"isolated 2 px strands", func(x, y int) bool { return y >= 60 && y < 240 && x < 300 && x%6 < 2 }, 1.5, 3},
		{"a mass of hair", func(x, y int) bool { return y >= 60 && y < 240 && x >= 80 && x < 260 }, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := NewLabImage(w, h)
			sx, hx := skin.XYZ(), hair.XYZ()
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					// A little deterministic mottling, so that no two
					// pixels are exactly alike.
					light := 1 - 0.2*float64(x)/w + 0.01*math.Sin(float64(7*x+13*y))
					p := sx
					if c.hairAt(x, y) {
						p = hx
					}
					img.Set(x, y, colour.XYZ{X: p.X * light, Y: p.Y * light, Z: p.Z * light}.LabD50())
				}
			}
			reg := make([]bool, w*h)
			for i := range reg {
				reg[i] = true
			}
			e := findEnds(endsInput{lab: img.Pix, reg: reg, w: w, h: h, hairDarkHint: true, tilePx: 20, stride: 1})
			if !e.found {
				t.Fatal("no hair end found")
			}
			t.Logf("width seen %.2f px (%d strand profiles), hair %v", e.widthObsPx, e.profiles, e.hair)
			if e.widthObsPx < c.wantLo || e.widthObsPx > c.want {
				t.Errorf("width seen %.2f px, want %.1f–%.1f", e.widthObsPx, c.wantLo, c.want)
			}
		})
	}
}

// The thin-fibre warning says the width it read and what to do, and never
// quotes a width of 0 px: where no single strand was read (a mass of hair)
// it speaks of the blur alone.
func TestDescribeThinSaysWhatItRead(t *testing.T) {
	for _, c := range []struct {
		width, blur float64
		blurKnown   bool
		want        []string
	}{
		{2.4, 0.9, true, []string{"about 2.4 px wide under lens blur σ 0.9 px", "photograph closer"}},
		{1.7, 0, false, []string{"about 1.7 px wide", "include the card", "photograph closer"}},
		{0, 1.6, true, []string{"lens blur σ 1.6 px", "no single hair fibre could be read", "photograph closer"}},
	} {
		got := describeThin(c.width, c.blur, c.blurKnown)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("describeThin(%v, %v, %v) = %q, want it to say %q", c.width, c.blur, c.blurKnown, got, w)
			}
		}
		if strings.Contains(got, " 0.0 px") {
			t.Errorf("describeThin(%v, %v, %v) = %q quotes a width of nothing", c.width, c.blur, c.blurKnown, got)
		}
	}
}
