// Command gendemo renders the demo photos shipped in testdata/demo: a
// ColorChecker on a desk and a close-up of a shaved scalp with the card
// held in the frame, both by the same camera under warm indoor light, with
// the truth written beside them. `make demo` runs smpmatch on them.
//
//	go run ./match/scene/gendemo -out testdata/demo
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"github.com/smpmatch/smpmatch/match/scene"
)

func main() {
	out := flag.String("out", "testdata/demo", "output folder")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gendemo:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	cam := synth.Camera{CCT: 3300, WhiteBalance: 0.5, Exposure: 0.85}

	// The card alone, on a cluttered desk, slightly tilted.
	cs := synth.Scene{Width: 1600, Height: 1200, Kind: synth.KindClassic, Border: 0.9, Camera: cam,
		Light: synth.Lighting{Level: 1, Gradient: 0.15, GradientAngle: 0.6}, NoiseSigma: 0.004, JPEGQuality: 92, BlurSigma: 0.5, Seed: 7}
	const pitch = 60.0
	ang := 8 * math.Pi / 180
	for k, c := range card.ChartCorners {
		dx, dy := (c.X-card.ChartWidth/2)*pitch/card.PatchPitch, (c.Y-card.ChartHeight/2)*pitch/card.PatchPitch
		// A mild keystone: the far edge (top) is 6% narrower.
		dx *= 1 - 0.06*(0.5-c.Y/card.ChartHeight)
		cs.Corners[k] = card.Point{X: 800 + dx*math.Cos(ang) - dy*math.Sin(ang), Y: 600 + dx*math.Sin(ang) + dy*math.Cos(ang)}
	}
	cs.Background = synth.Background{Kind: synth.BackgroundPlain, Colour: colour.LabD50{L: 55, A: 6, B: 18}}
	img, _ := synth.Render(cs)
	b, err := synth.Encode(img, "jpeg", 92)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "card.jpg"), b, 0o644); err != nil {
		return err
	}

	// The scalp: medium skin, dark brown stubble, card held in the corner.
	sc := scene.Scene{W: 1600, H: 1200, Skin: colour.LabD50{L: 58, A: 12, B: 19}, Hair: colour.LabD50{L: 24, A: 4, B: 6},
		Style: scene.Stubble, Density: 0.22, StrandWidthPx: 3.5, Camera: cam, Shading: 0.3, Specular: 0.2,
		Background: scene.BackgroundDistractor, Noise: 0.005, JPEGQuality: 92, Blur: 0.6, Seed: 11}
	simg, truth, _ := scene.RenderWithCard(sc, scene.CardPlacement{AngleDeg: -6})
	b, err = synth.Encode(simg, "jpeg", 92)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "scalp.jpg"), b, 0o644); err != nil {
		return err
	}
	t := map[string]any{
		"note":          "rendered by match/scene/gendemo; the colours smpmatch should report",
		"hair_lab":      truth.Hair,
		"scalp_lab":     truth.Skin,
		"hair_fraction": math.Round(truth.HairFraction*1000) / 1000,
	}
	tb, _ := json.MarshalIndent(t, "", "  ")
	return os.WriteFile(filepath.Join(out, "truth.json"), append(tb, '\n'), 0o644)
}
