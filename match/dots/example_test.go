package dots_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"github.com/smpmatch/smpmatch/match/dots"
	"github.com/smpmatch/smpmatch/match/scene"
)

// Measure the healed dots of a follow-up photo with a ColorChecker
// Passport in frame: the card corrects the colours and gives the scale.
func ExampleMeasurePhoto() {
	f := scene.DotField{W: 1100, H: 800, Skin: colour.LabD50{L: 64, A: 12, B: 16}, Dot: colour.LabD50{L: 34, A: 0, B: -4},
		PxPerMM: 8, DiameterMM: 0.9, SpacingMM: 1.6, Blur: 0.6, Noise: 0.01, Camera: synth.Camera{CCT: 6500, WhiteBalance: 1}, Seed: 1}
	img, _, _ := scene.RenderDotsWithCard(f, dots.PassportPatchMM, scene.CardPlacement{AngleDeg: 4})
	dir, _ := os.MkdirTemp("", "dots")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "followup.png")
	b, _ := synth.Encode(img, "png", 0)
	_ = os.WriteFile(path, b, 0o644)

	res, _, err := dots.MeasurePhoto(path, dots.Options{CardSize: "passport"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Correction, res.Scale.CardAssumed)
	fmt.Printf("dots within 2 ΔE00 of the rendered colour: %v, diameter %.1f mm\n", colour.DeltaE00(res.Dots.Lab, f.Dot) < 2, *res.Dots.DiameterMM)
	// Output:
	// card passport
	// dots within 2 ΔE00 of the rendered colour: true, diameter 0.9 mm
}
