package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
