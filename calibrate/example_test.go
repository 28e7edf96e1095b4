package calibrate_test

import (
	"errors"
	"fmt"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"gocv.io/x/gocv"
)

// A card photographed over-exposed keeps 11 of its 24 patches below the
// sensor's limit: too few for a session profile, enough to calibrate the
// photo the card lies in, with the error its own cross-validation gives.
func ExampleFitWith() {
	// The robustness tests' well-lit card (baseScene), exposed 2.5×.
	img, _ := synth.Render(scene(func(s *synth.Scene) { s.Camera.Exposure = 2.5 }))
	m, err := gocv.ImageToMatRGB(img)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	r, err := calibrate.Read("card.jpg", m, calibrate.ReadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = calibrate.Fit([]calibrate.Reading{r})
	fmt.Println("session profile refused:", errors.Is(err, calibrate.ErrTooFewPatches))
	s, err := calibrate.FitWith([]calibrate.Reading{r}, calibrate.FitOptions{MinUsedPatches: calibrate.MinPatchesInFrame})
	if err != nil {
		fmt.Println(err)
		return
	}
	f := s.Results[0].Fit
	fmt.Printf("in-frame fit on %d patches, cross-validated mean ΔE00 below 1.5: %v\n", f.UsedPatches, f.LooMeanDE00 < 1.5)
	// Output:
	// session profile refused: true
	// in-frame fit on 11 patches, cross-validated mean ΔE00 below 1.5: true
}
