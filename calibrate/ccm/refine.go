package ccm

import (
	"math"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"gonum.org/v1/gonum/optimize"
)

// refineDE polishes a 3×3 model to minimise the mean squared CIEDE2000 over
// the samples, with BFGS from the least-squares start. Least squares in XYZ
// weighs errors as the eye does not; this optimises what is reported. If the
// optimiser fails or does worse, the start is kept.
//
// The gradient is taken through the model rather than around it: a
// coefficient moves one output (X, Y or Z) of every sample by its term, so
// each sample's squared ΔE00 is differentiated (central differences) in its
// three outputs only, and the chain rule gives all the coefficients. That is
// 6 colour differences per sample per gradient instead of 2 per coefficient
// per sample (18 for a 3×3), the same derivative up to rounding.
func refineDE(start Model, s []Sample) Model {
	cost := func(c []float64) float64 { return deCost(start.Kind, s, c) }
	grad := func(g, c []float64) { deGrad(start.Kind, s, c, g) }
	x0 := append([]float64(nil), start.Coef...)
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

// sqDE is one sample's squared ΔE00 at the model output x.
func sqDE(x colour.XYZ, ref colour.LabD50) float64 {
	d := colour.DeltaE00(x.LabD50(), ref)
	return d * d
}

// deCost is the mean squared ΔE00 of the model with coefficients c over s
// (+Inf where a colour difference is not a number).
func deCost(k Kind, s []Sample, c []float64) float64 {
	m := Model{Kind: k, Coef: c}
	var sum float64
	for _, smp := range s {
		sum += sqDE(m.XYZ(smp.RGB), smp.Ref)
	}
	if math.IsNaN(sum) {
		return math.Inf(1)
	}
	return sum / float64(len(s))
}

// deGradStep is the central-difference step in X, Y and Z (white Y = 1).
const deGradStep = 1e-6

// deGrad writes deCost's gradient at c into g.
func deGrad(k Kind, s []Sample, c, g []float64) {
	n := nTerms(k)
	for i := range g {
		g[i] = 0
	}
	for _, smp := range s {
		// The model's outputs from the terms the chain rule needs anyway
		// (Model.XYZ's sums, in its order).
		t, _ := terms(k, smp.RGB)
		var out [3]float64
		for o := 0; o < 3; o++ {
			for j := 0; j < n; j++ {
				out[o] += c[o*n+j] * t[j]
			}
		}
		for o := 0; o < 3; o++ {
			up, down := out, out
			up[o] += deGradStep
			down[o] -= deGradStep
			d := (sqDE(colour.XYZ{X: up[0], Y: up[1], Z: up[2]}, smp.Ref) -
				sqDE(colour.XYZ{X: down[0], Y: down[1], Z: down[2]}, smp.Ref)) / (2 * deGradStep)
			for j := 0; j < n; j++ {
				g[o*n+j] += d * t[j]
			}
		}
	}
	for i := range g {
		g[i] /= float64(len(s))
	}
}
