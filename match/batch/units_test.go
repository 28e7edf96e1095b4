package batch

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/smpmatch/smpmatch/match/optics"
	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/match/segment"
)

func measured(l float64, low bool) PhotoMatch {
	m := &measure.Result{OK: true, Calibrated: true}
	m.Hair = segment.HairResult{Colour: segment.Colour{Lab: colour.LabD50{L: l - 40, A: 2, B: 3}}, Found: true}
	m.Scalp = segment.ScalpResult{Colour: segment.Colour{Lab: colour.LabD50{L: l, A: 10, B: 16}}, Found: true}
	m.LowConfidence = low
	m.Confidence = 0.9
	if low {
		m.Confidence = 0.2
	}
	return PhotoMatch{Role: RoleScalp, OK: true, Measurement: m}
}

func TestCombineTakesTheMedianOfConfidentPhotos(t *testing.T) {
	rec := testOptions(t, "").Settings.Recommender
	tests := []struct {
		name      string
		photos    []PhotoMatch
		scalpL    float64
		combined  int
		wantError bool
	}{
		{"median of three", []PhotoMatch{measured(60, false), measured(70, false), measured(64, false)}, 64, 3, false},
		{"median of two is their mean", []PhotoMatch{measured(60, false), measured(64, false)}, 62, 2, false},
		{"a low-confidence photo is left out", []PhotoMatch{measured(60, false), measured(90, true), measured(62, false)}, 61, 2, false},
		{"all low-confidence: all are used", []PhotoMatch{measured(60, true), measured(66, true)}, 63, 2, false},
		{"card shots and failures are not photos to combine", []PhotoMatch{{Role: RoleCard, OK: true}, {Role: RoleScalp, Error: "x"}, measured(58, false)}, 58, 1, false},
		{"nothing measured", []PhotoMatch{{Role: RoleScalp, Error: "x"}}, 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Combine("x", tc.photos, make([]string, len(tc.photos)), rec, recipe.Options{})
			if tc.wantError {
				if c.Error == "" || c.Hair != nil {
					t.Errorf("got %+v, want an error and no colours", c)
				}
				return
			}
			if c.Combined != tc.combined || c.Scalp == nil || c.Scalp.L != tc.scalpL || c.Recommendation == nil {
				t.Fatalf("combined %d, scalp %v: want %d photos, L* %g, and a recommendation", c.Combined, c.Scalp, tc.combined, tc.scalpL)
			}
			if c.Hair.L != tc.scalpL-40 || c.ContrastDL != -40 {
				t.Errorf("hair %v, ΔL* %g", c.Hair, c.ContrastDL)
			}
		})
	}
}

func TestShardSplitsClientsOnceAndDeterministically(t *testing.T) {
	var cs []Client
	for i := 0; i < 200; i++ {
		cs = append(cs, Client{ID: fmt.Sprintf("client-%03d", i)})
	}
	seen := map[string]int{}
	for k := 1; k <= 3; k++ {
		part, err := Shard(cs, k, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(part) < 40 {
			t.Errorf("shard %d/3 has %d of 200 clients: the split is lopsided", k, len(part))
		}
		for _, c := range part {
			seen[c.ID]++
		}
		// Order of the inputs does not matter.
		rev := append([]Client{}, cs...)
		for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
			rev[i], rev[j] = rev[j], rev[i]
		}
		again, _ := Shard(rev, k, 3)
		if len(again) != len(part) {
			t.Errorf("shard %d/3 depends on the input order", k)
		}
	}
	for _, c := range cs {
		if seen[c.ID] != 1 {
			t.Errorf("%s is in %d shards", c.ID, seen[c.ID])
		}
	}
	for _, bad := range []string{"0/3", "4/3", "1/0", "a/b", "1/2/3", "1/2x"} {
		if _, _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
}

func TestBarShowsCountRateETAAndFailures(t *testing.T) {
	var buf bytes.Buffer
	b := NewBar(&buf)
	now := time.Unix(1000, 0)
	b.c.now = func() time.Time { return now }
	b.Start(10)
	now = now.Add(2 * time.Second)
	b.Photo(Event{Photo: "a.jpg", Skipped: true})
	b.Photo(Event{Photo: "b.jpg"})
	b.Photo(Event{Photo: "c.jpg", Failed: true})
	b.last = time.Time{}
	now = now.Add(2 * time.Second)
	b.Photo(Event{Photo: "d.jpg"})
	b.Finish()
	lines := strings.Split(buf.String(), "\r")
	last := strings.TrimSpace(lines[len(lines)-1])
	for _, want := range []string{"4/10 photos", "0.75/s", "ETA 0:08", "1 already done", "1 FAILED"} {
		if !strings.Contains(last, want) {
			t.Errorf("last redraw %q has no %q", last, want)
		}
	}
}

func TestSimulateDotsPaintsOnlyTheScalpInTheInkColour(t *testing.T) {
	skin := colour.LabD50{L: 65, A: 10, B: 16}
	ink := colour.LabD50{L: 30, A: 2, B: 2}
	img, _ := fakeScalp(skin, skin, 1)
	mask := image.NewGray(img.Bounds())
	w := img.Bounds().Dx()
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < w/2; x++ {
			mask.Pix[y*mask.Stride+x] = 255
		}
	}
	out := SimulateDots(img, mask, ink, 0.0625, 7)
	inkRGB := ink.SRGB8()
	changedRight, nearInk := 0, 0
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < w; x++ {
			p := out.Pix[y*out.Stride+4*x:]
			q := img.Pix[y*img.Stride+4*x:]
			if x > w/2+20 && (p[0] != q[0] || p[1] != q[1] || p[2] != q[2]) {
				changedRight++
			}
			if 2*absd(p[1], q[1]) > absd(inkRGB[1], q[1]) {
				nearInk++
			}
		}
	}
	if changedRight != 0 {
		t.Errorf("%d pixels changed outside the scalp mask", changedRight)
	}
	// ~1 dot per mm² of 0.4 mm: about 10% of the skin more than half-way
	// to the ink colour.
	if frac := float64(nearInk) / float64(w/2*img.Bounds().Dy()); frac < 0.03 || frac > 0.2 {
		t.Errorf("%.1f%% of the masked half is ink-coloured: want a plausible follicle density", 100*frac)
	}
}

