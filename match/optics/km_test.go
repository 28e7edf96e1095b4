package optics

import (
	"math"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

func mustRecover(t testing.TB, lab colour.LabD50) ReflectanceSpectrum {
	t.Helper()
	s, err := Recover(lab)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestKubelkaMunkRoundTrip(t *testing.T) {
	for _, r := range []float64{0.001, 0.03, 0.2, 0.5, 0.9, 0.999} {
		if got := Flat(r).KS().Reflectance()[0]; math.Abs(got-r) > 1e-12 {
			t.Errorf("R → K/S → R: %g became %g", r, got)
		}
	}
}

func TestMixingWithWhiteLightensNonLinearly(t *testing.T) {
	black := mustRecover(t, colour.LabD50{L: 22}).KS()
	white := mustRecover(t, colour.LabD50{L: 95}).KS()
	light := func(w float64) float64 {
		return Mix(Component{black, 1 - w}, Component{white, w}).Reflectance().LabD50().L
	}
	prev := light(0)
	for _, w := range []float64{0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1} {
		l := light(w)
		if l <= prev {
			t.Errorf("adding white (%.2f) did not lighten: L* %.1f after %.1f", w, l, prev)
		}
		prev = l
	}
	half, mid := light(0.5), (light(0)+light(1))/2
	// An RGB or L* average would put a 50:50 mix half-way; in paint the
	// black dominates: the mix stays far darker.
	if half > mid-20 {
		t.Errorf("50:50 black and white has L* %.1f; an average would be %.1f: want the black to dominate", half, mid)
	}
	// Convex in the white fraction: the last tenth of white lightens more
	// than the first.
	if first, last := light(0.1)-light(0), light(1)-light(0.9); last <= first {
		t.Errorf("lightening is linear-like: first tenth +%.1f, last tenth +%.1f", first, last)
	}
}

func TestBlackWithDilutionStaysNeutral(t *testing.T) {
	black := mustRecover(t, colour.LabD50{L: 22}).KS()
	white := mustRecover(t, colour.LabD50{L: 95}).KS()
	for _, parts := range []float64{0, 1, 2, 3, 5, 10, 20} {
		c := 1 / (1 + parts)
		mix := Mix(Component{black, c}, Component{white, 1}).Reflectance().LabD50()
		if mix.Chroma() > 0.5 {
			t.Errorf("black 1:%g on white: %v, chroma %.2f, want neutral", parts, mix, mix.Chroma())
		}
	}
}

func TestComplementaryPigmentsDarken(t *testing.T) {
	tests := []struct {
		name   string
		a, b   colour.SRGB
		hueMin float64
		hueMax float64
	}{
		{"blue and orange darken and lose their chroma", colour.SRGB{R: 0.1, G: 0.3, B: 0.8}, colour.SRGB{R: 0.9, G: 0.5, B: 0.1}, 0, 360},
		{"red and green darken and lose their chroma", colour.SRGB{R: 0.8, G: 0.15, B: 0.15}, colour.SRGB{R: 0.15, G: 0.6, B: 0.3}, 0, 360},
		{"blue and yellow make a green (Mixbox's anchor case)", colour.SRGB{R: 0.1, G: 0.3, B: 0.8}, colour.SRGB{R: 0.95, G: 0.85, B: 0.1}, 100, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			la, lb := tt.a.LabD50(), tt.b.LabD50()
			ka, kb := mustRecover(t, la).KS(), mustRecover(t, lb).KS()
			mix := Mix(Component{ka, 0.5}, Component{kb, 0.5}).Reflectance().LabD50()
			// Each pigment absorbs what the other reflects: the mix is
			// darker than the mean lightness and loses most of its chroma.
			if mean := (la.L + lb.L) / 2; mix.L > mean-5 {
				t.Errorf("mix %v is not darker than the mean L* %.1f of %v and %v", mix, mean, la, lb)
			}
			if tt.hueMax-tt.hueMin == 360 && mix.Chroma() > 0.5*math.Min(la.Chroma(), lb.Chroma()) {
				t.Errorf("mix %v keeps chroma %.1f of components' %.1f and %.1f", mix, mix.Chroma(), la.Chroma(), lb.Chroma())
			}
			if h := mix.HueDeg(); h < tt.hueMin || h > tt.hueMax {
				t.Errorf("mix hue %.0f°, want %.0f–%.0f°", h, tt.hueMin, tt.hueMax)
			}
			// An average of the encoded RGB values, the mistake KM avoids,
			// would be much lighter.
			avg := colour.SRGB{R: (tt.a.R + tt.b.R) / 2, G: (tt.a.G + tt.b.G) / 2, B: (tt.a.B + tt.b.B) / 2}.LabD50()
			if mix.L > avg.L-3 {
				t.Errorf("KM mix L* %.1f is not darker than the RGB average's %.1f", mix.L, avg.L)
			}
		})
	}
}
