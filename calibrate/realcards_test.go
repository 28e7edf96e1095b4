package calibrate

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/photo"
)

const sharedRealCards = "../../shared/data/realcards"

func realPhotos(t testing.TB) []string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(sharedRealCards, "images", "*"))
	if len(paths) == 0 {
		t.Skipf("real card photos not available in %s (they live in ../shared beside the repo)", sharedRealCards)
	}
	sort.Strings(paths)
	return paths
}

// The bar: cross-validated mean ΔE2000 over the real photos must be
// lower than a plain 3×3 least-squares fit on the same patches.
func TestCrossValidatedErrorBeatsPlain3x3OnRealPhotos(t *testing.T) {
	var ours, plain []float64
	for _, p := range realPhotos(t) {
		img, _, err := photo.Load(p, photo.Options{})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		r, err := Read(p, img, ReadOptions{})
		img.Close()
		if err != nil {
			t.Logf("%-40s %v", filepath.Base(p), err)
			continue
		}
		s, err := Fit([]Reading{r})
		if err != nil {
			t.Logf("%-40s fit: %v", filepath.Base(p), err)
			continue
		}
		// Every profile fitted to a real card passes the loader's check.
		if err := s.Profile.Validate(); err != nil {
			t.Errorf("%s: the fitted profile is refused by the loader: %v", filepath.Base(p), err)
		}
		f := s.Results[0].Fit
		t.Logf("%-40s %-15s %-6s used %2d  in-sample %.2f  LOO %.2f (max %.2f)  plain 3x3 LOO %.2f",
			filepath.Base(p), s.Profile.Model.Kind, s.Profile.Encoding, f.UsedPatches, f.MeanDE00, f.LooMeanDE00, f.LooMaxDE00, f.BaselineLooMeanDE00)
		ours = append(ours, f.LooMeanDE00)
		plain = append(plain, f.BaselineLooMeanDE00)
	}
	mo, mp := mean(ours), mean(plain)
	t.Logf("mean over %d photos: ours LOO %.2f, plain 3x3 LOO %.2f (ratio %.2f)", len(ours), mo, mp, mo/mp)
	if len(ours) < 18 {
		t.Errorf("calibrated only %d photos", len(ours))
	}
	if !(mo < mp) {
		t.Errorf("our cross-validated error %.2f is not below the plain 3x3's %.2f", mo, mp)
	}
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

var _ = os.Getenv
