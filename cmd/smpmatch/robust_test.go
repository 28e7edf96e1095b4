package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/smpmatch/smpmatch/match/batch"
)

// tree lists the files under dir with their sizes, to see that a command
// wrote nothing there.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, _ := d.Info()
		lines = append(lines, fmt.Sprintf("%s %d", p, info.Size()))
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Issue 12, first bullet: outputs never land in an input. A flag missing
// its value is a usage error (it used to take the first input folder);
// --out may not be an input, inside one or contain one (folders, the
// manifest's folder, its photos' folders, merged outputs), nor a folder of
// photos that is no batch output.
func TestBatchRobustOutNeverLandsInAnInput(t *testing.T) {
	root := t.TempDir()
	c1, c2 := filepath.Join(root, "C001-smith"), filepath.Join(root, "C002-jones")
	for _, d := range []string{c1, c2} {
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, filepath.Base(d)+".jpg"), []byte("not a photo"), 0o644)
	}
	mdir := filepath.Join(root, "intake")
	os.MkdirAll(mdir, 0o755)
	manifest := filepath.Join(mdir, "m.csv")
	os.WriteFile(manifest, []byte("client_id,photo\nsmith,../C001-smith/C001-smith.jpg\n"), 0o644)
	merged := filepath.Join(root, "part1")
	os.MkdirAll(merged, 0o755)
	before := tree(t, root)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"--out last without its value", []string{"batch", c1, c2, "--out"}, "flag --out needs a value"},
		{"--out followed by another flag", []string{"batch", c1, c2, "--out", "--workers", "2"}, "flag --out needs a value"},
		{"--manifest without its value", []string{"batch", "--out", filepath.Join(root, "r"), "--manifest"}, "flag --manifest needs a value"},
		{"--out is an input", []string{"batch", c1, c2, "--out", c2}, "is the input folder"},
		{"--out contains an input", []string{"batch", c1, "--out", root}, "contains the input folder"},
		{"--out is a folder of photos", []string{"batch", "--out", c1, c2}, "holds photos"},
		{"--out is the manifest's folder", []string{"batch", "--manifest", manifest, "--allow-outside", "--out", mdir}, "is the input folder"},
		{"--out inside a manifest photo's folder", []string{"batch", "--manifest", manifest, "--allow-outside", "--out", filepath.Join(c1, "results")}, "is inside the input folder"},
		{"--out is a merged output", []string{"batch", "--merge", merged, "--out", merged}, "is the input folder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q: want exit %d and %q", code, stderr, exitUsage, tc.want)
			}
			if after := tree(t, root); after != before {
				t.Errorf("files changed under the inputs:\nbefore\n%s\nafter\n%s", before, after)
			}
		})
	}
}

