package optics

import (
	"math"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

func TestTablesReproducePublishedWhites(t *testing.T) {
	var x, y, z, sx, sy, sz float64
	for i := 0; i < cieTableLen; i++ {
		x += cieD50[i] * cie1931[i][0]
		y += cieD50[i] * cie1931[i][1]
		z += cieD50[i] * cie1931[i][2]
		sx += cie1931[i][0]
		sy += cie1931[i][1]
		sz += cie1931[i][2]
	}
	// CIE 15:2004 Table T.3: D50, 2°, 5 nm: X = 96.42, Z = 82.51 (Y = 100).
	if got := 100 * x / y; math.Abs(got-96.42) > 0.02 {
		t.Errorf("D50 white X = %.3f, want 96.42", got)
	}
	if got := 100 * z / y; math.Abs(got-82.51) > 0.02 {
		t.Errorf("D50 white Z = %.3f, want 82.51", got)
	}
	// The observer is normalised so that the equal-energy stimulus has
	// X = Y = Z (CIE 15:2004 §7.1), to four digits on the 5 nm table.
	if math.Abs(sx/sy-1) > 2e-4 || math.Abs(sz/sy-1) > 2e-4 {
		t.Errorf("equal-energy white X/Y = %.5f, Z/Y = %.5f, want 1", sx/sy, sz/sy)
	}
}

func TestIlluminantAMatchesThePublishedTable(t *testing.T) {
	// CIE 15:2004 Table T.1, illuminant A.
	tests := []struct {
		nm, want float64
	}{
		{300, 0.930483},
		{380, 9.7951},
		{560, 100},
		{780, 241.675},
	}
	for _, tt := range tests {
		if got := IlluminantA(tt.nm); math.Abs(got-tt.want)/tt.want > 1e-4 {
			t.Errorf("A(%g nm) = %.6g, want %.6g", tt.nm, got, tt.want)
		}
	}
}

func TestSpectralColourOfNeutralsAndWhites(t *testing.T) {
	tests := []struct {
		name string
		r    ReflectanceSpectrum
		want colour.LabD50
	}{
		{"the perfect diffuser is L* 100 and neutral", Flat(1), colour.LabD50{L: 100}},
		{"an 18% grey is L* 49.5 and neutral", Flat(0.18), colour.LabD50{L: 49.496}},
		{"a flat black is neutral", Flat(0.02), colour.LabD50{L: 15.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.r.LabD50()
			if math.Abs(got.A) > 1e-9 || math.Abs(got.B) > 1e-9 || math.Abs(got.L-tt.want.L) > 0.05 {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			// A neutral stays neutral under A once the eye has adapted.
			if a := tt.r.LabUnderA(); a.Chroma() > 0.05 {
				t.Errorf("under A: %v, want neutral", a)
			}
		})
	}
}

func TestResample(t *testing.T) {
	tests := []struct {
		name    string
		nm, r   []float64
		wantErr bool
		at550   float64
	}{
		{"a 400–700 nm measurement is held flat beyond its ends", []float64{400, 700}, []float64{0.2, 0.5}, false, 0.35},
		{"a 380–730 nm measurement at 10 nm is taken as is", gridNM(), gridValues(0.3), false, 0.3},
		{"a measurement that stops at 650 nm is refused", []float64{400, 650}, []float64{0.2, 0.5}, true, 0},
		{"descending wavelengths are refused", []float64{700, 400}, []float64{0.2, 0.5}, true, 0},
		{"a reflectance above 1 is refused", []float64{380, 730}, []float64{0.2, 1.5}, true, 0},
		{"mismatched lengths are refused", []float64{380, 730}, []float64{0.2}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Resample(tt.nm, tt.r)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && math.Abs(s[17]-tt.at550) > 1e-12 {
				t.Errorf("R(550) = %g, want %g", s[17], tt.at550)
			}
		})
	}
}

func gridNM() []float64 {
	v := make([]float64, GridLen)
	for i := range v {
		v[i] = Wavelength(i)
	}
	return v
}

func gridValues(r float64) []float64 {
	v := make([]float64, GridLen)
	for i := range v {
		v[i] = r
	}
	return v
}
