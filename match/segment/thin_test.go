package segment_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/scene"
	"github.com/smpmatch/smpmatch/match/segment"
)

// TestThinOrSoftFibresAreWarnedAbout renders dark hair on light skin at
// fibre widths 1.5–4 px and lens blur σ 0–1.5 px (the blur given to
// Measure, as the card in the photo would give it) and requires a warning
// about thin fibres wherever the hair reads more than 3 ΔE00 off (a too
// light hair colour is never reported without one), and a confidence of at
// most 0.75 wherever it reads more than 10 off.
func TestThinOrSoftFibresAreWarnedAbout(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 16 scenes")
	}
	skin := colour.LabD50{L: 66, A: 11, B: 16}
	hair := colour.LabD50{L: 19, A: 1, B: 1.5}
	var sharpDE []float64
	for _, width := range []float64{1.5, 2, 3, 4} {
		for _, blur := range []float64{0, 0.5, 1, 1.5} {
			s := baseScene(skin, hair, scene.Stubble, 7)
			s.W, s.H = 480, 360
			s.StrandWidthPx, s.Blur = width, blur
			img, truth := scene.Render(s)
			lab := scene.ToLab(img, s.Camera)
			// The strands are drawn with their pixel coverage: the pixel's
			// own area adds a box of 1 px (variance 1/12) to the lens's
			// blur, as on a camera's sensor.
			res, err := segment.Measure(lab, segment.Options{BlurPx: math.Sqrt(blur*blur + 1.0/12)})
			if err != nil {
				t.Fatalf("width %.1f blur %.1f: %v", width, blur, err)
			}
			de := math.Inf(1)
			if res.Hair.Found {
				de = colour.DeltaE00(res.Hair.Lab, truth.Hair)
			}
			warned := false
			for _, w := range res.Warnings {
				if strings.Contains(w, "photograph closer") {
					warned = true
				}
			}
			name := fmt.Sprintf("width %.1f px, blur σ %.1f px", width, blur)
			t.Logf("%-28s hair ΔE00 %5.2f L* %5.1f (true %.1f) width_px %.1f confidence %.2f warned %v", name, de, res.Hair.Lab.L, truth.Hair.L, res.Hair.WidthPx, res.Confidence, warned)
			if !res.Hair.Found {
				t.Logf("%s: no hair found (low confidence %v)", name, res.LowConfidence)
				if !res.LowConfidence {
					t.Errorf("%s: no hair found yet confident", name)
				}
				continue
			}
			if de > 3 && !warned {
				t.Errorf("%s: hair %.1f ΔE00 off without a warning about thin fibres", name, de)
			}
			// Far off is never near-full confidence: the darkest pixels
			// say the fibre may be much darker than its profiles did.
			if de > 10 && res.Confidence > 0.75 {
				t.Errorf("%s: hair %.1f ΔE00 off with confidence %.2f", name, de, res.Confidence)
			}
			if res.Hair.Lab.L < 0 || res.Hair.Lab.L > 100 {
				t.Errorf("%s: hair L* %.1f outside 0–100", name, res.Hair.Lab.L)
			}
			if width >= 3 && blur <= 0.5 {
				sharpDE = append(sharpDE, de)
			}
		}
	}
	// Sharp fibres of 3 px and more are logged, not held: the hair's
	// chroma from block means still misses on some of them (see the
	// README's measure limits).
	t.Logf("sharp fibres (≥ 3 px, blur ≤ 0.5 px): hair ΔE00 %.2f", sharpDE)
}
