package measure

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/photo"
)

// TestCardBlurOnSynthScalps compares the blur measured on the card's patch
// edges with the renderer's lens blur σ (8 of the 24 photos).
func TestCardBlurOnSynthScalps(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes photos")
	}
	paths, _ := filepath.Glob("../../../shared/data/synthscalps/[0-9]*.json")
	if len(paths) == 0 {
		t.Skip("../shared/data/synthscalps is not available beside the repo")
	}
	sort.Strings(paths)
	var errs []float64
	for _, p := range paths[:8] {
		var tr synthTruth
		raw, _ := os.ReadFile(p)
		if err := json.Unmarshal(raw, &tr); err != nil {
			t.Fatal(err)
		}
		img, _, err := photo.Load(filepath.Join(filepath.Dir(p), tr.Photo), photo.Options{})
		if err != nil {
			t.Fatal(err)
		}
		r, err := calibrate.Read(p, img, calibrate.ReadOptions{})
		if err != nil {
			img.Close()
			t.Errorf("%s: %v", tr.Photo, err)
			continue
		}
		b, ok := card.EdgeBlur(img, r.Detection)
		img.Close()
		// The renderer's σ is the lens's; the photo adds the pixel's own
		// area (a box of 1 px: variance 1/12).
		want := math.Sqrt(tr.Scene.Pipeline.BlurSigmaPx*tr.Scene.Pipeline.BlurSigmaPx + 1.0/12)
		t.Logf("%s blur σ %.2f px (truth %.2f) ok=%v", tr.Photo, b, want, ok)
		if !ok {
			t.Errorf("%s: no blur measured", tr.Photo)
			continue
		}
		errs = append(errs, b-want)
	}
	for _, e := range errs {
		if e < -0.2 || e > 0.2 {
			t.Errorf("blur off by %.2f px (want within 0.2)", e)
		}
	}
}
