package optics

import (
	"errors"
	"fmt"
	"math"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// The working wavelength grid: 380–730 nm every 10 nm, the grid that the
// common handheld spectrophotometers (X-Rite i1Pro, ColorMunki, Nix Spectro)
// export, so a practitioner's measured spectra need no extrapolation. CIE
// 15:2004 §7.2 accepts 10 nm sampling for smooth object spectra; the observer
// beyond 730 nm contributes less than 0.1% of Y.
const (
	GridStartNM = 380
	GridStepNM  = 10
	GridLen     = 36
)

// Wavelength is the wavelength in nm of grid sample i.
func Wavelength(i int) float64 { return float64(GridStartNM + i*GridStepNM) }

// ReflectanceSpectrum is a diffuse reflectance factor, 0..1, sampled on the
// working grid (sample i at Wavelength(i)).
type ReflectanceSpectrum [GridLen]float64

// KSSpectrum is the Kubelka–Munk ratio K/S of absorption to scattering,
// sampled on the working grid. It is ≥ 0; 0 is a perfect white.
type KSSpectrum [GridLen]float64

// Flat is a reflectance spectrum with the same value r at every wavelength:
// a perfect neutral.
func Flat(r float64) ReflectanceSpectrum {
	var s ReflectanceSpectrum
	for i := range s {
		s[i] = r
	}
	return s
}

// weights integrates a reflectance into tristimulus values: X = Σ R(λ)·w[λ].
type weights [GridLen][3]float64

var (
	// weightsD50 gives XYZ under D50 relative to the ICC D50 white: the
	// perfect diffuser maps exactly to colour.WhiteD50. The spectral D50
	// white differs from the ICC white by less than 0.0005 in X and Z; the
	// per-channel scaling that absorbs it is a von Kries correction far below
	// any visible difference, and it makes L*a*b* of a flat spectrum exactly
	// neutral.
	weightsD50 weights
	// weightsA gives XYZ under illuminant A relative to whiteA (Y = 1).
	weightsA weights
	// whiteA is the illuminant A white on the working grid.
	whiteA colour.XYZ
)

func init() {
	var sumD50, sumA [3]float64
	var rawD50, rawA weights
	for i := 0; i < GridLen; i++ {
		nm := GridStartNM + i*GridStepNM
		cmf, d50, ok := cieAt(nm)
		if !ok {
			panic(fmt.Sprintf("optics: no CIE table row at %d nm", nm))
		}
		a := IlluminantA(float64(nm))
		for c := 0; c < 3; c++ {
			rawD50[i][c] = d50 * cmf[c]
			rawA[i][c] = a * cmf[c]
			sumD50[c] += rawD50[i][c]
			sumA[c] += rawA[i][c]
		}
	}
	white := [3]float64{colour.WhiteD50.X, colour.WhiteD50.Y, colour.WhiteD50.Z}
	for i := range rawD50 {
		for c := 0; c < 3; c++ {
			weightsD50[i][c] = rawD50[i][c] / sumD50[c] * white[c]
			weightsA[i][c] = rawA[i][c] / sumA[1]
		}
	}
	whiteA = colour.XYZ{X: sumA[0] / sumA[1], Y: 1, Z: sumA[2] / sumA[1]}
}

func (w *weights) xyz(r *ReflectanceSpectrum) colour.XYZ {
	var x, y, z float64
	for i, v := range r {
		x += v * w[i][0]
		y += v * w[i][1]
		z += v * w[i][2]
	}
	return colour.XYZ{X: x, Y: y, Z: z}
}

// XYZ is the colour of the reflectance under illuminant D50 for the CIE 1931
// 2° observer, relative to the D50 white (perfect diffuser = WhiteD50).
func (r ReflectanceSpectrum) XYZ() colour.XYZ { return weightsD50.xyz(&r) }

// LabD50 is the colour of the reflectance under D50 as CIE L*a*b*.
func (r ReflectanceSpectrum) LabD50() colour.LabD50 { return r.XYZ().LabD50() }

// LabUnderA is how the reflectance looks under incandescent light (CIE
// illuminant A, about 2856 K, a warm clinic lamp) to an observer adapted to
// that light, expressed as the corresponding colour in L*a*b* D50 (Bradford
// adaptation from the A white to D50). Two surfaces that match under D50 but
// not under A are metameric; the difference of their LabUnderA values is
// their metamerism.
func (r ReflectanceSpectrum) LabUnderA() colour.LabD50 {
	return colour.Adapt(weightsA.xyz(&r), whiteA, colour.WhiteD50).LabD50()
}

// Validate reports an error if any sample is not a finite number in 0..1.
func (r ReflectanceSpectrum) Validate() error {
	for i, v := range r {
		if math.IsNaN(v) || v < 0 || v > 1 {
			return fmt.Errorf("reflectance at %g nm = %g is outside 0..1", Wavelength(i), v)
		}
	}
	return nil
}

// ErrSpectrumRange means a measured spectrum does not cover the wavelengths
// that matter for colour.
var ErrSpectrumRange = errors.New("spectrum must cover at least 400–700 nm")

// Minimum range a measured spectrum must cover: outside 400–700 nm the CIE
// 1931 observer weighted by D50 carries under 0.5% of X, Y and Z, so holding
// the end values flat there costs well under 0.5 ΔE00 for smooth spectra.
const (
	minCoverNM = 400.0
	maxCoverNM = 700.0
)

// Resample interpolates a measured reflectance spectrum, given as ascending
// wavelengths nm with values r, linearly onto the working grid. Grid points
// beyond the measured range take the nearest end value; the measurement must
// cover at least 400–700 nm.
func Resample(nm, r []float64) (ReflectanceSpectrum, error) {
	var s ReflectanceSpectrum
	if len(nm) != len(r) {
		return s, fmt.Errorf("resample: %d wavelengths but %d reflectance values", len(nm), len(r))
	}
	if len(nm) < 2 {
		return s, fmt.Errorf("resample: %d samples: %w", len(nm), ErrSpectrumRange)
	}
	for i := 1; i < len(nm); i++ {
		if !(nm[i] > nm[i-1]) {
			return s, fmt.Errorf("resample: wavelengths must ascend, %g nm follows %g nm", nm[i], nm[i-1])
		}
	}
	if nm[0] > minCoverNM || nm[len(nm)-1] < maxCoverNM {
		return s, fmt.Errorf("resample: measured %g–%g nm: %w", nm[0], nm[len(nm)-1], ErrSpectrumRange)
	}
	for i := range s {
		s[i] = interpolate(nm, r, Wavelength(i))
	}
	return s, s.Validate()
}

func interpolate(xs, ys []float64, x float64) float64 {
	if x <= xs[0] {
		return ys[0]
	}
	n := len(xs)
	if x >= xs[n-1] {
		return ys[n-1]
	}
	j := 1
	for xs[j] < x {
		j++
	}
	t := (x - xs[j-1]) / (xs[j] - xs[j-1])
	return ys[j-1] + t*(ys[j]-ys[j-1])
}
