package segment_test

import (
	"encoding/json"
	"flag"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/scene"
	"github.com/smpmatch/smpmatch/match/segment"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.json from the current code")

// goldenCase is one render whose Result is pinned in testdata/golden.json.
type goldenCase struct {
	name  string
	scene func() scene.Scene
	opts  segment.Options
}

// goldenResult is the part of a Result the golden file pins.
type goldenResult struct {
	Hair           colour.LabD50 `json:"hair"`
	HairFound      bool          `json:"hair_found"`
	Scalp          colour.LabD50 `json:"scalp"`
	ScalpFound     bool          `json:"scalp_found"`
	Fraction       float64       `json:"fraction"`
	Confidence     float64       `json:"confidence"`
	HairMaskPixels int           `json:"hair_mask_pixels"`
	ScalpMaskPx    int           `json:"scalp_mask_pixels"`
	RegionPixels   int           `json:"region_pixels"`
}

// Tolerances of the equivalence guard: an optimisation may reorder float
// sums or change a tie in a median, not what is measured.
const (
	goldenLabDE      = 0.15
	goldenFraction   = 0.01
	goldenConfidence = 0.05
	// goldenMaskShare: mask and region pixel counts within this share
	// (a few pixels at a threshold may flip).
	goldenMaskShare = 0.02
)

func goldenCases() []goldenCase {
	sc := func(si, hi int, st scene.Style, seed uint64, mod func(*scene.Scene)) func() scene.Scene {
		return func() scene.Scene {
			s := baseScene(skins[si].lab, hairs[hi].lab, st, seed)
			if mod != nil {
				mod(&s)
			}
			return s
		}
	}
	distractor := func(s *scene.Scene) { s.Background = scene.BackgroundDistractor }
	return []goldenCase{
		{name: "light skin, black stubble", scene: sc(0, 0, scene.Stubble, 11, nil)},
		{name: "light skin, grey thinning, distractor", scene: sc(0, 2, scene.Thinning, 12, distractor)},
		{name: "medium skin, brown stubble, distractor", scene: sc(1, 1, scene.Stubble, 13, distractor)},
		{name: "medium skin, blond thinning", scene: sc(1, 3, scene.Thinning, 14, nil)},
		{name: "dark skin, black thinning", scene: sc(2, 0, scene.Thinning, 15, nil)},
		{name: "dark skin, grey stubble, distractor", scene: sc(2, 2, scene.Stubble, 16, distractor)},
		{name: "light skin, blond diffuse", scene: sc(0, 3, scene.Diffuse, 17, func(s *scene.Scene) { s.Density = 0.1 })},
		{name: "medium skin, black stubble, scar and oil", scene: sc(1, 0, scene.Stubble, 18, func(s *scene.Scene) { s.Scar, s.Specular = true, 0.6 })},
		{name: "dark skin, brown stubble, strong shading", scene: sc(2, 1, scene.Stubble, 19, func(s *scene.Scene) { s.Shading = 0.5 })},
		{name: "light skin, brown stubble, a face", scene: sc(0, 1, scene.Stubble, 20, func(s *scene.Scene) { s.Subject = scene.SubjectFace })},
		{name: "medium skin, black stubble, ROI and card excluded", scene: sc(1, 0, scene.Stubble, 21, nil),
			opts: segment.Options{ROI: image.Rect(20, 20, 380, 280), Exclude: []segment.Polygon{segment.RectPolygon(image.Rect(150, 100, 250, 180))}}},
		{name: "light skin, black stubble, 1000 × 750", scene: sc(0, 0, scene.Stubble, 22, func(s *scene.Scene) { s.W, s.H = 1000, 750 })},
	}
}

func goldenOf(r segment.Result) goldenResult {
	count := func(m *image.Gray) int {
		n := 0
		for _, v := range m.Pix {
			if v > 0 {
				n++
			}
		}
		return n
	}
	return goldenResult{
		Hair: r.Hair.Lab, HairFound: r.Hair.Found, Scalp: r.Scalp.Lab, ScalpFound: r.Scalp.Found,
		Fraction: r.Hair.Fraction, Confidence: r.Confidence,
		HairMaskPixels: count(r.HairMask), ScalpMaskPx: count(r.ScalpMask), RegionPixels: r.Scalp.RegionPixels,
	}
}

// TestMeasureMatchesTheGoldenResults guards Measure's output against
// unintended change (e.g. by an optimisation): hair and scalp colour,
// coverage, confidence and mask sizes on renders of every skin, hair,
// style and distractor. Regenerate with go test -run Golden -update after
// a deliberate change.
func TestMeasureMatchesTheGoldenResults(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "golden.json")
	got := map[string]goldenResult{}
	for _, c := range goldenCases() {
		s := c.scene()
		img, _ := scene.Render(s)
		res, err := segment.Measure(scene.ToLab(img, s.Camera), c.opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got[c.name] = goldenOf(res)
	}
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	want := map[string]goldenResult{}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	closeCount := func(a, b int) bool {
		return math.Abs(float64(a-b)) <= goldenMaskShare*math.Max(float64(b), 50)
	}
	for _, c := range goldenCases() {
		g, w := got[c.name], want[c.name]
		if _, ok := want[c.name]; !ok {
			t.Errorf("%s: not in %s (regenerate with -update)", c.name, path)
			continue
		}
		if g.HairFound != w.HairFound || g.ScalpFound != w.ScalpFound {
			t.Errorf("%s: found hair %v scalp %v, golden %v %v", c.name, g.HairFound, g.ScalpFound, w.HairFound, w.ScalpFound)
		}
		if de := colour.DeltaE00(g.Hair, w.Hair); w.HairFound && de > goldenLabDE {
			t.Errorf("%s: hair %v, golden %v: ΔE00 %.3f > %.2f", c.name, g.Hair, w.Hair, de, goldenLabDE)
		}
		if de := colour.DeltaE00(g.Scalp, w.Scalp); w.ScalpFound && de > goldenLabDE {
			t.Errorf("%s: scalp %v, golden %v: ΔE00 %.3f > %.2f", c.name, g.Scalp, w.Scalp, de, goldenLabDE)
		}
		if math.Abs(g.Fraction-w.Fraction) > goldenFraction {
			t.Errorf("%s: hair fraction %.4f, golden %.4f", c.name, g.Fraction, w.Fraction)
		}
		if math.Abs(g.Confidence-w.Confidence) > goldenConfidence {
			t.Errorf("%s: confidence %.3f, golden %.3f", c.name, g.Confidence, w.Confidence)
		}
		if !closeCount(g.HairMaskPixels, w.HairMaskPixels) || !closeCount(g.ScalpMaskPx, w.ScalpMaskPx) || !closeCount(g.RegionPixels, w.RegionPixels) {
			t.Errorf("%s: hair mask %d, scalp mask %d, region %d pixels; golden %d, %d, %d", c.name,
				g.HairMaskPixels, g.ScalpMaskPx, g.RegionPixels, w.HairMaskPixels, w.ScalpMaskPx, w.RegionPixels)
		}
	}
}
