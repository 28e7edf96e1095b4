package optics

import (
	"math"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

var (
	lightScalp = colour.LabD50{L: 65, A: 8, B: 14}
	brownScalp = colour.LabD50{L: 45, A: 11, B: 19}
	darkScalp  = colour.LabD50{L: 30, A: 8, B: 12}
	carbonInk  = colour.LabD50{L: 22, A: 0.2, B: -0.6}
	brownInk   = colour.LabD50{L: 26, A: 6, B: 7}
)

func TestDefaultHealedModelIsValidAndSourced(t *testing.T) {
	m := DefaultHealedModel()
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"effective_concentration", "epidermis_scattering_500", "scattering_exponent", "epidermis_thickness_um", "melanin_exponent", "blood_oxygen_saturation"} {
		if m.Sources[p] == "" {
			t.Errorf("parameter %s has no stated source", p)
		}
	}
}

func TestLoadHealedModelRejectsBadFiles(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"a concentration above 5", `{"effective_concentration": 6, "epidermis_scattering_500": 0.02, "scattering_exponent": 1.4, "epidermis_thickness_um": 60, "melanin_exponent": 3.33, "blood_oxygen_saturation": 0.75}`, "effective_concentration = 6 is outside"},
		{"a misspelt parameter", `{"effective_concentation": 0.5}`, "unknown field"},
		{"not JSON", `effective_concentration: 0.5`, "healed model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadHealedModel(strings.NewReader(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestNoPigmentHealsToTheClientsOwnSkin(t *testing.T) {
	m := DefaultHealedModel()
	for _, sc := range []colour.LabD50{lightScalp, brownScalp, darkScalp, {L: 80, A: 5, B: 10}, {L: 38, A: 12, B: 22}, {L: 25, A: 6, B: 8}, {L: 55, A: 2, B: 25}} {
		skin, err := m.SkinOf(sc)
		if err != nil {
			t.Fatal(err)
		}
		if de := colour.DeltaE00(skin.Healed(KSSpectrum{}).LabD50(), sc); de > 1e-3 {
			t.Errorf("scalp %v: an empty dot is %.4f ΔE00 off the skin (layers %+v)", sc, de, skin.Layers)
		}
		// A measured spectrum is honoured as given.
		spec := mustRecover(t, sc)
		skin2, err := m.Skin(spec)
		if err != nil {
			t.Fatal(err)
		}
		if de := colour.DeltaE00(skin2.Healed(KSSpectrum{}).LabD50(), sc); de > 1e-3 {
			t.Errorf("scalp spectrum %v: an empty dot is %.4f ΔE00 off the skin", sc, de)
		}
	}
}

func TestHealedDotsAreLighterAndBluerThanTheInk(t *testing.T) {
	m := DefaultHealedModel()
	noHaze := m
	noHaze.EpidermisScattering500 = 0
	for _, sc := range []colour.LabD50{lightScalp, brownScalp} {
		skin, err := m.SkinOf(sc)
		if err != nil {
			t.Fatal(err)
		}
		bare, _ := noHaze.SkinOf(sc)
		for _, inkLab := range []colour.LabD50{carbonInk, brownInk} {
			ink := mustRecover(t, inkLab).KS()
			healed := skin.Healed(ink).LabD50()
			if healed.L <= inkLab.L {
				t.Errorf("scalp %v ink %v healed %v: not lighter than the ink", sc, inkLab, healed)
			}
			// The epidermal haze is what turns deep pigment blue.
			if withoutHaze := bare.Healed(ink).LabD50(); healed.B >= withoutHaze.B || healed.L <= withoutHaze.L {
				t.Errorf("scalp %v ink %v: with haze %v, without %v: want the haze lighter and bluer", sc, inkLab, healed, withoutHaze)
			}
		}
	}
	// Neat carbon black on a light scalp heals blue-grey (DOMAIN.md).
	skin, _ := m.SkinOf(lightScalp)
	if h := skin.Healed(mustRecover(t, carbonInk).KS()).LabD50(); h.B >= 0 {
		t.Errorf("neat carbon black healed %v, want a blue-grey (b* < 0)", h)
	}
}

func TestDilutionLightensHealedDotsMonotonically(t *testing.T) {
	skin, _ := DefaultHealedModel().SkinOf(lightScalp)
	ink := mustRecover(t, carbonInk).KS()
	prev := 0.0
	for _, water := range []float64{0, 1, 2, 3, 5, 8, 12, 20} {
		c := 1 / (1 + water)
		k := Mix(Component{ink, c})
		l := skin.Healed(k).LabD50().L
		if l <= prev {
			t.Errorf("1:%g dilution healed L* %.2f, not lighter than the previous %.2f", water, l, prev)
		}
		prev = l
		// HealedXYZ is the same computation, fused.
		if d := math.Abs(skin.HealedXYZ(&ink, c).Y - skin.Healed(k).XYZ().Y); d > 1e-12 {
			t.Errorf("HealedXYZ differs from Healed by %g in Y", d)
		}
	}
	if prev > lightScalp.L {
		t.Errorf("the lightest dot L* %.1f is lighter than the skin", prev)
	}
}
