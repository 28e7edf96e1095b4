// Package colour holds the colour-science vocabulary every stage of
// smpmatch shares: CIE XYZ, CIE L*a*b* relative to the D50 white of the ICC
// profile connection space, linear and encoded sRGB, chromatic adaptation and
// the CIEDE2000 colour difference.
//
// Conventions, stated once so that no caller has to guess:
//
//   - L*a*b* is always D50, 2° observer (ICC PCS), on the usual scale:
//     L* from 0 to 100, a* and b* in the same units. The type that carries it
//     is LabD50; there is no other Lab type.
//   - XYZ is relative: the perfect diffuser has Y = 1. An XYZ value carries no
//     white point of its own; functions say which white they assume.
//   - sRGB values are 0..1 floats; LinearRGB is linear light with sRGB
//     primaries and a D65 white. Going between sRGB and D50 uses the Bradford
//     chromatic adaptation transform.
//
// The heavy lifting for sRGB transfer curves, the sRGB matrix and CIEDE2000 is
// done by github.com/lucasb-eyer/go-colorful; this package pins down the white
// point and the scale that go-colorful leaves to its caller (its Lab defaults
// to D65 and scales L* to 0..1).
package colour

import (
	"encoding/json"
	"fmt"
	"math"

	colorful "github.com/lucasb-eyer/go-colorful"
)

// XYZ is a CIE 1931 tristimulus value, relative (Y of the white = 1).
type XYZ struct{ X, Y, Z float64 }

// Reference whites as XYZ with Y = 1.
var (
	// WhiteD50 is the ICC profile connection space white (ICC.1:2010, 7.2.16),
	// the white of every LabD50.
	WhiteD50 = XYZ{0.9642, 1.0, 0.8249}
	// WhiteD65 is the sRGB white (IEC 61966-2-1).
	WhiteD65 = XYZ{0.95047, 1.0, 1.08883}
)

// LabD50 is a CIE 1976 L*a*b* colour relative to the D50 white, with L* on a
// 0..100 scale. In JSON it is the array [L*, a*, b*].
type LabD50 struct{ L, A, B float64 }

// MarshalJSON writes the colour as [L*, a*, b*], rounded to 0.001, which is
// far below any perceptible difference and keeps output stable.
func (c LabD50) MarshalJSON() ([]byte, error) {
	r := func(v float64) float64 { return math.Round(v*1000) / 1000 }
	if !c.IsFinite() {
		return nil, fmt.Errorf("colour: L*a*b* %v is not finite", [3]float64{c.L, c.A, c.B})
	}
	return json.Marshal([3]float64{r(c.L), r(c.A), r(c.B)})
}

// UnmarshalJSON reads [L*, a*, b*].
func (c *LabD50) UnmarshalJSON(b []byte) error {
	var v [3]float64
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("L*a*b* must be an array [L, a, b]: %w", err)
	}
	*c = LabD50{v[0], v[1], v[2]}
	return nil
}

// String formats the colour as "L*a*b*(L, a, b)" with one decimal.
func (c LabD50) String() string {
	return fmt.Sprintf("L*a*b*(%.1f, %.1f, %.1f)", c.L, c.A, c.B)
}

// IsFinite reports whether all three coordinates are finite numbers.
func (c LabD50) IsFinite() bool {
	return !math.IsNaN(c.L+c.A+c.B) && !math.IsInf(c.L+c.A+c.B, 0)
}

// Chroma is C*ab, the distance from the neutral axis.
func (c LabD50) Chroma() float64 { return math.Hypot(c.A, c.B) }

// HueDeg is the hue angle h_ab in degrees, 0..360.
func (c LabD50) HueDeg() float64 {
	h := math.Atan2(c.B, c.A) * 180 / math.Pi
	if h < 0 {
		h += 360
	}
	return h
}

// CIE constants of the L*a*b* transfer function (CIE 15:2004): epsilon and
// kappa in their exact rational form.
const (
	labEpsilon = 216.0 / 24389.0
	labKappa   = 24389.0 / 27.0
)

func labF(t float64) float64 {
	if t > labEpsilon {
		return math.Cbrt(t)
	}
	return (labKappa*t + 16) / 116
}

func labFInv(f float64) float64 {
	if f3 := f * f * f; f3 > labEpsilon {
		return f3
	}
	return (116*f - 16) / labKappa
}

// LabD50 converts a D50-relative XYZ to L*a*b*.
func (x XYZ) LabD50() LabD50 {
	fx := labF(x.X / WhiteD50.X)
	fy := labF(x.Y / WhiteD50.Y)
	fz := labF(x.Z / WhiteD50.Z)
	return LabD50{L: 116*fy - 16, A: 500 * (fx - fy), B: 200 * (fy - fz)}
}