func TestSafeCellDefusesFormulas(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "@SUM(A1)": "'@SUM(A1)", "-3": "'-3", "A-17": "A-17", "": ""} {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMergeRefusesAClientInTwoOutputsAndOtherSettings(t *testing.T) {
	a, _ := fakeBatch(t)
	if err := Merge([]string{a, a}, t.TempDir()); err == nil || !strings.Contains(err.Error(), "is in both") {
		t.Errorf("merging an output with itself: %v, want a duplicate-client error", err)
	}
	b, _ := fakeBatch(t)
	idx, err := readIndex(b)
	if err != nil {
		t.Fatal(err)
	}
	idx.Settings = "other"
	idx.Clients = nil
	writeIndex(b, idx)
	if err := Merge([]string{a, b}, t.TempDir()); err == nil || !strings.Contains(err.Error(), "other settings") {
		t.Errorf("merging outputs of other settings: %v", err)
	}
	out := t.TempDir()
	if err := Merge([]string{a}, out); err != nil {
		t.Fatal(err)
	}
	x, _ := os.ReadFile(filepath.Join(a, clientsName))
	y, _ := os.ReadFile(filepath.Join(out, clientsName))
	if !bytes.Equal(x, y) {
		t.Error("merging one output changed its clients.csv")
	}
}

func TestScanFoldersMakesClientsOfSubFoldersAndLoosePhotos(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"ann/top.jpg", "ann/angles/left.JPG", "ann/CARD.png", "ann/.hidden/x.jpg", "ann/notes.pdf", "bob.jpeg", ".DS_Store", "list.txt"} {
		p := filepath.Join(root, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
	}
	cs, skipped, err := ScanFolders([]string{root})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].ID != "ann" || cs[1].ID != "bob" {
		t.Fatalf("clients %+v", cs)
	}
	var names []string
	for _, p := range cs[0].Photos {
		names = append(names, p.Name+":"+p.Role)
	}
	if got := strings.Join(names, " "); got != "ann/CARD.png:card ann/angles/left.JPG:scalp ann/top.jpg:scalp" {
		t.Errorf("ann's photos: %s", got)
	}
	if len(skipped) != 2 {
		t.Errorf("skipped %v: want notes.pdf and list.txt (hidden files silently)", skipped)
	}
	other := t.TempDir()
	os.MkdirAll(filepath.Join(other, "ann"), 0o755)
	os.WriteFile(filepath.Join(other, "ann", "a.jpg"), []byte("x"), 0o644)
	if _, _, err := ScanFolders([]string{root, other}); err == nil {
		t.Error("two folders named ann in two inputs were merged into one client")
	}
}

