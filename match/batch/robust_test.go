package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// runWithin runs a batch and fails the test if it does not return in time
// (a hang: the goroutine is left behind, the test fails).
func runWithin(t *testing.T, d time.Duration, clients []Client, o Options) (Summary, error) {
	t.Helper()
	type res struct {
		s   Summary
		err error
	}
	ch := make(chan res, 1)
	go func() {
		s, err := Run(context.Background(), clients, o)
		ch <- res{s, err}
	}()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-time.After(d):
		t.Fatalf("the batch did not finish in %v: it hangs", d)
	}
	return Summary{}, nil
}

// errorsByPhoto reads results.jsonl into photo → error ("" when ok).
func errorsByPhoto(t *testing.T, out string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, resultsName))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var pm PhotoMatch
		if err := json.Unmarshal([]byte(line), &pm); err != nil {
			t.Fatalf("results.jsonl: %v: %s", err, line)
		}
		m[pm.Photo] = pm.Error
	}
	return m
}

// Issue 13 bugs 2 and 3: a named pipe, a symbolic link to /dev/zero and a
// link to a directory, each with a photo's name, in a client's folder and
// directly in the input folder: the batch finishes, each fails with its
// type, nothing is opened that is not a regular file. A link to a regular
// file is followed.
func TestRobustBatchSpecialFilesNeverHang(t *testing.T) {
	in := t.TempDir()
	for _, d := range []string{"c1", "c2"} {
		os.MkdirAll(filepath.Join(in, d), 0o755)
	}
	garbage := filepath.Join(t.TempDir(), "elsewhere.jpg")
	os.WriteFile(garbage, []byte("not a photo"), 0o644)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(syscall.Mkfifo(filepath.Join(in, "c1", "x.jpg"), 0o644))
	must(syscall.Mkfifo(filepath.Join(in, "loose.jpg"), 0o644))
	must(os.Symlink("/dev/zero", filepath.Join(in, "c2", "zero.jpg")))
	must(os.Symlink("/dev/zero", filepath.Join(in, "zero.jpg")))
	must(os.Symlink(in, filepath.Join(in, "c2", "dir.jpg")))
	must(os.Symlink(garbage, filepath.Join(in, "c2", "link.jpg")))
	clients, _, err := ScanFolders([]string{in})
	must(err)
	out := t.TempDir()
	sum, err := runWithin(t, 30*time.Second, clients, testOptions(t, out))
	must(err)
	if sum.Photos != 6 || sum.Failed != 6 {
		t.Errorf("summary %+v: want the 6 files taken as photos, all failed", sum)
	}
	got := errorsByPhoto(t, out)
	for name, want := range map[string]string{
		"c1/x.jpg":    "c1/x.jpg: not a regular file (named pipe)",
		"loose.jpg":   "loose.jpg: not a regular file (named pipe)",
		"c2/zero.jpg": "c2/zero.jpg: not a regular file (character device)",
		"zero.jpg":    "zero.jpg: not a regular file (character device)",
		"c2/dir.jpg":  "c2/dir.jpg: not a regular file (directory)",
		"c2/link.jpg": "not a readable image", // followed, read, refused by the decoder
	} {
		if !strings.Contains(got[name], want) {
			t.Errorf("%s: error %q, want %q", name, got[name], want)
		}
		if strings.Contains(got[name], garbage) || strings.Contains(got[name], os.TempDir()) {
			t.Errorf("%s: the error names a folder of the machine: %q", name, got[name])
		}
	}
}

