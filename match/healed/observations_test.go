package healed

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

const header = "client_id,scalp_L,scalp_a,scalp_b,recipe,weeks,healed_L,healed_a,healed_b\n"

func TestParseReportsLineAndColumn(t *testing.T) {
	tests := []struct {
		name, csv, want string
	}{
		{"empty file", "", "observations obs.csv: empty file: the header row is required"},
		{"header only", header, "no observations after the header"},
		{"unknown column", "client_id,scalp_L,scalp_a,scalp_b,recipe,weeks,healed_L,healed_a,healed_b,colour\n", "observations obs.csv line 1 colour: unknown column"},
		{"missing recipe column", "client_id,scalp_L,scalp_a,scalp_b,weeks,healed_L,healed_a,healed_b\n", "line 1 recipe: missing column"},
		{"two of three scalp columns", "client_id,scalp_L,scalp_a,recipe,weeks,healed_L,healed_a,healed_b\n", "line 1 scalp_L: give all three"},
		{"no healed colour at all", "client_id,scalp_L,scalp_a,scalp_b,recipe,weeks\n", "line 1 healed_L: missing columns: give healed_L, healed_a, healed_b or followup_photo"},
		{"a column twice", "client_id,client_id,scalp_L,scalp_a,scalp_b,recipe,weeks,healed_L,healed_a,healed_b\n", "line 1 client_id: column named twice"},
		{"not a number", header + "c1,64,9,15,black:1 water:4,12,4O,1,2\n", `line 2 healed_L: "4O" is not a number`},
		{"L* out of range", header + "c1,64,9,15,black:1 water:4,12,140,1,2\n", "line 2 healed_L: 140 is outside 0..100"},
		{"too soon to be healed", header + "c1,64,9,15,black:1 water:4,3,40,1,2\n", "line 2 weeks: 3 weeks: a healed result needs at least 8 weeks"},
		{"missing client", header + ",64,9,15,black:1 water:4,12,40,1,2\n", "line 2 client_id: missing"},
		{"missing recipe", header + "c1,64,9,15,,12,40,1,2\n", "line 2 recipe: missing"},
		{"missing value", header + "c1,64,9,15,black:1,12,40,,2\n", "line 2 healed_a: missing"},
		{"comments and blank lines count", "# my clinic\n" + header + "\nc1,64,9,15,black:1,12,40,1,x\n", `line 4 healed_b: "x" is not a number`},
		{"both numbers and a photo", "client_id,scalp_L,scalp_a,scalp_b,before_photo,recipe,weeks,healed_L,healed_a,healed_b\nc1,64,9,15,a.jpg,black:1,12,40,1,2\n", "line 2 before_photo: give either scalp_L/a/b or before_photo, not both"},
		{"a photo climbing out", "client_id,before_photo,recipe,weeks,healed_L,healed_a,healed_b\nc1,../other/a.jpg,black:1,12,40,1,2\n", `line 2 before_photo: "../other/a.jpg" climbs out of the observations file's folder`},
		{"an absolute photo path", "client_id,scalp_L,scalp_a,scalp_b,recipe,weeks,followup_photo\nc1,64,9,15,black:1,12,/home/x/a.jpg\n", "line 2 followup_photo: \"/home/x/a.jpg\": photo paths must be relative"},
		{"a value beyond the header", header + "c1,64,9,15,black:1,12,40,1,2,extra\n", `line 2 column 10: a value "extra" beyond the header's 9 columns`},
		{"bad quoting", header + "c1,64,9,15,\"black:1,12,40,1,2\n", "obs.csv line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.csv), "obs.csv")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant it to say %q", err, tt.want)
			}
		})
	}
}

func TestParseCollectsEveryProblem(t *testing.T) {
	_, err := Parse(strings.NewReader(header+"c1,64,9,15,black:1,12,x,1,2\nc2,64,9,15,black:1,2,40,1,2\n"), "obs.csv")
	var pe *ParseError
	if !errors.As(err, &pe) || len(pe.Problems) != 2 || pe.Problems[0].Line != 2 || pe.Problems[1].Line != 3 {
		t.Fatalf("err = %v, want the two problems on lines 2 and 3", err)
	}
}

func TestParseReadsPhotosAndNumbers(t *testing.T) {
	in := "Client_ID,before_photo,Recipe,Weeks,healed_L,healed_a,healed_b,followup_photo,notes\n" +
		"c1,visit1/before.jpg,black:1 water:4,12,40,1,2,,first\n" +
		"c1,visit1/before.jpg,black:1 water:8,12,,,,visit2/dots.jpg,\n"
	rows, err := Parse(strings.NewReader(in), "obs.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].BeforePhoto != filepath.FromSlash("visit1/before.jpg") || rows[0].Healed == nil || rows[1].FollowupPhoto != filepath.FromSlash("visit2/dots.jpg") || rows[1].Healed != nil || rows[1].Line != 3 || rows[0].Weeks != 12 {
		t.Errorf("rows %+v", rows)
	}
}

// The README's example observations file parses.
func TestReadmeExampleParses(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Skipf("README.md not found: %v", err)
	}
	m := regexp.MustCompile("(?s)<!-- observations example -->\\s*```csv\\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("README.md has no ```csv block after <!-- observations example -->")
	}
	rows, err := Parse(strings.NewReader(string(m[1])), "README.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 3 {
		t.Errorf("README example has %d rows", len(rows))
	}
	obs, err := Resolve(rows, "README.md", ".", reference(t), recommender(t), Measurers{
		Scalp: MeasurerFunc(func(string) (colour.LabD50, error) { return colour.LabD50{L: 60, A: 10, B: 16}, nil }),
		Dots:  MeasurerFunc(func(string) (colour.LabD50, error) { return colour.LabD50{L: 45, A: 3, B: 5}, nil }),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != len(rows) {
		t.Errorf("%d of %d rows resolved", len(obs), len(rows))
	}
}

func FuzzParse(f *testing.F) {
	f.Add(header + "c1,64,9,15,black:1 water:4,12,40,1,2\n")
	f.Add("client_id,before_photo,recipe,weeks,followup_photo\nc1,a.jpg,black:1,12,b.jpg\n")
	f.Add("# c\n\n" + header + "c1,64,9,15,\"1 SMP Black (neat) + 2 distilled water\",8,40,1,2\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := Parse(strings.NewReader(s), "fuzz.csv")
		var pe *ParseError
		if err != nil && (!errors.As(err, &pe) || len(pe.Problems) == 0) {
			t.Fatalf("error %v is not a *ParseError with problems", err)
		}
		for _, r := range rows {
			if r.Line < 1 || (r.Scalp == nil) == (r.BeforePhoto == "") && err == nil || r.Weeks < 0 {
				t.Fatalf("row %+v from %q", r, s)
			}
			for _, p := range []string{r.BeforePhoto, r.FollowupPhoto} {
				if p != "" && !filepath.IsLocal(p) {
					t.Fatalf("photo path %q climbs out", p)
				}
			}
		}
	})
}
