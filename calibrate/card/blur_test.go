package card_test

import (
	"image"
	"math"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"gocv.io/x/gocv"
)

// A card rendered with a known lens blur and no JPEG, its colour then
// smeared by a known σ in Y'CbCr as a codec or a phone's colour smoothing
// would: EdgeBlur reads the lens alone, ChromaBlur lens and smear together.
func TestChromaBlurReadsTheColourSmearOnThePatchEdges(t *testing.T) {
	const lens = 0.7
	for _, smear := range []float64{0, 1.5, 3} {
		s := synth.Scene{
			Width: 1280, Height: 960, Kind: synth.KindClassic, Border: 1,
			Corners: func() (c card.Corners) {
				for k, p := range card.ChartCorners {
					c[k] = card.Point{X: 250 + 50*p.X, Y: 200 + 50*p.Y}
				}
				return c
			}(),
			Camera:     synth.Camera{CCT: 5500, WhiteBalance: 0.9, Exposure: 0.85, Curve: synth.CurveSRGB},
			Light:      synth.Lighting{Level: 1},
			Background: synth.Background{Kind: synth.BackgroundGradient, Colour: colour.LabD50{L: 62, A: 2, B: 8}, Colour2: colour.LabD50{L: 48, A: 1, B: 4}, Angle: 1},
			BlurSigma:  lens, NoiseSigma: 0.003, Seed: 3,
		}
		img, _ := synth.Render(s)
		m, err := gocv.ImageToMatRGB(img)
		if err != nil {
			t.Fatal(err)
		}
		if smear > 0 {
			smearColour(m, smear)
		}
		d, err := card.Detect(m, card.DetectOptions{})
		if err != nil {
			m.Close()
			t.Fatalf("smear %.1f: the card is not found: %v", smear, err)
		}
		lb, lok := card.EdgeBlur(m, d)
		cb, cok := card.ChromaBlur(m, d)
		m.Close()
		want := math.Hypot(lens, smear)
		t.Logf("smear %.1f px: EdgeBlur %.2f (%v), ChromaBlur %.2f (%v), want %.2f", smear, lb, lok, cb, cok, want)
		// The colour edges are read in the gamma-encoded space where the
		// codec smears them; the lens blurred them in linear light, which
		// the encoding widens on the dark side: up to 0.35 px more.
		if !cok || cb < want-0.1*want || cb > want+0.1*want+0.35 {
			t.Errorf("smear %.1f px: ChromaBlur %.2f (ok %v), want %.2f (up to 10%% less, 10%% + 0.35 px more)", smear, cb, cok, want)
		}
		if lok && math.Abs(lb-lens) > 0.3 {
			t.Errorf("smear %.1f px: EdgeBlur %.2f, want the lens's %.2f (colour smear is not lens blur)", smear, lb, lens)
		}
	}
}

// smearColour blurs the colour-difference channels of a BGR Mat in place.
func smearColour(m gocv.Mat, sigma float64) {
	ycc := gocv.NewMat()
	defer ycc.Close()
	gocv.CvtColor(m, &ycc, gocv.ColorBGRToYCrCb)
	ch := gocv.Split(ycc)
	for k := 1; k < 3; k++ {
		gocv.GaussianBlur(ch[k], &ch[k], image.Pt(0, 0), sigma, sigma, gocv.BorderReflect101)
	}
	gocv.Merge(ch, &ycc)
	for _, c := range ch {
		c.Close()
	}
	gocv.CvtColor(ycc, &m, gocv.ColorYCrCbToBGR)
}
