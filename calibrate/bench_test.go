package calibrate_test

import (
	"image"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/calibrate/photo/phototest"
	"github.com/smpmatch/smpmatch/calibrate/synth"
)

// card12MP is a 4000×3000 ColorChecker photo as a phone would shoot it: the
// card about a sixth of the frame, mild perspective, warm light.
func card12MP() image.Image {
	s := synth.Scene{Width: 4000, Height: 3000, Kind: synth.KindClassic, Border: 0.9,
		Camera:     synth.Camera{CCT: 3400, WhiteBalance: 0.6, Exposure: 0.85},
		Light:      synth.Lighting{Level: 1, Gradient: 0.1},
		NoiseSigma: 0.004, BlurSigma: 0.6, Seed: 3,
		Background: synth.Background{Kind: synth.BackgroundPlain, Colour: colour.LabD50{L: 55, A: 5, B: 15}},
	}
	const pitch = 110.0
	for k, c := range card.ChartCorners {
		s.Corners[k] = card.Point{X: 2100 + (c.X-card.ChartWidth/2)*pitch/card.PatchPitch*(1-0.05*(0.5-c.Y/card.ChartHeight)),
			Y: 1400 + (c.Y-card.ChartHeight/2)*pitch/card.PatchPitch}
	}
	img, _ := synth.Render(s)
	return img
}

// BenchmarkCalibrate12MP times the whole calibration of a 12-megapixel JPEG
// (decode, detect, refine, sample, fit with cross-validation) and reports it
// as a ratio to decoding the same file alone, measured in the same process:
// the figure the issue asks for ("calibrate costs no more than one extra
// decode" is a ratio of 2).
func BenchmarkCalibrate12MP(b *testing.B) {
	path := phototest.JPEG(b, "card-12mp.jpg", card12MP)
	phototest.AgainstDecode(b, path, "calibrate", func() error {
		m, _, err := photo.Load(path, photo.Options{})
		if err != nil {
			return err
		}
		r, err := calibrate.Read(path, m, calibrate.ReadOptions{})
		m.Close()
		if err != nil {
			return err
		}
		_, err = calibrate.Fit([]calibrate.Reading{r})
		return err
	})
}