// Weak spot of issue 13: control characters and bidirectional overrides
// in a client ID (folder name, manifest) are refused with a line naming
// where, escaped; the rest of the batch carries on; nothing raw reaches
// clients.csv or the report; exit 1.
func TestBatchRobustControlCharactersInClientIDs(t *testing.T) {
	in := t.TempDir()
	photo := []byte("not a photo")
	for _, d := range []string{"evil\x1b[31mred", "rtl\u202egpj.exe", "fine"} {
		os.MkdirAll(filepath.Join(in, d), 0o755)
		os.WriteFile(filepath.Join(in, d, "top.jpg"), photo, 0o644)
	}
	os.WriteFile(filepath.Join(in, "loose\x07bell.jpg"), photo, 0o644)
	out := t.TempDir()
	code, _, stderr := runCLI(t, "batch", in, "--out", out)
	if code != exitFailed {
		t.Errorf("exit %d, want %d", code, exitFailed)
	}
	for _, want := range []string{`client ID "evil\x1b[31mred" contains a control character (U+001B at byte 4): rename the folder`,
		`client ID "rtl\u202egpj.exe" contains a bidirectional formatting character (U+202E at byte 3)`,
		`client ID "loose\abell" contains a control character (U+0007`, "3 client ID(s) or photo name(s) refused"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr has no %q:\n%s", want, stderr)
		}
	}
	if strings.ContainsAny(stderr, "\x1b\u202e\a") {
		t.Errorf("stderr carries a raw control character: %q", stderr)
	}
	for _, n := range []string{"clients.csv", "report.html", "results.jsonl"} {
		b, err := os.ReadFile(filepath.Join(out, n))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.ContainsAny(b, "\x1b\u202e\a") || strings.Contains(string(b), "evil") {
			t.Errorf("%s carries a refused ID", n)
		}
		if !strings.Contains(string(b), "fine") {
			t.Errorf("%s lacks the client with a good ID: the batch did not carry on", n)
		}
	}

	mdir := t.TempDir()
	os.WriteFile(filepath.Join(mdir, "a.jpg"), photo, 0o644)
	manifest := filepath.Join(mdir, "m.csv")
	os.WriteFile(manifest, []byte("client_id,photo\nok,a.jpg\nbad\u202e1,a.jpg\n"), 0o644)
	code, _, stderr = runCLI(t, "batch", "--manifest", manifest, "--out", t.TempDir())
	if want := `manifest ` + manifest + ` line 3 column client_id: client_id "bad\u202e1" contains a bidirectional formatting character`; code != exitFailed || !strings.Contains(stderr, want) {
		t.Errorf("manifest: exit %d, stderr %q: want exit 1 and %q", code, stderr, want)
	}
	if !strings.Contains(stderr, "1 clients, 1 photos") {
		t.Errorf("manifest: the good row was not processed:\n%s", stderr)
	}
}

// Issue 13 bug 8: exit code 3 for an output that could not be written.
func TestBatchRobustExitCodes(t *testing.T) {
	var buf bytes.Buffer
	err := fmt.Errorf("%w: write out/state/x.json: %w; the batch stopped, the previous outputs in out are kept", batch.ErrOutput, syscall.ENOSPC)
	if code := exitCode(err, &buf); code != exitOutput || exitOutput != 3 {
		t.Errorf("exit %d for %v, want 3", code, err)
	}
	if got := buf.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "output could not be written") || !strings.Contains(got, "no space left on device") {
		t.Errorf("message %q: want one line saying the output could not be written and why", got)
	}
}

// TestHelperCLIProcess runs smpmatch with the arguments in
// SMPMATCH_CLI_ARGS (separated by U+001F) and exits with its code.
func TestHelperCLIProcess(t *testing.T) {
	a := os.Getenv("SMPMATCH_CLI_ARGS")
	if a == "" {
		t.Skip("helper process")
	}
	os.Exit(run(append([]string{"smpmatch"}, strings.Split(a, "\x1f")...), os.Stdout, os.Stderr))
}

func startCLI(t *testing.T, stderr io.Writer, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCLIProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SMPMATCH_CLI_ARGS="+strings.Join(args, "\x1f"))
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// lockedBuffer is a bytes.Buffer a test can read while a child process
// writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Issue 13 bug 2: a named pipe with a photo's name in the input folder
// (sorted first, so the only worker meets it first) does not hang the
// batch, and SIGTERM stops it promptly: the photo in flight finishes, the
// run says it was interrupted, exit 1. A second signal ends it at once.
func TestBatchRobustFIFOAndSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("runs batches of the demo photo")
	}
	b, err := os.ReadFile("../../testdata/demo/scalp.jpg")
	if err != nil {
		t.Fatal(err)
	}
	in := t.TempDir()
	for i := 0; i < 20; i++ {
		d := filepath.Join(in, fmt.Sprintf("c%02d", i))
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "top.jpg"), b, 0o644)
	}
	if err := syscall.Mkfifo(filepath.Join(in, "a0.jpg"), 0o644); err != nil {
		t.Fatal(err)
	}
	records := func(out string) int {
		m, _ := filepath.Glob(filepath.Join(out, "state", "*.json"))
		return len(m)
	}
	for _, signals := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d signal(s)", signals), func(t *testing.T) {
			// A run can end between the two signals when no photo was in
			// flight at the first (the worker was between photos): that
			// says nothing about the second signal, so it is run again.
			for attempt := 1; attempt <= 3; attempt++ {
				if signalledRun(t, in, signals, records) {
					return
				}
				t.Logf("attempt %d ended before the second signal (no photo in flight); again", attempt)
			}
			t.Fatal("three runs ended before a second signal could be sent")
		})
	}
}