// Issue 13 bug 3, manifests: a link in the manifest's folder is followed
// only to a regular file inside that folder (resolved, not the path text),
// unless outside paths are allowed.
func TestRobustManifestLinksStayInTheManifestsFolder(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "outside.jpg")
	os.WriteFile(outside, []byte("not a photo"), 0o644)
	os.WriteFile(filepath.Join(dir, "inside.jpg"), []byte("not a photo"), 0o644)
	for link, to := range map[string]string{"zero.jpg": "/dev/zero", "out.jpg": outside, "in.jpg": "inside.jpg"} {
		if err := os.Symlink(to, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.jpg"), 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := "client_id,photo\na,zero.jpg\nb,out.jpg\nc,in.jpg\nd,fifo.jpg\n"
	for _, allow := range []bool{false, true} {
		t.Run(fmt.Sprintf("allow-outside=%v", allow), func(t *testing.T) {
			clients, err := ParseManifest(strings.NewReader(manifest), "m.csv", ManifestOptions{Dir: dir, AllowOutside: allow})
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			if _, err := runWithin(t, 30*time.Second, clients, testOptions(t, out)); err != nil {
				t.Fatal(err)
			}
			got := errorsByPhoto(t, out)
			want := map[string]string{
				"zero.jpg": "not a regular file (character device)",
				"fifo.jpg": "not a regular file (named pipe)",
				"in.jpg":   "not a readable image",
				"out.jpg":  "outside the manifest's folder (allow with --allow-outside)",
			}
			if allow {
				want["out.jpg"] = "not a readable image"
			}
			for name, w := range want {
				if !strings.Contains(got[name], w) {
					t.Errorf("%s: error %q, want %q", name, got[name], w)
				}
			}
		})
	}
}

// Issue 13 bug 4: 20 contenders at once on one --out, 50 times: exactly one
// gets the lock each time. Every other round starts from a lock file left
// by a dead run (a PID that does not exist), where taking over a stale lock
// used to let two in. Contenders are goroutines with their own open file
// (flock is per open file description, as between processes); the
// subprocess test below does the same across processes.
func TestRobustLockTwentyContendersOneWinner(t *testing.T) {
	const contenders, rounds = 20, 50
	for round := 0; round < rounds; round++ {
		out := t.TempDir()
		if round%2 == 1 {
			os.WriteFile(filepath.Join(out, lockName), []byte("999999999\n"), 0o644)
		}
		start := make(chan struct{})
		var tried, wg sync.WaitGroup
		tried.Add(contenders)
		wg.Add(contenders)
		var winners atomic.Int32
		for i := 0; i < contenders; i++ {
			go func() {
				defer wg.Done()
				<-start
				l, err := acquireLock(out)
				tried.Done()
				if err != nil {
					if !errors.Is(err, ErrLocked) {
						t.Errorf("round %d: %v", round, err)
					}
					return
				}
				winners.Add(1)
				tried.Wait() // hold it until everyone has tried
				l.release()
			}()
		}
		close(start)
		wg.Wait()
		if n := winners.Load(); n != 1 {
			t.Fatalf("round %d: %d contenders got the lock, want exactly 1", round, n)
		}
		if _, err := os.Stat(filepath.Join(out, lockName)); err != nil {
			t.Fatalf("round %d: the lock file is gone after release: %v", round, err)
		}
	}
}

// lockHelperEnv runs TestHelperLockProcess as a contender.
const lockHelperEnv = "SMPMATCH_LOCK_HELPER_OUT"

// TestHelperLockProcess is a contender in another process: it waits for
// out/go, tries the lock, writes won/lost to out/result-PID and, if it
// won, holds the lock until out/release exists (or forever when
// SMPMATCH_LOCK_HOLD is set, until killed).
func TestHelperLockProcess(t *testing.T) {
	out := os.Getenv(lockHelperEnv)
	if out == "" {
		t.Skip("helper process for the lock tests")
	}
	for !exists(filepath.Join(out, "go")) {
		time.Sleep(time.Millisecond)
	}
	l, err := acquireLock(out)
	res := "won"
	if err != nil {
		res = "lost: " + err.Error()
	}
	os.WriteFile(filepath.Join(out, fmt.Sprintf(".result-%d", os.Getpid())), []byte(res), 0o644)
	if err != nil {
		return
	}
	for os.Getenv("SMPMATCH_LOCK_HOLD") != "" || !exists(filepath.Join(out, "release")) {
		time.Sleep(2 * time.Millisecond)
	}
	l.release()
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func startLockHelper(t *testing.T, out string, hold bool) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLockProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+out)
	if hold {
		cmd.Env = append(cmd.Env, "SMPMATCH_LOCK_HOLD=1")
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func lockResults(out string) []string {
	m, _ := filepath.Glob(filepath.Join(out, ".result-*"))
	var r []string
	for _, p := range m {
		b, _ := os.ReadFile(p)
		r = append(r, string(b))
	}
	return r
}

// 20 processes at once, a few rounds; then the holder is killed with
// SIGKILL and its lock is free at once, no stale lock left to take over.
func TestRobustLockAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 21 processes")
	}
	const contenders, rounds = 20, 1
	for round := 0; round < rounds; round++ {
		out := t.TempDir()
		var cmds []*exec.Cmd
		for i := 0; i < contenders; i++ {
			cmds = append(cmds, startLockHelper(t, out, false))
		}
		os.WriteFile(filepath.Join(out, "go"), nil, 0o644)
		deadline := time.Now().Add(60 * time.Second)
		for len(lockResults(out)) < contenders && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		os.WriteFile(filepath.Join(out, "release"), nil, 0o644)
		for _, c := range cmds {
			c.Wait()
		}
		won := 0
		for _, r := range lockResults(out) {
			if r == "won" {
				won++
			} else if !strings.Contains(r, ErrLocked.Error()) {
				t.Errorf("round %d: a contender failed otherwise: %s", round, r)
			}
		}
		if res := lockResults(out); won != 1 || len(res) != contenders {
			t.Fatalf("round %d: %d of %d processes got the lock, want exactly 1", round, won, len(res))
		}
	}

	out := t.TempDir()
	os.WriteFile(filepath.Join(out, "go"), nil, 0o644)
	holder := startLockHelper(t, out, true)
	deadline := time.Now().Add(30 * time.Second)
	for len(lockResults(out)) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	_, err := acquireLock(out)
	host, _ := os.Hostname()
	if want := fmt.Sprintf("PID %d on %s, started ", holder.Process.Pid, host); err == nil || !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), want) {
		t.Errorf("while another process holds it: %v; want ErrLocked naming %q", err, want)
	}
	holder.Process.Signal(syscall.SIGKILL)
	holder.Wait()
	l, err := acquireLock(out)
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	l.release()
}

