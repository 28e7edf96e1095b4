package optics

import (
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// Scalps from very light to dark (ITA° about 60 to −45).
var scalpsLightToDark = []colour.LabD50{
	{L: 72, A: 6, B: 12}, {L: 64, A: 9, B: 15}, {L: 52, A: 11, B: 18},
	{L: 45, A: 11, B: 19}, {L: 38, A: 12, B: 22}, {L: 30, A: 8, B: 12},
}

func TestFitSkinFindsMoreMelaninInDarkerSkin(t *testing.T) {
	m := DefaultHealedModel()
	prev := 0.0
	for _, sc := range scalpsLightToDark {
		layers, spec, err := m.FitSkin(sc)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("scalp %v: %+v", sc, layers)
		if layers.MelaninFraction < prev {
			t.Errorf("scalp %v: melanin fraction %.3f, not above the lighter scalp's %.3f", sc, layers.MelaninFraction, prev)
		}
		prev = layers.MelaninFraction
		// The physical layers come close; SkinOf nudges the rest
		// (TestNoPigmentHealsToTheClientsOwnSkin).
		if layers.FitDE00 > 1.5 {
			t.Errorf("scalp %v: physical layers reach only %v (%.2f ΔE00)", sc, spec.LabD50(), layers.FitDE00)
		}
		if err := spec.Validate(); err != nil {
			t.Error(err)
		}
	}
	// Published ranges: light skin 1–3% melanosomes at most, dark skin
	// 10–43% (Jacques 2013).
	if l, _, _ := m.FitSkin(scalpsLightToDark[0]); l.MelaninFraction > 0.05 {
		t.Errorf("a light scalp gets melanin fraction %.3f, want ≤ 0.05", l.MelaninFraction)
	}
	if l, _, _ := m.FitSkin(scalpsLightToDark[len(scalpsLightToDark)-1]); l.MelaninFraction < 0.1 {
		t.Errorf("a dark scalp gets melanin fraction %.3f, want ≥ 0.1", l.MelaninFraction)
	}
}

// What is known of tattoos and SMP: the same ink heals lighter-looking and
// bluer on light skin, and with less contrast on dark skin.
func TestTheSameInkHealsBluerOnLightSkinAndWithLessContrastOnDark(t *testing.T) {
	m := DefaultHealedModel()
	ink := mustRecover(t, carbonInk).KS()
	type healed struct{ dot, skin colour.LabD50 }
	var hs []healed
	for _, sc := range scalpsLightToDark {
		skin, err := m.SkinOf(sc)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, healed{skin.Healed(ink).LabD50(), sc})
	}
	for i := 1; i < len(hs); i++ {
		light, dark := hs[i-1], hs[i]
		// Bluer: the dot's b* relative to its own skin's is lower on the
		// lighter skin; and the dot itself is bluer.
		if dark.skin.B >= light.skin.B && !(light.dot.B < dark.dot.B) {
			t.Errorf("carbon black heals b* %.2f on %v and %.2f on the darker %v: want bluer on the lighter skin", light.dot.B, light.skin, dark.dot.B, dark.skin)
		}
		if !(light.dot.L > dark.dot.L) {
			t.Errorf("carbon black heals L* %.2f on %v and %.2f on the darker %v: want lighter-looking on the lighter skin", light.dot.L, light.skin, dark.dot.L, dark.skin)
		}
		cl, cd := colour.DeltaE00(light.dot, light.skin), colour.DeltaE00(dark.dot, dark.skin)
		if !(cd < cl) {
			t.Errorf("contrast dot–skin %.1f ΔE00 on %v, %.1f on the darker %v: want less on the darker", cl, light.skin, cd, dark.skin)
		}
	}
	if hs[1].dot.B >= 0 {
		t.Errorf("carbon black on a light scalp heals %v: want blue-grey (b* < 0)", hs[1].dot)
	}
}

func TestTheEpidermisIsAPhysicalLayer(t *testing.T) {
	o := newLayerOptics(DefaultHealedModel())
	for i := 0; i < GridLen; i++ {
		for _, mel := range []float64{0.002, 0.05, 0.3} {
			re, te := o.epidermis(i, mel)
			if re < 0 || te <= 0 || re+te > 1 {
				t.Fatalf("%g nm melanin %g: R %g T %g is not a layer", Wavelength(i), mel, re, te)
			}
		}
		// More melanin absorbs more, more so in blue (λ^−3.33).
		_, tl := o.epidermis(i, 0.02)
		_, td := o.epidermis(i, 0.2)
		if td >= tl {
			t.Errorf("%g nm: more melanin transmits %g ≥ %g", Wavelength(i), td, tl)
		}
	}
	_, t450 := o.epidermis(7, 0.2)
	_, t650 := o.epidermis(27, 0.2)
	if t450 >= t650 {
		t.Errorf("dark epidermis transmits %g at 450 nm, %g at 650 nm: melanin must absorb blue more", t450, t650)
	}
	// Haemoglobin's Soret peak and Q bands: blood absorbs most near 420 nm,
	// far less at 650 nm (Prahl).
	if BloodAbsorption(4, 0.75) < 50*BloodAbsorption(27, 0.75) {
		t.Errorf("blood μa at 420 nm %g vs 650 nm %g: want the Soret peak", BloodAbsorption(4, 0.75), BloodAbsorption(27, 0.75))
	}
}
