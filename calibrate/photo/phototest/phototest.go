// Package phototest serves tests and benchmarks that need photos on disk:
// rendered once per process, and timed against a plain decode of the same
// file, the baseline smpmatch reports its speed against.
package phototest

import (
	"image"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"gocv.io/x/gocv"
)

var (
	mu     sync.Mutex
	cached = map[string]string{}
)

// JPEG renders a photo once per process (per name) and writes it as a
// quality-92 JPEG to a temporary folder; it returns the file's path.
func JPEG(tb testing.TB, name string, render func() image.Image) string {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if p, ok := cached[name]; ok {
		return p
	}
	dir, err := os.MkdirTemp("", "smpmatch-phototest")
	if err != nil {
		tb.Fatal(err)
	}
	data, err := synth.Encode(render(), "jpeg", 92)
	if err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	cached[name] = p
	return p
}

// AgainstDecode runs, b.N times, a plain decode of the photo at path and
// then work on it, and reports both times and their ratios:
//
//   - decode-ms/op and x-decode: against photo.Load, the load every
//     command does (libjpeg's decode with the damage checks of issue 13);
//   - imdecode-ms/op and x-imdecode: against OpenCV's IMDecode of the
//     file's bytes alone, the plain decode the speed aim is set
//     against;
//   - <label>-ms/op: work, which includes its own load if it loads.
//
// All in the same process, so that the ratios hold when the machine's
// speed drifts.
func AgainstDecode(b *testing.B, path, label string, work func() error) {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var plain, decode, total time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		im, err := gocv.IMDecode(data, gocv.IMReadColor)
		if err != nil {
			b.Fatal(err)
		}
		im.Close()
		t1 := time.Now()
		m, _, err := photo.Load(path, photo.Options{})
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
		t2 := time.Now()
		if err := work(); err != nil {
			b.Fatal(err)
		}
		plain += t1.Sub(t0)
		decode += t2.Sub(t1)
		total += time.Since(t2)
	}
	b.ReportMetric(float64(plain.Milliseconds())/float64(b.N), "imdecode-ms/op")
	b.ReportMetric(float64(decode.Milliseconds())/float64(b.N), "decode-ms/op")
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), label+"-ms/op")
	b.ReportMetric(float64(total)/float64(decode), "x-decode")
	b.ReportMetric(float64(total)/float64(plain), "x-imdecode")
}