func TestBarPrintsEachFailureAboveTheBarAndASummaryByReason(t *testing.T) {
	var buf bytes.Buffer
	b := NewBar(&buf)
	now := time.Unix(1000, 0)
	b.c.now = func() time.Time { return now }
	b.Start(5)
	b.Photo(Event{ClientID: "C001", Photo: "C001/a.jpg", Failed: true, Error: "C001/a.jpg: no colour calibration: give --profile, include the card in the photo, or pass --uncalibrated"})
	b.Photo(Event{ClientID: "C001", Photo: "C001/b.jpg"})
	b.Photo(Event{ClientID: "C002", Photo: "C002/c.jpg", Failed: true, Error: "open C002/c.jpg: not a readable image: the file is empty"})
	b.Photo(Event{ClientID: "C002", Photo: "C002/d.jpg", Failed: true, Error: "C002/d.jpg: no colour calibration: give --profile, include the card in the photo, or pass --uncalibrated"})
	b.Photo(Event{ClientID: "C003", Photo: "C003/e.jpg"})
	b.Finish()
	out := buf.String()
	// Each failure is a line of its own: the bar is cleared (\r ESC[K),
	// the line printed and ended, then the bar redrawn.
	for _, want := range []string{
		"\r\x1b[KFAILED C001/a.jpg: no colour calibration: give --profile, include the card in the photo, or pass --uncalibrated\n",
		"\r\x1b[KFAILED C002/c.jpg: open C002/c.jpg: not a readable image: the file is empty\n",
		"\r\x1b[KFAILED C002/d.jpg: no colour calibration",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output has no failure line %q:\n%q", want, out)
		}
	}
	// The failure lines come before the final bar, the summary after it.
	i := strings.Index(out, "3 photo(s) failed, by reason:\n")
	if i < 0 {
		t.Fatalf("no summary by reason:\n%s", out)
	}
	if j := strings.LastIndex(out, "FAILED C002/d.jpg"); j > i {
		t.Errorf("a failure line after the summary")
	}
	sum := out[i:]
	for _, want := range []string{
		"    2 × no colour calibration (no card in the photo, no card shot, no --profile)\n",
		"    1 × not a readable photo (corrupt, truncated or not an image)\n",
	} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary has no %q:\n%s", want, sum)
		}
	}
	if strings.Index(sum, "2 ×") > strings.Index(sum, "1 ×") {
		t.Errorf("summary not most frequent first:\n%s", sum)
	}
}

func TestFailureReasonNamesTheCauseWithoutThePhoto(t *testing.T) {
	for _, c := range []struct{ photo, msg, want string }{
		{"x/a.jpg", "x/a.jpg: the photo is 100x80 pixels: too small to show hair fibres (at least 256 on each side)", "photo too small"},
		{"x/a.jpg", "x/a.jpg: no hair found to match against", "no hair found to match against"},
		{"x/a.jpg", "x/a.jpg: something new happened", "something new happened"},
		{"x/a.jpg", "", "unknown"},
	} {
		if got := FailureReason(c.photo, c.msg); got != c.want {
			t.Errorf("FailureReason(%q) = %q, want %q", c.msg, got, c.want)
		}
	}
}

