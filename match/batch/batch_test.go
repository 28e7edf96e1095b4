package batch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"github.com/smpmatch/smpmatch/match/batch/schematest"
	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/match/scene"
	"github.com/smpmatch/smpmatch/palettes"
)

// The room light of the test photos: warm, half-corrected white balance,
// so that uncorrected colours are visibly wrong.
var testCamera = synth.Camera{CCT: 3400, WhiteBalance: 0.6, Exposure: 0.85}

// gpsMarker is planted in an EXIF block of one input: no output may carry it.
const gpsMarker = "GPS-SECRET-48.8584N-2.2945E"

type testClient struct {
	skin, hair colour.LabD50
}

var testClients = map[string]testClient{
	"c01": {colour.LabD50{L: 66, A: 10, B: 16}, colour.LabD50{L: 22, A: 2, B: 3}},
	"c02": {colour.LabD50{L: 58, A: 12, B: 20}, colour.LabD50{L: 20, A: 3, B: 5}},
	"c03": {colour.LabD50{L: 70, A: 8, B: 15}, colour.LabD50{L: 30, A: 5, B: 10}},
	"c04": {colour.LabD50{L: 48, A: 13, B: 22}, colour.LabD50{L: 18, A: 1, B: 2}},
	"c05": {colour.LabD50{L: 62, A: 11, B: 18}, colour.LabD50{L: 26, A: 4, B: 7}},
	"c06": {colour.LabD50{L: 64, A: 10, B: 17}, colour.LabD50{L: 21, A: 2, B: 4}},
	"c07": {colour.LabD50{L: 55, A: 12, B: 21}, colour.LabD50{L: 24, A: 3, B: 6}},
	"c08": {colour.LabD50{L: 68, A: 9, B: 16}, colour.LabD50{L: 23, A: 2, B: 4}},
}

