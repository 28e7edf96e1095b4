package segment_test

import (
	"encoding/json"
	"errors"
	"image"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/scene"
	"github.com/smpmatch/smpmatch/match/segment"
)

func smallScalp(t *testing.T) *segment.LabImage {
	t.Helper()
	s := baseScene(skins[1].lab, hairs[0].lab, scene.Stubble, 9)
	s.W, s.H = 320, 240
	img, _ := scene.Render(s)
	return scene.ToLab(img, s.Camera)
}

func TestMeasureRejectsUnusableInput(t *testing.T) {
	for _, c := range []struct {
		name string
		img  *segment.LabImage
		opts segment.Options
	}{
		{"a nil image", nil, segment.Options{}},
		{"an empty image", segment.NewLabImage(0, 0), segment.Options{}},
		{"pixels missing", &segment.LabImage{W: 4, H: 4, Pix: make([]float32, 5)}, segment.Options{}},
		{"a mask of another size", segment.NewLabImage(8, 8), segment.Options{Mask: image.NewGray(image.Rect(0, 0, 4, 4))}},
		{"an ROI outside the image", segment.NewLabImage(8, 8), segment.Options{ROI: image.Rect(20, 20, 30, 30)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := segment.Measure(c.img, c.opts); err == nil {
				t.Errorf("no error")
			}
		})
	}
	if _, err := segment.Measure(nil, segment.Options{}); !errors.Is(err, segment.ErrEmpty) {
		t.Errorf("nil image: %v, want ErrEmpty", err)
	}
}

func TestMeasureKeepsToTheROIAndOutOfExcludedPolygons(t *testing.T) {
	lab := smallScalp(t)
	roi := image.Rect(20, 20, 300, 220)
	card := segment.RectPolygon(image.Rect(100, 80, 200, 160))
	res, err := segment.Measure(lab, segment.Options{ROI: roi, Exclude: []segment.Polygon{card}})
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < lab.H; y++ {
		for x := 0; x < lab.W; x++ {
			p := image.Pt(x, y)
			in := res.HairMask.GrayAt(x, y).Y > 0 || res.ScalpMask.GrayAt(x, y).Y > 0
			if in && (!p.In(roi) || p.In(image.Rect(100, 80, 200, 160))) {
				t.Fatalf("pixel %v measured, outside the ROI or inside the excluded card", p)
			}
		}
	}
	if res.LowConfidence {
		t.Errorf("a scalp with the card cut out: low confidence %q", res.Warnings)
	}
}

func TestMeasureHonoursTheUsersMask(t *testing.T) {
	lab := smallScalp(t)
	mask := image.NewGray(image.Rect(0, 0, lab.W, lab.H))
	for y := 0; y < lab.H; y++ {
		for x := 0; x < lab.W/2; x++ {
			mask.Pix[mask.PixOffset(x, y)] = 255
		}
	}
	res, err := segment.Measure(lab, segment.Options{Mask: mask})
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < lab.H; y++ {
		for x := lab.W / 2; x < lab.W; x++ {
			if res.HairMask.GrayAt(x, y).Y > 0 || res.ScalpMask.GrayAt(x, y).Y > 0 {
				t.Fatalf("pixel (%d,%d) is outside the mask but measured", x, y)
			}
		}
	}
}

func TestResultJSONIsTheOutputContract(t *testing.T) {
	res, err := segment.Measure(smallScalp(t), segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]map[string]any
	var top map[string]any
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(b, &m)
	for sec, keys := range map[string][]string{
		"hair":     {"lab", "spread", "fraction"},
		"scalp":    {"lab", "spread", "ita_deg", "ita_category"},
		"contrast": {"de00", "dl", "dc", "dh", "ratio"},
	} {
		for _, k := range keys {
			if _, ok := m[sec][k]; !ok {
				t.Errorf("JSON has no %s.%s: %s", sec, k, b)
			}
		}
	}
	for _, k := range []string{"confidence", "low_confidence", "warnings"} {
		if _, ok := top[k]; !ok {
			t.Errorf("JSON has no %s", k)
		}
	}
	if strings.Contains(string(b), "HairMask") {
		t.Errorf("masks leak into JSON")
	}
}

func TestContrastFollowsItsDefinitions(t *testing.T) {
	res, err := segment.Measure(smallScalp(t), segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, s, c := res.Hair.Lab, res.Scalp.Lab, res.Contrast
	if got := colour.DeltaE00(h, s); got != c.DE00 {
		t.Errorf("de00 %v, want %v", c.DE00, got)
	}
	if c.DL != h.L-s.L || c.DC != h.Chroma()-s.Chroma() {
		t.Errorf("dl %v dc %v, want %v %v", c.DL, c.DC, h.L-s.L, h.Chroma()-s.Chroma())
	}
	if c.Ratio < 1 || c.DH < -180 || c.DH > 180 {
		t.Errorf("ratio %v (want ≥ 1), dh %v (want −180..180)", c.Ratio, c.DH)
	}
	if res.Hair.Kind != "dark" || res.Scalp.ITACategory != colour.ITACategory(res.Scalp.ITADeg) {
		t.Errorf("kind %q, ITA %v %q", res.Hair.Kind, res.Scalp.ITADeg, res.Scalp.ITACategory)
	}
}

func TestOverlayTintsHairAndScalpAndScalesTheMasks(t *testing.T) {
	s := baseScene(skins[0].lab, hairs[0].lab, scene.Stubble, 4)
	s.W, s.H = 200, 150
	img, _ := scene.Render(s)
	res, err := segment.Measure(scene.ToLab(img, s.Camera), segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	big := image.NewNRGBA(image.Rect(0, 0, 400, 300))
	out := segment.Overlay(big, res)
	if out.Bounds().Dx() != 400 {
		t.Fatalf("overlay is %v, want the picture's size", out.Bounds())
	}
	var tinted int
	for i := 0; i < len(out.Pix); i += 4 {
		if out.Pix[i] > 0 || out.Pix[i+2] > 0 {
			tinted++
		}
	}
	if tinted < 400*300/4 {
		t.Errorf("only %d pixels tinted", tinted)
	}
}
