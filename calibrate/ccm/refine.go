package ccm

import (
	"math"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/optimize"
)

// refineDE polishes a 3×3 model to minimise the mean squared CIEDE2000 over
// the samples, with BFGS (central-difference gradients) from the least-squares start. Least squares
// in XYZ weighs errors as the eye does not; this optimises what is reported.
// If the optimiser fails or does worse, the start is kept.
func refineDE(start Model, s []Sample) Model {
	cost := func(c []float64) float64 {
		m := Model{Kind: start.Kind, Coef: c}
		var sum float64
		for _, smp := range s {
			d := colour.DeltaE00(m.Lab(smp.RGB), smp.Ref)
			sum += d * d
		}
		if math.IsNaN(sum) {
			return math.Inf(1)
		}
		return sum / float64(len(s))
	}
	x0 := append([]float64(nil), start.Coef...)
	grad := func(g, x []float64) {
		fd.Gradient(g, cost, x, &fd.Settings{Formula: fd.Central, Step: 1e-6})
	}
	res, err := optimize.Minimize(optimize.Problem{Func: cost, Grad: grad}, x0, &optimize.Settings{
		FuncEvaluations: refineMaxEvaluations,
		Converger:       &optimize.FunctionConverge{Absolute: 1e-3, Relative: 1e-3, Iterations: 3},
	}, &optimize.BFGS{})
	if err != nil && res == nil {
		return start
	}
	if res == nil || res.F >= cost(x0) {
		return start
	}
	return Model{Kind: start.Kind, Coef: res.X}
}

// refineMaxEvaluations bounds the refinement's cost (each evaluation is one
// pass over ≤ 24 patches); it converges well within this on real charts.
const refineMaxEvaluations = 500