// testInputs renders the batch of 30 photos: eight clients (in-frame
// cards, separate card shots, a hand photo), a walk-in photo at the top
// level, three broken files and a note.
func testInputs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := renderInputs(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func renderInputs(dir string) error {
	type job struct {
		path string
		s    scene.Scene
		card bool
	}
	var jobs []job
	seed := uint64(1)
	sc := func(c testClient) scene.Scene {
		seed++
		return scene.Scene{W: 640, H: 480, Skin: c.skin, Hair: c.hair, Camera: testCamera, Shading: 0.25,
			Noise: 0.005, JPEGQuality: 90, Blur: 0.5, Seed: seed, Density: 0.18}
	}
	for _, id := range []string{"c01", "c02", "c03", "c04", "c05"} {
		for k := 1; k <= 3; k++ {
			jobs = append(jobs, job{filepath.Join(dir, id, fmt.Sprintf("view%d.jpg", k)), sc(testClients[id]), true})
		}
	}
	for _, id := range []string{"c06", "c07"} {
		s := sc(testClients[id])
		s.Subject = scene.SubjectWall
		jobs = append(jobs, job{filepath.Join(dir, id, "Card_shot.jpg"), s, true})
		for k := 1; k <= 3; k++ {
			jobs = append(jobs, job{filepath.Join(dir, id, "angles", fmt.Sprintf("a%d.jpg", k)), sc(testClients[id]), false})
		}
	}
	for k := 1; k <= 2; k++ {
		jobs = append(jobs, job{filepath.Join(dir, "c08", fmt.Sprintf("top%d.jpg", k)), sc(testClients["c08"]), true})
	}
	hand := sc(testClients["c08"])
	hand.Subject = scene.SubjectHand
	jobs = append(jobs, job{filepath.Join(dir, "c08", "zz-hand.jpg"), hand, true})
	jobs = append(jobs, job{filepath.Join(dir, "walkin.jpg"), sc(testClients["c01"]), true})

	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			jq := j.s.JPEGQuality
			j.s.JPEGQuality = 0
			var b []byte
			var err error
			if j.card {
				im, _, _ := scene.RenderWithCard(j.s, scene.CardPlacement{})
				b, err = synth.Encode(im, "jpeg", jq)
			} else {
				im, _ := scene.Render(j.s)
				b, err = synth.Encode(im, "jpeg", jq)
			}
			if err == nil && strings.HasSuffix(j.path, "walkin.jpg") {
				b = withEXIF(b, gpsMarker)
			}
			if err == nil {
				err = os.MkdirAll(filepath.Dir(j.path), 0o755)
			}
			if err == nil {
				err = os.WriteFile(j.path, b, 0o644)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	good, err := os.ReadFile(filepath.Join(dir, "c03", "view1.jpg"))
	if err != nil {
		return err
	}
	return errors.Join(
		os.WriteFile(filepath.Join(dir, "c03", "view4-truncated.jpg"), good[:len(good)/2], 0o644),
		os.WriteFile(filepath.Join(dir, "c05", "garbage.jpg"), []byte("this is not a photo\n"), 0o644),
		os.WriteFile(filepath.Join(dir, "empty.png"), nil, 0o644),
		os.WriteFile(filepath.Join(dir, "c01", "notes.txt"), []byte("client prefers a soft hairline\n"), 0o644),
	)
}

// withEXIF inserts an APP1 EXIF block (big-endian TIFF, one empty IFD)
// followed by marker bytes, as a phone's GPS tags would sit there.
func withEXIF(jpg []byte, marker string) []byte {
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00")
	payload := append(append([]byte("Exif\x00\x00"), tiff...), marker...)
	n := len(payload) + 2
	seg := append([]byte{0xFF, 0xE1, byte(n >> 8), byte(n)}, payload...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func testOptions(t testing.TB, out string) Options {
	pal, err := palettes.Open(palettes.DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := recipe.New(pal)
	if err != nil {
		t.Fatal(err)
	}
	return Options{Out: out, Palette: pal, Workers: 2, Version: "test",
		Settings: Settings{Recommender: rec}}
}

// The helper process for the kill test: a batch run that the test kills.
func TestHelperBatchProcess(t *testing.T) {
	in, out := os.Getenv("SMPMATCH_BATCH_HELPER_IN"), os.Getenv("SMPMATCH_BATCH_HELPER_OUT")
	if in == "" {
		t.Skip("helper process for TestBatchEndToEnd")
	}
	clients, _, err := ScanFolders([]string{in})
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions(t, out)
	o.Workers = 1
	Run(context.Background(), clients, o)
}

func TestBatchEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and processes 30 photos")
	}
	start := time.Now()
	in := testInputs(t)
	t.Logf("rendered inputs in %v", time.Since(start).Round(time.Millisecond))
	clients, skipped, err := ScanFolders([]string{in})
	if err != nil {
		t.Fatal(err)
	}
	nPhotos := 0
	for _, c := range clients {
		nPhotos += len(c.Photos)
	}
	if nPhotos != 30 || len(clients) != 10 || len(skipped) != 1 {
		t.Fatalf("scan: %d photos of %d clients, %d skipped; want 30 of 10 (8 folders, walkin, empty), notes.txt skipped", nPhotos, len(clients), len(skipped))
	}

	// Reference: one uninterrupted run.
	ref := t.TempDir()
	start = time.Now()
	sum, err := Run(context.Background(), clients, testOptions(t, ref))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("full run: %+v in %v", sum, time.Since(start).Round(time.Millisecond))
	if sum.Failed != 3 || sum.Resumed != 0 {
		t.Errorf("summary %+v: want exactly the 3 broken files failed", sum)
	}
	if keep := os.Getenv("SMPMATCH_BATCH_REPORT_OUT"); keep != "" {
		// For a person to look at: SMPMATCH_BATCH_REPORT_OUT=/tmp/r.html
		b, _ := os.ReadFile(filepath.Join(ref, reportName))
		os.WriteFile(keep, b, 0o644)
	}
	checkResults(t, ref, nPhotos)
	checkClients(t, ref)
	checkReport(t, ref)
	checkNoMetadata(t, ref)

	t.Run("a second batch on the same --out is refused", func(t *testing.T) {
		l, err := acquireLock(ref)
		if err != nil {
			t.Fatal(err)
		}
		defer l.release()
		if _, err := Run(context.Background(), clients, testOptions(t, ref)); !errors.Is(err, ErrLocked) {
			t.Errorf("got %v, want ErrLocked", err)
		}
	})

	// Kill points: after 8 photo records (halfway through the photos), after
	// a random number of records, and at a random moment (which may fall in
	// the final rebuild of the outputs). The seed is logged so a failure
	// can be replayed with SMPMATCH_KILL_SEED.
	seed := time.Now().UnixNano()
	if v := os.Getenv("SMPMATCH_KILL_SEED"); v != "" {
		fmt.Sscan(v, &seed)
	}
	rng := rand.New(rand.NewSource(seed))
	t.Logf("kill points drawn with SMPMATCH_KILL_SEED=%d", seed)
	// Photo records are written for measured photos only (not for card
	// shots or broken files): the uninterrupted run says how many there are.
	maxRecords := countRecords(t, ref)
	kills := []struct {
		name    string
		records int           // kill when this many photo records exist
		after   time.Duration // or after this long (records == 0)
	}{
		{"killed halfway with SIGKILL and resumed gives identical results", 8, 0},
		{"killed after a random number of photos and resumed gives identical results", 1 + rng.Intn(maxRecords-1), 0},
		{"killed at a random moment and resumed gives identical results", 0, time.Duration(200+rng.Intn(15000)) * time.Millisecond},
	}
	for _, kp := range kills {
		kp := kp
		t.Run(kp.name, func(t *testing.T) {
			out := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperBatchProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), "SMPMATCH_BATCH_HELPER_IN="+in, "SMPMATCH_BATCH_HELPER_OUT="+out)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(60 * time.Second)
			if kp.records > 0 {
				for countRecords(t, out) < kp.records && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
			} else {
				time.Sleep(kp.after)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			done := countRecords(t, out)
			t.Logf("killed with %d photo records on disk (%d in a full run)", done, maxRecords)
			if kp.records > 0 && done < kp.records {
				t.Fatalf("%d photo records when killed: want the run stopped after %d", done, kp.records)
			}
			if kp.records == 8 && done >= maxRecords {
				t.Fatalf("%d of %d photo records when killed: want the run stopped halfway", done, maxRecords)
			}
			checkStateParses(t, out)
			sum, err := Run(context.Background(), clients, testOptions(t, out))
			if err != nil {
				t.Fatal(err)
			}
			if sum.Resumed < done-2 || sum.Resumed > nPhotos {
				t.Errorf("resumed %d photos; %d records were on disk", sum.Resumed, done)
			}
			for _, name := range []string{resultsName, clientsName, reportName} {
				a, _ := os.ReadFile(filepath.Join(ref, name))
				b, err := os.ReadFile(filepath.Join(out, name))
				if err != nil || !bytes.Equal(a, b) {
					t.Errorf("%s differs from the uninterrupted run's (%v)", name, err)
				}
			}
			if l, err := acquireLock(out); err != nil {
				t.Errorf("the lock is still held after a clean run: %v", err)
			} else {
				l.release()
			}
			if m, _ := filepath.Glob(filepath.Join(out, stateDir, ".*.tmp*")); len(m) > 0 {
				t.Errorf("temporary files left behind: %v", m)
			}
			if kp.records == 8 {
				// A third run finds everything done.
				sum, err = Run(context.Background(), clients, testOptions(t, out))
				if err != nil || sum.Resumed != nPhotos {
					t.Errorf("re-run of a finished batch: %+v, %v: want all %d photos already done", sum, err, nPhotos)
				}
			}
		})
	}

	t.Run("shards merged give the same results", func(t *testing.T) {
		var outs []string
		total := 0
		for k := 1; k <= 2; k++ {
			part, err := Shard(clients, k, 2)
			if err != nil {
				t.Fatal(err)
			}
			total += len(part)
			o := testOptions(t, t.TempDir())
			// The shards reuse the reference's finished photos: copy its state.
			copyDir(t, filepath.Join(ref, stateDir), filepath.Join(o.Out, stateDir))
			if _, err := Run(context.Background(), part, o); err != nil {
				t.Fatal(err)
			}
			outs = append(outs, o.Out)
		}
		if total != len(clients) {
			t.Fatalf("shards hold %d clients, want %d", total, len(clients))
		}
		merged := t.TempDir()
		if err := Merge(outs, merged); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{resultsName, clientsName} {
			a, _ := os.ReadFile(filepath.Join(ref, name))
			b, _ := os.ReadFile(filepath.Join(merged, name))
			if !bytes.Equal(a, b) {
				t.Errorf("merged %s differs from the single run's", name)
			}
		}
	})

	t.Run("cancelling stops after the photos in flight", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		o := testOptions(t, t.TempDir())
		o.Settings.Recipe.Top = 2 // other settings: nothing is reused
		o.Progress = &cancelAfter{n: 4, cancel: cancel}
		sum, err := Run(ctx, clients, o)
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("got %v, want ErrInterrupted", err)
		}
		m, _ := filepath.Glob(filepath.Join(o.Out, stateDir, "*.json"))
		if n := len(m); n < 3 || n > 4+o.Workers {
			t.Errorf("%d state records after cancelling at the 4th photo with %d workers", n, o.Workers)
		}
		if _, err := os.Stat(filepath.Join(o.Out, resultsName)); err == nil {
			t.Errorf("an interrupted run wrote results.jsonl; want outputs only from complete runs")
		}
		_ = sum
	})
}