func TestScanFoldersTakesAClientsFolderGivenDirectlyAsOneClient(t *testing.T) {
	consult := t.TempDir()
	dir := filepath.Join(consult, "C002-jones")
	for _, f := range []string{"card.jpg", "crown.jpg", "left.jpg", ".DS_Store", "notes.txt"} {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
	}
	cs, skipped, err := ScanFolders([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].ID != "C002-jones" {
		t.Fatalf("clients %+v: want the one client C002-jones", cs)
	}
	var names []string
	for _, p := range cs[0].Photos {
		names = append(names, p.Name+":"+p.Role)
	}
	if got := strings.Join(names, " "); got != "C002-jones/card.jpg:card C002-jones/crown.jpg:scalp C002-jones/left.jpg:scalp" {
		t.Errorf("photos: %s (the card shot must stay the client's)", got)
	}
	if len(skipped) != 1 || filepath.Base(skipped[0].Path) != "notes.txt" {
		t.Errorf("skipped %v", skipped)
	}
	// Given with a trailing slash or as ".": the same client.
	for _, arg := range []string{dir + string(filepath.Separator), "."} {
		if arg == "." {
			wd, _ := os.Getwd()
			os.Chdir(dir)
			defer os.Chdir(wd)
		}
		cs, _, err := ScanFolders([]string{arg})
		if err != nil || len(cs) != 1 || cs[0].ID != "C002-jones" || len(cs[0].Photos) != 3 {
			t.Errorf("ScanFolders(%q) = %+v, %v", arg, cs, err)
		}
	}
	// The parent given: the same client, the same photo names.
	cs2, _, err := ScanFolders([]string{consult})
	if err != nil || len(cs2) != 1 || cs2[0].Photos[0].Name != cs[0].Photos[0].Name {
		t.Errorf("parent folder: %+v, %v", cs2, err)
	}
}

func TestShardFromEnvMapsKubernetesAndSlurmIndexes(t *testing.T) {
	for _, c := range []struct {
		name   string
		env    map[string]string
		shards int
		k, n   int
		err    string
	}{
		{"nothing set: no sharding", nil, 0, 0, 0, ""},
		{"k8s first of 4", map[string]string{"JOB_COMPLETION_INDEX": "0"}, 4, 1, 4, ""},
		{"k8s last of 4", map[string]string{"JOB_COMPLETION_INDEX": "3"}, 4, 4, 4, ""},
		{"k8s index beyond --shards", map[string]string{"JOB_COMPLETION_INDEX": "4"}, 4, 0, 0, "outside 0..3"},
		{"k8s without --shards", map[string]string{"JOB_COMPLETION_INDEX": "1"}, 0, 0, 0, "--shards"},
		{"k8s not a number", map[string]string{"JOB_COMPLETION_INDEX": "x"}, 4, 0, 0, "not a whole number"},
		{"slurm 0-9, task 0", map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "10", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "9"}, 0, 1, 10, ""},
		{"slurm 1-10, task 10", map[string]string{"SLURM_ARRAY_TASK_ID": "10", "SLURM_ARRAY_TASK_COUNT": "10", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "10"}, 0, 10, 10, ""},
		{"slurm 1-10, task 1", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "10", "SLURM_ARRAY_TASK_MIN": "1"}, 0, 1, 10, ""},
		{"slurm 5-7 no max", map[string]string{"SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "5"}, 0, 2, 3, ""},
		{"slurm 0-18:2, task 18", map[string]string{"SLURM_ARRAY_TASK_ID": "18", "SLURM_ARRAY_TASK_COUNT": "10", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "18", "SLURM_ARRAY_TASK_STEP": "2"}, 0, 10, 10, ""},
		{"slurm list 1,3,7", map[string]string{"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "7"}, 0, 0, 0, "not one per index"},
		{"slurm --shards agrees", map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"}, 4, 3, 4, ""},
		{"slurm --shards disagrees", map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"}, 5, 0, 0, "disagrees"},
		{"slurm without count uses --shards", map[string]string{"SLURM_ARRAY_TASK_ID": "2"}, 3, 3, 3, ""},
		{"both runners", map[string]string{"SLURM_ARRAY_TASK_ID": "2", "JOB_COMPLETION_INDEX": "1"}, 4, 0, 0, "both"},
		{"--shards alone", nil, 4, 0, 0, "without a shard index"},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, n, _, err := ShardFromEnv(func(v string) string { return c.env[v] }, c.shards)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want one with %q", err, c.err)
				}
				return
			}
			if err != nil || k != c.k || n != c.n {
				t.Fatalf("got %d/%d, %v; want %d/%d", k, n, err, c.k, c.n)
			}
		})
	}
	// Every task of an array covers every client exactly once.
	var clients []Client
	for i := 0; i < 50; i++ {
		clients = append(clients, Client{ID: fmt.Sprintf("C%03d", i)})
	}
	seen := map[string]int{}
	for id := 1; id <= 4; id++ {
		env := map[string]string{"SLURM_ARRAY_TASK_ID": fmt.Sprint(id), "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "4"}
		k, n, _, err := ShardFromEnv(func(v string) string { return env[v] }, 0)
		if err != nil {
			t.Fatal(err)
		}
		part, err := Shard(clients, k, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range part {
			seen[c.ID]++
		}
	}
	if len(seen) != len(clients) {
		t.Errorf("the array's tasks covered %d of %d clients", len(seen), len(clients))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("client %s in %d tasks", id, n)
		}
	}
}

func named(pm PhotoMatch, name string) PhotoMatch { pm.Photo = name; return pm }

func withHair(pm PhotoMatch, l float64) PhotoMatch {
	m := *pm.Measurement
	m.Hair.Lab.L = l
	pm.Measurement = &m
	return pm
}

func TestCombineRefusesPhotosOfTwoHeadsAndNamesTheOddOne(t *testing.T) {
	rec := testOptions(t, "").Settings.Recommender
	tests := []struct {
		name    string
		photos  []PhotoMatch
		odd     string
		inWarn  []string
		agreeOK bool
	}{
		{"the issue's two people: hair L* 66.6 and 27.5",
			[]PhotoMatch{named(withHair(measured(62, false), 66.6), "C/a.jpg"), named(withHair(measured(62, false), 27.5), "C/b.jpg")},
			"C/a.jpg C/b.jpg", []string{"none can be called the odd one", "C/a.jpg (hair L*a*b* 66.6", "C/b.jpg (hair L*a*b* 27.5"}, false},
		{"one photo of another person among three",
			[]PhotoMatch{named(measured(62, false), "C/a.jpg"), named(measured(63, false), "C/b.jpg"), named(withHair(measured(62, false), 66.6), "C/odd.jpg")},
			"C/odd.jpg", []string{"the odd one(s) C/odd.jpg (hair L*a*b* 66.6", "do not match the other photos C/a.jpg, C/b.jpg"}, false},
		{"another person's scalp",
			[]PhotoMatch{named(measured(62, false), "C/a.jpg"), named(measured(61, false), "C/b.jpg"), named(measured(40, false), "C/c.jpg")},
			"C/c.jpg", []string{"scalp up to ΔE00"}, false},
		{"photos of one head within their spread", []PhotoMatch{measured(60, false), measured(70, false), measured(64, false)}, "", nil, true},
		{"a low-confidence odd photo is already left out", []PhotoMatch{measured(60, false), withHair(measured(62, true), 70), measured(61, false)}, "", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Combine("C", tc.photos, make([]string, len(tc.photos)), rec, recipe.Options{})
			if tc.agreeOK {
				if c.Error != "" || len(c.OddPhotos) > 0 || c.Recommendation == nil {
					t.Errorf("photos that agree: error %q, odd %v", c.Error, c.OddPhotos)
				}
				return
			}
			if got := strings.Join(c.OddPhotos, " "); got != tc.odd {
				t.Errorf("odd photos %q, want %q", got, tc.odd)
			}
			if c.Recommendation != nil || c.Hair != nil || c.Error == "" {
				t.Errorf("recommended from a mixture: hair %v, recommendation %v, error %q", c.Hair, c.Recommendation != nil, c.Error)
			}
			w := strings.Join(c.Warnings, "\n")
			for _, want := range append(tc.inWarn, "photos disagree") {
				if !strings.Contains(w, want) {
					t.Errorf("warnings have no %q:\n%s", want, w)
				}
			}
			row := strings.Join(clientRow(c), ",")
			if !strings.Contains(row, "photos disagree") || !strings.Contains(row, strings.Split(tc.odd, " ")[0]) {
				t.Errorf("CSV row does not say so: %s", row)
			}
		})
	}
}

func TestCombineSaysWhyNoPhotoCouldBeMeasured(t *testing.T) {
	rec := testOptions(t, "").Settings.Recommender
	photos := []PhotoMatch{
		{Role: RoleCard, OK: true},
		{Role: RoleScalp, Photo: "C/a.jpg", Error: "C/a.jpg: no colour calibration: give --profile, include the card in the photo, or pass --uncalibrated"},
		{Role: RoleScalp, Photo: "C/b.jpg", Error: "C/b.jpg: no colour calibration: give --profile, include the card in the photo, or pass --uncalibrated"},
		{Role: RoleScalp, Photo: "C/c.jpg", Error: "open C/c.jpg: not a readable image: the file is empty"},
	}
	c := Combine("C", photos, make([]string, len(photos)), rec, recipe.Options{})
	want := "no photo of this client could be measured: 2 photo(s): no colour calibration (no card in the photo, no card shot, no --profile); 1 photo(s): not a readable photo (corrupt, truncated or not an image)"
	if c.Error != want {
		t.Errorf("error %q\nwant  %q", c.Error, want)
	}
}

func TestClientsCSVForSpreadsheets(t *testing.T) {
	out, clients := fakeBatch(t)
	read := func() []byte {
		b, err := os.ReadFile(filepath.Join(out, clientsName))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if b := read(); bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Error("a byte-order mark without CSVBOM")
	}
	idx, err := readIndex(out)
	if err != nil {
		t.Fatal(err)
	}
	idx.CSVBOM = true
	if err := writeIndex(out, idx); err != nil {
		t.Fatal(err)
	}
	if err := WriteOutputs(out); err != nil {
		t.Fatal(err)
	}
	b := read()
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Fatalf("no UTF-8 byte-order mark: % x", b[:8])
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"target", "target_L", "target_a", "target_b", "odd_photos"} {
		if _, ok := col[h]; !ok {
			t.Errorf("no column %s in %v", h, rows[0])
		}
	}
	for i, c := range clients {
		r := rows[i+1]
		tl := c.Recommendation.TargetLab
		if r[col["target"]] != "match" || r[col["target_L"]] != strconv.FormatFloat(tl.L, 'f', 2, 64) {
			t.Errorf("client %s: target %q L %q, want match %.2f", c.ClientID, r[col["target"]], r[col["target_L"]], tl.L)
		}
	}
}