// demoClients makes clients c1..cn, each with the demo scalp photo (card
// in frame) as top.jpg.
func demoClients(t *testing.T, n int) []Client {
	t.Helper()
	b, err := os.ReadFile("../../testdata/demo/scalp.jpg")
	if err != nil {
		t.Fatal(err)
	}
	in := t.TempDir()
	for i := 1; i <= n; i++ {
		d := filepath.Join(in, fmt.Sprintf("c%d", i))
		os.MkdirAll(d, 0o755)
		if err := os.WriteFile(filepath.Join(d, "top.jpg"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	clients, _, err := ScanFolders([]string{in})
	if err != nil {
		t.Fatal(err)
	}
	return clients
}

type countProgress struct{ n atomic.Int32 }

func (c *countProgress) Start(int)   {}
func (c *countProgress) Photo(Event) { c.n.Add(1) }
func (c *countProgress) Finish()     {}

// failOnce fails the first write whose path matches, with errno.
func failOnce(match func(string) bool, errno syscall.Errno) faults {
	var done atomic.Bool
	return func(p string) error {
		if match(p) && done.CompareAndSwap(false, true) {
			return errno
		}
		return nil
	}
}

func readOutputs(t *testing.T, out string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, n := range []string{resultsName, clientsName, reportName} {
		b, err := os.ReadFile(filepath.Join(out, n))
		if err != nil {
			t.Fatal(err)
		}
		m[n] = string(b)
	}
	return m
}

// checkRecordsComplete: every photo record on disk has all its pictures.
func checkRecordsComplete(t *testing.T, out string) {
	t.Helper()
	st := store{dir: filepath.Join(out, stateDir)}
	m, _ := filepath.Glob(filepath.Join(st.dir, "*.json"))
	for _, p := range m {
		key := strings.TrimSuffix(filepath.Base(p), ".json")
		var rec photoRecord
		if st.load(key, &rec) && rec.Result.Photo != "" && !st.complete(rec) {
			t.Errorf("record %s of %s is saved without its pictures", key, rec.Result.Photo)
		}
	}
}

// Issue 13 bug 8: a full disk (ENOSPC on a picture), an I/O error (EIO on
// a record) and a read-only file system (EROFS on the outputs) each stop
// the run at once with ErrOutput, keep the previous outputs, and leave no
// record without its pictures; the resumed run loses nothing. A record
// whose pictures went missing afterwards is redone.
func TestRobustFullDiskStopsAndLosesNoPictures(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the demo photo 6 times")
	}
	all := demoClients(t, 3)
	out := t.TempDir()
	o := testOptions(t, out)
	o.Workers = 1
	if _, err := Run(context.Background(), all[:1], o); err != nil {
		t.Fatal(err)
	}
	prev := readOutputs(t, out)
	steps := []struct {
		name  string
		errno syscall.Errno
		match func(string) bool
		most  int32 // photos handed out at most (c1 is already done)
	}{
		{"a picture on a full disk", syscall.ENOSPC, func(p string) bool { return strings.HasSuffix(p, "."+thumbCorrected) }, 2},
		{"a record on a failing disk", syscall.EIO, func(p string) bool {
			return strings.HasSuffix(p, ".json") && strings.HasPrefix(p, filepath.Join(out, stateDir))
		}, 2},
		{"the outputs on a read-only disk", syscall.EROFS, func(p string) bool { return strings.HasPrefix(p, filepath.Join(out, genDir)) }, 3},
	}
	for _, s := range steps {
		o := testOptions(t, out)
		o.Workers = 1
		o.fault = failOnce(s.match, s.errno)
		pr := &countProgress{}
		o.Progress = pr
		_, err := Run(context.Background(), all, o)
		if !errors.Is(err, ErrOutput) || !errors.Is(err, s.errno) {
			t.Fatalf("%s: got %v, want ErrOutput with %v", s.name, err, s.errno)
		}
		if !strings.Contains(err.Error(), "the previous outputs in "+out+" are kept") {
			t.Errorf("%s: the message does not say the outputs are kept: %v", s.name, err)
		}
		if n := pr.n.Load(); n > s.most {
			t.Errorf("%s: %d photos went on after the error, want at most %d (stop at once)", s.name, n, s.most)
		}
		if got := readOutputs(t, out); got[resultsName] != prev[resultsName] || got[clientsName] != prev[clientsName] || got[reportName] != prev[reportName] {
			t.Errorf("%s: the previous outputs were changed", s.name)
		}
		checkRecordsComplete(t, out)
	}
	o = testOptions(t, out)
	sum, err := Run(context.Background(), all, o)
	if err != nil || sum.Resumed != 3 || sum.Failed != 0 {
		t.Fatalf("resumed run: %+v, %v: want all 3 photos done before", sum, err)
	}
	pictures := func() int { return strings.Count(readOutputs(t, out)[reportName], `alt="colour-corrected photo"`) }
	if n := pictures(); n != 3 {
		t.Errorf("the report shows %d clients' pictures, want 3", n)
	}
	// Pictures lost after the record was saved: the photo is redone.
	m, _ := filepath.Glob(filepath.Join(out, stateDir, "*."+thumbZoom))
	if len(m) != 3 {
		t.Fatalf("%d zoom pictures in the state, want 3", len(m))
	}
	os.Remove(m[0])
	sum, err = Run(context.Background(), all, testOptions(t, out))
	if err != nil || sum.Resumed != 2 {
		t.Errorf("after a picture was lost: %+v, %v: want that photo redone, 2 resumed", sum, err)
	}
	if n := pictures(); n != 3 {
		t.Errorf("the report shows %d clients' pictures after a lost one, want 3", n)
	}
}

// TestHelperPublishProcess publishes the index in SMPMATCH_PUBLISH_INDEX
// into SMPMATCH_PUBLISH_OUT and kills itself (SIGKILL) after the stage
// SMPMATCH_PUBLISH_KILL.
func TestHelperPublishProcess(t *testing.T) {
	out := os.Getenv("SMPMATCH_PUBLISH_OUT")
	if out == "" {
		t.Skip("helper process for TestRobustOutputsSwitchTogether")
	}
	b, err := os.ReadFile(os.Getenv("SMPMATCH_PUBLISH_INDEX"))
	if err != nil {
		t.Fatal(err)
	}
	var idx Index
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	kill := os.Getenv("SMPMATCH_PUBLISH_KILL")
	publish(out, idx, nil, func(stage string) {
		if stage == kill {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Minute)
		}
	})
}

// Weak spot of issue 13: a kill at any stage of publishing leaves the
// outputs of one run, old or new, never a mix, read through the top-level
// names; the next run completes the switch. Also from an --out written by
// an older smpmatch (the outputs as regular files).
func TestRobustOutputsSwitchTogether(t *testing.T) {
	base, _ := fakeBatch(t)
	idx, err := readIndex(base)
	if err != nil {
		t.Fatal(err)
	}
	oldSet := readOutputs(t, base)
	next := idx
	next.Clients = idx.Clients[:1] // the new run has one client less
	b, _ := json.Marshal(next)
	nextIndex := filepath.Join(t.TempDir(), "next.json")
	os.WriteFile(nextIndex, b, 0o644)

	clone := func(t *testing.T, oldLayout bool) string {
		out := t.TempDir()
		copyDir(t, filepath.Join(base, stateDir), filepath.Join(out, stateDir))
		if oldLayout {
			for n, s := range oldSet {
				os.WriteFile(filepath.Join(out, n), []byte(s), 0o644)
			}
			writeIndex(out, idx)
		} else if err := publish(out, idx, nil, nil); err != nil {
			t.Fatal(err)
		}
		if got := readOutputs(t, out); got[reportName] != oldSet[reportName] {
			t.Fatal("the clone's outputs differ from the original's")
		}
		return out
	}
	var newSet map[string]string
	{
		out := clone(t, false)
		if err := publish(out, next, nil, nil); err != nil {
			t.Fatal(err)
		}
		newSet = readOutputs(t, out)
		if newSet[clientsName] == oldSet[clientsName] {
			t.Fatal("the new run's outputs are the same as the old: the test cannot tell them apart")
		}
	}
	which := func(got map[string]string) string {
		for name, set := range map[string]map[string]string{"old": oldSet, "new": newSet} {
			same := true
			for n := range set {
				same = same && got[n] == set[n]
			}
			if same {
				return name
			}
		}
		return "a mix"
	}
	for _, layout := range []string{"generations", "older smpmatch"} {
		for _, stage := range []string{"migrated", "written", "linked", "switched", "pruned"} {
			t.Run(layout+"/killed after "+stage, func(t *testing.T) {
				out := clone(t, layout != "generations")
				cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPublishProcess$", "-test.count=1")
				cmd.Env = append(os.Environ(), "SMPMATCH_PUBLISH_OUT="+out, "SMPMATCH_PUBLISH_INDEX="+nextIndex, "SMPMATCH_PUBLISH_KILL="+stage)
				err := cmd.Run()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Fatalf("the helper was not killed: %v", err)
				}
				got := which(readOutputs(t, out))
				want := "old"
				if stage == "switched" || stage == "pruned" {
					want = "new"
				}
				if got != want {
					t.Errorf("after a kill at %q a reader sees %s, want the %s outputs", stage, got, want)
				}
				if err := publish(out, next, nil, nil); err != nil {
					t.Fatal(err)
				}
				if got := which(readOutputs(t, out)); got != "new" {
					t.Errorf("the next run left %s outputs", got)
				}
				if g := generations(filepath.Join(out, genDir)); len(g) > 2 {
					t.Errorf("generations %v left: want the current one and the one before", g)
				}
			})
		}
	}
}
