package palettes

import (
	"bytes"
	"fmt"
	"testing"
)

// One diluent per palette, pigments distinct from it, and colours a
// surface can have. Before: a second diluent row silently replaced the
// first, a pigment could share the diluent's id, and L*a*b* (50, 128,
// −128) passed `palettes check` and failed `match`.
func TestRobustPaletteDiluentAndColours(t *testing.T) {
	const header = "id,name,kind,L,a,b,source\n"
	const black = "k,Black,carbon black,22,0,-1,est\n"
	for _, tc := range []struct {
		name, file, data string
		wants            []string
	}{
		{name: "two diluent rows are refused", file: "two.csv",
			data:  header + "w,Water,diluent,,,,\n" + black + "s,Saline,diluent,,,,\n",
			wants: []string{`line 4 (s) kind: a second diluent row: the diluent is "w" on line 2`}},
		{name: "a pigment with the diluent's id is refused", file: "same.csv",
			data:  header + "w,Water,diluent,,,,\n" + black + "W,Grey wash,carbon black,60,0,0,est\n",
			wants: []string{`line 4 (W) id: "W" is the diluent's id`}},
		{name: "a pigment with the default diluent's id is refused", file: "default.csv",
			data:  header + black + "diluent,Grey,carbon black,60,0,0,est\n",
			wants: []string{`line 3 (diluent) id: "diluent" is the diluent's id`}},
		{name: "a colour no surface has is refused where match would refuse it", file: "violet.csv",
			data:  header + black + "v,Violet,other,50,128,-128,est\n",
			wants: []string{"line 3 (v) lab: recover spectrum for L*a*b*(50.0, 128.0, -128.0): best fit is 10.32 ΔE00 away: no smooth reflectance spectrum has this colour"}},
		{name: "two diluent objects in JSON are refused", file: "two.json",
			data: `{"name": "two",
"diluent": {"id": "w", "name": "water"},
"diluent": {"id": "s", "name": "saline"},
"pigments": [{"id": "k", "name": "Black", "kind": "carbon black", "lab": [22, 0, -1], "source": "est"}]}`,
			wants: []string{`line 3 diluent: "diluent" is given twice (first on line 2)`}},
		{name: "a JSON pigment with the diluent's id is refused", file: "same.json",
			data: `{"name": "same", "diluent": {"id": "w", "name": "water"},
"pigments": [{"id": "k", "name": "Black", "kind": "carbon black", "lab": [22, 0, -1], "source": "est"},
{"id": "w", "name": "Wash", "kind": "carbon black", "lab": [60, 0, 0], "source": "est"}]}`,
			wants: []string{`line 3 (w) id: "w" is the diluent's id`}},
		{name: "a JSON colour no surface has is refused", file: "violet.json",
			data: `{"name": "violet",
"pigments": [{"id": "v", "name": "Violet", "kind": "other", "lab": [50, 128, -128], "source": "est"}]}`,
			wants: []string{"line 2 (v) lab: recover spectrum for L*a*b*(50.0, 128.0, -128.0): best fit is 10.32 ΔE00 away: no smooth reflectance spectrum has this colour"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parse := ParseCSV
			if tc.file[len(tc.file)-4:] == "json" {
				parse = ParseJSON
			}
			p, err := parse(tc.file, []byte(tc.data))
			checkProblems(t, p, err, tc.wants)
		})
	}
}

// bigPaletteJSON is a JSON palette of n pigments, one per line.
func bigPaletteJSON(n int) []byte {
	var b bytes.Buffer
	b.WriteString("{\"name\": \"big\",\n\"pigments\": [\n")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"id": "p%d", "name": "Pigment %d", "kind": "carbon black", "lab": [%.2f, %.2f, %.2f], "source": "est"}`,
			i, i, 20+float64(i%400)/10, float64(i%40)/10, float64(i%30)/10)
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

// Checking a palette is linear in its size: ns/pigment stays flat from
// 5 000 to 40 000 pigments (it grew 8× over that range when every
// pigment's line was counted from the start of the file; 250 000 pigments
// took over a minute).
//
//	go test -run '^$' -bench BenchmarkParsePaletteJSON ./palettes
func BenchmarkParsePaletteJSON(b *testing.B) {
	for _, n := range []int{5000, 40000} {
		data := bigPaletteJSON(n)
		b.Run(fmt.Sprintf("pigments=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := ParseJSON("big.json", data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/pigment")
		})
	}
}

// The line of a problem at the end of a big palette is still right (the
// line index, not a count from the start).
func TestRobustBigPaletteReportsTheRightLine(t *testing.T) {
	data := bigPaletteJSON(20000)
	data = bytes.Replace(data, []byte(`"id": "p19999", "name": "Pigment 19999", "kind": "carbon black"`), []byte(`"id": "p19999", "name": "Pigment 19999", "kind": "plastic"`), 1)
	_, err := ParseJSON("big.json", data)
	checkProblems(t, nil, err, []string{`line 20002 (p19999) kind: "plastic" is not a known kind`})
}