func TestCloseUpStaysClearOfTheCard(t *testing.T) {
	const w, h = 1600, 1200
	// Scalp skin everywhere, densest around the card: the crop centred on
	// the skin would show the card.
	scalp := image.NewGray(image.Rect(0, 0, w, h))
	for i := range scalp.Pix {
		scalp.Pix[i] = 255
	}
	for _, card := range []image.Rectangle{
		image.Rect(700, 500, 900, 650),     // in the middle
		image.Rect(0, 0, 1000, 800),        // most of the frame
		image.Rect(1400, 1000, 1600, 1200), // a corner
	} {
		r := zoomRect(w, h, scalp, card)
		if r.Empty() || r.Overlaps(card) || r.Dx() != zoomW || r.Dy() != zoomH || !r.In(image.Rect(0, 0, w, h)) {
			t.Errorf("card %v: close-up %v", card, r)
		}
	}
	if r := zoomRect(w, h, scalp, image.Rect(-10, -10, w+10, h+10)); !r.Empty() {
		t.Errorf("a card filling the frame: close-up %v, want none", r)
	}
	// The card's box in the working image: corners scaled from the photo.
	if got, want := cardBox([][2]float64{{1000, 1000}, {2000, 1000}, {2000, 1600}, {1000, 1600}}, 1600, 4000), image.Rect(320, 352, 880, 688); got != want {
		t.Errorf("cardBox = %v, want %v (corners × 0.4, grown by a fifth)", got, want)
	}
}