// signalledRun runs one batch over in, sends it SIGTERM once a photo has
// finished (and, for signals 2, again once the first has been handled),
// and checks how it ended. It reports false when the run ended before a
// second signal could be sent.
func signalledRun(t *testing.T, in string, signals int, records func(string) int) bool {
	t.Helper()
	out := t.TempDir()
	var stderr lockedBuffer
	cmd := startCLI(t, &stderr, "batch", in, "--out", out, "--workers", "1")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for records(out) < 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if records(out) < 1 {
		t.Errorf("no photo finished in 60 s: the batch hangs on the named pipe")
	}
	cmd.Process.Signal(syscall.SIGTERM)
	limit := 30 * time.Second // the photo in flight finishes
	var err error
	exited := false
	if signals == 2 {
		// The first signal has been handled (and the default action
		// restored) once the batch says it is stopping; only then does a
		// second one mean "stop at once".
		handled := time.Now().Add(30 * time.Second)
		for !strings.Contains(stderr.String(), "stopping after the photos in flight") && time.Now().Before(handled) {
			select {
			case err = <-done:
				exited = true
			case <-time.After(10 * time.Millisecond):
			}
			if exited {
				break
			}
		}
		if !exited {
			select {
			case err = <-done:
				exited = true
			default:
			}
		}
		if exited {
			if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() == exitFailed {
				return false
			}
			t.Fatalf("ended after one signal: %v (stderr:\n%s)", err, stderr.String())
		}
		cmd.Process.Signal(syscall.SIGTERM)
		limit = 3 * time.Second
	}
	start := time.Now()
	select {
	case err = <-done:
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		t.Fatalf("still running %v after SIGTERM (stderr:\n%s)", limit, stderr.String())
	}
	t.Logf("exited %v after the last signal: %v", time.Since(start).Round(time.Millisecond), err)
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("exit: %v", err)
	}
	if signals == 1 {
		if ee.ExitCode() != exitFailed || !strings.Contains(stderr.String(), "interrupted") || !strings.Contains(stderr.String(), "stopping after the photos in flight") {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 1 saying it was interrupted", ee.ExitCode(), stderr.String())
		}
		if !strings.Contains(stderr.String(), "a0.jpg: not a regular file (named pipe)") {
			t.Errorf("the named pipe was not refused with its type:\n%s", stderr.String())
		}
	} else if ws := ee.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("after a second SIGTERM: %v, want ended by the signal (stderr:\n%s)", err, stderr.String())
	}
	return true
}

// Issue 13 bug 7: pictures of photos with the same base name (a/x.jpg and
// b/x.jpg, x.jpg and x.png) get names of their own; a unique photo keeps
// STEM.mask.png; a file from an earlier run is replaced with a line.
func TestMeasureRobustPictureNamesNeverCollide(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the demo photo 4 times")
	}
	// A third of the size, measured uncalibrated: only the names matter.
	small := shrunkDemo(t, 3)
	var jpgBytes, pngBytes bytes.Buffer
	jpeg.Encode(&jpgBytes, small, &jpeg.Options{Quality: 90})
	png.Encode(&pngBytes, small)
	src := jpgBytes.Bytes()
	in := t.TempDir()
	photos := map[string][]byte{"a/x.jpg": src, "b/x.jpg": src, "b/x.png": pngBytes.Bytes(), "c/scalp.jpg": src}
	var args []string
	for p, b := range photos {
		full := filepath.Join(in, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, b, 0o644)
		args = append(args, full)
	}
	sort.Strings(args)
	out := t.TempDir()
	all := append([]string{"measure", "--uncalibrated", "--mask-out", out, "--corrected-out", out, "--json"}, args...)
	code, _, stderr := runCLI(t, all...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	m, _ := filepath.Glob(filepath.Join(out, "*.png"))
	var names []string
	for _, p := range m {
		names = append(names, filepath.Base(p))
	}
	got := strings.Join(names, " ")
	if len(names) != 8 {
		t.Errorf("%d pictures for 4 photos × 2 (%s): some overwrote others", len(names), got)
	}
	for _, want := range []string{"scalp.mask.png", "scalp.corrected.png", "x.png.mask.png", "x.png.corrected.png"} {
		if !strings.Contains(" "+got+" ", " "+want+" ") {
			t.Errorf("no %s among %s", want, got)
		}
	}
	if strings.Contains(stderr, "replacing") {
		t.Errorf("a picture of this run replaced another:\n%s", stderr)
	}
	code, _, stderr = runCLI(t, "measure", "--uncalibrated", "--mask-out", out, args[len(args)-1])
	if code != exitOK || !strings.Contains(stderr, "replacing "+filepath.Join(out, "scalp.mask.png")) {
		t.Errorf("re-run: exit %d, stderr %q: want a line saying the earlier picture is replaced", code, stderr)
	}
}

