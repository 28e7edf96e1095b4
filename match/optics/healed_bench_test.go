package optics

import (
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// BenchmarkHealedY times one healed-luminance prediction, the unit of work of
// the recipe search.
func BenchmarkHealedY(b *testing.B) {
	scalp, _ := Recover(colour.LabD50{L: 64, A: 9, B: 15})
	skin, _ := DefaultHealedModel().Skin(scalp)
	ink, _ := Recover(colour.LabD50{L: 22, A: 0.2, B: -0.8})
	ks := ink.KS()
	var y float64
	for i := 0; i < b.N; i++ {
		y += skin.HealedY(&ks, 0.3)
	}
	if y < 0 {
		b.Fatal(y)
	}
}

// BenchmarkSkinOf times solving one client's skin from the scalp colour:
// the physical two-layer fit (melanin, blood, scattering) and the dermis.
func BenchmarkSkinOf(b *testing.B) {
	m := DefaultHealedModel()
	scalps := []colour.LabD50{{L: 64, A: 9, B: 15}, {L: 52, A: 11, B: 18}, {L: 38, A: 12, B: 22}}
	for i := 0; i < b.N; i++ {
		if _, err := m.SkinOf(scalps[i%len(scalps)]); err != nil {
			b.Fatal(err)
		}
	}
}