func TestPhotoDateReadsExifDateTimeOriginal(t *testing.T) {
	dir := t.TempDir()
	// A JPEG with an APP1 Exif segment: IFD0 → Exif IFD → DateTimeOriginal.
	le := func(v ...uint32) []byte {
		var b []byte
		for _, x := range v {
			b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
		}
		return b
	}
	u16 := func(v uint16) []byte { return []byte{byte(v), byte(v >> 8)} }
	var tiff []byte
	tiff = append(tiff, 'I', 'I', 42, 0)
	tiff = append(tiff, le(8)...)
	// IFD0 at 8: one entry, ExifIFD pointer to 26.
	tiff = append(tiff, u16(1)...)
	tiff = append(tiff, u16(0x8769)...)
	tiff = append(tiff, u16(4)...)
	tiff = append(tiff, le(1, 26)...)
	tiff = append(tiff, le(0)...)
	// Exif IFD at 26: DateTimeOriginal, ASCII, 20 bytes at 44.
	tiff = append(tiff, u16(1)...)
	tiff = append(tiff, u16(0x9003)...)
	tiff = append(tiff, u16(2)...)
	tiff = append(tiff, le(20, 44)...)
	tiff = append(tiff, le(0)...)
	tiff = append(tiff, []byte("2026:11:30 14:05:09\x00")...)
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	jpg := []byte{0xFF, 0xD8, 0xFF, 0xE1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}
	jpg = append(jpg, app1...)
	jpg = append(jpg, 0xFF, 0xDA, 0, 2, 0xFF, 0xD9)
	withDate := filepath.Join(dir, "a.jpg")
	os.WriteFile(withDate, jpg, 0o644)
	if d, from := photoDate(withDate); d != "2026-11-30" || from != "exif" {
		t.Errorf("photoDate = %s from %s, want 2026-11-30 from exif", d, from)
	}
	plain := filepath.Join(dir, "b.png")
	os.WriteFile(plain, []byte("png"), 0o644)
	mt := time.Date(2025, 3, 4, 12, 0, 0, 0, time.Local)
	os.Chtimes(plain, mt, mt)
	if d, from := photoDate(plain); d != "2025-03-04" || from != "file" {
		t.Errorf("photoDate = %s from %s, want 2025-03-04 from file", d, from)
	}
}

