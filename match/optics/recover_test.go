package optics

import (
	"errors"
	"math"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// sRGBGridLevels is the number of levels per channel of the sRGB lattice the
// round-trip test covers: its corners are the sRGB primaries and secondaries,
// the hardest colours for a smooth spectrum to reach.
const sRGBGridLevels = 9

func TestRecoverRoundTripsTheSRGBGamut(t *testing.T) {
	var worst, sum float64
	var worstLab colour.LabD50
	n := 0
	for ri := 0; ri < sRGBGridLevels; ri++ {
		for gi := 0; gi < sRGBGridLevels; gi++ {
			for bi := 0; bi < sRGBGridLevels; bi++ {
				s := colour.SRGB{
					R: float64(ri) / (sRGBGridLevels - 1),
					G: float64(gi) / (sRGBGridLevels - 1),
					B: float64(bi) / (sRGBGridLevels - 1),
				}
				lab := s.LabD50()
				if lab.L > 99.5 || lab.L < 0.5 {
					// Pure white and black need reflectances of exactly 1
					// and 0, which a sigmoid only approaches.
					continue
				}
				spec, err := Recover(lab)
				if err != nil {
					t.Errorf("sRGB %v: %v", s, err)
					continue
				}
				de := colour.DeltaE00(spec.LabD50(), lab)
				sum += de
				n++
				if de > worst {
					worst, worstLab = de, lab
				}
			}
		}
	}
	t.Logf("round trip over %d sRGB colours: mean %.2g, max %.2g ΔE00 (worst at %v)", n, sum/float64(n), worst, worstLab)
	if worst > RecoveryToleranceDE00 {
		t.Errorf("worst round trip %.3f ΔE00 at %v, want ≤ %.1f", worst, worstLab, RecoveryToleranceDE00)
	}
}

func TestRecoverGivesSmoothBoundedSpectra(t *testing.T) {
	tests := []struct {
		name string
		lab  colour.LabD50
	}{
		{"black hair", colour.LabD50{L: 18, A: 1, B: 1.5}},
		{"dark brown hair", colour.LabD50{L: 23, A: 3.8, B: 4.6}},
		{"light scalp", colour.LabD50{L: 66, A: 9, B: 15}},
		{"brown scalp", colour.LabD50{L: 42, A: 11, B: 19}},
		{"a saturated sRGB blue", colour.SRGB{R: 0, G: 0, B: 1}.LabD50()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Recover(tt.lab)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			// Smooth: a sigmoid of a quadratic changes direction at most
			// twice (it has at most one extremum in x, and so in R).
			turns := 0
			for i := 2; i < GridLen; i++ {
				if (s[i]-s[i-1])*(s[i-1]-s[i-2]) < 0 {
					turns++
				}
			}
			if turns > 1 {
				t.Errorf("spectrum changes direction %d times, want at most 1", turns)
			}
		})
	}
}

func TestRecoverRefusesImpossibleColours(t *testing.T) {
	// A chroma of 150 at L* 5 is far outside the object-colour solid.
	_, err := Recover(colour.LabD50{L: 5, A: 150, B: -150})
	if !errors.Is(err, ErrUnreachable) {
		t.Errorf("err = %v, want ErrUnreachable", err)
	}
	if _, err := Recover(colour.LabD50{L: math.NaN()}); err == nil {
		t.Error("a NaN colour was accepted")
	}
}
