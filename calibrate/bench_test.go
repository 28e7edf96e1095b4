package calibrate_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/calibrate/synth"
)

var (
	bench12MPOnce sync.Once
	bench12MPPath string
	bench12MPErr  error
)

// photo12MP renders (once per process) a 4000×3000 JPEG of a ColorChecker
// as a phone would shoot it: the card about a sixth of the frame, mild
// perspective, warm light, clutter.
func photo12MP(b *testing.B) string {
	bench12MPOnce.Do(func() {
		dir, err := os.MkdirTemp("", "smpmatch-bench")
		if err != nil {
			bench12MPErr = err
			return
		}
		s := synth.Scene{Width: 4000, Height: 3000, Kind: synth.KindClassic, Border: 0.9,
			Camera:     synth.Camera{CCT: 3400, WhiteBalance: 0.6, Exposure: 0.85},
			Light:      synth.Lighting{Level: 1, Gradient: 0.1},
			NoiseSigma: 0.004, BlurSigma: 0.6, Seed: 3,
			Background: synth.Background{Kind: synth.BackgroundPlain, Colour: synthLab(55, 5, 15)},
		}
		const pitch = 110.0
		for k, c := range card.ChartCorners {
			s.Corners[k] = card.Point{X: 2100 + (c.X-card.ChartWidth/2)*pitch/card.PatchPitch*(1-0.05*(0.5-c.Y/card.ChartHeight)),
				Y: 1400 + (c.Y-card.ChartHeight/2)*pitch/card.PatchPitch}
		}
		img, _ := synth.Render(s)
		data, err := synth.Encode(img, "jpeg", 92)
		if err != nil {
			bench12MPErr = err
			return
		}
		bench12MPPath = filepath.Join(dir, "card-12mp.jpg")
		bench12MPErr = os.WriteFile(bench12MPPath, data, 0o644)
	})
	if bench12MPErr != nil {
		b.Fatal(bench12MPErr)
	}
	return bench12MPPath
}

// BenchmarkCalibrate12MP times the whole calibration of a 12-megapixel JPEG
// (decode, detect, refine, sample, fit with cross-validation) and reports it
// as a ratio to decoding the same file alone, measured in the same process:
// the figure the issue asks for ("calibrate costs no more than one extra
// decode" is a ratio of 2).
func BenchmarkCalibrate12MP(b *testing.B) {
	path := photo12MP(b)
	var decode, total time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		m, _, err := photo.Load(path, photo.Options{})
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
		t1 := time.Now()
		m, _, err = photo.Load(path, photo.Options{})
		if err != nil {
			b.Fatal(err)
		}
		r, err := calibrate.Read(path, m, calibrate.ReadOptions{})
		m.Close()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := calibrate.Fit([]calibrate.Reading{r}); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		decode += t1.Sub(t0)
		total += t2.Sub(t1)
	}
	b.ReportMetric(float64(decode.Milliseconds())/float64(b.N), "decode-ms/op")
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "calibrate-ms/op")
	b.ReportMetric(float64(total)/float64(decode), "x-decode")
}
