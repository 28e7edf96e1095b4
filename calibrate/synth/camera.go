// Package synth renders synthetic test photos whose truth is known exactly:
// a ColorChecker card under a chosen light, seen by a chosen camera through a
// known homography. Tests of card detection, colour correction and
// measurement use it instead of photos from elsewhere.
//
// Colour path of every rendered surface: its L*a*b* D50 (what a
// spectrophotometer would report) → XYZ as lit by the scene illuminant
// (Bradford adaptation from D50 to the illuminant white, the usual
// approximation for surfaces under another light) → camera linear RGB
// through the camera's matrix → white-balance gains → exposure and shading →
// sensor noise → tone curve → 8-bit → optional JPEG.
package synth

import (
	"math"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// Curve is a camera's output encoding.
type Curve int

const (
	// CurveSRGB encodes with the sRGB transfer function, as phone and
	// consumer cameras' JPEGs roughly do.
	CurveSRGB Curve = iota
	// CurveLinear leaves values linear, as raw-like industrial cameras do.
	CurveLinear
	// CurveGamma22 is a pure 1/2.2 power law.
	CurveGamma22
	// CurvePhone is the sRGB curve followed by a phone's contrast S-curve
	// in the encoded values, (1−k)·x + k·(3x² − 2x³) with k = PhoneCurveK:
	// shadows crushed, highlights lifted. A colour matrix on sRGB-decoded
	// values cannot undo it; the card's greys measure it.
	CurvePhone
)

// PhoneCurveK is the strength of CurvePhone's S-curve (0.3: a black
// patch of L* 20 reads as L* 14 through a plain sRGB decode).
const PhoneCurveK = 0.3

// Camera maps surface colours to the encoded RGB a camera would record.
type Camera struct {
	// CCT is the scene illuminant's correlated colour temperature in kelvin
	// (2700 tungsten … 6500 daylight). 0 means D65.
	CCT float64
	// WhiteBalance is how much of the illuminant's cast the camera removes:
	// 1 perfectly neutral greys, 0 no white balance at all.
	WhiteBalance float64
	// Matrix maps XYZ (Y = 1 white) to the camera's linear RGB. The zero
	// value means the sRGB matrix with some channel crosstalk, so that a
	// plain sRGB decode is not already the right answer.
	Matrix [3][3]float64
	// Exposure scales linear values; 1 puts a perfect white at 1.0.
	Exposure float64
	// Curve is the output encoding.
	Curve Curve
}

// defaultMatrix is the XYZ(D65) → linear sRGB matrix (IEC 61966-2-1)
// followed by a mild crosstalk mix typical of real sensors.
var defaultMatrix = func() [3][3]float64 {
	srgb := [3][3]float64{
		{3.2404542, -1.5371385, -0.4985314},
		{-0.9692660, 1.8760108, 0.0415560},
		{0.0556434, -0.2040259, 1.0572252},
	}
	cross := [3][3]float64{
		{0.86, 0.12, 0.02},
		{0.06, 0.88, 0.06},
		{0.02, 0.10, 0.88},
	}
	var m [3][3]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				m[i][j] += cross[i][k] * srgb[k][j]
			}
		}
	}
	return m
}()

func (c Camera) matrix() [3][3]float64 {
	if c.Matrix == ([3][3]float64{}) {
		return defaultMatrix
	}
	return c.Matrix
}

// IlluminantWhite returns the XYZ (Y = 1) of a light of the given correlated
// colour temperature: the CIE daylight locus from 4000 K up (CIE 15:2004
// eq. 3.3), the Planckian locus below it (Kim et al. 2002 cubic
// approximation).
func IlluminantWhite(cct float64) colour.XYZ {
	if cct <= 0 {
		return colour.WhiteD65
	}
	var x, y float64
	t := cct
	if t >= 4000 {
		if t <= 7000 {
			x = -4.6070e9/(t*t*t) + 2.9678e6/(t*t) + 0.09911e3/t + 0.244063
		} else {
			x = -2.0064e9/(t*t*t) + 1.9018e6/(t*t) + 0.24748e3/t + 0.237040
		}
		y = -3.000*x*x + 2.870*x - 0.275
	} else {
		x = -0.2661239e9/(t*t*t) - 0.2343589e6/(t*t) + 0.8776956e3/t + 0.179910
		switch {
		case t <= 2222:
			y = -1.1063814*x*x*x - 1.34811020*x*x + 2.18555832*x - 0.20219683
		default:
			y = -0.9549476*x*x*x - 1.37418593*x*x + 2.09137015*x - 0.16748867
		}
	}
	return colour.XYZ{X: x / y, Y: 1, Z: (1 - x - y) / y}
}

func mulVec(m [3][3]float64, v colour.XYZ) [3]float64 {
	return [3]float64{
		m[0][0]*v.X + m[0][1]*v.Y + m[0][2]*v.Z,
		m[1][0]*v.X + m[1][1]*v.Y + m[1][2]*v.Z,
		m[2][0]*v.X + m[2][1]*v.Y + m[2][2]*v.Z,
	}
}

// Linear returns the camera's linear RGB for a surface of colour lab lit
// with relative intensity light (1 = full light, 0.5 = in half shadow),
// before noise and encoding. Values above 1 will clip when encoded.
func (c Camera) Linear(lab colour.LabD50, light float64) [3]float64 {
	white := IlluminantWhite(c.CCT)
	lit := colour.Adapt(lab.XYZ(), colour.WhiteD50, white)
	m := c.matrix()
	rgb := mulVec(m, lit)
	w := mulVec(m, white)
	exp := c.Exposure
	if exp == 0 {
		exp = 1
	}
	for k := 0; k < 3; k++ {
		// Gains that make the illuminant white neutral, applied in part.
		gain := math.Pow(w[1]/w[k], c.WhiteBalance)
		rgb[k] *= gain * exp * light
	}
	return rgb
}

// Encode applies the camera's tone curve and clips to 0..1.
func (c Camera) Encode(lin [3]float64) [3]float64 {
	var out [3]float64
	for k, v := range lin {
		v = math.Max(0, math.Min(1, v))
		switch c.Curve {
		case CurveLinear:
		case CurveGamma22:
			v = math.Pow(v, 1/2.2)
		case CurvePhone:
			x := colour.LinearRGB{R: v}.Encode().R
			v = (1-PhoneCurveK)*x + PhoneCurveK*x*x*(3-2*x)
		default:
			v = colour.LinearRGB{R: v}.Encode().R
		}
		out[k] = v
	}
	return out
}
