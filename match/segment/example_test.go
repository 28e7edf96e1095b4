package segment_test

import (
	"fmt"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/scene"
	"github.com/smpmatch/smpmatch/match/segment"
)

// Measure a synthetic close-up of black stubble on light scalp skin. A real
// caller builds the LabImage from the colour-corrected photo instead.
func ExampleMeasure() {
	s := scene.Scene{
		W: 480, H: 360,
		Skin: colour.LabD50{L: 68, A: 11, B: 15}, Hair: colour.LabD50{L: 19, A: 1, B: 1.5},
		Style: scene.Stubble, Density: 0.2, Camera: srgbCamera, Noise: 0.005, Seed: 1,
	}
	img, _ := scene.Render(s)
	res, err := segment.Measure(scene.ToLab(img, s.Camera), segment.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("scalp: %s skin, hair: %s, contrast ratio > 5: %v, low confidence: %v\n",
		res.Scalp.ITACategory, res.Hair.Kind, res.Contrast.Ratio > 5, res.LowConfidence)
	// Output: scalp: light skin, hair: dark, contrast ratio > 5: true, low confidence: false
}

// Overlay draws the masks of a result over the photo for a visual check.
func ExampleOverlay() {
	s := scene.Scene{W: 240, H: 180, Skin: colour.LabD50{L: 55, A: 13, B: 20},
		Hair: colour.LabD50{L: 23, A: 4, B: 5}, Camera: srgbCamera, Seed: 2}
	img, _ := scene.Render(s)
	res, _ := segment.Measure(scene.ToLab(img, s.Camera), segment.Options{})
	pic := segment.Overlay(img, res)
	fmt.Println(pic.Bounds().Dx(), pic.Bounds().Dy())
	// Output: 240 180
}

// Keep the card out of the measurement and restrict it to a rectangle.
func ExampleOptions() {
	card := segment.Polygon{{10, 10}, {110, 12}, {108, 80}, {8, 78}}
	opts := segment.Options{Exclude: []segment.Polygon{card}}
	fmt.Println(len(opts.Exclude[0]))
	// Output: 4
}
