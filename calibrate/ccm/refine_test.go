package ccm

import (
	"math"
	"math/rand"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"gonum.org/v1/gonum/diff/fd"
)

// The refinement's gradient, taken through each sample's X, Y and Z, is the
// gradient of its cost in the coefficients (which it replaced: the same
// derivative for a third of the colour differences).
func TestDEGradIsTheCostsGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	var s []Sample
	for i := 0; i < 24; i++ {
		ref := colour.LabD50{L: 20 + 70*rng.Float64(), A: 80*rng.Float64() - 40, B: 80*rng.Float64() - 40}
		x := ref.XYZ()
		// A camera a little off the identity, with a little noise.
		s = append(s, Sample{RGB: [3]float64{
			1.1*x.X - 0.1*x.Y + 0.01*rng.NormFloat64()*x.Y,
			0.9*x.Y + 0.05*x.Z,
			1.2*x.Z - 0.05*x.X,
		}, Ref: ref})
	}
	for _, tc := range []struct {
		name string
		c    []float64
	}{
		{"identity", []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}},
		{"least squares", mustFitLS(t, s)},
		{"skewed", []float64{0.8, 0.2, 0, 0.1, 1.1, -0.05, 0, 0.1, 0.7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := make([]float64, 9)
			deGrad(Matrix3x3DE, s, tc.c, got)
			want := make([]float64, 9)
			fd.Gradient(want, func(c []float64) float64 { return deCost(Matrix3x3DE, s, c) }, tc.c, &fd.Settings{Formula: fd.Central, Step: 1e-6})
			var norm float64
			for _, w := range want {
				norm = math.Max(norm, math.Abs(w))
			}
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-4*norm+1e-6 {
					t.Errorf("coefficient %d: gradient %.6g, the cost's own %.6g", i, got[i], want[i])
				}
			}
		})
	}
}

func mustFitLS(t *testing.T, s []Sample) []float64 {
	t.Helper()
	m, err := fitLS(Matrix3x3, s)
	if err != nil {
		t.Fatal(err)
	}
	return m.Coef
}
