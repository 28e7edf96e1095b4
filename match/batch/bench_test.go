package batch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"github.com/smpmatch/smpmatch/match/scene"
	"gocv.io/x/gocv"
)

// benchPhotos is the number of 12-megapixel photos a benchmark batch
// processes: two clients of three, one with the card in frame, one with a
// card shot; enough to keep two workers busy.
const benchPhotos = 6

// bigInputs renders 4000×3000 JPEGs (a phone's 12 MP) into dir: a client
// with the card in frame, and one with a card shot.
func bigInputs(b *testing.B, dir string) {
	s := scene.Scene{W: 4000, H: 3000, Skin: colour.LabD50{L: 64, A: 10, B: 17}, Hair: colour.LabD50{L: 22, A: 2, B: 4},
		Camera: testCamera, Shading: 0.25, Noise: 0.005, Blur: 1.2, StrandWidthPx: 8, Seed: 9}
	withCard, _, _ := scene.RenderWithCard(s, scene.CardPlacement{})
	s.Seed = 10
	plain, _ := scene.Render(s)
	for i := 0; i < benchPhotos; i++ {
		img, client, name := withCard, "in-frame", fmt.Sprintf("photo%d.jpg", i)
		switch {
		case i == 1:
			client, name = "card-shot", "card.jpg"
		case i%2 == 1:
			img, client = plain, "card-shot"
		}
		jpg, err := synth.Encode(img, "jpeg", 92)
		if err == nil {
			err = os.MkdirAll(filepath.Join(dir, client), 0o755)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, client, name), jpg, 0o644)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// peakRSS is the process's peak resident memory (VmHWM) in MiB; resetPeak
// starts a new peak (Linux: clear_refs 5).
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func resetPeak() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBatch12MP: throughput of smpmatch batch on 12-megapixel JPEGs
// with 1 and 2 workers, the process's peak memory during the run, and the
// ratio of the batch's time per photo to plain decoding of the same files
// (gocv.IMRead, measured in the same process just before).
func BenchmarkBatch12MP(b *testing.B) {
	in := b.TempDir()
	bigInputs(b, in)
	clients, _, err := ScanFolders([]string{in})
	if err != nil {
		b.Fatal(err)
	}
	var files []string
	for _, c := range clients {
		for _, p := range c.Photos {
			files = append(files, p.Path)
		}
	}
	// Warm up once (lookup tables, palette preparation, page cache).
	warm := testOptions(b, b.TempDir())
	if _, err := Run(context.Background(), clients[:1], warm); err != nil {
		b.Fatal(err)
	}
	// decode is the best of two passes of plain decoding, per photo: on a
	// shared machine the better pass is the closer to the decoder's cost.
	decode := func() time.Duration {
		best := time.Duration(0)
		for pass := 0; pass < 2; pass++ {
			start := time.Now()
			for _, f := range files {
				m := gocv.IMRead(f, gocv.IMReadColor)
				if m.Empty() {
					b.Fatalf("decode %s", f)
				}
				m.Close()
			}
			if d := time.Since(start) / time.Duration(len(files)); pass == 0 || d < best {
				best = d
			}
		}
		return best
	}
	// Twice the photos (the same files under two more clients): peak memory
	// must stay that of two workers.
	double := b.TempDir()
	for _, c := range clients {
		for _, copyAs := range []string{c.ID, c.ID + "-b"} {
			os.MkdirAll(filepath.Join(double, copyAs), 0o755)
			for _, p := range c.Photos {
				jpg, err := os.ReadFile(p.Path)
				if err != nil {
					b.Fatal(err)
				}
				os.WriteFile(filepath.Join(double, copyAs, filepath.Base(p.Path)), jpg, 0o644)
			}
		}
	}
	doubled, _, err := ScanFolders([]string{double})
	if err != nil {
		b.Fatal(err)
	}
	for _, run := range []struct {
		workers int
		clients []Client
	}{{1, clients}, {2, clients}, {2, doubled}} {
		n := 0
		for _, c := range run.clients {
			n += len(c.Photos)
		}
		b.Run(fmt.Sprintf("workers=%d/photos=%d", run.workers, n), func(b *testing.B) {
			perDecode := decode()
			debug.FreeOSMemory() // the renders' memory is not this run's
			resetPeak()
			b.ResetTimer()
			var wall, cpu time.Duration
			for i := 0; i < b.N; i++ {
				o := testOptions(b, b.TempDir())
				o.Workers = run.workers
				c0, t0 := cpuTime(), time.Now()
				sum, err := Run(context.Background(), run.clients, o)
				wall += time.Since(t0)
				cpu += cpuTime() - c0
				if err != nil || sum.Failed > 0 || sum.Photos != n {
					b.Fatalf("batch: %+v, %v", sum, err)
				}
			}
			total := float64(b.N * n)
			b.ReportMetric(total/wall.Seconds(), "photos/s")
			b.ReportMetric(cpu.Seconds()/total, "cpu-s/photo")
			b.ReportMetric(peakRSS(), "peak-MiB")
			b.ReportMetric(wall.Seconds()/total/perDecode.Seconds(), "x-decode")
			b.ReportMetric(perDecode.Seconds()*1000, "decode-ms/photo")
		})
	}
}