// The demo scalp photo has the card in its frame: corrected by the card,
// or by a profile from the card shot (then the photo is not searched for a
// card by measure), the close-up stays clear of it.
func TestCloseUpOfTheDemoPhotoStaysClearOfItsCard(t *testing.T) {
	const scalpJPG, cardJPG = "../../testdata/demo/scalp.jpg", "../../testdata/demo/card.jpg"
	o := testOptions(t, "")
	cards := fitCards("demo", []Photo{{Path: cardJPG, Name: "card.jpg", Role: RoleCard}}, o.Settings)
	if cards.Profile == nil {
		t.Fatalf("the demo card shot does not calibrate: %s", cards.Error)
	}
	for _, tc := range []struct {
		name string
		s    Settings
	}{{"card in the photo", o.Settings}, {"profile from the card shot", func() Settings { s := o.Settings; s.Measure.Profile = cards.Profile; return s }()}} {
		t.Run(tc.name, func(t *testing.T) {
			pm, art, box := processPhoto(scalpJPG, "scalp.jpg", tc.s)
			if !pm.OK || art == nil {
				t.Fatalf("not measured: %s", pm.Error)
			}
			if box.Empty() {
				t.Fatal("the card in the frame was not located")
			}
			w, h := art.Corrected.Bounds().Dx(), art.Corrected.Bounds().Dy()
			zr := zoomRect(w, h, pm.Measurement.ScalpMask, box)
			if zr.Empty() || zr.Overlaps(box) {
				t.Errorf("close-up %v, card %v", zr, box)
			}
		})
	}
}

// clients.csv gives the top blend in the practitioner's bottles, sized for
// the run's cup and drop (the fake run: 2 ml, 0.04 ml, its kept results
// sized for 1 ml), and names the healed model; clients.jsonl and
// results.jsonl carry the same bottles and model inside the
// recommendation.
func TestClientsCSVGivesTheTopBlendInBottles(t *testing.T) {
	out, clients := fakeBatch(t)
	addFailedClient(t, out)
	pal := testOptions(t, "").Palette
	b, err := os.ReadFile(filepath.Join(out, clientsName))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, h := range []string{"top_blend_bottles", "healed_model", "healed_model_file"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("no column %s in %v", h, rows[0])
		}
	}
	if len(rows) != len(clients)+2 {
		t.Fatalf("%d rows, want %d clients and the failed one", len(rows)-1, len(clients)+1)
	}
	model := optics.DefaultHealedModel().Version + "+fit"
	for i, c := range clients {
		r := rows[i+1]
		top := c.Recommendation.Blends[0]
		bt, err := recipe.MixInBottles(pal, top.Parts, top.DiluentParts, 2, 0.04)
		if err != nil {
			t.Fatal(err)
		}
		var amounts []string
		for _, p := range append(append([]recipe.BottlePart{}, bt.Inks...), bt.Diluent) {
			if p.Parts > 0 {
				// Millilitres to 0.01, to 0.001 below 0.095 ml.
				dec := 2
				if p.ML < 0.095 {
					dec = 3
				}
				ml := strings.TrimRight(strings.TrimRight(strconv.FormatFloat(p.ML, 'f', dec, 64), "0"), ".")
				amounts = append(amounts, fmt.Sprintf("%s ml = %d drops %s", ml, p.Drops, p.Name))
			}
		}
		want := bt.Recipe + ": " + strings.Join(amounts, " + ") + " (for 2 ml; 1 drop = 0.04 ml)"
		if got := r[col["top_blend_bottles"]]; got != want {
			t.Errorf("client %s: top_blend_bottles\n%q\nwant\n%q", c.ClientID, got, want)
		}
		if r[col["healed_model"]] != model || r[col["healed_model_file"]] != "models/my-healed.json" {
			t.Errorf("client %s: healed model %q file %q", c.ClientID, r[col["healed_model"]], r[col["healed_model_file"]])
		}
	}
	failed := rows[len(rows)-1]
	if failed[col["top_blend_bottles"]] != "" || failed[col["healed_model"]] != "" {
		t.Errorf("a client without a recommendation has bottles or a model: %v", failed)
	}
	// clients.jsonl: the recommendation's bottles for 2 ml and its model file.
	type jsonBlend struct {
		Bottles *recipe.Bottles `json:"bottles"`
	}
	type jsonRec struct {
		HealedModel     string              `json:"healed_model"`
		HealedModelFile *recipe.ModelSource `json:"healed_model_file"`
		Blends          []jsonBlend         `json:"blends"`
	}
	for _, name := range []string{clientsJSONName, resultsName} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			// A client has its recommendation as an object; a photo
			// has it inline (PhotoMatch embeds recipe.Result).
			var v struct {
				Recommendation *jsonRec `json:"recommendation"`
			}
			var inline jsonRec
			if err := json.Unmarshal(line, &v); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(line, &inline); err != nil {
				t.Fatal(err)
			}
			rec := v.Recommendation
			if name == resultsName {
				rec = &inline
			}
			if rec == nil || rec.HealedModel == "" {
				continue
			}
			n++
			if rec.HealedModel != model || rec.HealedModelFile == nil || rec.HealedModelFile.Path != "models/my-healed.json" {
				t.Errorf("%s: healed model %q file %+v", name, rec.HealedModel, rec.HealedModelFile)
			}
			for _, bl := range rec.Blends {
				if bl.Bottles == nil || bl.Bottles.VolumeML != 2 || bl.Bottles.DropML != 0.04 {
					t.Errorf("%s: bottles %+v, want for 2 ml and 0.04 ml drops", name, bl.Bottles)
					continue
				}
				sum := bl.Bottles.Diluent.ML
				for _, p := range bl.Bottles.Inks {
					sum += p.ML
				}
				if math.Abs(sum-2) > 0.01 {
					t.Errorf("%s: bottles %s add up to %g ml, want 2", name, bl.Bottles.Recipe, sum)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no recommendation", name)
		}
	}
}

