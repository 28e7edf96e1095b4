package scene_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"github.com/smpmatch/smpmatch/match/scene"
)

func TestToLabUndoesTheCameraModel(t *testing.T) {
	labs := []colour.LabD50{{L: 68, A: 11, B: 15}, {L: 35, A: 12, B: 15}, {L: 19, A: 1, B: 1.5}, {L: 62, A: 0, B: 3}, {L: 58, A: 6, B: 20}}
	for _, cam := range []synth.Camera{
		{CCT: 6500, WhiteBalance: 1},
		{CCT: 3200, WhiteBalance: 0.7, Exposure: 0.8},
		{CCT: 5000, WhiteBalance: 1, Curve: synth.CurveGamma22, Exposure: 0.5},
		{CCT: 5000, WhiteBalance: 1, Curve: synth.CurveLinear},
	} {
		for _, lab := range labs {
			lin := cam.Linear(lab, 1)
			e := cam.Encode(lin)
			img := image.NewNRGBA(image.Rect(0, 0, 1, 1))
			q := func(v float64) uint8 { return uint8(math.Round(255 * v)) }
			img.SetNRGBA(0, 0, color.NRGBA{q(e[0]), q(e[1]), q(e[2]), 255})
			got := scene.ToLab(img, cam).At(0, 0)
			// 8-bit quantisation, amplified by the inverse of the
			// crosstalk matrix, is the only loss: under 1 ΔE00 for curved
			// encodings, a few for dark colours of a linear one.
			limit := 1.0
			if cam.Curve == synth.CurveLinear {
				limit = 4
			}
			if de := colour.DeltaE00(got, lab); de > limit {
				t.Errorf("camera %+v, %v: back as %v (ΔE00 %.2f)", cam, lab, got, de)
			}
		}
	}
}

func TestRenderIsReproducibleAndReportsItsTruth(t *testing.T) {
	s := scene.Scene{W: 200, H: 150, Skin: colour.LabD50{L: 60, A: 12, B: 16}, Hair: colour.LabD50{L: 20, A: 1, B: 2},
		Style: scene.Stubble, Density: 0.2, Noise: 0.01, JPEGQuality: 85, Seed: 3}
	a, ta := scene.Render(s)
	b, _ := scene.Render(s)
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Errorf("two renders of one scene differ")
	}
	if ta.Skin != s.Skin || ta.Hair != s.Hair {
		t.Errorf("truth colours %v %v", ta.Skin, ta.Hair)
	}
	// Stub ends are round, so the coverage runs a little over the density.
	if ta.HairFraction < 0.15 || ta.HairFraction > 0.35 {
		t.Errorf("hair fraction %.3f for density 0.2", ta.HairFraction)
	}
	s.Seed = 4
	c, _ := scene.Render(s)
	if bytes.Equal(a.Pix, c.Pix) {
		t.Errorf("another seed gives the same picture")
	}
}

func TestDistractorBackgroundLeavesTheHeadInTheMiddle(t *testing.T) {
	s := scene.Scene{Skin: colour.LabD50{L: 60, A: 12, B: 16}, Hair: colour.LabD50{L: 20, A: 1, B: 2}, Background: scene.BackgroundDistractor}
	_, tr := scene.Render(s)
	b := tr.ScalpMask.Bounds()
	if tr.ScalpMask.GrayAt(b.Dx()/2, b.Dy()/2).Y == 0 || tr.ScalpMask.GrayAt(2, 2).Y != 0 {
		t.Errorf("head mask should cover the centre and not the corner")
	}
}

func TestRotate90TurnsClockwise(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	img.SetNRGBA(0, 0, color.NRGBA{255, 0, 0, 255})
	r := scene.Rotate90(img)
	if r.Bounds().Dx() != 2 || r.Bounds().Dy() != 3 || r.NRGBAAt(1, 0).R != 255 {
		t.Errorf("rotated %v, top-right %v", r.Bounds(), r.NRGBAAt(1, 0))
	}
}

// Render a close-up of thinning hair and convert it back to L*a*b*.
func ExampleRender() {
	s := scene.Scene{
		W: 320, H: 240,
		Skin: colour.LabD50{L: 55, A: 13, B: 20}, Hair: colour.LabD50{L: 23, A: 4, B: 5},
		Style: scene.Thinning, Density: 0.12, Shading: 0.3, Noise: 0.01, JPEGQuality: 90, Blur: 0.6,
		Camera: synth.Camera{CCT: 6500, WhiteBalance: 1}, Seed: 1,
	}
	img, truth := scene.Render(s)
	lab := scene.ToLab(img, s.Camera)
	fmt.Println(img.Bounds().Dx(), lab.W, truth.HairFraction > 0.05)
	// Output: 320 320 true
}
