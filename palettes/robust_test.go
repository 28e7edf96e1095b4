package palettes

import "testing"

// Palettes come from spreadsheets and Windows editors: byte-order marks,
// CRLF line endings and numbers no ink has are handled with the line and
// field of each problem.
func TestRobustPaletteFiles(t *testing.T) {
	const header = "id,name,kind,L,a,b,source\r\n"
	for _, tc := range []struct {
		name, file, data string
		wants            []string
	}{
		{name: "an Excel CSV with a byte-order mark and Windows line endings parses", file: "excel.csv",
			data: "\xef\xbb\xbf# name: excel\r\n" + header + "k,Black,carbon black,22,0,-1,est\r\n"},
		{name: "a CSV problem after Windows line endings keeps its line number", file: "excel.csv",
			data:  "\xef\xbb\xbf" + header + "k,Black,carbon black,22,0,-1,est\r\nw,Warm,iron oxide,140,5,5,est\r\n",
			wants: []string{"palette excel.csv line 3 (w) lab: L* = 140 is outside 0..100"}},
		{name: "NaN and Inf in a CSV are not numbers", file: "nan.csv",
			data:  header + "k,Black,carbon black,NaN,0,-1,est\r\nw,Warm,iron oxide,40,Inf,5,est\r\n",
			wants: []string{"line 2 (k) L: \"NaN\" is not a number", "line 3 (w) a: \"Inf\" is not a number", "line 2 (k) lab: missing", "line 3 (w) lab: missing"}},
		{name: "a JSON palette with a byte-order mark and Windows line endings parses", file: "win.json",
			data: "\xef\xbb\xbf{\"name\": \"win\",\r\n \"pigments\": [\r\n{\"id\": \"k\", \"name\": \"Black\", \"kind\": \"carbon black\", \"lab\": [22, 0, -1], \"source\": \"est\"}]}\r\n"},
		{name: "a JSON number too large for a float is reported with its line", file: "big.json",
			data:  "{\"name\": \"big\",\r\n \"pigments\": [\r\n{\"id\": \"k\", \"name\": \"Black\", \"kind\": \"carbon black\", \"lab\": [22, 0, 1e999], \"source\": \"est\"}]}",
			wants: []string{"line 3 (k) lab"}},
		{name: "NaN written as a JSON string is refused", file: "nan.json",
			data:  "{\"name\": \"nan\", \"pigments\": [\n{\"id\": \"k\", \"name\": \"Black\", \"kind\": \"carbon black\", \"lab\": [\"NaN\", 0, 1], \"source\": \"est\"}]}",
			wants: []string{"line 2 (k) lab"}},
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
