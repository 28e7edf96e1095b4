package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/match/batch/schematest"
)

// runCLI runs smpmatch and checks every JSON it wrote against its
// published schema: --json on stdout, and a batch's results.jsonl and
// clients.jsonl.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"smpmatch"}, args...), &out, &errb)
	checkSchemas(t, args, out.Bytes())
	return code, out.String(), errb.String()
}

func checkSchemas(t *testing.T, args []string, stdout []byte) {
	t.Helper()
	if len(args) == 0 {
		return
	}
	has := func(flag string) (string, bool) {
		for i, a := range args {
			if a == flag {
				if i+1 < len(args) {
					return args[i+1], true
				}
				return "", true
			}
			if v, ok := strings.CutPrefix(a, flag+"="); ok {
				return v, true
			}
		}
		return "", false
	}
	_, js := has("--json")
	switch args[0] {
	case "calibrate":
		if js {
			schematest.Lines(t, schematest.Calibrate, stdout)
		}
	case "measure":
		if js {
			schematest.Lines(t, schematest.Measure, stdout)
		}
	case "match":
		if !js {
			return
		}
		name := schematest.Match
		for _, a := range args[1:] {
			if !strings.HasPrefix(a, "-") && (strings.HasSuffix(a, ".jpg") || strings.HasSuffix(a, ".png")) {
				name = schematest.MatchPhoto
			}
		}
		schematest.Lines(t, name, stdout)
	case "batch":
		dir, ok := has("--out")
		if !ok || dir == "" {
			return
		}
		for file, name := range map[string]string{"results.jsonl": schematest.MatchPhoto, "clients.jsonl": schematest.Clients} {
			if b, err := os.ReadFile(filepath.Join(dir, file)); err == nil {
				schematest.Lines(t, name, b)
			}
		}
	}
}

// matchJSON is the output contract of `smpmatch match --json`.
type matchJSON struct {
	TargetLab []float64 `json:"target_lab"`
	Target    string    `json:"target"`
	Gamut     string    `json:"gamut"`
	Blends    []struct {
		Parts []struct {
			Pigment string `json:"pigment"`
			Parts   int    `json:"parts"`
		} `json:"parts"`
		DiluentParts int       `json:"diluent_parts"`
		PredictedLab []float64 `json:"predicted_lab"`
		DE00         *float64  `json:"de00"`
		Warnings     []string  `json:"warnings"`
	} `json:"blends"`
}

func decodeMatch(t *testing.T, stdout string) []matchJSON {
	t.Helper()
	var out []matchJSON
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m matchJSON
		dec := json.NewDecoder(strings.NewReader(line))
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, line)
		}
		out = append(out, m)
	}
	return out
}

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMatchJSONContract(t *testing.T) {
	code, stdout, stderr := runCLI(t, "match", "--hair-lab", "22.5,3.8,4.6", "--scalp-lab", "64,9,15", "--json")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	res := decodeMatch(t, stdout)
	if len(res) != 1 {
		t.Fatalf("%d JSON objects, want one per target", len(res))
	}
	m := res[0]
	if len(m.TargetLab) != 3 || m.Target != "match" || len(m.Blends) != 3 {
		t.Fatalf("target %v mode %q, %d blends: want an L*a*b* target, match mode, 3 blends", m.TargetLab, m.Target, len(m.Blends))
	}
	for i, b := range m.Blends {
		if len(b.Parts) == 0 || len(b.Parts) > 3 || len(b.PredictedLab) != 3 || b.DE00 == nil || b.Warnings == nil {
			t.Errorf("blend %d is missing contract fields: %+v", i+1, b)
		}
		total := b.DiluentParts
		for _, p := range b.Parts {
			if p.Pigment == "" || p.Parts < 1 {
				t.Errorf("blend %d part %+v", i+1, p)
			}
			total += p.Parts
		}
		if total > 10 {
			t.Errorf("blend %d has %d parts, want ≤ 10", i+1, total)
		}
	}
	if *m.Blends[0].DE00 > 1 || m.Gamut != "" {
		t.Errorf("dark brown hair on a light scalp: best ΔE00 %.2f, gamut %q", *m.Blends[0].DE00, m.Gamut)
	}
}

