package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/match/optics"
	"github.com/smpmatch/smpmatch/match/recipe"
)

func TestBatchUsageErrors(t *testing.T) {
	in := t.TempDir()
	os.WriteFile(filepath.Join(in, "a.jpg"), []byte("x"), 0o644)
	manifest := writeFile(t, "m.csv", "client_id,photo\nx,../a.jpg\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no --out", []string{"batch", in}, "needs --out"},
		{"no inputs", []string{"batch", "--out", t.TempDir()}, "needs input FOLDERs or --manifest"},
		{"--out inside the input", []string{"batch", in, "--out", filepath.Join(in, "results")}, "is inside the input folder"},
		{"a file instead of a folder", []string{"batch", filepath.Join(in, "a.jpg"), "--out", t.TempDir()}, "is not a folder"},
		{"folders and a manifest", []string{"batch", in, "--manifest", manifest, "--out", t.TempDir()}, "not both"},
		{"a manifest path climbing out", []string{"batch", "--manifest", manifest, "--out", t.TempDir()}, "line 2 column photo"},
		{"per-photo card corners", []string{"batch", in, "--out", t.TempDir(), "--card-corners", "1,2,3,4,5,6,7,8"}, "applies to one photo"},
		{"a bad shard", []string{"batch", in, "--out", t.TempDir(), "--shard", "3/2"}, "want 1 ≤ K ≤ N"},
		{"no workers", []string{"batch", in, "--out", t.TempDir(), "--workers", "0"}, "--workers = 0"},
		{"merge without inputs", []string{"batch", "--merge", "--out", t.TempDir()}, "needs the --out folders"},
		{"no cup", []string{"batch", in, "--out", t.TempDir(), "--volume", "0"}, "--volume = 0 is outside 0.01..1000"},
		{"a drop larger than the cup", []string{"batch", in, "--out", t.TempDir(), "--volume", "0.05", "--drop-ml", "0.1"}, "the drop no larger than the volume"},
		{"a drop of nothing", []string{"batch", in, "--out", t.TempDir(), "--drop-ml", "0"}, "--drop-ml = 0 is outside 0.005..5"},
		{"a healed model that is not one", []string{"batch", in, "--out", t.TempDir(), "--healed-model", manifest}, "--healed-model " + manifest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q: want exit %d and %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}

// One client with the demo scalp photo (card in frame), one broken photo:
// exit 1, and all three outputs.
func TestBatchOnTheDemoPhoto(t *testing.T) {
	in := t.TempDir()
	b, err := os.ReadFile("../../testdata/demo/scalp.jpg")
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(in, "client-1"), 0o755)
	os.WriteFile(filepath.Join(in, "client-1", "top.jpg"), b, 0o644)
	os.WriteFile(filepath.Join(in, "broken.jpg"), b[:1000], 0o644)
	os.WriteFile(filepath.Join(in, "README.txt"), []byte("notes"), 0o644)
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "batch", in, "--out", out, "--workers", "2")
	if code != exitFailed {
		t.Fatalf("exit %d, want %d (one photo failed)\n%s", code, exitFailed, stderr)
	}
	if stdout != "" {
		t.Errorf("batch printed to stdout: %q (results go to --out)", stdout)
	}
	for _, want := range []string{"skipping " + filepath.Join(in, "README.txt"), "photo=client-1/top.jpg", "2 clients, 2 photos (0 already done, 1 failed)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr has no %q:\n%s", want, stderr)
		}
	}
	f, err := os.Open(filepath.Join(out, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var ok []string
	for sc.Scan() {
		var pm photoMatch
		if err := json.Unmarshal(sc.Bytes(), &pm); err != nil {
			t.Fatal(err)
		}
		if pm.OK {
			ok = append(ok, pm.ClientID+":"+pm.Photo)
		}
	}
	if len(ok) != 1 || ok[0] != "client-1:client-1/top.jpg" {
		t.Errorf("photos ok: %v", ok)
	}
	for _, name := range []string{"clients.csv", "report.html"} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Re-run: everything is already done.
	code, _, stderr = runCLI(t, "batch", in, "--out", out)
	if code != exitFailed || !strings.Contains(stderr, "(2 already done, 1 failed)") {
		t.Errorf("re-run: exit %d\n%s", code, stderr)
	}
}

func TestBatchReadsTheShardFromKubernetesAndSlurm(t *testing.T) {
	in := t.TempDir()
	os.MkdirAll(filepath.Join(in, "c1"), 0o755)
	os.WriteFile(filepath.Join(in, "c1", "a.jpg"), []byte("not a photo"), 0o644)
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"kubernetes", map[string]string{"JOB_COMPLETION_INDEX": "1"}, []string{"--shards", "4"}, -1, "shard 2/4 (from JOB_COMPLETION_INDEX)"},
		{"kubernetes without --shards", map[string]string{"JOB_COMPLETION_INDEX": "1"}, nil, exitUsage, "--shards"},
		{"slurm", map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"}, nil, -1, "shard 3/3 (from SLURM_ARRAY_TASK_ID)"},
		{"--shard wins", map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"}, []string{"--shard", "1/2"}, -1, ""},
		{"--shard and --shards", nil, []string{"--shard", "1/2", "--shards", "2"}, exitUsage, "not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []string{"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP"} {
				t.Setenv(v, tc.env[v])
			}
			code, _, stderr := runCLI(t, append([]string{"batch", in, "--out", t.TempDir()}, tc.args...)...)
			if tc.code >= 0 && code != tc.code {
				t.Errorf("exit %d, want %d\n%s", code, tc.code, stderr)
			}
			if tc.code < 0 && code == exitUsage {
				t.Errorf("usage error:\n%s", stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr has no %q:\n%s", tc.want, stderr)
			}
			if tc.want == "" && strings.Contains(stderr, "(from ") {
				t.Errorf("--shard given, yet the shard came from the environment:\n%s", stderr)
			}
		})
	}
}

