package measure

import (
	"path/filepath"
	"sort"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/photo"
)

// None of the real card photos shows a scalp. The bar: those that
// show people (a hand holding the card) must not produce a confident scalp
// measurement. The others are logged: a wooden desk and a sand rig are known
// to pass for a scalp (see the README's limits).
func TestRealPhotosOfNoScalpAreNotConfidentScalps(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 20 photos")
	}
	paths, _ := filepath.Glob("../../../shared/data/realcards/images/*")
	if len(paths) == 0 {
		t.Skip("real card photos not available: they live in ../shared/data/realcards beside the repo")
	}
	sort.Strings(paths)
	for _, p := range paths {
		img, _, err := photo.Load(p, photo.Options{})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		res, _, err := Photo(p, img, Options{Uncalibrated: true})
		img.Close()
		if err != nil {
			t.Logf("%-40s refused: %v", filepath.Base(p), err)
			continue
		}
		t.Logf("%-40s confidence %.2f low=%v %v", filepath.Base(p), res.Confidence, res.LowConfidence, res.Warnings)
		if showsPeople[filepath.Base(p)] && !res.LowConfidence {
			t.Errorf("%s: a confident scalp measurement (confidence %.2f) on a photo with no scalp", filepath.Base(p), res.Confidence)
		}
	}
}

// showsPeople lists the real photos whose MANIFEST.md description shows a
// person (hands or fingers in the frame).
var showsPeople = map[string]bool{
	"pedrodiamel__img-colorchecker.jpg": true, // "hand-held by a window ... fingers at left edge"
}
