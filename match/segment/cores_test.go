package segment_test

import (
	"reflect"
	"runtime"
	"testing"

	"github.com/smpmatch/smpmatch/match/scene"
	"github.com/smpmatch/smpmatch/match/segment"
)

// TestMeasureIsTheSameOnAnyNumberOfCores: Measure shares steps and
// per-pixel loops among the cores, each writing only what it owns, so its
// result must not depend on how many there are. Not parallel: it sets
// GOMAXPROCS, which parallel tests wait for.
func TestMeasureIsTheSameOnAnyNumberOfCores(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range []struct {
		name       string
		skin, hair int
		style      scene.Style
		background scene.Background
	}{
		{"light skin, black stubble", 0, 0, scene.Stubble, scene.BackgroundNone},
		{"dark skin, grey hair, distractor", len(skins) - 1, 2, scene.Thinning, scene.BackgroundDistractor},
	} {
		s := baseScene(skins[c.skin].lab, hairs[c.hair].lab, c.style, 7)
		s.Background = c.background
		img, _ := scene.Render(s)
		lab := scene.ToLab(img, s.Camera)
		var results []segment.Result
		for _, procs := range []int{1, 2, 4} {
			runtime.GOMAXPROCS(procs)
			r, err := segment.Measure(lab, segment.Options{})
			if err != nil {
				t.Fatalf("%s, %d cores: %v", c.name, procs, err)
			}
			results = append(results, r)
		}
		for k := 1; k < len(results); k++ {
			if !reflect.DeepEqual(results[0], results[k]) {
				t.Errorf("%s: the result on %d cores differs from that on one (hair %v / %v, confidence %v / %v)",
					c.name, []int{1, 2, 4}[k], results[0].Hair.Lab, results[k].Hair.Lab, results[0].Confidence, results[k].Confidence)
			}
		}
	}
}