func TestMatchOptions(t *testing.T) {
	palette := writeFile(t, "clinic.csv", "id,name,kind,L,a,b,source\nk,House Black,carbon black,22,0,-1,estimated\nb,House Brown,iron oxide,30,11,15,estimated\n")
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, m matchJSON)
	}{
		{"one pigment per blend and five blends", []string{"--max-pigments", "1", "--top", "5"}, func(t *testing.T, m matchJSON) {
			if len(m.Blends) != 5 {
				t.Errorf("%d blends", len(m.Blends))
			}
			for _, b := range m.Blends {
				if len(b.Parts) != 1 {
					t.Errorf("blend with %d pigments", len(b.Parts))
				}
			}
		}},
		{"an explicit target needs no hair", []string{"--target-lab", "40,3,4"}, func(t *testing.T, m matchJSON) {
			if m.Target != "lab" || m.TargetLab[0] != 40 {
				t.Errorf("target %v mode %q", m.TargetLab, m.Target)
			}
		}},
		{"a clinic's CSV palette is used", []string{"--palette", palette}, func(t *testing.T, m matchJSON) {
			for _, b := range m.Blends {
				for _, p := range b.Parts {
					if p.Pigment != "k" && p.Pigment != "b" {
						t.Errorf("pigment %q is not in the clinic palette", p.Pigment)
					}
				}
			}
		}},
		{"a lighter target is lighter", []string{"--target", "lighter"}, func(t *testing.T, m matchJSON) {
			if m.TargetLab[0] < 40 {
				t.Errorf("lighter target L* %.1f", m.TargetLab[0])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"match", "--scalp-lab", "64,9,15", "--json"}
			if !strings.Contains(strings.Join(tt.args, " "), "target-lab") {
				args = append(args, "--hair-lab", "22.5,3.8,4.6")
			}
			code, stdout, stderr := runCLI(t, append(args, tt.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			tt.check(t, decodeMatch(t, stdout)[0])
		})
	}
}

func TestMatchUsageErrors(t *testing.T) {
	bad := writeFile(t, "warm.csv", "id,name,kind,L,a,b,source\nk,Black,carbon black,22,0,-1,est\nw,Warm,iron oxide,140,5,5,est\n")
	badModel := writeFile(t, "model.json", `{"effective_concentration": 9}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no scalp colour", []string{"--hair-lab", "20,1,1"}, "needs --scalp-lab"},
		{"no hair colour and no target", []string{"--scalp-lab", "64,9,15"}, "needs --hair-lab"},
		{"a colour with two numbers", []string{"--hair-lab", "20,1", "--scalp-lab", "64,9,15"}, "three comma-separated numbers"},
		{"an L* of 140", []string{"--hair-lab", "140,1,1", "--scalp-lab", "64,9,15"}, "L* = 140 is outside 0..100"},
		{"an unknown target mode", []string{"--hair-lab", "20,1,1", "--scalp-lab", "64,9,15", "--target", "softer"}, `target "softer"`},
		{"both a target mode and a target colour", []string{"--scalp-lab", "64,9,15", "--target", "darker", "--target-lab", "40,2,2"}, "not both"},
		{"a palette file with an error", []string{"--hair-lab", "20,1,1", "--scalp-lab", "64,9,15", "--palette", bad}, "line 3 (w) lab: L* = 140 is outside 0..100"},
		{"a palette that does not exist", []string{"--hair-lab", "20,1,1", "--scalp-lab", "64,9,15", "--palette", "nope"}, "no such file or built-in palette"},
		{"four pigments is the most", []string{"--hair-lab", "20,1,1", "--scalp-lab", "64,9,15", "--max-pigments", "5"}, "--max-pigments = 5"},
		{"a healed model out of range", []string{"--hair-lab", "20,1,1", "--scalp-lab", "64,9,15", "--healed-model", badModel}, "effective_concentration = 9"},
		{"photos and typed colours together are ambiguous", []string{"--hair-lab", "20,1,1", "--scalp-lab", "64,9,15", "client.jpg"}, "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"match"}, tt.args...)...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d (usage)", code, exitUsage)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q, want it to mention %q", stderr, tt.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing on a usage error", stdout)
			}
		})
	}
}

func TestMatchTableAndGamutWarning(t *testing.T) {
	code, stdout, stderr := runCLI(t, "match", "--scalp-lab", "64,9,15", "--target-lab", "12,1,1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"target", "RECIPE", "ΔE00", "WARNING  out of gamut", "heals lighter than the target"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
}

func TestPalettesCommands(t *testing.T) {
	good := writeFile(t, "good.json", `{"name": "mine", "version": "1", "pigments": [{"id": "k", "name": "Black", "kind": "carbon black", "lab": [22, 0, -1], "source": "est"}]}`)
	bad := writeFile(t, "bad.csv", "id,name,kind,L,a,b,source\nk,Black,carbon black,22,0,-1,est\nk,Black 2,carbon black,22,0,-1,\n")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wants    []string
	}{
		{"list shows the built-in palettes", []string{"palettes", "list"}, exitOK, []string{"smp-reference", "smp-carbon-line"}},
		{"show lists pigments with sources and a healed preview", []string{"palettes", "show", "smp-reference"}, exitOK, []string{"SMP Black (neat)", "estimated", "HEALED NEAT ON"}},
		{"show --json prints the palette", []string{"palettes", "show", "--json", "smp-carbon-line"}, exitOK, []string{`"dilution_of":"black"`}},
		{"check accepts a good file", []string{"palettes", "check", good}, exitOK, []string{"ok: palette mine 1, 1 pigments"}},
		{"check reports each problem with line and field", []string{"palettes", "check", good, bad}, exitFailed, []string{"line 3 (k) id: duplicate id: already used on line 2", "line 3 (k) source: missing"}},
		{"show needs a palette", []string{"palettes", "show"}, exitUsage, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.wantCode, stderr)
			}
			for _, w := range tt.wants {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
		})
	}
}

// match on a photo measures it first: the demo scalp photo has the card in
// frame, so it is calibrated by it and gets blends.
func TestMatchMeasuresAPhotoFirst(t *testing.T) {
	code, stdout, stderr := runCLI(t, "match", "../../testdata/demo/scalp.jpg", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Photo       string `json:"photo"`
		OK          bool   `json:"ok"`
		Measurement struct {
			Calibrated bool `json:"calibrated"`
			Hair       struct {
				Lab [3]float64 `json:"lab"`
			} `json:"hair"`
		} `json:"measurement"`
		TargetLab [3]float64 `json:"target_lab"`
		Blends    []struct {
			DE00 float64 `json:"de00"`
		} `json:"blends"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v in %s", err, stdout)
	}
	if !got.OK || !got.Measurement.Calibrated || len(got.Blends) == 0 {
		t.Fatalf("want a calibrated measurement and blends, got %s", stdout)
	}
	// The demo's hair was rendered at L* 24 (testdata/demo/truth.json).
	if l := got.Measurement.Hair.Lab[0]; l < 20 || l > 29 {
		t.Errorf("hair L* %.1f, rendered at 24", l)
	}
	if got.Blends[0].DE00 > 1.8 {
		t.Errorf("best blend ΔE00 %.2f for a target inside the palette's gamut", got.Blends[0].DE00)
	}
}
