package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate"
)

const demoCard = "../../testdata/demo/card.jpg"

// calibrateJSON is the output contract of `smpmatch calibrate --json`.
type calibrateJSON struct {
	Photo string `json:"photo"`
	OK    *bool  `json:"ok"`
	Error string `json:"error"`
	Card  *struct {
		Type    string       `json:"type"`
		Corners [][2]float64 `json:"corners"`
	} `json:"card"`
	Patches []struct {
		Index  int       `json:"index"`
		Name   string    `json:"name"`
		RGB    []float64 `json:"rgb"`
		Lab    []float64 `json:"lab"`
		RefLab []float64 `json:"ref_lab"`
		DE00   *float64  `json:"de00"`
		Used   *bool     `json:"used"`
		Flags  []string  `json:"flags"`
	} `json:"patches"`
	Model string `json:"model"`
	Fit   *struct {
		MeanDE00    *float64 `json:"mean_de00"`
		MaxDE00     *float64 `json:"max_de00"`
		LooMeanDE00 *float64 `json:"loo_mean_de00"`
		LooMaxDE00  *float64 `json:"loo_max_de00"`
	} `json:"fit"`
}

func TestCalibrateKeepsItsJSONContractAndWritesALoadableProfile(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "session.json")
	code, stdout, stderr := runCLI(t, "calibrate", demoCard, "--json", "--profile-out", prof)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var r calibrateJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, stdout)
	}
	if r.Photo != demoCard || r.OK == nil || !*r.OK || r.Card == nil || r.Card.Type != "colorchecker-classic-24" || len(r.Card.Corners) != 4 {
		t.Fatalf("photo/ok/card fields wrong: %+v", r)
	}
	if len(r.Patches) != 24 || r.Patches[0].Index != 1 || r.Patches[0].Name != "dark skin" || len(r.Patches[23].RefLab) != 3 {
		t.Fatalf("patches: %+v", r.Patches)
	}
	for _, p := range r.Patches {
		if len(p.RGB) != 3 || len(p.Lab) != 3 || p.DE00 == nil || p.Used == nil || p.Flags == nil {
			t.Fatalf("patch %d misses a contract field: %+v", p.Index, p)
		}
	}
	if r.Model == "" || r.Fit == nil || r.Fit.LooMeanDE00 == nil || r.Fit.MaxDE00 == nil || r.Fit.MeanDE00 == nil || r.Fit.LooMaxDE00 == nil {
		t.Fatalf("model/fit: %+v", r)
	}
	// The demo card was rendered with known colours: the fit must be good.
	if *r.Fit.LooMeanDE00 > 1.5 {
		t.Errorf("cross-validated ΔE00 %.2f on a clean synthetic card", *r.Fit.LooMeanDE00)
	}
	if _, err := calibrate.LoadProfile(prof); err != nil {
		t.Fatalf("profile written but not loadable: %v", err)
	}
	// The corner next to patch 1 (dark skin) is the card's top left in the
	// demo photo (rendered at about (640, 450) rotated 8°).
	c := r.Card.Corners[0]
	if c[0] < 600 || c[0] > 680 || c[1] < 420 || c[1] > 490 {
		t.Errorf("corner next to patch 1 at %v", c)
	}
}

func TestCalibrateExitCodes(t *testing.T) {
	dir := t.TempDir()
	notImage := filepath.Join(dir, "notes.jpg")
	os.WriteFile(notImage, []byte("this is not a photo"), 0o644)
	tests := []struct {
		name string
		args []string
		want int
		say  string
	}{
		{"no photo is a usage error", []string{"calibrate"}, exitUsage, "at least one PHOTO"},
		{"bad corners are a usage error", []string{"calibrate", demoCard, "--card-corners", "1,2,3"}, exitUsage, "8 comma-separated"},
		{"a missing photo fails that photo", []string{"calibrate", filepath.Join(dir, "missing.jpg")}, exitFailed, "no such file"},
		{"a file that is not an image fails that photo", []string{"calibrate", notImage}, exitFailed, "not a readable image"},
		{"one bad photo does not stop a good one", []string{"calibrate", notImage, demoCard}, exitFailed, "1 of 2 inputs failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d (stderr %s)", code, tt.want, stderr)
			}
			if !strings.Contains(stderr, tt.say) {
				t.Errorf("stderr %q does not say %q", stderr, tt.say)
			}
		})
	}
}

func TestMeasureWithAProfileAndWithout(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "session.json")
	if code, _, stderr := runCLI(t, "calibrate", demoCard, "--profile-out", prof); code != exitOK {
		t.Fatalf("calibrate: %s", stderr)
	}
	code, stdout, stderr := runCLI(t, "measure", "../../testdata/demo/scalp.jpg", "--profile", prof, "--json", "--mask-out", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r struct {
		OK         bool            `json:"ok"`
		Calibrated bool            `json:"calibrated"`
		Card       json.RawMessage `json:"card"`
		Hair       struct {
			Lab      [3]float64 `json:"lab"`
			Spread   *float64   `json:"spread"`
			Fraction *float64   `json:"fraction"`
		} `json:"hair"`
		Scalp struct {
			Lab         [3]float64 `json:"lab"`
			Spread      *float64   `json:"spread"`
			ITADeg      *float64   `json:"ita_deg"`
			ITACategory string     `json:"ita_category"`
		} `json:"scalp"`
		Contrast struct {
			DE00, DL, DC, DH, Ratio *float64
		} `json:"contrast"`
		LitAt string `json:"lit_at"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if !r.OK || !r.Calibrated || string(r.Card) != "null" {
		t.Fatalf("with a profile: want ok, calibrated, card null; got %s", stdout)
	}
	// No card in the photo: the colours are at the scalp's own light,
	// and the table says so.
	if r.LitAt != "region" {
		t.Errorf("lit_at %q with a profile, want \"region\"", r.LitAt)
	}
	if _, text, _ := runCLI(t, "measure", "../../testdata/demo/scalp.jpg", "--profile", prof); !strings.Contains(text, "lit as  the scalp's median light") {
		t.Errorf("the table does not say which light the colours are lit by:\n%s", text)
	}
	if r.Hair.Spread == nil || r.Hair.Fraction == nil || r.Scalp.Spread == nil || r.Scalp.ITADeg == nil || r.Scalp.ITACategory == "" ||
		r.Contrast.DE00 == nil || r.Contrast.DL == nil || r.Contrast.DC == nil || r.Contrast.DH == nil || r.Contrast.Ratio == nil {
		t.Fatalf("contract fields missing: %s", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "scalp.mask.png")); err != nil {
		t.Errorf("--mask-out wrote nothing: %v", err)
	}
	// A profile that is not one is a usage error.
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"schema":"smpmatch.profile","version":99}`), 0o644)
	if code, _, stderr := runCLI(t, "measure", "../../testdata/demo/scalp.jpg", "--profile", bad); code != exitUsage || !strings.Contains(stderr, "version 99") {
		t.Errorf("bad profile: exit %d, stderr %s", code, stderr)
	}
}
