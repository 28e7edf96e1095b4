package segment

import (
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
