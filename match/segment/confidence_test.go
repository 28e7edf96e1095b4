package segment

import (
	"math"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// The confidence stage's shade test: hair far from the skin, or of another
// chromaticity, is hair; the skin itself darkened is a shadow or a crease.
func TestNotShadeTellsHairFromShadedSkin(t *testing.T) {
	skin := colour.LabD50{L: 62, A: 12, B: 18}
	x := skin.XYZ()
	darker := colour.XYZ{X: 0.8 * x.X, Y: 0.8 * x.Y, Z: 0.8 * x.Z}.LabD50()
	// Twice the light: far from the skin (ΔE00 about 14), but its own
	// chromaticity.
	lit := colour.XYZ{X: 2 * x.X, Y: 2 * x.Y, Z: 2 * x.Z}.LabD50()
	cases := []struct {
		name string
		hair colour.LabD50
		want float64
	}{
		{"dark hair", colour.LabD50{L: 22, A: 3, B: 5}, 1},
		{"grey hair near the skin's lightness", colour.LabD50{L: 58, A: 0, B: 3}, 1},
		{"the skin, a fifth darker", darker, 0},
		{"the skin in twice the light", lit, 0},
		{"white hair", colour.LabD50{L: 85, A: 0, B: 2}, 1},
		{"blond hair lighter than medium skin", colour.LabD50{L: 68, A: 4, B: 24}, 1},
	}
	for _, tc := range cases {
		got := notShade(tc.hair, skin, colour.DeltaE00(tc.hair, skin), defMinHairContrast)
		if math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: notShade %.2f, want %.0f", tc.name, got, tc.want)
		}
	}
}

// TestFibrousShareTellsFibresFromALitSurface: the ends' mask on the
// strands the hair stage found (and their blurred edges) is fibres; a blob
// beside them, like a lit crown between strands, is not.
func TestFibrousShareTellsFibresFromALitSurface(t *testing.T) {
	const w, h = 60, 40
	thin := make([]bool, w*h)
	for y := 0; y < h; y++ {
		for _, x := range []int{10, 20} { // two vertical strands, 1 px wide
			thin[y*w+x] = true
		}
	}
	reg := make([]bool, w*h)
	for i := range reg {
		reg[i] = true
	}
	mask := func(x0, x1 int) []bool {
		m := make([]bool, w*h)
		for y := 0; y < h; y++ {
			for x := x0; x <= x1; x++ {
				m[y*w+x] = true
			}
		}
		return m
	}
	for _, c := range []struct {
		name     string
		mask     []bool
		thin     []bool
		min, max float64
	}{
		{"the strands and their blurred edges", mask(9, 11), thin, 1, 1},
		{"a surface beside the strands", mask(30, 55), thin, 0, 0},
		{"a surface over one strand", mask(15, 34), thin, 0.2, 0.3},
		{"nothing thin found", mask(9, 11), nil, 0, 0},
		{"no mask", make([]bool, w*h), thin, 1, 1},
	} {
		var near []bool
		if c.thin != nil {
			near = dilateBy(c.thin, w, h, nearHairKernel)
		}
		got := fibrousShare(c.mask, near, reg)
		if got < c.min || got > c.max {
			t.Errorf("%s: share %.3f, want %.2f–%.2f", c.name, got, c.min, c.max)
		}
	}
}

// TestOffSkinHueMeasuresTheDistanceFromSkinHues: colours within the skin
// hues are 0 off; beyond them, the distance in a*b* from the sector's
// nearer edge, whichever way round the hue circle lies.
func TestOffSkinHueMeasuresTheDistanceFromSkinHues(t *testing.T) {
	lab := func(c, hueDeg float64) colour.LabD50 {
		r := hueDeg * math.Pi / 180
		return colour.LabD50{L: 60, A: c * math.Cos(r), B: c * math.Sin(r)}
	}
	for _, c := range []struct {
		name string
		lab  colour.LabD50
		want float64
	}{
		{"skin, mid-sector", lab(20, 50), 0},
		{"skin at the sector's edge", lab(20, 15), 0},
		{"neutral", colour.LabD50{L: 60}, 0},
		{"pinkish skin, 12° below", lab(6, 3), 6 * math.Sin(12*math.Pi/180)},
		{"a blue sheen, 79° below", lab(22, -64), 22 * math.Sin(79*math.Pi/180)},
		{"just beyond the upper edge", lab(10, 95), 10 * math.Sin(10*math.Pi/180)},
		{"opposite, across ±180°", lab(9, -170), 9},
		{"green, 95° above", lab(8, 180), 8},
	} {
		if got := offSkinHue(c.lab, 15, 85); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: %.4f off, want %.4f", c.name, got, c.want)
		}
	}
}
