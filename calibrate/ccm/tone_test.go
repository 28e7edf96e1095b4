package ccm

import (
	"errors"
	"math"
	"testing"
)

// The card's six greys, reference luminance Y (white 9.5 … black 2).
var greyY = []float64{0.887, 0.587, 0.362, 0.190, 0.0889, 0.0310}

func TestFitToneRecoversTheCurveAndKeepsPowerLawsOutside(t *testing.T) {
	srgbDecode := func(v float64) float64 {
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	srgbEncode := func(v float64) float64 {
		if v <= 0.0031308 {
			return 12.92 * v
		}
		return 1.055*math.Pow(v, 1/2.4) - 0.055
	}
	phone := func(y float64) float64 { // sRGB, then a contrast S-curve
		x := srgbEncode(y)
		return srgbDecode(0.7*x + 0.3*x*x*(3-2*x))
	}
	cases := []struct {
		name   string
		camera func(y float64) float64 // light → decoded value the fit sees
		gains  [3]float64
		maxErr float64 // largest relative error of f·gain over Y 0.03–0.9
	}{
		{"identity", func(y float64) float64 { return y }, [3]float64{1, 1, 1}, 1e-9},
		{"power law 1.2, white balance off", func(y float64) float64 { return math.Pow(y, 1.2) }, [3]float64{0.9, 1, 1.15}, 1e-9},
		// A quadratic in ln v follows a strong S-curve within 7% of the
		// light (about 1.5 L* at mid-tones; a plain decode is 30% off in
		// the shadows), the matrix after it taking up part of the rest.
		{"phone S-curve", phone, [3]float64{1, 1, 1}, 0.07},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var lin [][3]float64
			for _, y := range greyY {
				v := tc.camera(y)
				lin = append(lin, [3]float64{tc.gains[0] * v, tc.gains[1] * v, tc.gains[2] * v})
			}
			tone, err := FitTone(lin, greyY)
			if err != nil {
				t.Fatal(err)
			}
			// f(G) is proportional to light: compare ratios to white.
			ref := tone.Apply([3]float64{0, tc.camera(0.887), 0})[1] / 0.887
			for y := 0.03; y <= 0.9; y *= 1.3 {
				got := tone.Apply([3]float64{0, tc.camera(y), 0})[1] / ref
				if e := math.Abs(got/y - 1); e > tc.maxErr {
					t.Errorf("light %.3f: curve gives %.4f (%.1f%% off)", y, got, 100*e)
				}
			}
			// Below the black patch the curve is a power law with the
			// slope at the range's end: ln f is linear in ln v there.
			u0 := tone.Range[0]
			f := func(u float64) float64 { return math.Log(tone.Apply([3]float64{math.Exp(u), 0, 0})[0]) }
			s1, s2 := f(u0-1)-f(u0-2), f(u0-2)-f(u0-3)
			if math.Abs(s1-s2) > 1e-9 || math.Abs(s1-tone.slope(u0)) > 1e-9 {
				t.Errorf("below the range the slopes are %.4f and %.4f, want %.4f", s1, s2, tone.slope(u0))
			}
		})
	}
}

func TestFitToneRefusesWhatIsNotACurve(t *testing.T) {
	cases := []struct {
		name string
		lin  [][3]float64
		y    []float64
	}{
		{"too few greys", [][3]float64{{0.9, 0.9, 0.9}, {0.5, 0.5, 0.5}, {0.2, 0.2, 0.2}}, greyY[:3]},
		{"greys out of order", [][3]float64{{0.2, 0.2, 0.2}, {0.9, 0.9, 0.9}, {0.35, 0.35, 0.35}, {0.19, 0.19, 0.19}, {0.5, 0.5, 0.5}, {0.03, 0.03, 0.03}}, greyY},
		{"all clipped to black", [][3]float64{{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}}, greyY},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tone, err := FitTone(tc.lin, tc.y); !errors.Is(err, ErrNoTone) {
				t.Errorf("got %+v, %v; want ErrNoTone", tone, err)
			}
		})
	}
}