// The cup and the drop change no measurement: they are not in the settings
// fingerprint (a run with another --volume reuses every kept photo), while
// the healed model is.
func TestCupIsNotInTheSettingsFingerprint(t *testing.T) {
	o := testOptions(t, "")
	base, err := fingerprint(o)
	if err != nil {
		t.Fatal(err)
	}
	o.Settings.Recipe.VolumeML, o.Settings.Recipe.DropML = 3, 0.1
	if fp, _ := fingerprint(o); fp != base {
		t.Error("--volume/--drop-ml changed the settings fingerprint: every photo would be redone")
	}
	m := optics.DefaultHealedModel()
	m.Version += "+fit"
	m.EffectiveConcentration *= 1.1
	o.Settings.Recipe.Model = &m
	if fp, _ := fingerprint(o); fp == base {
		t.Error("another healed model kept the settings fingerprint: kept recommendations would be reused")
	}
}

// The sheet's recipe in bottles: parts, ml and drops for the cup, and the
// shade number when the mix is one ink and water; a blend without bottles
// (kept by an older version) still shows its parts.
func TestRecipeOfGivesBottlesAndShade(t *testing.T) {
	pal := testOptions(t, "").Palette
	black := func(water int) recipe.Blend {
		parts := []recipe.Part{{Pigment: "black", Name: "SMP Black (neat)", Parts: 1}}
		bt, err := recipe.MixInBottles(pal, parts, water, 1, 0.05)
		if err != nil {
			t.Fatal(err)
		}
		return recipe.Blend{Parts: parts, DiluentParts: water, Recipe: fmt.Sprintf("1 SMP Black (neat) + %d distilled water", water), Bottles: &bt}
	}
	v := recipeOf(black(8))
	if v.Title != "Mix 1 ml in your bottles" || len(v.Lines) != 2 {
		t.Fatalf("%+v", v)
	}
	if l := v.Lines[0]; l.Amount != "1" || l.Unit != "part" || l.ML != "0.11 ml" || l.Drops != "2 drops" {
		t.Errorf("ink line %+v", l)
	}
	if l := v.Lines[1]; l.Amount != "8" || l.Unit != "parts" || l.ML != "0.89 ml" || l.Drops != "18 drops" {
		t.Errorf("water line %+v", l)
	}
	if !strings.HasPrefix(v.Shade, "Shade 8: 8 parts of ") {
		t.Errorf("shade %q", v.Shade)
	}
	if v := recipeOf(black(0)); !strings.HasPrefix(v.Shade, "Shade 0: ") || len(v.Lines) != 1 || v.Lines[0].Drops != "20 drops" {
		t.Errorf("neat ink: %+v", v)
	}
	old := black(4)
	old.Bottles = nil
	if v := recipeOf(old); v.Title != "Mix (parts by volume)" || v.Shade != "" || len(v.Lines) != 2 || v.Lines[0].ML != "" {
		t.Errorf("without bottles: %+v", v)
	}
}
