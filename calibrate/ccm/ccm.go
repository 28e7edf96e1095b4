// Package ccm fits colour-correction models from a camera's RGB to CIE XYZ
// (D50) on a handful of reference patches, and judges them honestly.
//
// The models map *linear* camera RGB to XYZ relative to D50, so they absorb
// both the camera's spectral response and the scene light (the white
// balance). Linearising the photo's encoded values comes first and matters
// more than the model (DOMAIN.md: on raw-like photos, decoding with the sRGB
// curve tripled the error); Linearity decides it from the grey patches.
//
// Models are compared by leave-one-patch-out CIEDE2000, never by in-sample
// error: with 24 patches a flexible model can fit the chart and still be wrong
// everywhere else (a degree-3 polynomial fits to 1.1 in-sample and 21
// cross-validated on real photos).
package ccm

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"gonum.org/v1/gonum/mat"
)

// CameraRGB is a colour as the camera recorded it, per channel 0..1, in the
// photo's own encoding (usually a gamma-like tone curve).
type CameraRGB struct{ R, G, B float64 }

// Encoding says how the photo's values relate to light.
type Encoding string

// Encodings smpmatch distinguishes.
const (
	// EncodingSRGB means values carry an sRGB-like tone curve (processed
	// JPEGs, phone photos): decode with the sRGB transfer function.
	EncodingSRGB Encoding = "srgb"
	// EncodingLinear means values are proportional to light (raw-like
	// industrial or scientific cameras).
	EncodingLinear Encoding = "linear"
)

// Linearize returns linear-light RGB for an encoded value.
func (e Encoding) Linearize(c CameraRGB) [3]float64 {
	if e == EncodingLinear {
		return [3]float64{c.R, c.G, c.B}
	}
	l := colour.SRGB{R: c.R, G: c.G, B: c.B}.Linear()
	return [3]float64{l.R, l.G, l.B}
}

// linearitySlopeSplit separates encoded from linear photos by the slope of
// log(camera G) against log(reference Y) over the neutral patches. Measured
// on the real photos (DOMAIN.md): 1.08 for linear photos, 0.39–0.71 for
// processed JPEGs; the split sits between the groups.
const linearitySlopeSplit = 0.85

// Linearity estimates the photo's encoding from neutral patches: their
// camera values (green channel) and reference luminance Y. It returns the
// encoding and the measured log–log slope.
func Linearity(green, refY []float64) (Encoding, float64, error) {
	var xs, ys []float64
	for i := range green {
		if green[i] > 0.002 && refY[i] > 0 {
			xs = append(xs, math.Log(refY[i]))
			ys = append(ys, math.Log(green[i]))
		}
	}
	if len(xs) < 3 {
		return EncodingSRGB, math.NaN(), fmt.Errorf("only %d usable grey patches, need 3 to judge the tone curve", len(xs))
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(len(xs))
	my /= float64(len(xs))
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	slope := sxy / sxx
	if slope > linearitySlopeSplit {
		return EncodingLinear, slope, nil
	}
	return EncodingSRGB, slope, nil
}

// Kind names a model family.
type Kind string

// The model families.
const (
	// Matrix3x3 is a linear map, exposure-invariant, 9 coefficients.
	Matrix3x3 Kind = "matrix3x3"
	// RootPoly2 is Finlayson, Mackiewicz & Hurlbert's (2015) root-polynomial
	// of degree 2: R, G, B, √(RG), √(GB), √(RB); exposure-invariant,
	// 18 coefficients.
	RootPoly2 Kind = "rootpoly2"
	// Matrix3x3DE is a 3×3 matrix refined to minimise CIEDE2000 rather than
	// XYZ error, starting from the least-squares matrix.
	Matrix3x3DE Kind = "matrix3x3-de00"
)

// Kinds lists the model families in order of simplicity; on a tie in
// cross-validated error the simpler wins.
var Kinds = []Kind{Matrix3x3, Matrix3x3DE, RootPoly2}

// Model is a fitted correction from linear camera RGB to XYZ (D50).
type Model struct {
	Kind Kind `json:"kind"`
	// Coef is the 3 × n coefficient matrix, row-major: XYZ = Coef · terms.
	Coef []float64 `json:"coefficients"`
}

// maxTerms is the most terms a model kind has (RootPoly2's six).
const maxTerms = 6

// terms returns the model's terms of rgb in the first n entries of an
// array, so that applying a model allocates nothing (the ΔE00 refinement
// applies one hundreds of thousands of times per photo).
func terms(k Kind, rgb [3]float64) (t [maxTerms]float64, n int) {
	r, g, b := rgb[0], rgb[1], rgb[2]
	switch k {
	case RootPoly2:
		sq := func(v float64) float64 { return math.Sqrt(math.Max(v, 0)) }
		return [maxTerms]float64{r, g, b, sq(r * g), sq(g * b), sq(r * b)}, 6
	default:
		return [maxTerms]float64{r, g, b}, 3
	}
}

func nTerms(k Kind) int { _, n := terms(k, [3]float64{}); return n }

// Validate checks that a model (e.g. loaded from a profile) is usable.
func (m Model) Validate() error {
	switch m.Kind {
	case Matrix3x3, Matrix3x3DE, RootPoly2:
	default:
		return fmt.Errorf("unknown model kind %q (want one of %v)", m.Kind, Kinds)
	}
	if want := 3 * nTerms(m.Kind); len(m.Coef) != want {
		return fmt.Errorf("model %s needs %d coefficients, has %d", m.Kind, want, len(m.Coef))
	}
	for i, c := range m.Coef {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return fmt.Errorf("model %s coefficient %d is %v", m.Kind, i, c)
		}
	}
	return nil
}

