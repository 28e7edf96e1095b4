package measure

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"github.com/smpmatch/smpmatch/match/scene"
)

var (
	scalp12MPOnce sync.Once
	scalp12MPPath string
	scalp12MPErr  error
)

func scalp12MP(b *testing.B) string {
	scalp12MPOnce.Do(func() {
		dir, err := os.MkdirTemp("", "smpmatch-bench")
		if err != nil {
			scalp12MPErr = err
			return
		}
		s := scene.Scene{W: 4000, H: 3000, Skin: colour.LabD50{L: 60, A: 12, B: 18}, Hair: colour.LabD50{L: 20, A: 2, B: 3},
			Style: scene.Stubble, StrandWidthPx: 8, Camera: roomCamera, Shading: 0.3, Noise: 0.005, Seed: 9}
		img, _, _ := scene.RenderWithCard(s, scene.CardPlacement{})
		data, err := synth.Encode(img, "jpeg", 92)
		if err != nil {
			scalp12MPErr = err
			return
		}
		scalp12MPPath = filepath.Join(dir, "scalp-12mp.jpg")
		scalp12MPErr = os.WriteFile(scalp12MPPath, data, 0o644)
	})
	if scalp12MPErr != nil {
		b.Fatal(scalp12MPErr)
	}
	return scalp12MPPath
}

// BenchmarkMeasure12MP times measuring a 12-megapixel scalp photo with the
// card in frame (decode, find the card, fit, correct at the working
// resolution, segment) and reports it as a ratio to decoding the same file
// alone in the same process.
func BenchmarkMeasure12MP(b *testing.B) {
	path := scalp12MP(b)
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
		res, _, err := Photo(path, m, Options{})
		m.Close()
		if err != nil || !res.OK {
			b.Fatalf("measure: %v", err)
		}
		t2 := time.Now()
		decode += t1.Sub(t0)
		total += t2.Sub(t1)
	}
	b.ReportMetric(float64(decode.Milliseconds())/float64(b.N), "decode-ms/op")
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "measure-ms/op")
	b.ReportMetric(float64(total)/float64(decode), "x-decode")
}
