package optics

import (
	"errors"
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
	for _, p := range []string{"effective_concentration", "epidermis_haze_550", "haze_exponent", "epidermis_absorbance_550", "melanin_exponent"} {
		if m.Sources[p] == "" {
			t.Errorf("parameter %s has no stated source", p)
		}
	}
}

func TestLoadHealedModelRejectsBadFiles(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"a concentration above 5", `{"effective_concentration": 6, "epidermis_haze_550": 0.04, "haze_exponent": 1.4, "epidermis_absorbance_550": 0.1, "melanin_exponent": 3.5}`, "effective_concentration = 6 is outside"},
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
	for _, sc := range []colour.LabD50{lightScalp, brownScalp, darkScalp, {L: 80, A: 5, B: 10}} {
		skin, err := m.Skin(mustRecover(t, sc))
		if err != nil {
			t.Fatal(err)
		}
		if de := colour.DeltaE00(skin.Healed(KSSpectrum{}).LabD50(), sc); de > 1e-3 {
			t.Errorf("scalp %v: an empty dot is %.4f ΔE00 off the skin", sc, de)
		}
	}
}

func TestHealedDotsAreLighterAndBluerThanTheInk(t *testing.T) {
	m := DefaultHealedModel()
	noHaze := m
	noHaze.EpidermisHaze550 = 0
	for _, sc := range []colour.LabD50{lightScalp, brownScalp} {
		scalp := mustRecover(t, sc)
		skin, _ := m.Skin(scalp)
		bare, _ := noHaze.Skin(scalp)
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
	skin, _ := m.Skin(mustRecover(t, lightScalp))
	if h := skin.Healed(mustRecover(t, carbonInk).KS()).LabD50(); h.B >= 0 {
		t.Errorf("neat carbon black healed %v, want a blue-grey (b* < 0)", h)
	}
}

func TestDilutionLightensHealedDotsMonotonically(t *testing.T) {
	skin, _ := DefaultHealedModel().Skin(mustRecover(t, lightScalp))
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

func TestRecalibrateRecoversAKnownModel(t *testing.T) {
	truth := DefaultHealedModel()
	truth.EffectiveConcentration = 0.35
	truth.EpidermisHaze550 = 0.06
	truth.HazeExponent = 2.2
	truth.EpidermisAbsorbance550 = 0.18
	var obs []HealedObservation
	for _, sc := range []colour.LabD50{lightScalp, brownScalp, {L: 72, A: 6, B: 12}} {
		skin, _ := truth.Skin(mustRecover(t, sc))
		for _, inkLab := range []colour.LabD50{carbonInk, brownInk} {
			for _, water := range []float64{0, 3, 9} {
				ink := Mix(Component{mustRecover(t, inkLab).KS(), 1 / (1 + water)})
				obs = append(obs, HealedObservation{Scalp: sc, Ink: ink, Healed: skin.Healed(ink).LabD50()})
			}
		}
	}
	tests := []struct {
		name       string
		obs        []HealedObservation
		wantFitted int
		wantRMS    float64 // as a fraction of the starting RMS
	}{
		{"eighteen dots refit all four parameters and explain the data", obs, 4, 0.02},
		{"two dots refit only the strength parameters and explain most of it", obs[:2], 2, 0.33},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fit, rep, err := Recalibrate(DefaultHealedModel(), tt.obs)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v → φ %.3f haze %.3f n %.2f τ %.3f", rep, fit.EffectiveConcentration, fit.EpidermisHaze550, fit.HazeExponent, fit.EpidermisAbsorbance550)
			if len(rep.Fitted) != tt.wantFitted {
				t.Errorf("fitted %v, want %d parameters", rep.Fitted, tt.wantFitted)
			}
			if rep.RMSBefore < 1 {
				t.Errorf("the default model already explains the data (RMS %.2f): the test proves nothing", rep.RMSBefore)
			}
			if rep.RMSAfter > tt.wantRMS*rep.RMSBefore {
				t.Errorf("RMS after refit %.3f ΔE00, want ≤ %.2f × %.2f", rep.RMSAfter, tt.wantRMS, rep.RMSBefore)
			}
		})
	}
	fit, _, _ := Recalibrate(DefaultHealedModel(), obs)
	for _, p := range []struct {
		name      string
		got, want float64
	}{
		{"effective_concentration", fit.EffectiveConcentration, truth.EffectiveConcentration},
		{"epidermis_haze_550", fit.EpidermisHaze550, truth.EpidermisHaze550},
		{"haze_exponent", fit.HazeExponent, truth.HazeExponent},
		{"epidermis_absorbance_550", fit.EpidermisAbsorbance550, truth.EpidermisAbsorbance550},
	} {
		if math.Abs(p.got-p.want) > 0.02*p.want {
			t.Errorf("refitted %s = %.4f, want %.4f", p.name, p.got, p.want)
		}
	}
	if _, _, err := Recalibrate(DefaultHealedModel(), obs[:1]); !errors.Is(err, ErrTooFewObservations) {
		t.Errorf("one observation: err = %v, want ErrTooFewObservations", err)
	}
}
