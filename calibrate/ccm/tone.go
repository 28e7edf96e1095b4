package ccm

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Tone is a photo's tone curve as the card's neutral patches measure it,
// left over after the Encoding's decoding: phones and cameras bend the
// sRGB curve (a toe that crushes the shadows, a shoulder for highlights)
// and a colour matrix cannot undo a curve. Light is
//
//	f(v) = exp(c0 + c1·u + c2·u²),  u = ln v,
//
// v being the decoded value of one channel; the same curve is applied to
// each channel (a tone curve is applied per channel after white balance;
// the channels' gains are the matrix's business). Outside the neutral
// patches' range of u the curve continues as a power law with the slope
// at the range's end, so nothing is extrapolated by the quadratic.
//
// Mixtures are linear only in light: a fibre's blurred edge, a pixel half
// hair and half skin, are sums in f(v), not in v. Measuring hair as a
// mixture (match/segment) needs the tone undone first.
type Tone struct {
	// Coef is c0, c1, c2.
	Coef [3]float64 `json:"log_coefficients"`
	// Range is the interval of u = ln v the curve was fitted on.
	Range [2]float64 `json:"log_range"`
}

// Tone limits.
const (
	// minToneSlope and maxToneSlope bound d ln f / d ln v over the fitted
	// range: a tone curve never reverses, and one that steep (a tenfold
	// contrast stretch) is a misread patch, not a camera.
	minToneSlope = 0.4
	maxToneSlope = 2.5
	// minTonePatches: three coefficients and a per-channel gain need
	// neutral patches to spare.
	minTonePatches = 4
)

// ErrNoTone says the neutral patches cannot fix a tone curve.
var ErrNoTone = errors.New("no tone curve")

// FitTone fits the tone curve to neutral patches: lin holds each patch's
// decoded R, G, B and refY its reference luminance. Each channel may carry
// its own gain (a white balance a little off); the curve is shared.
func FitTone(lin [][3]float64, refY []float64) (Tone, error) {
	var rows [][6]float64
	var ys []float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, p := range lin {
		if refY[k] <= 0 {
			continue
		}
		ok := true
		for _, v := range p {
			ok = ok && v > 1e-4
		}
		if !ok {
			continue
		}
		for c, v := range p {
			u := math.Log(v)
			var r [6]float64
			r[c] = 1
			r[3], r[4] = u, u*u
			rows = append(rows, r)
			ys = append(ys, math.Log(refY[k]))
			lo, hi = math.Min(lo, u), math.Max(hi, u)
		}
	}
	if len(rows) < 3*minTonePatches {
		return Tone{}, fmt.Errorf("%w: %d usable neutral patches, need %d", ErrNoTone, len(rows)/3, minTonePatches)
	}
	a := mat.NewDense(len(rows), 5, nil)
	b := mat.NewVecDense(len(rows), ys)
	for i, r := range rows {
		a.SetRow(i, r[:5])
	}
	var x mat.VecDense
	if err := x.SolveVec(a, b); err != nil {
		return Tone{}, fmt.Errorf("%w: %v", ErrNoTone, err)
	}
	t := Tone{Coef: [3]float64{x.AtVec(1), x.AtVec(3), x.AtVec(4)}, Range: [2]float64{lo, hi}}
	if err := t.Validate(); err != nil {
		return Tone{}, err
	}
	return t, nil
}

// Validate checks that the curve rises everywhere at a camera's rate.
func (t Tone) Validate() error {
	for _, v := range append(t.Coef[:], t.Range[:]...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: non-finite coefficient", ErrNoTone)
		}
	}
	if !(t.Range[0] < t.Range[1]) {
		return fmt.Errorf("%w: empty range %v", ErrNoTone, t.Range)
	}
	for _, u := range t.Range {
		if s := t.slope(u); s < minToneSlope || s > maxToneSlope {
			return fmt.Errorf("%w: slope %.2f at ln v = %.2f is outside %.1f–%.1f", ErrNoTone, s, u, minToneSlope, maxToneSlope)
		}
	}
	return nil
}

func (t Tone) slope(u float64) float64 { return t.Coef[1] + 2*t.Coef[2]*u }

// lnF is ln f at u, continued linearly in u outside the range.
func (t Tone) lnF(u float64) float64 {
	uc := math.Min(math.Max(u, t.Range[0]), t.Range[1])
	v := t.Coef[0] + t.Coef[1]*uc + t.Coef[2]*uc*uc
	return v + t.slope(uc)*(u-uc)
}

// Apply returns light for decoded values (each channel by the same curve);
// zero and below stay as they are.
func (t Tone) Apply(rgb [3]float64) [3]float64 {
	var out [3]float64
	for c, v := range rgb {
		if v <= 0 {
			out[c] = v
			continue
		}
		out[c] = math.Exp(t.lnF(math.Log(v)))
	}
	return out
}
