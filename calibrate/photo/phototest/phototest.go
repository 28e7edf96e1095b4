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
// then work on it, and reports both times and their ratio: decode-ms/op,
// <label>-ms/op and x-decode (work ÷ decode, in the same process, so that
// the ratio holds when the machine's speed drifts). work includes its own
// decode if it decodes.
func AgainstDecode(b *testing.B, path, label string, work func() error) {
	b.Helper()
	var decode, total time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		m, _, err := photo.Load(path, photo.Options{})
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
		t1 := time.Now()
		if err := work(); err != nil {
			b.Fatal(err)
		}
		decode += t1.Sub(t0)
		total += time.Since(t1)
	}
	b.ReportMetric(float64(decode.Milliseconds())/float64(b.N), "decode-ms/op")
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), label+"-ms/op")
	b.ReportMetric(float64(total)/float64(decode), "x-decode")
}
