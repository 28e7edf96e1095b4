package batch

import (
	"errors"
	"image"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/match/recipe"
)

func TestParseManifestReadsClientsAndOptionalColumns(t *testing.T) {
	in := "\ufeffClient_ID, photo ,profile,roi,target\r\n" +
		"A-17,a/card.jpg,,,\r\n" +
		"A-17,a/top.jpg,,\"10,20,300,200\",lighter\r\n" +
		"B-02,b/crown.jpg,prof/b.json,,\r\n" +
		"\r\n" +
		"A-17,a/side.jpg,,,\r\n"
	cs, err := ParseManifest(strings.NewReader(in), "m.csv", ManifestOptions{Dir: "/in"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].ID != "A-17" || cs[1].ID != "B-02" || len(cs[0].Photos) != 3 {
		t.Fatalf("clients %+v: want A-17 (3 photos) then B-02", cs)
	}
	a := cs[0]
	if a.Target != recipe.TargetLighter {
		t.Errorf("A-17 target %q, want lighter", a.Target)
	}
	if a.Photos[0].Role != RoleCard || a.Photos[1].Role != RoleScalp {
		t.Errorf("roles %q %q: a file named card is a card shot", a.Photos[0].Role, a.Photos[1].Role)
	}
	if a.Photos[1].ROI != image.Rect(10, 20, 310, 220) || a.Photos[1].Path != filepath.Join("/in", "a/top.jpg") || a.Photos[1].Name != "a/top.jpg" {
		t.Errorf("photo %+v", a.Photos[1])
	}
	if cs[1].Photos[0].Profile != filepath.Join("/in", "prof/b.json") {
		t.Errorf("profile path %q: relative to the manifest's folder", cs[1].Photos[0].Profile)
	}
}

func TestParseManifestErrorsNameLineAndColumn(t *testing.T) {
	tests := []struct {
		name, in, want string
		opt            ManifestOptions
	}{
		{"empty file", "", "manifest m.csv: empty", ManifestOptions{}},
		{"no photo column", "client_id,picture\n", "line 1 column 2: unknown column \"picture\"", ManifestOptions{}},
		{"missing required column", "client_id,roi\nx,\"1,2,3,4\"\n", "no photo column", ManifestOptions{}},
		{"empty client id", "client_id,photo\n,a.jpg\n", "line 2 column client_id: empty client_id", ManifestOptions{}},
		{"a path climbing out", "client_id,photo\nx,../other/a.jpg\n", "line 2 column photo: path \"../other/a.jpg\" is absolute or climbs out", ManifestOptions{}},
		{"an absolute path", "client_id,photo\nx,/etc/passwd\n", "line 2 column photo", ManifestOptions{}},
		{"an absolute profile", "client_id,photo,profile\nx,a.jpg,/p.json\n", "line 2 column profile", ManifestOptions{}},
		{"a bad roi", "client_id,photo,roi\nx,a.jpg,\"1,2,3\"\n", "line 2 column roi: \"1,2,3\": want x,y,w,h", ManifestOptions{}},
		{"a zero-size roi", "client_id,photo,roi\nx,a.jpg,\"1,2,0,4\"\n", "line 2 column roi", ManifestOptions{}},
		{"a bad target", "client_id,photo,target\nx,a.jpg,pale\n", "line 2 column target: target \"pale\"", ManifestOptions{}},
		{"two targets for a client", "client_id,photo,target\nx,a.jpg,darker\nx,b.jpg,lighter\n", "line 3 column target: client \"x\" has target darker", ManifestOptions{}},
		{"a photo listed twice", "client_id,photo\nx,a.jpg\nx,./a.jpg\n", "line 3 column photo: client \"x\" already lists a.jpg on line 2", ManifestOptions{}},
		{"too many fields", "client_id,photo\nx,a.jpg,extra\n", "line 2 column 3: 3 fields", ManifestOptions{}},
		{"a broken quote", "client_id,photo\nx,\"a.jpg\n", "manifest m.csv line 2", ManifestOptions{}},
		{"header only", "client_id,photo\n", "no rows after the header", ManifestOptions{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseManifest(strings.NewReader(tc.in), "m.csv", tc.opt)
			var me *ManifestError
			if err == nil || !errors.As(err, &me) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want a ManifestError containing %q", err, tc.want)
			}
		})
	}
}

func TestParseManifestAllowOutsideAdmitsAbsoluteAndClimbingPaths(t *testing.T) {
	cs, err := ParseManifest(strings.NewReader("client_id,photo\nx,../y/a.jpg\nx,/abs/b.jpg\n"), "m.csv", ManifestOptions{Dir: "/in/m", AllowOutside: true})
	if err != nil {
		t.Fatal(err)
	}
	if p := cs[0].Photos; p[0].Path != "/in/y/a.jpg" || p[1].Path != "/abs/b.jpg" {
		t.Errorf("paths %q %q", p[0].Path, p[1].Path)
	}
}

// FuzzParseManifest: any input gives clients or a ManifestError, never a
// panic, and never a path outside the manifest's folder.
func FuzzParseManifest(f *testing.F) {
	for _, s := range []string{
		"client_id,photo\nx,a.jpg\n",
		"\ufeffclient_id,photo,profile,roi,target\r\nA,a/card.jpg,,,\r\nA,a/b.jpg,p.json,\"1,2,3,4\",darker\r\n",
		"photo,client_id\n\"a,b.jpg\",\"q\"\"x\"\n",
		"client_id,photo\nx,../a.jpg\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		cs, err := ParseManifest(strings.NewReader(in), "fuzz.csv", ManifestOptions{Dir: "/in"})
		if err != nil {
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("error %v is not a ManifestError", err)
			}
			return
		}
		for _, c := range cs {
			if c.ID == "" || len(c.Photos) == 0 {
				t.Fatalf("client %+v", c)
			}
			for _, p := range c.Photos {
				for _, path := range []string{p.Path, p.Profile} {
					if path == "" {
						continue
					}
					if rel, err := filepath.Rel("/in", path); err != nil || !filepath.IsLocal(rel) {
						t.Fatalf("path %q is outside the manifest's folder", path)
					}
				}
			}
		}
	})
}
