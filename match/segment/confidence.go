package segment

import (
	"math"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// The confidence stage (stage 5 of Measure): how far the result can be
// trusted, as the weakest of several factors, each with its warning.

// notShade is 1 when the hair is unlike a shadow of the skin: either far
// from the skin (CIEDE2000 at least minDE), or of another chromaticity than
// the skin darkened or lightened to the hair's luminance. Skin creases and
// folds are the skin in shade: close to it and of the same chromaticity.
// Black hair is ≥ 5.7 from the shaded light skin of the tests, dark brown
// 1.8 (but ΔE00 44 from the skin), blond on medium skin 6.6 (ΔE00 7).
//
// Distance from the skin clears only hair darker than it. Dark brown hair
// has the chromaticity of deeply shaded skin, and only its depth tells it
// apart; but light hair is grey, white or blond, of another chromaticity
// than any skin (grey and white neutral, blond yellower), while skin in
// more light — a lit crown, a cheek in the sun — is the skin's own
// chromaticity at any lightness. So a light end of the skin's chromaticity
// is lit skin however far above the skin it lies (real intake photos:
// 26-Front's lit crown read as light hair over dark stubble at ΔE00 15,
// 1.9 from the skin lightened; 37-Left's lit cheek at 0.7; true white
// hair, 7-Left, at 24.9).
func notShade(hair, skin colour.LabD50, de00, minDE float64) float64 {
	x := skin.XYZ()
	g := labY(hair.L) / x.Y
	shaded := colour.XYZ{X: x.X * g, Y: x.Y * g, Z: x.Z * g}.LabD50()
	chroma := ramp(colour.DeltaE00(shaded, hair), minShadeDE/2.5, minShadeDE)
	if hair.L > skin.L {
		return chroma
	}
	return math.Max(ramp(de00, 0.6*minDE, minDE), chroma)
}

// shadeWarning says what a 'hair' of the skin's own chromaticity is: the
// skin in shade when darker, in more light when lighter.
func shadeWarning(hair, skin colour.LabD50) string {
	if hair.L > skin.L {
		return "the 'hair' looks like the skin in more light (a lit crown, a cheek, a highlight), not fibres of another colour"
	}
	return "the 'hair' looks like shaded skin (creases, pores, folds), not fibres of another colour"
}

type factor struct {
	v   float64
	msg string
}

func (m *measurer) finish(r Result, fs []factor) Result {
	r.Confidence = 1
	for _, f := range fs {
		r.Confidence = math.Min(r.Confidence, f.v)
		if f.v < 1 && f.msg != "" {
			m.warn = append(m.warn, f.msg)
		}
	}
	r.LowConfidence = r.Confidence < lowConfidence
	r.Warnings = append([]string{}, m.warn...)
	return r
}

func contrast(hair, scalp colour.LabD50) Contrast {
	dh := hair.HueDeg() - scalp.HueDeg()
	for dh > 180 {
		dh -= 360
	}
	for dh < -180 {
		dh += 360
	}
	yh, ys := labY(hair.L), labY(scalp.L)
	ratio := (math.Max(yh, ys) + 0.05) / (math.Min(yh, ys) + 0.05)
	return Contrast{
		DE00:  colour.DeltaE00(hair, scalp),
		DL:    hair.L - scalp.L,
		DC:    hair.Chroma() - scalp.Chroma(),
		DH:    dh,
		Ratio: ratio,
	}
}

// fibrousShare is the share of the ends' hair mask (in the region) that
// lies on the thin structures the hair stage found or within their 2 px
// surroundings (near: nearHair's mask). Fibres are thin structures: where
// the ends' far side is hair, its pixels are the strands the top-hat found
// and their blurred edges; where it is a surface in more light — a lit
// crown, a highlight, a cheek in the sun — the top-hat finds pores and
// noise in it, and little of it lies near them. Measured with the lighter
// end: our renders of grey and blond hair 0.36–1.0 (blond on medium skin,
// its colour close to the skin's, the least), real white hair (7-Left)
// 0.82; the lit bald crowns, shaved sides and highlights of the real intake
// photos 0.004–0.10 (13-Left 0.004, 5-Top-Down 0.008, 9-Front's hot spot
// 0.09). It returns 1 for an empty mask, 0 when the hair stage found
// nothing thin (near nil).
func fibrousShare(mask, near, reg []bool) float64 {
	if near == nil {
		return 0
	}
	in, all := 0, 0
	for i, v := range mask {
		if v && reg[i] {
			all++
			if near[i] {
				in++
			}
		}
	}
	if all == 0 {
		return 1
	}
	return float64(in) / float64(all)
}

// A lighter 'hair' less than minFibrousShare near fibres is not hair;
// below fullFibrousShare its confidence falls.
const (
	minFibrousShare  = 0.1
	fullFibrousShare = 0.3
)

// offSkinHue is how far, in a*b* units, the colour lab lies outside the
// skin hues minDeg–maxDeg (Options.SkinHueMinDeg/MaxDeg, the hue test that
// admits skin): 0 within them, else its distance from the nearer edge of
// that sector. Skin's own colour comes from melanin and blood, and lies in
// the sector; a scalp reading beyond it is the skin with something else on
// it — a sheen reflecting a blue sky or a lamp, a colour cast — or not
// skin. On the real intake photos (uncalibrated): 3-Left's and 37-Front's
// scalps, read where a skylight sheen lies on dark skin, 22 and 10.5
// units; 13-Back's, read on a shirt and the neck, 5.8; pinkish skin under a
// phone's white balance (hue 3–9°) 0.9–1.8, and 2.6 at the most (34-Left).
func offSkinHue(lab colour.LabD50, minDeg, maxDeg float64) float64 {
	c := math.Hypot(lab.A, lab.B)
	if c == 0 {
		return 0
	}
	h := math.Atan2(lab.B, lab.A) * 180 / math.Pi
	if h >= minDeg && h <= maxDeg {
		return 0
	}
	// The angle to the nearer edge, either way round the circle.
	d := math.Min(angleBetween(h, minDeg), angleBetween(h, maxDeg))
	if d >= 90 {
		return c
	}
	return c * math.Sin(d*math.Pi/180)
}

// angleBetween is the angle in degrees (0–180) between hues a and b.
func angleBetween(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 360)
	return math.Min(d, 360-d)
}

// A scalp colour up to minOffSkinHue a*b* units outside the skin hues is
// skin (noise, a mild cast); from maxOffSkinHue on it is not trusted.
const (
	minOffSkinHue = 2.0
	maxOffSkinHue = 5.0
)
