package scene

import (
	"image"
	"math"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/synth"
)

// CardPlacement says where a ColorChecker is held in a scalp photo.
type CardPlacement struct {
	// PitchPx is the patch pitch in pixels (default: a tenth of the image's
	// short side divided by 4, so the card spans about a third of it).
	PitchPx float64
	// AngleDeg rotates the card in the image plane.
	AngleDeg float64
	// Centre is the card's centre in pixels (default: the lower right
	// corner region, clear of the head's top).
	Centre card.Point
}

// RenderWithCard renders the scene and a ColorChecker Classic seen by the
// same camera, as a practitioner photographs a scalp with the card held in
// the frame. It returns the photo (JPEG round trip at s.JPEGQuality, done
// once for scalp and card together), the scalp truth and the card truth.
func RenderWithCard(s Scene, p CardPlacement) (*image.NRGBA, Truth, synth.Truth) {
	jq := s.JPEGQuality
	s.JPEGQuality = 0
	img, truth := Render(s)
	w, h := float64(img.Bounds().Dx()), float64(img.Bounds().Dy())
	if p.PitchPx <= 0 {
		p.PitchPx = math.Min(w, h) / 3 / (card.ChartWidth / card.PatchPitch)
	}
	if p.Centre == (card.Point{}) {
		p.Centre = card.Point{X: w - 0.62*p.PitchPx*card.ChartWidth/card.PatchPitch, Y: h - 0.55*p.PitchPx*card.ChartHeight/card.PatchPitch}
	}
	scale := p.PitchPx / card.PatchPitch
	sin, cos := math.Sincos(p.AngleDeg * math.Pi / 180)
	var cs card.Corners
	for k, c := range card.ChartCorners {
		dx, dy := (c.X-card.ChartWidth/2)*scale, (c.Y-card.ChartHeight/2)*scale
		cs[k] = card.Point{X: p.Centre.X + dx*cos - dy*sin, Y: p.Centre.Y + dx*sin + dy*cos}
	}
	cs2 := synth.Scene{Corners: cs, Kind: synth.KindClassic, Border: 0.8, Camera: s.Camera,
		Light: synth.Lighting{Level: 1, Gradient: s.Room.Gradient, GradientAngle: s.Room.GradientAngle, Vignette: s.Room.Vignette}, NoiseSigma: s.Noise, Seed: int64(s.Seed)}
	ct := synth.DrawCard(img, cs2)
	if jq > 0 {
		img = jpegRoundTrip(img, jq)
	}
	// The card covers part of the photo: keep it out of the scalp truth.
	return img, truth, ct
}