// XYZ applies the model to linear camera RGB.
func (m Model) XYZ(rgb [3]float64) colour.XYZ {
	t, n := terms(m.Kind, rgb)
	var out [3]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < n; j++ {
			out[i] += m.Coef[i*n+j] * t[j]
		}
	}
	return colour.XYZ{X: out[0], Y: out[1], Z: out[2]}
}

// Lab applies the model and converts to L*a*b* D50.
func (m Model) Lab(rgb [3]float64) colour.LabD50 { return m.XYZ(rgb).LabD50() }

// Sample is one training patch: linear camera RGB and its reference colour.
type Sample struct {
	RGB [3]float64
	Ref colour.LabD50
}

// ErrTooFewPatches says there are not enough usable patches for the model.
var ErrTooFewPatches = errors.New("too few usable patches")

// minSamplesPerTerm keeps at least this many patches per coefficient row
// term, so a fit is never an interpolation.
const minSamplesPerTerm = 2

// Fit fits a model of the given kind to the samples.
func Fit(k Kind, s []Sample) (Model, error) {
	n := nTerms(k)
	if len(s) < minSamplesPerTerm*n {
		return Model{}, fmt.Errorf("%w: %s needs %d, have %d", ErrTooFewPatches, k, minSamplesPerTerm*n, len(s))
	}
	m, err := fitLS(k, s)
	if err != nil {
		return Model{}, err
	}
	if k == Matrix3x3DE {
		m = refineDE(m, s)
	}
	return m, nil
}

// fitLS solves min Σ w_i |XYZ_i − C·t_i|² with weights 1/Y_ref, so dark
// patches count as much as light ones (relative error, closer to how
// L*a*b* sees it than absolute XYZ error).
func fitLS(k Kind, s []Sample) (Model, error) {
	n := nTerms(k)
	a := mat.NewDense(len(s), n, nil)
	bm := mat.NewDense(len(s), 3, nil)
	for i, smp := range s {
		x := smp.Ref.XYZ()
		w := 1 / math.Sqrt(math.Max(x.Y, 0.01))
		t, nt := terms(k, smp.RGB)
		for j := range nt {
			a.Set(i, j, t[j]*w)
		}
		bm.Set(i, 0, x.X*w)
		bm.Set(i, 1, x.Y*w)
		bm.Set(i, 2, x.Z*w)
	}
	var sol mat.Dense
	if err := sol.Solve(a, bm); err != nil {
		return Model{}, fmt.Errorf("least squares for %s: %w", k, err)
	}
	m := Model{Kind: k, Coef: make([]float64, 3*n)}
	for i := 0; i < 3; i++ {
		for j := 0; j < n; j++ {
			m.Coef[i*n+j] = sol.At(j, i)
		}
	}
	if err := m.Validate(); err != nil {
		return Model{}, err
	}
	return m, nil
}

// FitPlain is the textbook baseline: an unweighted least-squares 3×3 matrix
// in XYZ. smpmatch reports it beside its own choice so that the gain is
// measured, not claimed.
func FitPlain(s []Sample) (Model, error) {
	if len(s) < 6 {
		return Model{}, ErrTooFewPatches
	}
	a := mat.NewDense(len(s), 3, nil)
	bm := mat.NewDense(len(s), 3, nil)
	for i, smp := range s {
		x := smp.Ref.XYZ()
		a.SetRow(i, smp.RGB[:])
		bm.SetRow(i, []float64{x.X, x.Y, x.Z})
	}
	var sol mat.Dense
	if err := sol.Solve(a, bm); err != nil {
		return Model{}, fmt.Errorf("plain least squares: %w", err)
	}
	m := Model{Kind: Matrix3x3, Coef: make([]float64, 9)}
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			m.Coef[i*3+j] = sol.At(j, i)
		}
	}
	return m, m.Validate()
}

// Errors returns each sample's CIEDE2000 error under the model.
func (m Model) Errors(s []Sample) []float64 {
	out := make([]float64, len(s))
	for i, smp := range s {
		out[i] = colour.DeltaE00(m.Lab(smp.RGB), smp.Ref)
	}
	return out
}

// LOO returns each sample's leave-one-out CIEDE2000 error: the model is fitted
// without the sample and judged on it.
func LOO(k Kind, s []Sample) ([]float64, error) {
	return looWith(func(t []Sample) (Model, error) { return Fit(k, t) }, s)
}

// LOOPlain is LOO for the FitPlain baseline.
func LOOPlain(s []Sample) ([]float64, error) { return looWith(FitPlain, s) }

func looWith(fit func([]Sample) (Model, error), s []Sample) ([]float64, error) {
	out := make([]float64, len(s))
	train := make([]Sample, 0, len(s)-1)
	for i := range s {
		train = train[:0]
		train = append(train, s[:i]...)
		train = append(train, s[i+1:]...)
		m, err := fit(train)
		if err != nil {
			return nil, err
		}
		out[i] = colour.DeltaE00(m.Lab(s[i].RGB), s[i].Ref)
	}
	return out, nil
}

// Stats summarises a list of errors.
type Stats struct {
	Mean, Median, Max float64
}

// Summarise computes mean, median and max.
func Summarise(e []float64) Stats {
	if len(e) == 0 {
		return Stats{math.NaN(), math.NaN(), math.NaN()}
	}
	c := append([]float64(nil), e...)
	sort.Float64s(c)
	var sum float64
	for _, v := range c {
		sum += v
	}
	med := c[len(c)/2]
	if len(c)%2 == 0 {
		med = (c[len(c)/2-1] + c[len(c)/2]) / 2
	}
	return Stats{Mean: sum / float64(len(c)), Median: med, Max: c[len(c)-1]}
}
