package measure

import (
	"testing"

	"gocv.io/x/gocv"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"github.com/smpmatch/smpmatch/match/scene"
)

// maxCardLitScalpDE bounds the scalp's error when the card lies amid the
// scalp under the lens's and the room's light. Measured: 0.25–0.99 ΔE00;
// read at the region's median light instead, vignetting of 0.4 at the
// corners read the scalp 3.2–5.1 L* dark (2.75–4.14 ΔE00).
const maxCardLitScalpDE = 1.5

// The correction reads true a surface lit as the card is: with the card
// lying amid the scalp, the light between them (vignetting, a gradient
// across the frame) must drop out of the scalp's colour.
func TestColoursAreReportedAsLitAtTheCard(t *testing.T) {
	if testing.Short() {
		t.Skip("renders photos")
	}
	for _, c := range []struct {
		name string
		room synth.Lighting
	}{
		{"even light", synth.Lighting{}},
		{"vignetting 0.4", synth.Lighting{Vignette: 0.4}},
		// Twice the independent renderer's strongest gradient (0.14). At
		// 0.5 the first pass finds no skin end on the dark skin's lit
		// side, and the colours are rightly read at the region's light.
		{"gradient 0.3", synth.Lighting{Gradient: 0.3, GradientAngle: 0.6}},
		{"vignetting 0.3 and gradient 0.4", synth.Lighting{Vignette: 0.3, Gradient: 0.4, GradientAngle: 2.5}},
	} {
		for _, skin := range []string{"light", "dark"} {
			// A flat scalp filling the frame (no dome: its light is the
			// room's), the card a little below the frame's centre.
			s := scene.Scene{W: 1280, H: 960, Skin: skins[skin], Hair: hairs["brown"], Style: scene.Stubble,
				Camera: roomCamera, Room: c.room, Noise: 0.006, JPEGQuality: 90, Blur: 0.6, Seed: 7}
			img, truth, _ := scene.RenderWithCard(s, scene.CardPlacement{Centre: card.Point{X: 640, Y: 520}})
			m, err := gocv.ImageToMatRGB(img)
			if err != nil {
				t.Fatal(err)
			}
			res, _, err := Photo("synthetic", m, Options{Source: sceneSource(s)})
			m.Close()
			if err != nil || !res.OK {
				t.Fatalf("%s, %s skin: %v", c.name, skin, err)
			}
			de := colour.DeltaE00(res.Scalp.Lab, truth.Skin)
			t.Logf("%-32s %-5s skin: scalp ΔE00 %.2f (ΔL* %+.1f), hair ΔE00 %.2f, lit at %s", c.name, skin, de,
				res.Scalp.Lab.L-truth.Skin.L, colour.DeltaE00(res.Hair.Lab, truth.Hair), res.LitAt)
			if res.LitAt != "card" {
				t.Errorf("%s, %s skin: colours lit at %q, want \"card\" (the card lies amid the scalp)", c.name, skin, res.LitAt)
			}
			if de > maxCardLitScalpDE {
				t.Errorf("%s, %s skin: scalp %.2f ΔE00 from the truth (ΔL* %+.1f), more than %.1f", c.name, skin, de, res.Scalp.Lab.L-truth.Skin.L, maxCardLitScalpDE)
			}
		}
	}
}

// A card held beside the head has no skin around it: the light there would
// be the fit carried beyond its data, so the colours stay at the region's
// median light.
func TestColoursBesideTheHeadAreLitAsTheRegion(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a photo")
	}
	s := scene.Scene{W: 1280, H: 960, Skin: skins["light"], Hair: hairs["brown"], Style: scene.Stubble,
		Background: scene.BackgroundDistractor, Camera: roomCamera, Shading: 0.3, Noise: 0.006, JPEGQuality: 90, Blur: 0.6, Seed: 7}
	img, _, _ := scene.RenderWithCard(s, scene.CardPlacement{})
	m, err := gocv.ImageToMatRGB(img)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	res, _, err := Photo("synthetic", m, Options{Source: sceneSource(s)})
	if err != nil || !res.OK {
		t.Fatal(err)
	}
	if res.LitAt != "region" {
		t.Errorf("colours lit at %q, want \"region\" (the card lies beside the head)", res.LitAt)
	}
}
