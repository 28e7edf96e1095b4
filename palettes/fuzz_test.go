package palettes

import (
	"errors"
	"testing"
)

// The parsers read files users edit by hand: whatever the bytes, they must
// return a palette that validates or a *ValidationError, never panic.
func fuzzParse(t *testing.T, name string, data []byte, parse func(string, []byte) (*Palette, error)) {
	p, err := parse(name, data)
	if err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) == 0 {
			t.Fatalf("error %v is not a *ValidationError with problems", err)
		}
		if p != nil {
			t.Fatal("both a palette and an error")
		}
		return
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("parsed palette does not validate: %v", err)
	}
	for i := range p.Pigments {
		if p.Pigments[i].Lab == nil && p.Pigments[i].Spectrum == nil && p.Pigments[i].DilutionOf == "" {
			t.Fatalf("pigment %q has no colour", p.Pigments[i].ID)
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("id,name,kind,L,a,b,source\nk,Black,carbon black,22,0,-1,est\n"))
	f.Add([]byte("# name: x\nid,name,kind,source,r400,r700\nk,K,carbon black,m,0.1,0.2\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "f.csv", data, ParseCSV) })
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"name":"m","pigments":[{"id":"k","name":"K","kind":"carbon black","lab":[22,0,-1],"source":"e"}]}`))
	f.Add([]byte(`{"name":"m","pigments":[{"id":"k","name":"K","kind":"carbon black","spectrum":{"nm":[400,700],"reflectance":[0.1,0.2]},"source":"e"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, "f.json", data, ParseJSON) })
}
