package dots

import (
	"image"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"github.com/smpmatch/smpmatch/match/scene"
)

func TestCardSizesAreParsed(t *testing.T) {
	for _, c := range []struct {
		in   string
		name string
		mm   float64
		bad  bool
	}{
		{"", "classic", ClassicPatchMM, false},
		{"Passport", "passport", PassportPatchMM, false},
		{"14.5", "custom", 14.5, false},
		{"mini", "", 0, true},
		{"-3", "", 0, true},
	} {
		name, mm, err := ParseCardSize(c.in)
		if (err != nil) != c.bad || name != c.name || mm != c.mm {
			t.Errorf("%q: %q %v %v", c.in, name, mm, err)
		}
	}
}

func TestPlainSkinHasNoDots(t *testing.T) {
	f := scene.DotField{W: 320, H: 240, Skin: colour.LabD50{L: 60, A: 12, B: 18}, Dot: colour.LabD50{L: 60, A: 12, B: 18},
		Noise: 0.01, JPEGQuality: 90, Camera: synth.Camera{CCT: 6500, WhiteBalance: 1}, Seed: 3}
	img, _ := scene.RenderDots(f)
	res, err := measureField(scene.ToLab(img, f.Camera), Region{}, 0, jpegChromaVar)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.counted) != 0 {
		t.Errorf("counted %d dots on plain skin", len(res.counted))
	}
}

func TestOnlyDotsInsideTheROIAreCounted(t *testing.T) {
	c := dotCases()[0]
	c.f.W, c.f.H = 320, 240
	img, tr := scene.RenderDots(c.f)
	roi := image.Rect(40, 30, 200, 180)
	f, err := measureField(scene.ToLab(img, c.f.Camera), Region{ROI: roi}, 0, jpegChromaVar)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, d := range tr.Dots {
		if d.X-d.R >= 40 && d.Y-d.R >= 30 && d.X+d.R <= 200 && d.Y+d.R <= 180 {
			want++
		}
	}
	if n := len(f.counted); n < want*95/100 || n > want*105/100 {
		t.Errorf("counted %d dots in the ROI, %d lie wholly inside it", n, want)
	}
}
