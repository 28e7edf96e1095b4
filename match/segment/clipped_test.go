package segment_test

import (
	"image"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/match/scene"
	"github.com/smpmatch/smpmatch/match/segment"
)

// Pixels marked clipped (a channel at the encoding's limit) are still
// measured, but their share of the scalp region lowers the confidence to
// 1 − share and says so; a few (a highlight's) do not.
func TestClippedPixelsLowerTheConfidenceByTheirShare(t *testing.T) {
	s := baseScene(skins[1].lab, hairs[0].lab, scene.Stubble, 5)
	img, _ := scene.Render(s)
	lab := scene.ToLab(img, s.Camera)
	for _, c := range []struct {
		name    string
		columns int // the clipped band's width from the left edge
		maxConf float64
		warned  bool
	}{
		{"none", 0, 1, false},
		{"a sliver", 4, 1, false},
		{"half", s.W / 2, 0.6, true},
	} {
		o := sceneOptions(s)
		if c.columns > 0 {
			o.Clipped = image.NewGray(image.Rect(0, 0, s.W, s.H))
			for y := 0; y < s.H; y++ {
				for x := 0; x < c.columns; x++ {
					o.Clipped.Pix[o.Clipped.PixOffset(x, y)] = 255
				}
			}
		}
		r, err := segment.Measure(lab, o)
		if err != nil {
			t.Fatal(err)
		}
		warned := false
		for _, w := range r.Warnings {
			if strings.Contains(w, "overexposed") {
				warned = true
			}
		}
		t.Logf("%s: confidence %.2f, warned %v", c.name, r.Confidence, warned)
		if warned != c.warned || r.Confidence > c.maxConf {
			t.Errorf("%s clipped: confidence %.2f (want ≤ %.2f), overexposure warned %v (want %v): %q", c.name, r.Confidence, c.maxConf, warned, c.warned, r.Warnings)
		}
	}
	bad := image.NewGray(image.Rect(0, 0, 3, 3))
	if _, err := segment.Measure(lab, segment.Options{Clipped: bad}); err == nil {
		t.Error("a clipped-pixel mask of the wrong size was accepted")
	}
}