// Issue 13 bug 2, the manifest itself: a named pipe or /dev/zero given as
// --manifest is refused at once (exit 2), never read.
func TestBatchRobustManifestThatIsNotAFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "m.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for m, want := range map[string]string{fifo: "not a regular file (named pipe)", "/dev/zero": "not a regular file (character device)"} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			code, _, stderr := runCLI(t, "batch", "--manifest", m, "--out", t.TempDir())
			if code != exitUsage || !strings.Contains(stderr, want) {
				t.Errorf("--manifest %s: exit %d, stderr %q: want exit 2 and %q", m, code, stderr, want)
			}
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("--manifest %s: still reading after 20 s", m)
		}
	}
}

// measure runs photos --workers at a time, yet an integrator reading its
// JSON Lines gets one line per photo in the order given, the failures on
// stderr in that order too, and the same bytes as one at a time.
func TestMeasureWorkersKeepTheOrderGiven(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the demo photo 8 times")
	}
	in := t.TempDir()
	var args []string
	for k, div := range []int{3, 4, 0, 3} {
		p := filepath.Join(in, fmt.Sprintf("%d.jpg", k))
		if div == 0 {
			os.WriteFile(p, []byte("not a photo"), 0o644) // fails, in the middle
		} else {
			var buf bytes.Buffer
			jpeg.Encode(&buf, shrunkDemo(t, div), &jpeg.Options{Quality: 90})
			os.WriteFile(p, buf.Bytes(), 0o644)
		}
		args = append(args, p)
	}
	var outs, errs []string
	for _, w := range []string{"1", "3"} {
		code, stdout, stderr := runCLI(t, append([]string{"measure", "--uncalibrated", "--json", "--workers", w}, args...)...)
		if code != exitFailed {
			t.Fatalf("--workers %s: exit %d, want %d (one photo of four fails)\n%s", w, code, exitFailed, stderr)
		}
		outs, errs = append(outs, stdout), append(errs, stderr)
		var photos []string
		for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
			var v struct{ Photo string }
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Fatalf("--workers %s: %v in %q", w, err, line)
			}
			photos = append(photos, v.Photo)
		}
		if strings.Join(photos, " ") != strings.Join(args, " ") {
			t.Errorf("--workers %s: photos in the order %q, want %q", w, photos, args)
		}
	}
	if outs[0] != outs[1] || errs[0] != errs[1] {
		t.Errorf("--workers 3 wrote other output than --workers 1:\n%s\n%s\nstderr:\n%s\n%s", outs[0], outs[1], errs[0], errs[1])
	}
}

// shrunkDemo is the demo scalp photo at 1/div of its size (every div-th
// pixel): small enough to measure quickly where only the CLI's handling of
// photos matters.
func shrunkDemo(t *testing.T, div int) *image.RGBA {
	t.Helper()
	src, err := os.ReadFile("../../testdata/demo/scalp.jpg")
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	small := image.NewRGBA(image.Rect(0, 0, b.Dx()/div, b.Dy()/div))
	for y := 0; y < b.Dy()/div; y++ {
		for x := 0; x < b.Dx()/div; x++ {
			small.Set(x, y, img.At(b.Min.X+div*x, b.Min.Y+div*y))
		}
	}
	return small
}
