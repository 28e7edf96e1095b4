package measure

import (
	"errors"
	"image"
	"os"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/calibrate/photo/phototest"
	"github.com/smpmatch/smpmatch/match/scene"
)

// scalp12MP is a 4000×3000 close-up of stubble on light skin with the card
// held in the frame.
func scalp12MP() image.Image {
	s := scene.Scene{W: 4000, H: 3000, Skin: colour.LabD50{L: 60, A: 12, B: 18}, Hair: colour.LabD50{L: 20, A: 2, B: 3},
		Style: scene.Stubble, StrandWidthPx: 8, Camera: roomCamera, Shading: 0.3, Noise: 0.005, Seed: 9}
	img, _, _ := scene.RenderWithCard(s, scene.CardPlacement{})
	return img
}

// BenchmarkMeasure12MP times measuring a 12-megapixel scalp photo with the
// card in frame (decode, find the card, fit, correct at the working
// resolution, segment) and reports it as a ratio to decoding the same file
// alone in the same process.
func BenchmarkMeasure12MP(b *testing.B) {
	path := phototest.JPEG(b, "scalp-12mp.jpg", scalp12MP)
	phototest.AgainstDecode(b, path, "measure", loadAndMeasure(path))
}

// loadAndMeasure is what `smpmatch measure` does with one photo: load it
// (with its checks), then measure it with the card in frame.
func loadAndMeasure(path string) func() error {
	return func() error {
		m, _, err := photo.Load(path, photo.Options{})
		if err != nil {
			return err
		}
		res, _, err := Photo(path, m, Options{})
		m.Close()
		if err == nil && !res.OK {
			err = errors.New(res.Error)
		}
		return err
	}
}

// BenchmarkMeasureFile times measuring the JPEG named by SMPMATCH_BENCH_JPEG
// (a photo of your own: a clinic's camera, a dense head of stubble) against
// its plain decode, as BenchmarkMeasure12MP does for a render.
func BenchmarkMeasureFile(b *testing.B) {
	path := os.Getenv("SMPMATCH_BENCH_JPEG")
	if path == "" {
		b.Skip("set SMPMATCH_BENCH_JPEG to a photo to time")
	}
	phototest.AgainstDecode(b, path, "measure", loadAndMeasure(path))
}
