package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/optics"
	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/palettes"
)

// observationsCSV is a file of healed areas of clients healed under a
// model stronger and hazier than the built-in one.
func observationsCSV(t *testing.T, clients int) string {
	t.Helper()
	p, err := palettes.Builtin(palettes.DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	r, err := recipe.New(p)
	if err != nil {
		t.Fatal(err)
	}
	truth := optics.DefaultHealedModel()
	truth.EffectiveConcentration, truth.EpidermisScattering500 = 0.8, 0.03
	var b strings.Builder
	b.WriteString("client_id,scalp_L,scalp_a,scalp_b,recipe,weeks,healed_L,healed_a,healed_b\n")
	for c := 0; c < clients; c++ {
		scalp := colour.LabD50{L: 66 - 6*float64(c), A: 9 + float64(c), B: 14 + float64(c)}
		for _, rec := range []string{"black:1", "black:1 water:3", "1 Neutral Dark Brown + 2 distilled water", "black-4:2 water:1"} {
			parts, dil, err := recipe.ParseRecipe(p, rec)
			if err != nil {
				t.Fatal(err)
			}
			h, err := r.Predict(parts, dil, scalp, &truth)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "C%d,%.2f,%.2f,%.2f,%s,12,%.2f,%.2f,%.2f\n", c, scalp.L, scalp.A, scalp.B, rec, h.L, h.A, h.B)
		}
	}
	return b.String()
}

func TestHealedFitThenMatchUsesTheModel(t *testing.T) {
	obs := writeFile(t, "obs.csv", observationsCSV(t, 4))
	out := filepath.Join(filepath.Dir(obs), "my-healed.json")
	code, stdout, stderr := runCLI(t, "healed", "fit", obs, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"16 healed areas of 4 clients", "RMS ΔE00      before", "leaving one client out", "wrote         " + out} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output does not say %q:\n%s", want, stdout)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := optics.LoadHealedModel(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("written model: %v", err)
	}
	if m.EffectiveConcentration == optics.DefaultHealedModel().EffectiveConcentration {
		t.Errorf("the written model was not refitted: %+v", m)
	}
	// JSON report.
	code, stdout, _ = runCLI(t, "healed", "fit", obs, "--out", out, "--json", "--params", "effective_concentration")
	var rep struct {
		Fitted  []string `json:"fitted"`
		Before  float64  `json:"rms_de00_before"`
		After   float64  `json:"rms_de00_after"`
		CV      float64  `json:"rms_de00_cross_validated"`
		Clients int      `json:"clients"`
		Out     string   `json:"out"`
		Model   string   `json:"healed_model"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s", code, err, stdout)
	}
	if len(rep.Fitted) != 1 || !(rep.After < rep.Before) || rep.CV == 0 || rep.Clients != 4 || rep.Out != out {
		t.Errorf("report %+v", rep)
	}
	// match names the model file and its hash.
	data, _ = os.ReadFile(out)
	sum := sha256.Sum256(data)
	code, stdout, stderr = runCLI(t, "match", "--hair-lab", "18,1,2", "--scalp-lab", "38,12,22", "--healed-model", out, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		HealedModel     string              `json:"healed_model"`
		HealedModelFile *recipe.ModelSource `json:"healed_model_file"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.HealedModelFile == nil || res.HealedModelFile.Path != out || res.HealedModelFile.SHA256 != hex.EncodeToString(sum[:]) || !strings.HasSuffix(res.HealedModel, "+fit") {
		t.Errorf("match names model %q file %+v", res.HealedModel, res.HealedModelFile)
	}
	// check prints the table.
	code, stdout, stderr = runCLI(t, "healed", "check", obs, "--healed-model", out)
	if code != 0 || !strings.Contains(stdout, "MEASURED L* a* b*") || !strings.Contains(stdout, "RMS ΔE00") || len(regexp.MustCompile(`(?m)^\d+\s+C\d`).FindAllString(stdout, -1)) != 16 {
		t.Errorf("check: exit %d %s\n%s", code, stderr, stdout)
	}
}

