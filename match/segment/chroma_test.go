package segment

import (
	"fmt"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// Strands drawn exactly (vertical bars over skin, lens-blurred, mixed in
// linear light),
// their colour smeared as a codec does (a*, b* blurred, L* kept): read
// with the smear's σ, the cores give the fibre's chroma back; read as if
// there were none, they lean towards the skin's.
func TestCoreChromaUndoesTheColourSmear(t *testing.T) {
	skin := colour.LabD50{L: 68, A: 11, B: 17}
	for _, tc := range []struct {
		fibre        colour.LabD50
		widthPx      int
		smear        float64
		maxDE, minDE float64 // read with the smear known; read without it
	}{
		{colour.LabD50{L: 60, A: 0, B: 3}, 3, 2.0, 1.0, 3},
		{colour.LabD50{L: 60, A: 0, B: 3}, 5, 2.0, 1.0, 1.5},
		// Dark fibres: a blurred edge mixes in linear light, which a*, b*
		// do not follow linearly when the lightness differs this much.
		{colour.LabD50{L: 25, A: 3, B: 6}, 3, 2.0, 1.5, 2},
		{colour.LabD50{L: 25, A: 3, B: 6}, 4, 1.0, 1.5, 0.5},
		{colour.LabD50{L: 60, A: 0, B: 3}, 4, 0, 0.5, 0},
	} {
		name := fmt.Sprintf("fibre L* %.0f, %d px, smear σ %.1f", tc.fibre.L, tc.widthPx, tc.smear)
		w, h := 240, 60
		xyz, reg, shade := smearedStrands(skin, tc.fibre, w, h, tc.widthPx, 14, tc.smear)
		all := func(int) bool { return true }
		got := coreChroma(xyz, shade, reg, w, h, all, skin, tc.fibre.XYZ().Y, tc.smear)
		raw := coreChroma(xyz, shade, reg, w, h, all, skin, tc.fibre.XYZ().Y, 0)
		if !got.ok || !raw.ok {
			t.Fatalf("%s: nothing read", name)
		}
		chroma := func(r coreChromaResult) float64 {
			return colour.DeltaE00(colour.LabD50{L: tc.fibre.L, A: r.a, B: r.b}, tc.fibre)
		}
		t.Logf("%-32s with the smear: a* %5.2f b* %5.2f (ΔE00 %.2f); without: a* %5.2f b* %5.2f (ΔE00 %.2f)", name, got.a, got.b, chroma(got), raw.a, raw.b, chroma(raw))
		if d := chroma(got); d > tc.maxDE {
			t.Errorf("%s: fibre chroma %.2f ΔE00 off with the smear undone, want ≤ %.1f", name, d, tc.maxDE)
		}
		if d := chroma(raw); d < tc.minDE {
			t.Errorf("%s: read without the smear, the chroma is only %.2f ΔE00 off: the test does not tell the two apart (want ≥ %.1f)", name, d, tc.minDE)
		}
	}
}

// smearedStrands draws vertical fibres of width px every period px over the
// skin (box coverage, mixed in XYZ), then blurs a* and b* by σ smear.
func smearedStrands(skin, fibre colour.LabD50, w, h, width, period int, smear float64) (xyz []float32, reg []bool, shade []float32) {
	k, f := skin.XYZ(), fibre.XYZ()
	ls := make([]float32, w*h)
	as := make([]float32, w*h)
	bs := make([]float32, w*h)
	// The lens blurs the cover (σ 0.7 px) before the codec's smear.
	cover := make([]float32, w*h)
	for i := range cover {
		if (i%w)%period < width {
			cover[i] = 1
		}
	}
	cover = gaussian(cover, w, h, 0.7)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			a := float64(cover[y*w+x])
			c := colour.XYZ{X: k.X + a*(f.X-k.X), Y: k.Y + a*(f.Y-k.Y), Z: k.Z + a*(f.Z-k.Z)}.LabD50()
			i := y*w + x
			ls[i], as[i], bs[i] = float32(c.L), float32(c.A), float32(c.B)
		}
	}
	as, bs = gaussian(as, w, h, smear), gaussian(bs, w, h, smear)
	xyz = make([]float32, 3*w*h)
	reg = make([]bool, w*h)
	shade = make([]float32, w*h)
	for i := range reg {
		c := colour.LabD50{L: float64(ls[i]), A: float64(as[i]), B: float64(bs[i])}.XYZ()
		xyz[3*i], xyz[3*i+1], xyz[3*i+2] = float32(c.X), float32(c.Y), float32(c.Z)
		reg[i], shade[i] = true, 1
	}
	return xyz, reg, shade
}

// A pixel's cover is at most 1. The hair end is read on the thin
// structures' peak; the middles of wide strands and clumps (fibres over
// fibres, shade) lie beyond it, and their covers read above 1. They are the
// fibre itself: dividing their chroma by a cover above 1 would pull it back
// towards the skin's.
func TestCoreChromaCoverIsAtMostOne(t *testing.T) {
	skin := colour.LabD50{L: 68, A: 11, B: 17}
	fibre := colour.LabD50{L: 60, A: 0, B: 3}
	w, h := 240, 60
	xyz, reg, shade := smearedStrands(skin, fibre, w, h, 12, 20, 2.0)
	// The hair end at 85% of the way from the skin to the fibre.
	yk, yf := skin.XYZ().Y, fibre.XYZ().Y
	all := func(int) bool { return true }
	hairY := yk + 0.85*(yf-yk)
	beyond := 0
	for i := range reg {
		if (float64(xyz[3*i+1])-yk)/(hairY-yk) > 1.1 {
			beyond++
		}
	}
	if beyond < len(reg)/10 {
		t.Fatalf("%d pixels read a cover above 1.1: the test does not reach covers above 1", beyond)
	}
	got := coreChroma(xyz, shade, reg, w, h, all, skin, hairY, 2.0)
	if !got.ok {
		t.Fatal("nothing read")
	}
	d := colour.DeltaE00(colour.LabD50{L: fibre.L, A: got.a, B: got.b}, fibre)
	t.Logf("%d of %d pixels read a cover above 1.1; fibre chroma a* %.2f b* %.2f (truth %.1f %.1f), ΔE00 %.2f", beyond, len(reg), got.a, got.b, fibre.A, fibre.B, d)
	if d > 0.5 {
		t.Errorf("fibre chroma %.2f ΔE00 off (a* %.2f b* %.2f): the covers above 1 pulled it towards the skin", d, got.a, got.b)
	}
}
