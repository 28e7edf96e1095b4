package palettes

import (
	"errors"
	"strings"
	"testing"
)

func TestBuiltinPalettesLoadAndAreSourced(t *testing.T) {
	names := BuiltinNames()
	if len(names) < 2 {
		t.Fatalf("built-in palettes %v, want at least 2", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			p, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != name || p.Version == "" || p.Description == "" {
				t.Errorf("palette %q version %q: want name = file name, a version and a description", p.Name, p.Version)
			}
			for _, pg := range p.Pigments {
				if pg.Source == "" {
					t.Errorf("%s has no source", pg.ID)
				}
			}
		})
	}
	ref, err := Builtin(DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	var dilutions, warm, cool int
	for _, pg := range ref.Pigments {
		if pg.DilutionOf != "" {
			dilutions++
		}
		if pg.Lab != nil && pg.Lab.B > 3 {
			warm++
		}
		if pg.Lab != nil && pg.Lab.B < -2 {
			cool++
		}
	}
	if len(ref.Pigments) != 12 || dilutions < 3 || warm < 2 || cool < 1 {
		t.Errorf("reference palette: %d pigments, %d dilutions, %d warm, %d cool; want 12 with a dilution line and warm and cool shades",
			len(ref.Pigments), dilutions, warm, cool)
	}
	if _, err := Builtin("no-such"); !errors.Is(err, ErrUnknownPalette) {
		t.Errorf("unknown built-in: err = %v", err)
	}
}

func TestParseCSV(t *testing.T) {
	const header = "id,name,kind,L,a,b,dilution_of,dilution,source\n"
	tests := []struct {
		name  string
		data  string
		wants []string // each problem, in order; none means valid
	}{
		{
			name: "a clinic's spreadsheet with metadata, a diluent row and a dilution parses",
			data: "# name: clinic\n# version: 3\n" + header +
				"w,witch hazel,diluent,,,,,,maker\n" +
				"k,Black,carbon black,21,0,-1,,,swatch\n" +
				"k3,Black 1:3,carbon black,,,,k,3,defined\n",
		},
		{
			name:  "an L* of 140 is reported with its line",
			data:  header + "k,Black,carbon black,22,0,0,,,est\nw,Warm,iron oxide,140,5,5,,,est\n",
			wants: []string{"palette warm.csv line 3 (w) lab: L* = 140 is outside 0..100"},
		},
		{
			name: "duplicates and missing fields are each reported",
			data: header + "k,Black,carbon black,22,0,0,,,est\nk,Black,carbon black,22,0,0,,,est\nx,,,30,0,0,,,\n",
			wants: []string{
				"line 3 (k) id: duplicate id: already used on line 2",
				"line 3 (k) name: duplicate name \"Black\": already used on line 2",
				"line 4 (x) name: missing",
				"line 4 (x) kind: missing",
				"line 4 (x) source: missing",
			},
		},
		{
			name:  "a number that is not a number names its column",
			data:  header + "k,Black,carbon black,22,zero,0,,,est\n",
			wants: []string{"line 2 (k) a: \"zero\" is not a number", "line 2 (k) lab: missing"},
		},
		{
			name:  "a dilution of a missing pigment is reported",
			data:  header + "k3,Black 1:3,carbon black,,,,k,3,est\n",
			wants: []string{"line 2 (k3) dilution_of: \"k\" is not a pigment of this palette"},
		},
		{
			name:  "a missing required column is reported on the header",
			data:  "id,name,kind,L,a,b\nk,Black,carbon black,22,0,0\n",
			wants: []string{"line 1 source: missing column", "line 2 (k) source: missing"},
		},
		{
			name:  "a short row is reported",
			data:  header + "k,Black\n",
			wants: []string{"line 2: 2 fields, the header has 9", "pigments: the palette has no pigments"},
		},
		{
			name: "a spectrum in r<nm> columns is read",
			data: "id,name,kind,source,r400,r550,r700\nk,Black,carbon black,measured,0.04,0.035,0.04\n",
		},
		{
			name:  "a spectrum that stops at 650 nm is refused",
			data:  "id,name,kind,source,r400,r650\nk,Black,carbon black,measured,0.04,0.035\n",
			wants: []string{"line 2 (k) spectrum: covers 400–650 nm, needs at least 400–700 nm"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseCSV("warm.csv", []byte(tt.data))
			checkProblems(t, p, err, tt.wants)
		})
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		wants []string
	}{
		{
			name: "a minimal palette parses",
			data: `{"name": "mine", "pigments": [{"id": "k", "name": "Black", "kind": "carbon black", "lab": [22, 0, -1], "source": "est"}]}`,
		},
		{
			name: "a problem is reported on the line of its field",
			data: `{
  "name": "mine",
  "pigments": [
    {"id": "k", "name": "Black", "kind": "carbon black", "lab": [22, 0, -1], "source": "est"},
    {
      "id": "w",
      "name": "Warm",
      "kind": "iron oxide",
      "lab": [40, 200, 5],
      "source": "est"
    }
  ]
}`,
			wants: []string{"palette p.json line 9 (w) lab: a* = 200 is outside -128..128"},
		},
		{
			name:  "a misspelt field is reported with its line",
			data:  "{\"name\": \"mine\", \"pigments\": [\n{\"id\": \"k\", \"name\": \"Black\", \"kind\": \"carbon black\",\n \"colour\": [22, 0, -1], \"source\": \"est\"}]}",
			wants: []string{"line 3 (k) colour: json: unknown field \"colour\"", "line 2 (k) lab: missing"},
		},
		{
			name:  "a Lab with two numbers is refused",
			data:  `{"name": "mine", "pigments": [{"id": "k", "name": "Black", "kind": "carbon black", "lab": [22, 0], "source": "est"}]}`,
			wants: []string{"(k) lab: must be [L*, a*, b*], got 2 numbers", "(k) lab: missing"},
		},
		{
			name:  "broken JSON is reported with its line",
			data:  "{\"name\": \"mine\",\n \"pigments\": [\n {\"id\": \"k\",, }]}",
			wants: []string{"line 3: not valid JSON"},
		},
		{
			name:  "an unknown top-level field is reported",
			data:  `{"name": "mine", "colours": [], "pigments": [{"id": "k", "name": "Black", "kind": "carbon black", "lab": [22, 0, -1], "source": "est"}]}`,
			wants: []string{"line 1 colours: unknown field"},
		},
		{
			name:  "an unknown kind lists the known ones",
			data:  `{"name": "mine", "pigments": [{"id": "k", "name": "Black", "kind": "soot", "lab": [22, 0, -1], "source": "est"}]}`,
			wants: []string{"(k) kind: \"soot\" is not a known kind (carbon black, iron oxide"},
		},
		{
			name:  "a dilution of a dilution is refused",
			data:  `{"name": "m", "pigments": [{"id": "k", "name": "K", "kind": "carbon black", "lab": [22, 0, -1], "source": "e"}, {"id": "k1", "name": "K1", "kind": "carbon black", "dilution_of": "k", "dilution": 1, "source": "e"}, {"id": "k2", "name": "K2", "kind": "carbon black", "dilution_of": "k1", "dilution": 1, "source": "e"}]}`,
			wants: []string{"(k2) dilution_of: \"k1\" is itself a dilution"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseJSON("p.json", []byte(tt.data))
			checkProblems(t, p, err, tt.wants)
		})
	}
}

