package synth

// Scenes. A Scene is a complete, explicit description of one synthetic photo:
// nothing in it is drawn at random by Render except the sensor noise, which is
// seeded by Scene.Seed. RandomScene draws scenes from the test distribution;
// tests can also build them by hand.
//
// Two coordinate systems appear in a Scene. Pixel coordinates have their origin
// at the top-left corner of the image, x to the right, y down, and the centre of
// pixel (i, j) at (i+0.5, j+0.5). Chart coordinates are card.ChartCorners' units
// (the mcc model, 16.75 × 11.25); everything attached to the card (occluders,
// glare, the shadow's edge) is given in chart units so that it stays attached to
// the card under any homography.

import (
	"fmt"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// Kind is the face printed on a rendered card.
type Kind int

const (
	// KindClassic is the ColorChecker Classic 24: the real layout and X-Rite's
	// post-2014 reference colours (card.Reference). A detector must find it.
	KindClassic Kind = iota
	// KindSpyderCheckr24 is a Datacolor SpyderCheckr 24 face: 4 × 6 patches
	// of its own colours and order on a slightly different grid (26 mm patches,
	// 5 mm gutters). A detector must reject it.
	KindSpyderCheckr24
	// KindPassportCreative is an approximation of the ColorChecker Passport's
	// "creative enhancement" page: large neutral patches over rows of small
	// warming/cooling and skin patches. A detector must reject it.
	KindPassportCreative
	// KindRandomTiles is the Classic's exact grid filled with random colours:
	// the hardest decoy, it differs from the Classic in colour only. A detector
	// must reject it.
	KindRandomTiles
)

var kindNames = [...]string{"classic", "spydercheckr24", "passport-creative", "random-tiles"}

// String returns the kind's name as used in JSON ("classic", "spydercheckr24",
// "passport-creative", "random-tiles").
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(kindNames) {
		return nil, fmt.Errorf("synth: unknown card kind %d", int(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText reads a kind's name.
func (k *Kind) UnmarshalText(b []byte) error {
	for i, n := range kindNames {
		if string(b) == n {
			*k = Kind(i)
			return nil
		}
	}
	return fmt.Errorf("synth: unknown card kind %q (want one of %v)", b, kindNames)
}

// Scene describes one synthetic photo.
type Scene struct {
	// Width and Height are the image size in pixels.
	Width  int `json:"width"`
	Height int `json:"height"`

	// Corners are where the chart model's corners land, in pixels: corner k is
	// the image of card.ChartCorners[k]. Any arrangement of the four points is
	// allowed, so a mirrored card (a selfie) is a scene whose corners run the
	// other way round.
	Corners card.Corners `json:"corners"`
	// Kind is the face printed on the card.
	Kind Kind `json:"kind"`
	// Border is how far the black card body reaches beyond the model's
	// outline, in chart units (real cards: about 0.6–1.5).
	Border float64 `json:"border"`
	// CornerRadius rounds the body's corners, in chart units (0 = square).
	CornerRadius float64 `json:"corner_radius"`

	// Decoys are further cards elsewhere in the photo (typically other
	// kinds), drawn above the background and below the main card.
	Decoys []Decoy `json:"decoys,omitempty"`

	// Camera maps surface colours to encoded RGB.
	Camera Camera `json:"camera"`
	// Light is the illumination across the image.
	Light Lighting `json:"light"`
	// Glare, if not nil, is a specular highlight on the card.
	Glare *Glare `json:"glare,omitempty"`
	// Background is what lies behind the card.
	Background Background `json:"background"`
	// Occluders lie on top of the card, in the order given.
	Occluders []Occluder `json:"occluders,omitempty"`

	// BlurSigma is the standard deviation of a Gaussian blur (optics, focus),
	// in pixels, applied in linear light. 0 = none.
	BlurSigma float64 `json:"blur_sigma"`
	// NoiseSigma is the standard deviation of Gaussian sensor noise added to
	// each channel in linear units (white = 1), before the tone curve.
	NoiseSigma float64 `json:"noise_sigma"`
	// JPEGQuality, if above 0, round-trips the image through image/jpeg at
	// that quality (1..100).
	JPEGQuality int `json:"jpeg_quality"`
	// Seed seeds the sensor noise. Render is a pure function of the Scene.
	Seed int64 `json:"seed"`
}

// Decoy is an extra card in the scene.
type Decoy struct {
	Kind         Kind         `json:"kind"`
	Corners      card.Corners `json:"corners"` // pixels, as Scene.Corners
	Border       float64      `json:"border"`
	CornerRadius float64      `json:"corner_radius"`
}

// Lighting is the light falling on the scene, relative to the light the
// camera's exposure was set for.
type Lighting struct {
	// Level is the global light level (0 means 1).
	Level float64 `json:"level"`
	// Gradient is a linear change of light across the image: the light is
	// Level·(1 ± Gradient/2) at the two ends of the image diagonal that points
	// along GradientAngle (radians, image x axis = 0, towards +y positive).
	Gradient      float64 `json:"gradient"`
	GradientAngle float64 `json:"gradient_angle"`
	// Vignette is the relative fall-off at the image corners (0 = none, 0.4 =
	// the corners get 60% of the centre's light), following the cos⁴ law's
	// shape 1/(1+k·r²)².
	Vignette float64 `json:"vignette"`
	// Shadow, if not nil, is a hard shadow across part of the scene.
	Shadow *Shadow `json:"shadow,omitempty"`
}

// Shadow is a hard-edged shadow, as cast by a wall or a person standing beside
// the card. Its edge is a straight line given in chart units (the line through
// Through at angle Angle radians from the chart's x axis); everything on the
// left of the line's direction (chart y decreasing for Angle = 0) is shadowed,
// across the whole image.
type Shadow struct {
	Through card.Point `json:"through"`
	Angle   float64    `json:"angle"`
	// Level is the fraction of the light that still reaches the shadow
	// (skylight): 0.2–0.6 outdoors.
	Level float64 `json:"level"`
	// Penumbra is the width of the soft edge in chart units (0 = the
	// sharpest edge the renderer draws, about one pixel).
	Penumbra float64 `json:"penumbra"`
}

// Glare is a specular highlight: light reflected off the card's surface
// without colour, added on top of the card (not the background or occluders).
type Glare struct {
	// Centre and Radius (the Gaussian's sigma) are in chart units.
	Centre card.Point `json:"centre"`
	Radius float64    `json:"radius"`
	// Strength is the highlight's peak in linear units of the camera's white
	// (1 = as bright again as a perfect white under the same light).
	Strength float64 `json:"strength"`
}

// BackgroundKind says how the background is filled before the clutter.
type BackgroundKind int

const (
	// BackgroundPlain is one colour.
	BackgroundPlain BackgroundKind = iota
	// BackgroundGradient runs linearly from Colour to Colour2 along Angle.
	BackgroundGradient
)

// Background is what lies behind the cards.
type Background struct {
	Kind    BackgroundKind `json:"kind"`
	Colour  colour.LabD50  `json:"colour"`
	Colour2 colour.LabD50  `json:"colour2"`
	Angle   float64        `json:"angle"` // radians
	// Clutter is drawn over the fill, in order.
	Clutter []Shape `json:"clutter,omitempty"`
}

// ShapeKind is the outline of a clutter shape.
type ShapeKind int

const (
	// ShapeRect is a rotated rectangle of Size.
	ShapeRect ShapeKind = iota
	// ShapeEllipse is a rotated ellipse with axes Size.
	ShapeEllipse
	// ShapeLine is a thick segment of length Size.X and width Size.Y with
	// round ends.
	ShapeLine
)

// Texture modulates a shape's colour.
type Texture int

const (
	// TextureNone is a flat colour.
	TextureNone Texture = iota
	// TextureNoise is smooth value noise (fabric, paper, skin, plaster).
	TextureNoise
	// TextureStripes is a sine grating along the shape's axis (wood grain,
	// woven fabric, blinds).
	TextureStripes
)

// Shape is a piece of background clutter, in pixels.
type Shape struct {
	Kind   ShapeKind     `json:"kind"`
	Centre card.Point    `json:"centre"`
	Size   card.Point    `json:"size"`
	Angle  float64       `json:"angle"` // radians
	Colour colour.LabD50 `json:"colour"`
	// Texture, TexturePeriod (pixels) and TextureContrast (relative change
	// of the linear colour, 0..1) describe the surface's pattern.
	Texture         Texture `json:"texture"`
	TexturePeriod   float64 `json:"texture_period"`
	TextureContrast float64 `json:"texture_contrast"`
}

// OccluderKind is what covers part of the card.
type OccluderKind int

const (
	// OccluderFinger is a skin-coloured, round-ended cylinder from From (its
	// base, usually outside the card) to To (the fingertip).
	OccluderFinger OccluderKind = iota
	// OccluderTape is a translucent strip of tape along From–To.
	OccluderTape
	// OccluderLeaf is a pointed leaf from From (stalk) to To (tip) with a
	// lighter midrib.
	OccluderLeaf
)

// Occluder covers part of the card. Its geometry is in chart units.
type Occluder struct {
	Kind OccluderKind `json:"kind"`
	From card.Point   `json:"from"`
	To   card.Point   `json:"to"`
	// Width is the finger's diameter, the tape's width or the leaf's widest
	// breadth, in chart units.
	Width float64 `json:"width"`
	// Colour overrides the kind's default colour when its L* is above 0.
	Colour colour.LabD50 `json:"colour"`
	// Opacity is the tape's opacity (0 means the default, 0.85); fingers
	// and leaves are opaque.
	Opacity float64 `json:"opacity"`
}

// EncodedRGB is a colour as the camera records it: after white balance,
// exposure, light and tone curve, on a 0..1 scale (multiply by 255 for
// 8-bit).
type EncodedRGB struct {
	R float64 `json:"r"`
	G float64 `json:"g"`
	B float64 `json:"b"`
}

// Truth is what a perfect detector would report for a rendered scene.
type Truth struct {
	Kind Kind `json:"kind"`
	// Corners are the chart model's corners in pixels, in the same order as
	// Scene.Corners.
	Corners card.Corners `json:"corners"`
	// Mirrored reports that the card is seen mirrored (its corners run
	// anticlockwise on screen).
	Mirrored bool `json:"mirrored"`
	// PatchCentres are the images of card.PatchCentre(i), in pixels. For
	// decoys these are still the Classic's grid positions.
	PatchCentres [card.NumPatches]card.Point `json:"patch_centres"`
	// PatchPitchPx is the mean distance between the centres of neighbouring
	// patches, in pixels.
	PatchPitchPx float64 `json:"patch_pitch_px"`
	// Patches holds what the card shows at each of the Classic's grid
	// positions.
	Patches [card.NumPatches]PatchTruth `json:"patches"`
	// Decoys are the scene's decoy cards.
	Decoys []Decoy `json:"decoys,omitempty"`
}

// PatchTruth is the truth about one patch position.
type PatchTruth struct {
	// Lab is the printed colour at the patch centre: card.Reference for the
	// Classic, the decoy's own colour otherwise.
	Lab colour.LabD50 `json:"lab_d50"`
	// Light is the relative light at the patch centre (global level,
	// gradient, vignetting and shadow).
	Light float64 `json:"light"`
	// RGB is the noise-free, blur-free encoded colour the camera records at
	// the patch centre under Light, without glare or occluders.
	RGB EncodedRGB `json:"rgb"`
	// Occluded: an occluder covers some of the patch's central 80% square.
	Occluded bool `json:"occluded"`
	// Glared: glare adds more than 1% of white somewhere in that square.
	Glared bool `json:"glared"`
	// Shadowed: the shadow's edge or umbra reaches into that square.
	Shadowed bool `json:"shadowed"`
}