// XYZ converts L*a*b* back to D50-relative XYZ.
func (c LabD50) XYZ() XYZ {
	fy := (c.L + 16) / 116
	fx := fy + c.A/500
	fz := fy - c.B/200
	var y float64
	if c.L > labKappa*labEpsilon {
		y = fy * fy * fy
	} else {
		y = c.L / labKappa
	}
	return XYZ{X: labFInv(fx) * WhiteD50.X, Y: y * WhiteD50.Y, Z: labFInv(fz) * WhiteD50.Z}
}

// Bradford cone-response matrix and its inverse (Lam 1985, as used by ICC
// and Lindbloom).
var (
	bradford = [3][3]float64{
		{0.8951, 0.2664, -0.1614},
		{-0.7502, 1.7135, 0.0367},
		{0.0389, -0.0685, 1.0296},
	}
	bradfordInv = [3][3]float64{
		{0.9869929, -0.1470543, 0.1599627},
		{0.4323053, 0.5183603, 0.0492912},
		{-0.0085287, 0.0400428, 0.9684867},
	}
)

func mul3(m [3][3]float64, v [3]float64) [3]float64 {
	return [3]float64{
		m[0][0]*v[0] + m[0][1]*v[1] + m[0][2]*v[2],
		m[1][0]*v[0] + m[1][1]*v[1] + m[1][2]*v[2],
		m[2][0]*v[0] + m[2][1]*v[1] + m[2][2]*v[2],
	}
}

// Adapt maps a colour seen under white src to the corresponding colour under
// white dst with the Bradford transform.
func Adapt(x XYZ, src, dst XYZ) XYZ {
	s := mul3(bradford, [3]float64{src.X, src.Y, src.Z})
	d := mul3(bradford, [3]float64{dst.X, dst.Y, dst.Z})
	c := mul3(bradford, [3]float64{x.X, x.Y, x.Z})
	c = [3]float64{c[0] * d[0] / s[0], c[1] * d[1] / s[1], c[2] * d[2] / s[2]}
	r := mul3(bradfordInv, c)
	return XYZ{r[0], r[1], r[2]}
}

// LinearRGB is linear-light RGB with sRGB primaries and a D65 white, 0..1 for
// colours inside the gamut.
type LinearRGB struct{ R, G, B float64 }

// SRGB is encoded sRGB (IEC 61966-2-1 transfer curve), 0..1.
type SRGB struct{ R, G, B float64 }

// Linear decodes the sRGB transfer curve.
func (c SRGB) Linear() LinearRGB {
	r, g, b := colorful.Color{R: c.R, G: c.G, B: c.B}.LinearRgb()
	return LinearRGB{r, g, b}
}

// Encode applies the sRGB transfer curve; values outside 0..1 pass through
// the curve's linear segment or power law unclipped.
func (c LinearRGB) Encode() SRGB {
	col := colorful.LinearRgb(c.R, c.G, c.B)
	return SRGB{col.R, col.G, col.B}
}

// XYZD50 converts linear sRGB to XYZ adapted to D50.
func (c LinearRGB) XYZD50() XYZ {
	x, y, z := colorful.LinearRgbToXyz(c.R, c.G, c.B)
	return Adapt(XYZ{x, y, z}, WhiteD65, WhiteD50)
}

// LinearRGB converts D50-relative XYZ to linear sRGB (D65), unclipped.
func (x XYZ) LinearRGB() LinearRGB {
	d65 := Adapt(x, WhiteD50, WhiteD65)
	r, g, b := colorful.XyzToLinearRgb(d65.X, d65.Y, d65.Z)
	return LinearRGB{r, g, b}
}

// LabD50 converts encoded sRGB to L*a*b* D50.
func (c SRGB) LabD50() LabD50 { return c.Linear().XYZD50().LabD50() }

// SRGB converts L*a*b* D50 to encoded sRGB, unclipped: components outside
// 0..1 mean the colour is outside the sRGB gamut.
func (c LabD50) SRGB() SRGB { return c.XYZ().LinearRGB().Encode() }

// SRGB8 converts L*a*b* D50 to 8-bit sRGB, clipping out-of-gamut colours,
// for swatches and pictures.
func (c LabD50) SRGB8() [3]uint8 {
	l := c.XYZ().LinearRGB()
	return [3]uint8{encode8(l.R), encode8(l.G), encode8(l.B)}
}

// srgb8Bounds[k] is the linear value from which 8-bit sRGB reads k+1 rather
// than k: the sRGB decode of (k + ½)/255. Rounding the encoded value to 8
// bits is counting the bounds at or below the linear value, which needs no
// power (pictures convert every distinct colour of a photo).
var srgb8Bounds = func() (b [255]float64) {
	for k := range b {
		b[k] = SRGB{R: (float64(k) + 0.5) / 255}.Linear().R
	}
	return b
}()

