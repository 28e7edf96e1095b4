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

func TestStubbleAloneIsNotCounted(t *testing.T) {
	// Dots of the skin's own colour: a field of nothing but stubble. For
	// scale, a 480 × 360 field of 0.8 mm dots 1.6 mm apart at 10 px/mm
	// holds about 760 dots.
	for _, c := range []struct {
		name    string
		stubble float64
		ppm     float64
		most    int
	}{
		{"sparse stubble (5%) at 10 px/mm", 0.05, 10, 15},
		{"dense stubble (12%) at 20 px/mm", 0.12, 20, 0},
		// A known limit: at 10 px/mm hairs are one pixel wide and dense
		// clumps of them look like dots (measured: 66).
		{"dense stubble (12%) at 10 px/mm", 0.12, 10, 80},
	} {
		f := scene.DotField{W: 480, H: 360, Skin: colour.LabD50{L: 64, A: 12, B: 16}, Dot: colour.LabD50{L: 64, A: 12, B: 16},
			PxPerMM: c.ppm, Stubble: c.stubble, Hair: colour.LabD50{L: 19, A: 1, B: 1}, Blur: 0.7, Noise: 0.01, JPEGQuality: 90,
			Camera: synth.Camera{CCT: 6500, WhiteBalance: 1}, Seed: 9}
		img, _ := scene.RenderDots(f)
		res, err := measureField(scene.ToLab(img, f.Camera), Region{}, 0, jpegChromaVar)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d counted", c.name, len(res.counted))
		if len(res.counted) > c.most {
			t.Errorf("%s: %d stubs counted as dots, want at most %d", c.name, len(res.counted), c.most)
		}
	}
}
