package synth

import (
	"math"
	"math/rand"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// RandomOptions narrows the distribution RandomScene draws from. The zero
// value is the full test distribution: a Classic under any pose, light and
// camera, with clutter, occluders, glare, shadows, decoys and mirroring.
type RandomOptions struct {
	// Width and Height are the image size; 0 means 1600 × 1200.
	Width, Height int
	// Kinds are the kinds the main card is drawn from, uniformly; nil means
	// KindClassic only.
	Kinds []Kind
	// Clean turns off occluders, glare, shadow and decoys, and lowers the
	// exposure if needed so that the white patch does not clip.
	Clean bool
	// Each No… turns off one difficulty.
	NoOccluders, NoGlare, NoShadow, NoDecoys, NoMirror, NoClutter, NoBlur, NoNoise, NoJPEG bool
	// MinPitchPx and MaxPitchPx bound the patch pitch (at the card's centre);
	// 0 means 10 px and the size at which the card fills 90% of the frame.
	MinPitchPx, MaxPitchPx float64
	// MaxTiltDeg bounds the tilt of the card plane away from the camera; 0
	// means 55°. Use a negative value for frontal views only.
	MaxTiltDeg float64
}

// Probabilities and ranges of the random test distribution. They are test
// design choices, set so that every difficulty appears several times in a
// batch of 50 scenes while most scenes stay solvable; the physical ranges
// (CCT, exposure, JPEG quality, tilt) are those the detector must handle.
const (
	defaultWidth, defaultHeight = 1600, 1200
	defaultMinPitchPx           = 10  // the smallest card a detector is asked to find
	maxFill                     = 0.9 // the largest card fills 90% of the frame
	defaultMaxTiltDeg           = 55  // a steep oblique view
	minCCT, maxCCT              = 2700, 6500
	minExposure, maxExposure    = 0.5, 1.1
	minJPEG, maxJPEG            = 70, 95
	pMirror                     = 0.2  // selfies
	pOccluders                  = 0.45 // fingers, tape, leaf
	pGlare                      = 0.2
	pShadow                     = 0.25
	pDecoy                      = 0.35
	pPlainBackground            = 0.15
	pGradientBackground         = 0.15  // the rest is clutter
	maxNoiseSigma               = 0.012 // linear; about 3 sRGB levels on a mid grey
	maxBlurSigma                = 1.2   // px; mild defocus or a soft phone lens
	cleanWhiteMax               = 0.97  // linear ceiling for the white patch in clean scenes
)

// RandomScene draws a scene from the test distribution described by opts.
// The scene is complete and explicit (clutter, pose, light): re-rendering it
// gives the same photo, and a failing case can be saved as JSON.
func RandomScene(rng *rand.Rand, opts RandomOptions) Scene {
	w, h := opts.Width, opts.Height
	if w <= 0 || h <= 0 {
		w, h = defaultWidth, defaultHeight
	}
	s := Scene{Width: w, Height: h, Seed: rng.Int63(), Kind: KindClassic}
	if len(opts.Kinds) > 0 {
		s.Kind = opts.Kinds[rng.Intn(len(opts.Kinds))]
	}
	s.Border = uniform(rng, 0.6, 1.5)
	if rng.Float64() < 0.5 {
		s.CornerRadius = uniform(rng, 0.1, 0.6)
	}

	// Pose.
	maxTilt := opts.MaxTiltDeg
	if maxTilt == 0 {
		maxTilt = defaultMaxTiltDeg
	}
	maxTilt = math.Max(0, maxTilt)
	bodyW, bodyH := card.ChartWidth+2*s.Border, card.ChartHeight+2*s.Border
	minPitch, maxPitch := opts.MinPitchPx, opts.MaxPitchPx
	if minPitch <= 0 {
		minPitch = defaultMinPitchPx
	}
	if maxPitch <= 0 {
		maxPitch = maxFill * math.Min(float64(w)/bodyW, float64(h)/bodyH) * card.PatchPitch
	}
	maxPitch = math.Max(maxPitch, minPitch)
	pitch := math.Exp(uniform(rng, math.Log(minPitch), math.Log(maxPitch)))
	mirror := !opts.NoMirror && rng.Float64() < pMirror
	s.Corners = randomPose(rng, w, h, s.Border, pitch, maxTilt, mirror, nil)

	// Camera and light.
	s.Camera = Camera{
		CCT:          uniform(rng, minCCT, maxCCT),
		WhiteBalance: rng.Float64(),
		Exposure:     uniform(rng, minExposure, maxExposure),
	}
	switch p := rng.Float64(); {
	case p < 0.7:
		s.Camera.Curve = CurveSRGB
	case p < 0.9:
		s.Camera.Curve = CurveLinear
	default:
		s.Camera.Curve = CurveGamma22
	}
	s.Light = Lighting{
		Level:         uniform(rng, 0.85, 1),
		Gradient:      uniform(rng, 0, 0.4),
		GradientAngle: uniform(rng, 0, 2*math.Pi),
		Vignette:      uniform(rng, 0, 0.35),
	}
	if !opts.Clean && !opts.NoShadow && rng.Float64() < pShadow {
		s.Light.Shadow = &Shadow{
			Through:  randomChartPoint(rng),
			Angle:    uniform(rng, 0, 2*math.Pi),
			Level:    uniform(rng, 0.25, 0.6),
			Penumbra: uniform(rng, 0, 0.3),
		}
	}
	if !opts.Clean && !opts.NoGlare && rng.Float64() < pGlare {
		s.Glare = &Glare{Centre: randomChartPoint(rng), Radius: uniform(rng, 0.8, 2.5), Strength: uniform(rng, 0.3, 1.5)}
	}
	if opts.Clean {
		capWhiteExposure(&s)
	}
	if !opts.NoNoise {
		s.NoiseSigma = uniform(rng, 0, maxNoiseSigma)
	}
	if !opts.NoBlur {
		s.BlurSigma = uniform(rng, 0, maxBlurSigma)
	}
	if !opts.NoJPEG {
		s.JPEGQuality = minJPEG + rng.Intn(maxJPEG-minJPEG+1)
	}

	// Background.
	s.Background = Background{Colour: randomSurface(rng), Colour2: randomSurface(rng), Angle: uniform(rng, 0, 2*math.Pi)}
	switch p := rng.Float64(); {
	case opts.NoClutter || p < pPlainBackground:
		s.Background.Kind = BackgroundPlain
	case p < pPlainBackground+pGradientBackground:
		s.Background.Kind = BackgroundGradient
	default:
		s.Background.Kind = BackgroundGradient
		s.Background.Clutter = RandomClutter(rng, w, h, pitch)
	}

	// Occluders and decoys.
	if !opts.Clean && !opts.NoOccluders && rng.Float64() < pOccluders {
		for n := 1 + rng.Intn(3); n > 0; n-- {
			s.Occluders = append(s.Occluders, randomOccluder(rng, s.Border))
		}
	}
	if !opts.Clean && !opts.NoDecoys && rng.Float64() < pDecoy {
		decoyKinds := []Kind{KindSpyderCheckr24, KindPassportCreative, KindRandomTiles}
		d := Decoy{Kind: decoyKinds[rng.Intn(len(decoyKinds))], Border: uniform(rng, 0.6, 1.5)}
		avoid := outlineBox(s.Corners, s.Border)
		dp := math.Exp(uniform(rng, math.Log(minPitch), math.Log(math.Max(minPitch, pitch))))
		for range 30 {
			c := randomPose(rng, w, h, d.Border, dp, math.Min(maxTilt, 30), false, &avoid)
			if c != (card.Corners{}) {
				d.Corners = c
				s.Decoys = append(s.Decoys, d)
				break
			}
		}
	}
	return s
}

func uniform(rng *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }

func randomChartPoint(rng *rand.Rand) card.Point {
	return card.Point{X: uniform(rng, 0, card.ChartWidth), Y: uniform(rng, 0, card.ChartHeight)}
}

// box is an axis-aligned pixel rectangle.
type box struct{ x0, y0, x1, y1 float64 }

func (b box) overlaps(o box, margin float64) bool {
	return b.x0-margin < o.x1 && o.x0-margin < b.x1 && b.y0-margin < o.y1 && o.y0-margin < b.y1
}

// outlineBox is the pixel bounding box of a card's body.
func outlineBox(c card.Corners, border float64) box {
	hom, err := homographyFrom(card.ChartCorners, c)
	if err != nil {
		return box{}
	}
	x0, y0, x1, y1 := pixelBounds(hom, -border, -border, card.ChartWidth+border, card.ChartHeight+border)
	return box{x0, y0, x1, y1}
}

// randomPose places a card with the given body border so that its patch
// pitch at the centre is about pitch pixels, seen by a pinhole camera with
// the card plane rotated in-plane by 0–360° and tilted up to maxTiltDeg,
// entirely inside the frame. With avoid, the body must not overlap it, and the
// zero Corners means no place was found.
func randomPose(rng *rand.Rand, w, h int, border, pitch, maxTiltDeg float64, mirror bool, avoid *box) card.Corners {
	// Focal length from a phone's wide lens (about 75° across) to a short
	// tele (about 35°).
	f := float64(w) * uniform(rng, 0.65, 1.6)
	phi := uniform(rng, 0, 2*math.Pi)
	theta := uniform(rng, 0, maxTiltDeg) * math.Pi / 180
	psi := uniform(rng, 0, 2*math.Pi)
	rot := mul33(axisAngle(math.Cos(psi), math.Sin(psi), 0, theta), axisAngle(0, 0, 1, phi))
	z := f / (pitch / card.PatchPitch)
	body := card.Corners{{X: -border, Y: -border}, {X: card.ChartWidth + border, Y: -border},
		{X: card.ChartWidth + border, Y: card.ChartHeight + border}, {X: -border, Y: card.ChartHeight + border}}
	project := func(p card.Point) card.Point {
		x, y := p.X-card.ChartWidth/2, p.Y-card.ChartHeight/2
		X := rot[0][0]*x + rot[0][1]*y
		Y := rot[1][0]*x + rot[1][1]*y
		Z := rot[2][0]*x + rot[2][1]*y + z
		return card.Point{X: f * X / Z, Y: f * Y / Z}
	}
	var bb box
	for range 20 {
		// Keep the whole body well in front of the camera.
		zmin := math.Inf(1)
		for _, p := range body {
			x, y := p.X-card.ChartWidth/2, p.Y-card.ChartHeight/2
			zmin = math.Min(zmin, rot[2][0]*x+rot[2][1]*y+z)
		}
		if zmin < 0.3*z {
			z *= 1.2
			continue
		}
		bb = box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		for _, p := range body {
			q := project(p)
			bb = box{math.Min(bb.x0, q.X), math.Min(bb.y0, q.Y), math.Max(bb.x1, q.X), math.Max(bb.y1, q.Y)}
		}
		over := math.Max((bb.x1-bb.x0)/(maxFill*float64(w)), (bb.y1-bb.y0)/(maxFill*float64(h)))
		if over <= 1 {
			break
		}
		z *= over * 1.02
	}
	var c card.Corners
	for range 30 {
		dx := uniform(rng, 2-bb.x0, float64(w)-2-bb.x1)
		dy := uniform(rng, 2-bb.y0, float64(h)-2-bb.y1)
		placed := box{bb.x0 + dx, bb.y0 + dy, bb.x1 + dx, bb.y1 + dy}
		if mirror {
			placed = box{float64(w) - placed.x1, placed.y0, float64(w) - placed.x0, placed.y1}
		}
		if avoid != nil && placed.overlaps(*avoid, 8) {
			continue
		}
		for k, p := range card.ChartCorners {
			q := project(p)
			q.X, q.Y = q.X+dx, q.Y+dy
			if mirror {
				q.X = float64(w) - q.X
			}
			c[k] = q
		}
		return c
	}
	return card.Corners{}
}

// axisAngle is the rotation by angle about the unit axis (x, y, z)
// (Rodrigues' formula).
func axisAngle(x, y, z, angle float64) [3][3]float64 {
	c, s := math.Cos(angle), math.Sin(angle)
	t := 1 - c
	return [3][3]float64{
		{t*x*x + c, t*x*y - s*z, t*x*z + s*y},
		{t*x*y + s*z, t*y*y + c, t*y*z - s*x},
		{t*x*z - s*y, t*y*z + s*x, t*z*z + c},
	}
}

func mul33(a, b [3][3]float64) [3][3]float64 {
	var m [3][3]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				m[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return m
}

// capWhiteExposure lowers the exposure until the white patch (19) stays
// below cleanWhiteMax in every channel, so clean scenes never clip.
func capWhiteExposure(s *Scene) {
	hom, err := homographyFrom(card.ChartCorners, s.Corners)
	if err != nil {
		return
	}
	lf := newLightField(s.Light, hom, s.Width, s.Height)
	const white = 18
	p := hom.point(card.PatchCentre(white))
	lin := s.Camera.Linear(card.Reference[white].Lab, lf.at(p.X, p.Y))
	m := math.Max(lin[0], math.Max(lin[1], lin[2]))
	if m > cleanWhiteMax {
		s.Camera.Exposure *= cleanWhiteMax / m
	}
}

// randomSurface is an everyday surface colour: mostly muted, sometimes
// saturated, L* 15–92.
func randomSurface(rng *rand.Rand) colour.LabD50 {
	c := 8.0
	if rng.Float64() < 0.35 {
		c = 55
	}
	return colour.LabD50{L: uniform(rng, 15, 92), A: uniform(rng, -c, c), B: uniform(rng, -c, c*1.2)}
}

// saturatedColour is a strongly coloured surface, like the Classic's
// saturated patches, for distractor squares.
func saturatedColour(rng *rand.Rand) colour.LabD50 {
	hue := uniform(rng, 0, 2*math.Pi)
	ch := uniform(rng, 35, 70)
	return colour.LabD50{L: uniform(rng, 30, 85), A: ch * math.Cos(hue), B: ch * math.Sin(hue)}
}

// RandomClutter draws background clutter for a w × h image: rectangles,
// ellipses and lines of random colours and textures, plus groups of
// distractor coloured squares about pitchPx in size (sticky notes, tiles,
// packaging), the look-alikes a card detector must not take for patches.
func RandomClutter(rng *rand.Rand, w, h int, pitchPx float64) []Shape {
	var out []Shape
	side := float64(min(w, h))
	n := 15 + rng.Intn(50)
	for range n {
		s := Shape{
			Kind:   ShapeKind(rng.Intn(3)),
			Centre: card.Point{X: uniform(rng, -0.1, 1.1) * float64(w), Y: uniform(rng, -0.1, 1.1) * float64(h)},
			Angle:  uniform(rng, 0, math.Pi),
			Colour: randomSurface(rng),
		}
		size := side * math.Exp(uniform(rng, math.Log(0.02), math.Log(0.5)))
		s.Size = card.Point{X: size, Y: size * uniform(rng, 0.2, 1)}
		if s.Kind == ShapeLine {
			s.Size = card.Point{X: size * 2, Y: uniform(rng, 1.5, 0.03*side)}
		}
		if t := rng.Float64(); t < 0.4 {
			s.Texture = TextureNoise
			s.TexturePeriod = uniform(rng, 2, 0.1*side)
			s.TextureContrast = uniform(rng, 0.05, 0.4)
		} else if t < 0.55 {
			s.Texture = TextureStripes
			s.TexturePeriod = uniform(rng, 3, 40)
			s.TextureContrast = uniform(rng, 0.05, 0.3)
		}
		out = append(out, s)
	}
	// Groups of coloured squares with gaps, like a small patch grid.
	for g := rng.Intn(4); g > 0; g-- {
		cols, rows := 1+rng.Intn(3), 1+rng.Intn(3)
		sq := pitchPx * uniform(rng, 0.6, 1.6)
		gap := sq * uniform(rng, 0.05, 0.4)
		ang := uniform(rng, 0, math.Pi)
		c0 := card.Point{X: uniform(rng, 0, float64(w)), Y: uniform(rng, 0, float64(h))}
		ca, sa := math.Cos(ang), math.Sin(ang)
		for r := range rows {
			for c := range cols {
				dx, dy := float64(c)*(sq+gap), float64(r)*(sq+gap)
				out = append(out, Shape{
					Kind:   ShapeRect,
					Centre: card.Point{X: c0.X + dx*ca - dy*sa, Y: c0.Y + dx*sa + dy*ca},
					Size:   card.Point{X: sq, Y: sq},
					Angle:  ang,
					Colour: saturatedColour(rng),
				})
			}
		}
	}
	return out
}

// randomOccluder puts a finger at an edge, tape over a corner or edge, or a
// leaf over some patches, in chart units.
func randomOccluder(rng *rand.Rand, border float64) Occluder {
	W, H := card.ChartWidth, card.ChartHeight
	switch p := rng.Float64(); {
	case p < 0.5: // finger holding the card at an edge
		edge := rng.Intn(4)
		t := rng.Float64()
		depth := uniform(rng, 0.2, 2.5)    // how far past the model outline the tip reaches
		out := border + uniform(rng, 4, 9) // the base runs off towards the hand
		var from, to card.Point
		switch edge {
		case 0:
			from, to = card.Point{X: t * W, Y: -out}, card.Point{X: t * W, Y: depth}
		case 1:
			from, to = card.Point{X: W + out, Y: t * H}, card.Point{X: W - depth, Y: t * H}
		case 2:
			from, to = card.Point{X: t * W, Y: H + out}, card.Point{X: t * W, Y: H - depth}
		default:
			from, to = card.Point{X: -out, Y: t * H}, card.Point{X: depth, Y: t * H}
		}
		skew := uniform(rng, -1.5, 1.5) // fingers rarely come in square to the edge
		if edge%2 == 0 {
			from.X += skew
		} else {
			from.Y += skew
		}
		return Occluder{Kind: OccluderFinger, From: from, To: to, Width: uniform(rng, 1.0, 3.0), Colour: skinTone(rng)}
	case p < 0.8: // tape across a corner
		c := card.ChartCorners[rng.Intn(4)]
		cx, cy := card.ChartWidth/2, card.ChartHeight/2
		dx, dy := c.X-cx, c.Y-cy
		n := math.Hypot(dx, dy)
		// Perpendicular to the diagonal, centred a little inside the corner.
		px, py := -dy/n, dx/n
		in := uniform(rng, -0.5, 1.5)
		mx, my := c.X-dx/n*in, c.Y-dy/n*in
		half := uniform(rng, 2, 3.5)
		return Occluder{Kind: OccluderTape, From: card.Point{X: mx - px*half, Y: my - py*half},
			To: card.Point{X: mx + px*half, Y: my + py*half}, Width: uniform(rng, 1.0, 2.0)}
	default: // a leaf lying on the card
		from := randomChartPoint(rng)
		a := uniform(rng, 0, 2*math.Pi)
		l := uniform(rng, 3, 7)
		return Occluder{Kind: OccluderLeaf, From: from, To: card.Point{X: from.X + l*math.Cos(a), Y: from.Y + l*math.Sin(a)},
			Width: uniform(rng, 1.5, 3)}
	}
}

// skinTone draws a skin colour from light to dark (L* 35–72, hue angle
// 45–70°, chroma 14–28), the range of skin colour surveys.
func skinTone(rng *rand.Rand) colour.LabD50 {
	hue := uniform(rng, 45, 70) * math.Pi / 180
	ch := uniform(rng, 14, 28)
	return colour.LabD50{L: uniform(rng, 35, 72), A: ch * math.Cos(hue), B: ch * math.Sin(hue)}
}
