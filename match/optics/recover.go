package optics

import (
	"errors"
	"fmt"
	"math"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"gonum.org/v1/gonum/mat"
)

// SigmoidCoeffs are the three coefficients of a Jakob & Hanika (2019)
// sigmoid-polynomial reflectance, "A Low-Dimensional Function Space for
// Efficient Spectral Upsampling" (Computer Graphics Forum 38(2)):
//
//	R(λ) = ½ + x / (2√(1 + x²)),  x = c[0]·t² + c[1]·t + c[2],
//
// with t = (λ − 555 nm) / 175 nm mapping the working grid onto −1..1 for good
// conditioning. Every such spectrum is smooth and lies strictly inside 0..1,
// as a real reflectance must, and three coefficients reach every colour of
// the sRGB gamut.
type SigmoidCoeffs [3]float64

// Normalisation of the wavelength axis of SigmoidCoeffs.
const (
	sigmoidCentreNM = 555.0
	sigmoidHalfNM   = 175.0
)

func sigmoid(x float64) float64 { return 0.5 + x/(2*math.Sqrt(1+x*x)) }

// Spectrum evaluates the sigmoid polynomial on the working grid.
func (c SigmoidCoeffs) Spectrum() ReflectanceSpectrum {
	var r ReflectanceSpectrum
	for i := range r {
		t := (Wavelength(i) - sigmoidCentreNM) / sigmoidHalfNM
		r[i] = sigmoid((c[0]*t+c[1])*t + c[2])
	}
	return r
}

// Recovery tolerances and effort.
const (
	// RecoveryToleranceDE00 is the largest CIEDE2000 error between the
	// requested colour and the recovered spectrum's colour that Recover
	// accepts; below the 0.8 perceptibility threshold used in shade matching
	// (DOMAIN.md, "Skin and hair").
	RecoveryToleranceDE00 = 0.5
	// recoveryGoalDE76 stops the fit early; far below anything visible.
	recoveryGoalDE76 = 1e-4
	recoveryMaxIter  = 200
	// recoverySteps is the number of continuation steps from the neutral
	// of the same L* to the requested colour when a direct fit stalls
	// (Jakob & Hanika §4 use the same homotopy).
	recoverySteps = 12
	jacobianStep  = 1e-6
)

// ErrUnreachable means no smooth reflectance has the requested colour, e.g.
// a chroma beyond what any object colour can have at that lightness.
var ErrUnreachable = errors.New("no smooth reflectance spectrum has this colour")

// Recover finds a smooth, bounded reflectance spectrum whose colour under D50
// is lab: the spectrum a surface of that colour most plausibly has when only
// its colour was measured. It fails with ErrUnreachable if the best spectrum
// is more than RecoveryToleranceDE00 away.
func Recover(lab colour.LabD50) (ReflectanceSpectrum, error) {
	c, de, err := RecoverCoeffs(lab)
	if err != nil {
		return c.Spectrum(), err
	}
	if de > RecoveryToleranceDE00 {
		return c.Spectrum(), fmt.Errorf("recover spectrum for %v: best fit is %.2f ΔE00 away: %w", lab, de, ErrUnreachable)
	}
	return c.Spectrum(), nil
}

// RecoverCoeffs fits sigmoid-polynomial coefficients to lab by damped
// Gauss–Newton (Levenberg–Marquardt) on the L*a*b* residual, starting from the
// flat grey of the same lightness and falling back to a continuation from that
// grey when the direct fit stalls. It returns the coefficients and the
// remaining CIEDE2000 error; it is deterministic.
func RecoverCoeffs(lab colour.LabD50) (SigmoidCoeffs, float64, error) {
	if !lab.IsFinite() {
		return SigmoidCoeffs{}, math.Inf(1), fmt.Errorf("recover spectrum: L*a*b* %v is not finite", lab)
	}
	grey := greyCoeffs(lab.L)
	c := fitLM(grey, lab)
	de := colour.DeltaE00(c.Spectrum().LabD50(), lab)
	if de <= RecoveryToleranceDE00/10 {
		return c, de, nil
	}
	// Homotopy: walk the target from the neutral axis out to lab.
	h := grey
	for s := 1; s <= recoverySteps; s++ {
		f := float64(s) / recoverySteps
		h = fitLM(h, colour.LabD50{L: lab.L, A: f * lab.A, B: f * lab.B})
	}
	if deH := colour.DeltaE00(h.Spectrum().LabD50(), lab); deH < de {
		c, de = h, deH
	}
	return c, de, nil
}

// greyCoeffs is the flat spectrum with lightness L*.
func greyCoeffs(l float64) SigmoidCoeffs {
	y := colour.LabD50{L: l}.XYZ().Y
	y = math.Max(1e-3, math.Min(1-1e-3, y))
	// Inverse of the sigmoid: x = (y − ½)/√(y(1 − y)).
	return SigmoidCoeffs{0, 0, (y - 0.5) / math.Sqrt(y*(1-y))}
}

func labResidual(c SigmoidCoeffs, target colour.LabD50) [3]float64 {
	l := c.Spectrum().LabD50()
	return [3]float64{l.L - target.L, l.A - target.A, l.B - target.B}
}

func norm2(r [3]float64) float64 { return r[0]*r[0] + r[1]*r[1] + r[2]*r[2] }

// fitLM runs Levenberg–Marquardt from start towards target.
func fitLM(start SigmoidCoeffs, target colour.LabD50) SigmoidCoeffs {
	c := start
	r := labResidual(c, target)
	cost := norm2(r)
	lambda := 1e-3
	jac := mat.NewDense(3, 3, nil)
	a := mat.NewDense(3, 3, nil)
	g := mat.NewVecDense(3, nil)
	var step mat.VecDense
	for iter := 0; iter < recoveryMaxIter && math.Sqrt(cost) > recoveryGoalDE76; iter++ {
		for k := 0; k < 3; k++ {
			cp := c
			cp[k] += jacobianStep
			rp := labResidual(cp, target)
			for i := 0; i < 3; i++ {
				jac.Set(i, k, (rp[i]-r[i])/jacobianStep)
			}
		}
		a.Mul(jac.T(), jac)
		g.MulVec(jac.T(), mat.NewVecDense(3, r[:]))
		improved := false
		for tries := 0; tries < 20; tries++ {
			damped := mat.DenseCopyOf(a)
			for i := 0; i < 3; i++ {
				damped.Set(i, i, a.At(i, i)*(1+lambda)+1e-12)
			}
			if err := step.SolveVec(damped, g); err != nil {
				lambda *= 10
				continue
			}
			var cn SigmoidCoeffs
			for k := 0; k < 3; k++ {
				cn[k] = c[k] - step.AtVec(k)
			}
			rn := labResidual(cn, target)
			if cn := norm2(rn); cn < cost {
				improved = true
				cost = cn
				r = rn
				lambda = math.Max(lambda/10, 1e-9)
				break
			}
			lambda *= 10
		}
		if !improved {
			break
		}
		for k := 0; k < 3; k++ {
			c[k] -= step.AtVec(k)
		}
	}
	return c
}
