package synth_test

import (
	"fmt"
	"math/rand"

	"github.com/smpmatch/smpmatch/calibrate/synth"
)

// A detector test draws scenes, renders them and compares what the detector
// finds with the truth.
func ExampleRender() {
	rng := rand.New(rand.NewSource(1))
	for range 3 {
		s := synth.RandomScene(rng, synth.RandomOptions{Width: 640, Height: 480, NoDecoys: true})
		img, truth := synth.Render(s)
		// found, err := card.Detect(img) … compare found corners with
		// truth.Corners, tolerating a fraction of truth.PatchPitchPx.
		fmt.Println(img.Bounds().Dx(), img.Bounds().Dy(), truth.Kind, len(truth.Patches), truth.PatchPitchPx >= 9)
	}
	// Output:
	// 640 480 classic 24 true
	// 640 480 classic 24 true
	// 640 480 classic 24 true
}