func checkProblems(t *testing.T, p *Palette, err error, wants []string) {
	t.Helper()
	if len(wants) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		if p == nil || len(p.Pigments) == 0 {
			t.Fatal("no pigments parsed")
		}
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a *ValidationError", err)
	}
	if len(ve.Problems) != len(wants) {
		t.Errorf("%d problems, want %d:", len(ve.Problems), len(wants))
		for _, pr := range ve.Problems {
			t.Log("  ", pr.Error())
		}
	}
	for i, w := range wants {
		if i < len(ve.Problems) && !strings.Contains(ve.Problems[i].Error(), w) {
			t.Errorf("problem %d = %q, want it to contain %q", i+1, ve.Problems[i].Error(), w)
		}
	}
}

func TestOpenPrefersFilesOverBuiltinNames(t *testing.T) {
	p, err := Open("testdata/clinic.csv")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "clinic-warm" || p.Diluent.Name != "witch hazel diluent" {
		t.Errorf("name %q, diluent %q", p.Name, p.Diluent.Name)
	}
	if _, err := Open(DefaultName); err != nil {
		t.Errorf("built-in by name: %v", err)
	}
	if _, err := Open("nope.json"); !errors.Is(err, ErrUnknownPalette) {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestStrengthOfADilution(t *testing.T) {
	p, err := Builtin("smp-carbon-line")
	if err != nil {
		t.Fatal(err)
	}
	s3, _ := p.Pigment("shade-3")
	if got := s3.Strength(); got != 0.25 {
		t.Errorf("1:3 strength = %g, want 0.25", got)
	}
	if b := p.Base(s3); b.ID != "black" {
		t.Errorf("base of shade-3 = %s", b.ID)
	}
	if p.Diluent.ID != "water" {
		t.Errorf("diluent %+v, want the CSV's water row", p.Diluent)
	}
}
