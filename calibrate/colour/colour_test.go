package colour

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"

	colorful "github.com/lucasb-eyer/go-colorful"
)

func readFloatCSV(t *testing.T, path string) [][]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	for _, rec := range recs {
		var row []float64
		for _, s := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				row = append(row, math.NaN())
				continue
			}
			row = append(row, v)
		}
		out = append(out, row)
	}
	return out
}

func TestDeltaE00MatchesSharmaTable(t *testing.T) {
	rows := readFloatCSV(t, "testdata/sharma2005_ciede2000.csv")
	if len(rows) != 34 {
		t.Fatalf("want the 34 published pairs, read %d", len(rows))
	}
	for i, r := range rows {
		a := LabD50{r[0], r[1], r[2]}
		b := LabD50{r[3], r[4], r[5]}
		for _, got := range []float64{DeltaE00(a, b), DeltaE00(b, a)} {
			if math.Abs(got-r[6]) > 1e-4 {
				t.Errorf("pair %d: ΔE00(%v, %v) = %.5f, published %.4f", i+1, a, b, got, r[6])
			}
		}
	}
}

func TestLabXYZRoundTrip(t *testing.T) {
	for L := 0.0; L <= 100; L += 7 {
		for a := -80.0; a <= 80; a += 20 {
			for b := -80.0; b <= 80; b += 20 {
				c := LabD50{L, a, b}
				back := c.XYZ().LabD50()
				if math.Abs(back.L-L)+math.Abs(back.A-a)+math.Abs(back.B-b) > 1e-9 {
					t.Fatalf("%v -> XYZ -> %v", c, back)
				}
			}
		}
	}
}

func TestWhitesMapToNeutralAxis(t *testing.T) {
	tests := []struct {
		name string
		in   SRGB
		want LabD50
	}{
		{"sRGB white is L*=100 neutral under D50", SRGB{1, 1, 1}, LabD50{100, 0, 0}},
		{"sRGB black is L*=0", SRGB{0, 0, 0}, LabD50{0, 0, 0}},
		{"sRGB mid grey is neutral", SRGB{0.5, 0.5, 0.5}, LabD50{53.389, 0, 0}},
	}
	for _, tt := range tests {
		got := tt.in.LabD50()
		if DeltaE00(got, tt.want) > 0.05 {
			t.Errorf("%s: got %v want %v", tt.name, got, tt.want)
		}
	}
}

// The shared reference file lists sRGB values derived from the 2014 Lab
// values through the same chain (Lab D50 -> Bradford -> sRGB).
func TestSRGB8MatchesReferenceDerivation(t *testing.T) {
	path := "../../../shared/data/realcards/reference_lab_d50.csv"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared data not present (%v)", err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		var v [11]float64
		for i := 2; i < 11; i++ {
			v[i], _ = strconv.ParseFloat(rec[i], 64)
		}
		got := LabD50{v[2], v[3], v[4]}.SRGB8()
		for k := 0; k < 3; k++ {
			if math.Abs(float64(got[k])-v[8+k]) > 1 {
				t.Errorf("patch %s: sRGB8 %v, reference file %v", rec[0], got, v[8:11])
				break
			}
		}
	}
}

func TestAdaptIsInvertible(t *testing.T) {
	x := XYZ{0.3, 0.4, 0.2}
	back := Adapt(Adapt(x, WhiteD65, WhiteD50), WhiteD50, WhiteD65)
	if math.Abs(back.X-x.X)+math.Abs(back.Y-x.Y)+math.Abs(back.Z-x.Z) > 1e-6 {
		t.Fatalf("round trip %v -> %v", x, back)
	}
	w := Adapt(WhiteD65, WhiteD65, WhiteD50)
	if math.Abs(w.X-WhiteD50.X)+math.Abs(w.Z-WhiteD50.Z) > 1e-6 {
		t.Fatalf("D65 white adapts to %v, want %v", w, WhiteD50)
	}
}

func TestITACategories(t *testing.T) {
	tests := []struct {
		lab  LabD50
		want string
	}{
		{LabD50{75, 8, 12}, "very light"},
		{LabD50{65, 10, 16}, "light"},
		{LabD50{55, 12, 18}, "tan"},
		{LabD50{40, 12, 18}, "brown"},
		{LabD50{25, 8, 10}, "dark"},
	}
	for _, tt := range tests {
		if got := ITACategory(ITA(tt.lab)); got != tt.want {
			t.Errorf("%v: ITA %.1f -> %q, want %q", tt.lab, ITA(tt.lab), got, tt.want)
		}
	}
}

func TestLabJSONIsAnArray(t *testing.T) {
	b, err := json.Marshal(LabD50{50.12345, -1.5, 2})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "[50.123,-1.5,2]" {
		t.Fatalf("got %s", b)
	}
	var c LabD50
	if err := json.Unmarshal([]byte("[1,2,3]"), &c); err != nil || c != (LabD50{1, 2, 3}) {
		t.Fatalf("got %v %v", c, err)
	}
	if _, err := json.Marshal(LabD50{math.NaN(), 0, 0}); err == nil {
		t.Fatal("NaN must not marshal")
	}
}

// go-colorful's CIEDE2000 agrees with ours away from the 180° hue branch.
func TestDeltaE00AgreesWithGoColorful(t *testing.T) {
	for L := 5.0; L <= 95; L += 15 {
		for a := -60.0; a <= 60; a += 17 {
			for b := -60.0; b <= 60; b += 23 {
				c1, c2 := LabD50{L, a, b}, LabD50{L + 3, a - 5, b + 4}
				ref := 100 * colorful.Lab(c1.L/100, c1.A/100, c1.B/100).DistanceCIEDE2000(colorful.Lab(c2.L/100, c2.A/100, c2.B/100))
				if got := DeltaE00(c1, c2); math.Abs(got-ref) > 1e-6 {
					t.Fatalf("%v %v: ours %.6f, go-colorful %.6f", c1, c2, got, ref)
				}
			}
		}
	}
}

// SRGB8's table of bounds gives what rounding the encoded value gives:
// on either side of every bound, and on a million colours across and beyond
// the gamut.
func TestSRGB8ByBoundsIsRoundedEncode(t *testing.T) {
	byPow := func(v float64) uint8 {
		e := LinearRGB{R: v}.Encode().R
		return uint8(math.Round(255 * math.Max(0, math.Min(1, e))))
	}
	var vals []float64
	for _, b := range srgb8Bounds {
		vals = append(vals, b*(1-1e-9), b*(1+1e-9))
	}
	rng := rand.New(rand.NewSource(5))
	for i := 0; i < 1000000; i++ {
		vals = append(vals, 1.4*rng.Float64()-0.2, math.Pow(rng.Float64(), 3))
	}
	bad := 0
	for _, v := range vals {
		if got, want := encode8(v), byPow(v); got != want {
			if bad++; bad <= 5 {
				t.Errorf("linear %.12g: %d by the bounds, %d by the power law", v, got, want)
			}
		}
	}
	if got := encode8(math.NaN()); got != 0 {
		t.Errorf("NaN encodes to %d, want 0", got)
	}
	for _, c := range []LabD50{{L: 50, A: 20, B: -30}, {L: 100}, {L: 0}, {L: 60, A: 120, B: 90}} {
		l := c.XYZ().LinearRGB()
		if got, want := c.SRGB8(), [3]uint8{byPow(l.R), byPow(l.G), byPow(l.B)}; got != want {
			t.Errorf("%v: SRGB8 %v, rounded encode %v", c, got, want)
		}
	}
}