// encode8 is round(255 · sRGB-encode(v)) clipped to 0..255 (0 for NaN).
func encode8(v float64) uint8 {
	lo, hi := 0, len(srgb8Bounds)
	for lo < hi {
		mid := (lo + hi) / 2
		if v >= srgb8Bounds[mid] {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return uint8(lo)
}

// Hex formats the clipped sRGB rendering of c as "#rrggbb".
func (c LabD50) Hex() string {
	p := c.SRGB8()
	return fmt.Sprintf("#%02x%02x%02x", p[0], p[1], p[2])
}

// DeltaE00 is the CIEDE2000 colour difference (CIE 142-2001; Sharma, Wu &
// Dalal 2005) with kL = kC = kH = 1. About 1 is the smallest difference most
// observers see side by side; dental shade matching calls 1.8 acceptable.
//
// It is written out here rather than delegated to go-colorful because that
// library takes its L*a*b* from an RGB value, and the round trip moves hue
// angles by rounding noise: enough to cross the formula's 180° branch on
// Sharma's test pair 10. The tests check both against the published table.
func DeltaE00(c1, c2 LabD50) float64 {
	const deg = math.Pi / 180
	const pow25to7 = 6103515625.0 // 25^7
	// Hue differences of exactly 180° sit on the formula's branch point;
	// atan2 rounding must not push them over it (Sharma pairs 10 and 14).
	const hueTie = 1e-9
	cab := (math.Hypot(c1.A, c1.B) + math.Hypot(c2.A, c2.B)) / 2
	c7 := math.Pow(cab, 7)
	g := 0.5 * (1 - math.Sqrt(c7/(c7+pow25to7)))
	a1, a2 := (1+g)*c1.A, (1+g)*c2.A
	cp1, cp2 := math.Hypot(a1, c1.B), math.Hypot(a2, c2.B)
	hue := func(b, a float64) float64 {
		if a == 0 && b == 0 {
			return 0
		}
		h := math.Atan2(b, a) / deg
		if h < 0 {
			h += 360
		}
		return h
	}
	h1, h2 := hue(c1.B, a1), hue(c2.B, a2)

	dL := c2.L - c1.L
	dC := cp2 - cp1
	var dh float64
	if cp1*cp2 != 0 {
		dh = h2 - h1
		if dh > 180+hueTie {
			dh -= 360
		} else if dh < -180-hueTie {
			dh += 360
		}
	}
	dH := 2 * math.Sqrt(cp1*cp2) * math.Sin(dh/2*deg)

	lMean := (c1.L + c2.L) / 2
	cMean := (cp1 + cp2) / 2
	hMean := h1 + h2
	if cp1*cp2 != 0 {
		if math.Abs(h1-h2) > 180+hueTie {
			if hMean < 360 {
				hMean += 360
			} else {
				hMean -= 360
			}
		}
		hMean /= 2
	}
	t := 1 - 0.17*math.Cos((hMean-30)*deg) + 0.24*math.Cos(2*hMean*deg) +
		0.32*math.Cos((3*hMean+6)*deg) - 0.20*math.Cos((4*hMean-63)*deg)
	dTheta := 30 * math.Exp(-math.Pow((hMean-275)/25, 2))
	cm7 := math.Pow(cMean, 7)
	rc := 2 * math.Sqrt(cm7/(cm7+pow25to7))
	l50 := (lMean - 50) * (lMean - 50)
	sl := 1 + 0.015*l50/math.Sqrt(20+l50)
	sc := 1 + 0.045*cMean
	sh := 1 + 0.015*cMean*t
	rt := -math.Sin(2*dTheta*deg) * rc
	x, y, z := dL/sl, dC/sc, dH/sh
	return math.Sqrt(x*x + y*y + z*z + rt*y*z)
}

// ITA is the individual typology angle of a skin colour in degrees,
// atan2(L* − 50, b*) (Chardon et al. 1991). Higher is lighter skin.
func ITA(c LabD50) float64 {
	return math.Atan2(c.L-50, c.B) * 180 / math.Pi
}

// ITACategory names the skin group of an ITA angle using the thresholds of
// Chardon et al. (1991) and Del Bino et al. (2006).
func ITACategory(ita float64) string {
	switch {
	case ita > 55:
		return "very light"
	case ita > 41:
		return "light"
	case ita > 28:
		return "intermediate"
	case ita > 10:
		return "tan"
	case ita > -30:
		return "brown"
	default:
		return "dark"
	}
}
