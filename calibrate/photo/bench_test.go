package photo_test

import (
	"os"
	"testing"
	"time"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/calibrate/photo/phototest"
	"github.com/smpmatch/smpmatch/match/scene"
	"gocv.io/x/gocv"
	"image"
)

// What the checks cost: photo.Decode (header walk, libjpeg's scan check,
// the block-seam check, decode) against OpenCV's plain IMDecode of the same
// 12-megapixel JPEG in memory, in the same process (x-imdecode).
//
//	go test -tags matprofile -run '^$' -bench BenchmarkDecodeChecks -benchtime 5x ./calibrate/photo
func BenchmarkDecodeChecks(b *testing.B) {
	path := phototest.JPEG(b, "scalp-12mp.jpg", func() image.Image {
		img, _, _ := scene.RenderWithCard(scene.Scene{W: 4000, H: 3000, Skin: colour.LabD50{L: 60, A: 12, B: 18},
			Hair: colour.LabD50{L: 20, A: 2, B: 3}, Noise: 0.01, Seed: 5}, scene.CardPlacement{})
		return img
	})
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var plain, ours time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		m, err := gocv.IMDecode(data, gocv.IMReadColor)
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
		t1 := time.Now()
		m, _, err = photo.Decode(data, photo.Options{})
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
		plain += t1.Sub(t0)
		ours += time.Since(t1)
	}
	b.ReportMetric(float64(plain.Milliseconds())/float64(b.N), "imdecode-ms/op")
	b.ReportMetric(float64(ours.Milliseconds())/float64(b.N), "decode-ms/op")
	b.ReportMetric(float64(ours)/float64(plain), "x-imdecode")
}