// A photo that cannot be measured: measure --json and match PHOTO --json
// say null for what was not measured (checked against the schemas by
// runCLI), never zeros.
func TestJSONOfAFailedPhotoSaysNull(t *testing.T) {
	bad := writeFile(t, "bad.jpg", "not a photo")
	for _, cmd := range []string{"measure", "match"} {
		code, stdout, stderr := runCLI(t, cmd, bad, "--json")
		if code != exitFailed {
			t.Errorf("%s: exit %d\n%s", cmd, code, stderr)
		}
		for _, want := range []string{`"hair":null`, `"scalp":null`, `"contrast":null`, `"confidence":null`, `"low_confidence":true`, `"warnings":[]`} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s --json has no %s:\n%s", cmd, want, stdout)
			}
		}
	}
}

// batch --volume/--drop-ml/--healed-model: clients.csv gives the top blend
// in bottles for the cup and names the model, clients.jsonl carries the
// same bottles and the model file, the report's header names the model. A
// re-run with another cup redoes no photo and gives the new cup's amounts.
func TestBatchGivesBottlesForTheCupAndNamesTheHealedModel(t *testing.T) {
	b, err := os.ReadFile("../../testdata/demo/scalp.jpg")
	if err != nil {
		t.Fatal(err)
	}
	in := t.TempDir()
	os.MkdirAll(filepath.Join(in, "client-1"), 0o755)
	os.WriteFile(filepath.Join(in, "client-1", "top.jpg"), b, 0o644)
	m := optics.DefaultHealedModel()
	m.Version = "clinic-2026+fit"
	mb, _ := json.Marshal(m)
	model := writeFile(t, "clinic-healed.json", string(mb))
	out := filepath.Join(t.TempDir(), "results")
	row := func() map[string]string {
		t.Helper()
		f, err := os.Open(filepath.Join(out, "clients.csv"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("clients.csv: %d rows, %v", len(rows), err)
		}
		r := map[string]string{}
		for i, h := range rows[0] {
			r[h] = rows[1][i]
		}
		return r
	}
	for _, run := range []struct {
		volume, drop, cup, stderr string
	}{
		{"2", "0.04", "(for 2 ml; 1 drop = 0.04 ml)", "(0 already done, 0 failed)"},
		{"3", "0.05", "(for 3 ml; 1 drop = 0.05 ml)", "(1 already done, 0 failed)"},
	} {
		code, _, stderr := runCLI(t, "batch", in, "--out", out, "--volume", run.volume, "--drop-ml", run.drop, "--healed-model", model, "--workers", "1")
		if code != 0 || !strings.Contains(stderr, run.stderr) {
			t.Fatalf("--volume %s: exit %d, want 0 and %q\n%s", run.volume, code, run.stderr, stderr)
		}
		r := row()
		if bt := r["top_blend_bottles"]; !strings.HasSuffix(bt, run.cup) || !strings.Contains(bt, " drops ") || !strings.Contains(bt, " ml = ") {
			t.Errorf("--volume %s: top_blend_bottles %q, want the amounts %s", run.volume, bt, run.cup)
		}
		if r["healed_model"] != m.Version || r["healed_model_file"] != model {
			t.Errorf("healed_model %q, healed_model_file %q: want %s, %s", r["healed_model"], r["healed_model_file"], m.Version, model)
		}
		jb, err := os.ReadFile(filepath.Join(out, "clients.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Recommendation struct {
				HealedModelFile *recipe.ModelSource `json:"healed_model_file"`
				Blends          []struct {
					Bottles *recipe.Bottles `json:"bottles"`
				} `json:"blends"`
			} `json:"recommendation"`
		}
		if err := json.Unmarshal(jb, &c); err != nil {
			t.Fatal(err)
		}
		rec := c.Recommendation
		if rec.HealedModelFile == nil || rec.HealedModelFile.Path != model || len(rec.Blends) == 0 || rec.Blends[0].Bottles == nil ||
			fmt.Sprint(rec.Blends[0].Bottles.VolumeML) != run.volume || fmt.Sprint(rec.Blends[0].Bottles.DropML) != run.drop {
			t.Errorf("clients.jsonl recommendation: model file %+v, blends %+v", rec.HealedModelFile, rec.Blends)
		}
		html, err := os.ReadFile(filepath.Join(out, "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"<dt>Healed model</dt><dd>clinic-healed.json (clinic-2026&#43;fit, sha256 ", "<h3>Mix " + run.volume + " ml in your bottles</h3>"} {
			if !strings.Contains(string(html), want) {
				t.Errorf("report.html has no %q", want)
			}
		}
	}
}