type cancelAfter struct {
	mu     sync.Mutex
	n      int
	cancel func()
}

func (c *cancelAfter) Start(int) {}
func (c *cancelAfter) Photo(e Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n--; c.n == 0 {
		c.cancel()
	}
}
func (c *cancelAfter) Finish() {}

func countRecords(t *testing.T, out string) int {
	m, _ := filepath.Glob(filepath.Join(out, stateDir, "*."+thumbCorrected))
	n := 0
	for _, p := range m {
		if _, err := os.Stat(strings.TrimSuffix(p, thumbCorrected) + "json"); err == nil {
			n++
		}
	}
	return n
}

func checkStateParses(t *testing.T, out string) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(out, stateDir, "*.json"))
	for _, p := range m {
		b, err := os.ReadFile(p)
		if err != nil || !json.Valid(b) {
			t.Errorf("half-written state file %s", p)
		}
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	os.MkdirAll(to, 0o755)
	m, _ := filepath.Glob(filepath.Join(from, "*"))
	for _, p := range m {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(to, filepath.Base(p)), b, 0o644)
	}
}

func checkResults(t *testing.T, out string, n int) {
	t.Helper()
	checkSchemas(t, out)
	f, err := os.Open(filepath.Join(out, resultsName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	lines := 0
	failed := map[string]bool{}
	for sc.Scan() {
		lines++
		var pm PhotoMatch
		if err := json.Unmarshal(sc.Bytes(), &pm); err != nil {
			t.Fatalf("line %d: %v", lines, err)
		}
		var raw map[string]any
		json.Unmarshal(sc.Bytes(), &raw)
		for _, k := range []string{"client_id", "photo", "ok", "role"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("line %d has no %q", lines, k)
			}
		}
		if !pm.OK {
			failed[pm.Photo] = true
			if pm.Error == "" {
				t.Errorf("%s failed without an error", pm.Photo)
			}
			if strings.Contains(pm.Error, os.TempDir()) {
				t.Errorf("%s: the error names the machine's folders: %s", pm.Photo, pm.Error)
			}
			continue
		}
		switch pm.Role {
		case RoleScalp:
			if pm.Measurement == nil || pm.Result == nil || len(pm.Blends) == 0 {
				t.Errorf("%s: no measurement or blends", pm.Photo)
			}
		case RoleCard:
			if pm.CardFit == nil || pm.CardFit.Fit == nil {
				t.Errorf("%s: card shot without a fit", pm.Photo)
			}
		}
		if strings.HasPrefix(pm.Photo, "c06/angles/") && pm.Measurement.Correction != "profile" {
			t.Errorf("%s: corrected by %q, want the client's card shot (profile)", pm.Photo, pm.Measurement.Correction)
		}
	}
	if lines != n {
		t.Errorf("results.jsonl has %d lines, want %d (one per photo)", lines, n)
	}
	for _, p := range []string{"c03/view4-truncated.jpg", "c05/garbage.jpg", "empty.png"} {
		if !failed[p] {
			t.Errorf("%s did not fail", p)
		}
	}
	if len(failed) != 3 {
		t.Errorf("failed: %v; want only the three broken files", failed)
	}
}

// checkSchemas validates a batch's JSON outputs against their published
// schemas.
func checkSchemas(t *testing.T, out string) {
	t.Helper()
	for file, name := range map[string]string{resultsName: schematest.MatchPhoto, clientsJSONName: schematest.Clients} {
		b, err := os.ReadFile(filepath.Join(out, file))
		if err != nil {
			t.Fatal(err)
		}
		if schematest.Lines(t, name, b) == 0 {
			t.Errorf("%s is empty", file)
		}
	}
}

func checkClients(t *testing.T, out string) {
	t.Helper()
	f, err := os.Open(filepath.Join(out, clientsName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 11 {
		t.Fatalf("clients.csv has %d rows, want header + 10", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	num := func(r []string, c string) float64 {
		v, err := strconv.ParseFloat(r[col[c]], 64)
		if err != nil {
			t.Fatalf("client %s column %s: %q", r[0], c, r[col[c]])
		}
		return v
	}
	for _, r := range rows[1:] {
		id := r[0]
		tc, ok := testClients[id]
		if id == "walkin" {
			tc, ok = testClients["c01"], true
		}
		if !ok {
			if id != "empty" || r[col["error"]] == "" {
				t.Errorf("client %s: unexpected row %v", id, r)
			}
			continue
		}
		hair := colour.LabD50{L: num(r, "hair_L"), A: num(r, "hair_a"), B: num(r, "hair_b")}
		scalp := colour.LabD50{L: num(r, "scalp_L"), A: num(r, "scalp_a"), B: num(r, "scalp_b")}
		if de := colour.DeltaE00(scalp, tc.skin); de > 3 {
			t.Errorf("client %s: combined scalp %v is %.1f ΔE00 from the truth %v", id, scalp, de, tc.skin)
		}
		if de := colour.DeltaE00(hair, tc.hair); de > 5 {
			t.Errorf("client %s: combined hair %v is %.1f ΔE00 from the truth %v", id, hair, de, tc.hair)
		}
		if r[col["top_blend"]] == "" || num(r, "top_blend_de00") > 3 {
			t.Errorf("client %s: top blend %q ΔE00 %s", id, r[col["top_blend"]], r[col["top_blend_de00"]])
		}
		if id == "c08" && (num(r, "combined") != 2 || !strings.Contains(r[col["warnings"]], "low-confidence")) {
			t.Errorf("c08: combined %s photos, warnings %q: want the hand photo left out and said so", r[col["combined"]], r[col["warnings"]])
		}
	}
}

func checkReport(t *testing.T, out string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, reportName))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"c01", "c08", "walkin", "data:image/jpeg;base64,", "smp-reference", "smpmatch test", "Simulated SMP"} {
		if !strings.Contains(s, want) {
			t.Errorf("report has no %q", want)
		}
	}
	// The pictures' base64 may spell anything ("/tmp" included): look at
	// the text only.
	text := regexp.MustCompile(`data:image/[a-z]+;base64,[A-Za-z0-9+/=&#;]*`).ReplaceAllString(s, "data:")
	for _, bad := range []string{"http://", "https://", "ZgotmplZ", os.TempDir()} {
		if strings.Contains(text, bad) {
			t.Errorf("report contains %q: it must be self-contained and name no local folders", bad)
		}
	}
}

// checkNoMetadata: nothing under --out carries the input's EXIF.
func checkNoMetadata(t *testing.T, out string) {
	t.Helper()
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte(gpsMarker)) || bytes.Contains(b, []byte("Exif\x00\x00")) {
			t.Errorf("%s carries the input's EXIF", p)
		}
		return nil
	})
}