func TestHealedFitRefusesBadObservations(t *testing.T) {
	good := observationsCSV(t, 2)
	lines := strings.SplitAfter(good, "\n")
	tests := []struct {
		name, csv string
		args      []string
		code      int
		want      string
	}{
		{"a malformed value names the line and field", strings.Replace(good, ",12,", ",12x,", 1), nil, 1, `obs.csv line 2 weeks: "12x" is not a number`},
		{"an unknown pigment names the line", strings.Replace(good, "black:1 water:3", "blak:1 water:3", 1), nil, 1, `obs.csv line 3 recipe: "blak" is not a pigment of palette smp-reference`},
		{"too few observations say how many are needed", strings.Join(lines[:4], ""), nil, 1, "support no parameter: even one needs at least 3 observations"},
		{"more parameters than supported", good, []string{"--params", "effective_concentration,epidermis_scattering_500"}, 1, "2 parameters need at least 6 observations"},
		{"an unknown parameter is a usage error", good, []string{"--params", "melanin"}, 2, `--params: "melanin" is not a parameter`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := writeFile(t, "obs.csv", tt.csv)
			out := filepath.Join(filepath.Dir(obs), "out.json")
			code, _, stderr := runCLI(t, append([]string{"healed", "fit", obs, "--out", out}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a refused fit wrote %s", out)
			}
		})
	}
}

func TestMatchGivesBottles(t *testing.T) {
	code, stdout, stderr := runCLI(t, "match", "--hair-lab", "22.5,3.8,4.6", "--scalp-lab", "64,9,15", "--json", "--volume", "2", "--drop-ml", "0.04")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Blends []struct {
			Bottles *recipe.Bottles `json:"bottles"`
		} `json:"blends"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	for _, b := range res.Blends {
		if b.Bottles == nil || b.Bottles.VolumeML != 2 || b.Bottles.DropML != 0.04 || b.Bottles.Recipe == "" {
			t.Errorf("bottles %+v", b.Bottles)
		}
	}
	code, stdout, _ = runCLI(t, "match", "--hair-lab", "22.5,3.8,4.6", "--scalp-lab", "64,9,15")
	if code != 0 || !strings.Contains(stdout, "IN YOUR BOTTLES (neat inks and water; for 1 ml, 1 drop = 0.05 ml)") || !strings.Contains(stdout, "(shade 2)") {
		t.Errorf("table:\n%s", stdout)
	}
	if code, _, stderr := runCLI(t, "match", "--hair-lab", "22.5,3.8,4.6", "--scalp-lab", "64,9,15", "--volume", "0.01", "--drop-ml", "0.05"); code != 2 || !strings.Contains(stderr, "--volume") {
		t.Errorf("a drop larger than the volume: exit %d %s", code, stderr)
	}
}

// A before photo is measured as measure does (here a synthetic scalp photo
// with a card, from ../shared), once however many rows name it.
func TestHealedCheckMeasuresBeforePhotos(t *testing.T) {
	src := filepath.Join("..", "..", "..", "shared", "data", "synthscalps", "0001.jpg")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Skipf("synthetic scalp photos not available (%v): they live in ../shared/data/synthscalps beside the repo", err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "A"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "A", "before.jpg"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	obs := filepath.Join(dir, "obs.csv")
	csv := "client_id,before_photo,recipe,weeks,healed_L,healed_a,healed_b,followup_photo\n" +
		"A,A/before.jpg,black:1 water:4,12,40,1,2,\n" +
		"A,A/before.jpg,black:1,12,33,0,0,\n"
	if err := os.WriteFile(obs, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "healed", "check", obs, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Observations []struct {
			Scalp []float64 `json:"scalp_lab"`
		} `json:"observations"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || len(res.Observations) != 2 {
		t.Fatalf("%v: %s", err, stdout)
	}
	if s := res.Observations[0].Scalp; len(s) != 3 || s[0] < 30 || s[0] > 90 || res.Observations[1].Scalp[0] != s[0] {
		t.Errorf("scalp measured as %v and %v", s, res.Observations[1].Scalp)
	}
	// A follow-up photo needs the dot measurer, which this build may lack.
	if newDotsMeasurer == nil {
		if err := os.WriteFile(obs, []byte(csv+"A,A/before.jpg,black:1,12,,,,A/before.jpg\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr = runCLI(t, "healed", "check", obs)
		if code != 1 || !strings.Contains(stderr, "line 4 followup_photo: measuring healed dots (smpmatch measure --dots) from a photo is not available here") {
			t.Errorf("exit %d: %s", code, stderr)
		}
	}
}
