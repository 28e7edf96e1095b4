// Package scene renders synthetic scalp photos whose truth is known: scalp
// skin and hair strands of chosen L*a*b* D50 colours, with the head's
// shading, oily highlights, lens blur, sensor noise and JPEG, optionally in
// front of a distracting background (wall, clothing, a hand). It also renders
// things that are not scalps (a hand, a face, a wall) so that tests can check
// that they are not measured with confidence.
//
// Colour path, shared with the card renderer of calibrate/synth: surface
// L*a*b* → synth.Camera.Linear (illuminant, camera matrix, white balance,
// exposure, light) → coverage mixing and lens blur in linear light → sensor
// noise → synth.Camera.Encode → 8-bit → optional JPEG. Because hair and skin
// are mixed in linear light, a pixel at a strand's edge is the physically
// right blend, lighter than the fibre for dark hair.
//
// ToLab undoes the camera model exactly (the correction a perfect card fit
// would give), so that the segmentation core can be tested without a card.
package scene

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"unsafe"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"gocv.io/x/gocv"
)

// Style is how the hair grows in a scalp scene.
type Style int

const (
	// Stubble is a shaved scalp: dense short dark dots, each a few strand
	// widths long.
	Stubble Style = iota
	// Thinning is long hair lying over visible scalp: long gently curved
	// strands.
	Thinning
	// Diffuse is diffuse thinning: medium-length thinner strands in all
	// directions.
	Diffuse
)

func (s Style) String() string {
	switch s {
	case Stubble:
		return "stubble"
	case Thinning:
		return "thinning"
	case Diffuse:
		return "diffuse"
	}
	return "unknown"
}

// Background is what surrounds the head.
type Background int

const (
	// BackgroundNone: a close-up, the scalp fills the frame.
	BackgroundNone Background = iota
	// BackgroundDistractor: the head in front of a wall, with clothing at
	// the bottom and a hand (skin of another tone, no hair) at the side, and
	// a deep shadow at the head's rim.
	BackgroundDistractor
)

// Subject is what the photo shows.
type Subject int

const (
	// SubjectScalp is a scalp with hair (the default).
	SubjectScalp Subject = iota
	// SubjectHand is the back of a hand filling the frame: skin, creases, no
	// hair.
	SubjectHand
	// SubjectFace is a face filling the frame: skin, eyebrows, eyes, lips.
	SubjectFace
	// SubjectWall is a painted beige wall with a faint texture.
	SubjectWall
)

// Scene describes one synthetic photo. Zero fields take the defaults noted.
type Scene struct {
	// W, H are the image size in pixels (default 640 × 480).
	W, H int
	// Skin and Hair are the true surface colours.
	Skin, Hair colour.LabD50
	// Subject is what is photographed (default SubjectScalp).
	Subject Subject
	// Style is the hair pattern (default Stubble).
	Style Style
	// Density is the fraction of the scalp covered by hair before blur,
	// 0..1 (default 0.2). Overlapping strands make the true coverage a
	// little lower; Truth reports the rendered one.
	Density float64
	// StrandWidthPx is the hair fibre width in pixels (default 3).
	StrandWidthPx float64
	// Camera is the camera model; see synth.Camera.
	Camera synth.Camera
	// Shading is the light falloff of the curved head: the light at the
	// edge of the scalp is 1 − Shading of the light at its top (0 = flat).
	Shading float64
	// Room is the light of the room and the lens over the whole frame,
	// card included (RenderWithCard): a gradient across the frame and
	// vignetting towards its corners (synth.Lighting's Gradient,
	// GradientAngle and Vignette; Level and Shadow are not used). The
	// truth is the surfaces' colour; the card is lit as the frame is
	// where it lies. Zero: even light.
	Room synth.Lighting
	// Specular is the strength of oily highlights, 0..1 (0 = none).
	Specular float64
	// Background is what surrounds the head.
	Background Background
	// Noise is the sensor noise: standard deviation in linear units at full
	// white, with a shot-noise (√signal) and a read-noise part.
	Noise float64
	// JPEGQuality, if > 0, round-trips the picture through JPEG at that
	// quality (Go's encoder: 4:2:0 chroma subsampling, as phones do).
	JPEGQuality int
	// Blur is the lens blur: Gaussian sigma in pixels (0 = sharp).
	Blur float64
	// HairShine is the strength of highlights along the fibres (light
	// reflected by the cuticle), 0..1 of the light's white at their peak
	// (0 = matte hair). They are not part of the hair's truth colour.
	HairShine float64
	// PartingShare is a parting: a vertical strip of this share of the
	// frame's width through its middle where no hair lies (0 = none).
	// With a dense Density the skin then shows in the parting only.
	PartingShare float64
	// Scar adds a hairless scar across the scalp: a band lighter and pinker
	// than the skin (not part of the truth's skin colour).
	Scar bool
	// Seed makes the random layout and noise reproducible.
	Seed uint64
}

// Truth is what a perfect measurement of a rendered scene would report.
type Truth struct {
	// Skin and Hair are the surface colours (the scene's, repeated).
	Skin, Hair colour.LabD50
	// HairFraction is the mean hair coverage over the head (scalp region),
	// 0..1; 0 for subjects other than SubjectScalp.
	HairFraction float64
	// HairMask is the hair coverage per pixel, 0..255, before blur.
	HairMask *image.Gray
	// ScalpMask is 255 on the head (skin and hair), 0 elsewhere.
	ScalpMask *image.Gray
}

// Colours of the distractors; chosen as typical, not measured.
var (
	wallLab     = colour.LabD50{L: 80, A: -1, B: 3}  // off-white painted wall
	beigeLab    = colour.LabD50{L: 76, A: 4, B: 15}  // beige wall, skin-like hue
	clothingLab = colour.LabD50{L: 32, A: 4, B: -28} // blue shirt
	handLab     = colour.LabD50{L: 60, A: 16, B: 19} // a hand, redder than scalp
	lipsLab     = colour.LabD50{L: 48, A: 30, B: 14} // lips
	eyeDarkLab  = colour.LabD50{L: 22, A: 2, B: 4}   // iris and lashes
	scleraLab   = colour.LabD50{L: 86, A: 1, B: 4}   // white of the eye
	creaseScale = 0.82                               // light in a skin crease
	// scarShift is how a scar differs from the skin around it: lighter,
	// pinker, less yellow (typical of mature scars; not measured).
	scarShift = colour.LabD50{L: 9, A: 4, B: -5}
	// shinePeriodPx is the spacing of highlights along a shiny fibre.
	shinePeriodPx = 60.0
)

func (s Scene) withDefaults() Scene {
	if s.W <= 0 || s.H <= 0 {
		s.W, s.H = 640, 480
	}
	if s.Density <= 0 {
		s.Density = 0.2
	}
	if s.StrandWidthPx <= 0 {
		s.StrandWidthPx = 3
	}
	return s
}

type canvas struct {
	w, h  int
	lin   []float64 // linear camera RGB, 3 per pixel
	alpha []float32 // hair coverage
	scar  []float32 // scar coverage
	hoff  []float32 // per-strand brightness factor − 1
	gloss []float32 // highlight on the fibre, share of white
	head  []bool
	light []float64
}

// Render draws the scene and returns the 8-bit picture and its truth.
func Render(sc Scene) (*image.NRGBA, Truth) {
	s := sc.withDefaults()
	rng := rand.New(rand.NewPCG(s.Seed, s.Seed^0x9e3779b97f4a7c15))
	w, h := s.W, s.H
	c := &canvas{w: w, h: h, lin: make([]float64, 3*w*h), alpha: make([]float32, w*h), scar: make([]float32, w*h),
		hoff: make([]float32, w*h), gloss: make([]float32, w*h), head: make([]bool, w*h), light: make([]float64, w*h)}
	cam := s.Camera
	lin := func(lab colour.LabD50) [3]float64 { return cam.Linear(lab, 1) }

	// Where the head is and how it is lit: a dome lit from above the
	// frame's centre, darkening towards its rim.
	fw, fh := float64(w), float64(h)
	cx, cy := 0.5*fw, 0.42*fh
	rx, ry := 0.75*math.Hypot(fw, fh)/2, 0.75*math.Hypot(fw, fh)/2
	distractor := s.Background == BackgroundDistractor && s.Subject == SubjectScalp
	if distractor {
		cx, cy, rx, ry = 0.5*fw, 0.45*fh, 0.34*fw, 0.40*fh
	}
	lx, ly := cx, cy-0.25*ry // light centre: towards the top of the head
	roomLight := s.Room
	roomLight.Level, roomLight.Shadow = 1, nil
	roomAt := roomLight.Room(w, h)
	room := func(x, y int) float64 { return roomAt(float64(x)+0.5, float64(y)+0.5) }
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			dx, dy := (float64(x)+0.5-cx)/rx, (float64(y)+0.5-cy)/ry
			r := math.Hypot(dx, dy)
			if distractor && r > 1 {
				continue
			}
			c.head[i] = true
			ldx, ldy := (float64(x)+0.5-lx)/rx, (float64(y)+0.5-ly)/ry
			r2 := math.Min(1, (ldx*ldx+ldy*ldy)/1.5)
			l := 1 - s.Shading*r2
			if distractor && r > 0.85 { // the rim turns away: deep shadow
				l *= 1 - 0.7*smooth((r-0.85)/0.15)
			}
			c.light[i] = l * room(x, y)
		}
	}

	skinLin := lin(s.Skin)
	switch s.Subject {
	case SubjectScalp:
		c.drawHair(s, rng)
		if s.Scar {
			c.drawScar(rng)
		}
	case SubjectFace:
		c.drawFace(s, rng)
	}
	mot := newMottle(rng, fw, fh)
	hairLin := lin(s.Hair)
	whiteLin := lin(colour.LabD50{L: 100})
	scarLin := lin(colour.LabD50{L: s.Skin.L + scarShift.L, A: s.Skin.A + scarShift.A, B: s.Skin.B + scarShift.B})
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			var px [3]float64
			if c.head[i] {
				m := mot.at(x, y)
				a := float64(c.alpha[i])
				for k := 0; k < 3; k++ {
					base := skinLin[k]*(1-float64(c.scar[i])) + scarLin[k]*float64(c.scar[i])
					sk := base * (1 + 0.035*m[0] + 0.015*m[k+1])
					px[k] = c.light[i] * ((1-a)*sk + a*(hairLin[k]*(1+float64(c.hoff[i]))+float64(c.gloss[i])*whiteLin[k]))
				}
			} else {
				px = c.background(s, x, y, lin)
				for k, l := 0, room(x, y); k < 3; k++ {
					px[k] *= l
				}
			}
			copy(c.lin[3*i:3*i+3], px[:])
		}
	}
	switch s.Subject {
	case SubjectHand:
		c.drawHand(s, rng, lin)
	case SubjectFace:
		c.drawFaceFeatures(s, lin)
	case SubjectWall:
		c.fill(func(x, y int) [3]float64 {
			m := mot.at(x, y)
			b := lin(beigeLab)
			l := 1 - 0.5*s.Shading*float64(x)/fw
			return [3]float64{b[0] * l * (1 + 0.01*m[0]), b[1] * l * (1 + 0.01*m[0]), b[2] * l * (1 + 0.01*m[0])}
		})
	}
	if s.Specular > 0 && s.Subject != SubjectWall {
		c.drawSpecular(s, rng, lin(colour.LabD50{L: 100}))
	}
	if s.Blur > 0 {
		gaussBlur(c.lin, w, h, s.Blur)
	}

	enc := newEncoder(cam)
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		var v [3]float64
		for k := 0; k < 3; k++ {
			x := c.lin[3*i+k]
			if s.Noise > 0 {
				sd := s.Noise * math.Sqrt(math.Max(x, 0)+0.02)
				x += sd * rng.NormFloat64()
			}
			v[k] = x
		}
		img.Pix[4*i] = enc.q8(v[0])
		img.Pix[4*i+1] = enc.q8(v[1])
		img.Pix[4*i+2] = enc.q8(v[2])
		img.Pix[4*i+3] = 255
	}
	if s.JPEGQuality > 0 {
		img = jpegRoundTrip(img, s.JPEGQuality)
	}

	t := Truth{Skin: s.Skin, Hair: s.Hair,
		HairMask:  image.NewGray(image.Rect(0, 0, w, h)),
		ScalpMask: image.NewGray(image.Rect(0, 0, w, h))}
	var sum float64
	var n int
	for i := 0; i < w*h; i++ {
		t.HairMask.Pix[i] = uint8(math.Round(255 * float64(c.alpha[i])))
		if c.head[i] && s.Subject == SubjectScalp {
			t.ScalpMask.Pix[i] = 255
			sum += float64(c.alpha[i])
			n++
		}
	}
	if n > 0 {
		t.HairFraction = sum / float64(n)
	}
	return img, t
}

func smooth(t float64) float64 {
	t = math.Max(0, math.Min(1, t))
	return t * t * (3 - 2*t)
}

// encoder is the camera's tone curve tabulated: the curve is the same for
// every channel, and 8-bit output needs no more than 16k steps.
type encoder struct{ lut []float64 }

const encSteps = 1 << 14

func newEncoder(cam synth.Camera) encoder {
	e := encoder{lut: make([]float64, encSteps+1)}
	for k := range e.lut {
		v := float64(k) / encSteps
		e.lut[k] = cam.Encode([3]float64{v, v, v})[0]
	}
	return e
}

func (e encoder) q8(v float64) uint8 {
	v = math.Max(0, math.Min(1, v)) * encSteps
	k := int(v)
	if k >= encSteps {
		return 255
	}
	f := v - float64(k)
	x := e.lut[k]*(1-f) + e.lut[k+1]*f
	return uint8(math.Round(255 * x))
}

func (c *canvas) fill(f func(x, y int) [3]float64) {
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			p := f(x, y)
			copy(c.lin[3*(y*c.w+x):], p[:])
		}
	}
}

// background is the distractor scene around the head: clothing at the
// bottom, a hand at the lower right, a wall elsewhere.
func (c *canvas) background(s Scene, x, y int, lin func(colour.LabD50) [3]float64) [3]float64 {
	fx, fy := (float64(x)+0.5)/float64(c.w), (float64(y)+0.5)/float64(c.h)
	var lab colour.LabD50
	l := 0.9 - 0.2*fy
	switch {
	case math.Hypot((fx-0.91)/0.07, (fy-0.74)/0.15) < 1:
		lab, l = handLab, 0.95
	case fy > 0.86:
		lab, l = clothingLab, 0.8
	default:
		lab = wallLab
	}
	p := lin(lab)
	return [3]float64{p[0] * l, p[1] * l, p[2] * l}
}

// strand rasterises a polyline of hair with anti-aliased coverage.
// gloss, if not nil, gives the highlight strength at each point of pts.
func (c *canvas) strand(pts [][2]float64, width float64, off float32, gloss []float32) {
	half := width / 2
	for k := 0; k+1 < len(pts); k++ {
		ax, ay, bx, by := pts[k][0], pts[k][1], pts[k+1][0], pts[k+1][1]
		x0 := int(math.Floor(math.Min(ax, bx) - half - 1))
		x1 := int(math.Ceil(math.Max(ax, bx) + half + 1))
		y0 := int(math.Floor(math.Min(ay, by) - half - 1))
		y1 := int(math.Ceil(math.Max(ay, by) + half + 1))
		x0, y0 = max(x0, 0), max(y0, 0)
		x1, y1 = min(x1, c.w-1), min(y1, c.h-1)
		dx, dy := bx-ax, by-ay
		l2 := dx*dx + dy*dy
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				i := y*c.w + x
				if !c.head[i] {
					continue
				}
				px, py := float64(x)+0.5, float64(y)+0.5
				t := 0.0
				if l2 > 0 {
					t = math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/l2))
				}
				d := math.Hypot(px-ax-t*dx, py-ay-t*dy)
				cov := float32(math.Max(0, math.Min(1, half+0.5-d)))
				if cov > c.alpha[i] {
					c.alpha[i] = cov
					c.hoff[i] = off
					c.gloss[i] = 0
					if gloss != nil {
						// Brightest on the fibre's axis, as a cylinder
						// reflects.
						g := gloss[k]*(1-float32(t)) + gloss[k+1]*float32(t)
						c.gloss[i] = g * float32(math.Max(0, 1-d/half))
					}
				}
			}
		}
	}
}

// drawHair places strands until the requested coverage is drawn.
func (c *canvas) drawHair(s Scene, rng *rand.Rand) {
	var headArea float64
	for _, h := range c.head {
		if h {
			headArea++
		}
	}
	wd := s.StrandWidthPx
	long := float64(max(c.w, c.h))
	var length, curl, spread float64
	switch s.Style {
	case Stubble:
		length, curl, spread = 2.5*wd, 0, 0.5
	case Thinning:
		length, curl, spread = 0.35*long, 0.004, 0.35
	default:
		wd *= 0.8
		length, curl, spread = 0.08*long, 0.01, math.Pi
	}
	area := headArea
	if s.Style != Stubble {
		// Long strands start anywhere in a frame 1.4 times larger, so that
		// their density is uniform across the head.
		area = 1.96 * float64(c.w*c.h)
	}
	n := int(s.Density * area / (wd * length))
	growth := rng.Float64() * math.Pi // the hair's main direction
	for k := 0; k < n; k++ {
		x := rng.Float64() * float64(c.w)
		y := rng.Float64() * float64(c.h)
		if s.Style != Stubble {
			// Long strands start anywhere and may leave the frame.
			x = -0.2*float64(c.w) + 1.4*rng.Float64()*float64(c.w)
			y = -0.2*float64(c.h) + 1.4*rng.Float64()*float64(c.h)
		}
		ang := growth + spread*(2*rng.Float64()-1)
		bend := curl * (2*rng.Float64() - 1)
		ln := length * (0.7 + 0.6*rng.Float64())
		step := math.Min(4, ln)
		pts := [][2]float64{{x, y}}
		for d := 0.0; d < ln; d += step {
			x += step * math.Cos(ang)
			y += step * math.Sin(ang)
			ang += bend * step
			pts = append(pts, [2]float64{x, y})
		}
		// Fibres differ a little in darkness; the mean is the truth.
		off := float32(0.08 * (2*rng.Float64() - 1))
		var gloss []float32
		if s.HairShine > 0 {
			// Highlights come and go along a fibre as it turns to and
			// from the light: narrow peaks about 60 px apart.
			gloss = make([]float32, len(pts))
			ph := rng.Float64() * 2 * math.Pi
			for k := range pts {
				v := math.Max(0, math.Cos(2*math.Pi*float64(k)*step/shinePeriodPx+ph))
				gloss[k] = float32(s.HairShine * math.Pow(v, 8))
			}
		}
		if s.PartingShare > 0 {
			half := s.PartingShare * float64(c.w) / 2
			crosses := false
			for _, p := range pts {
				crosses = crosses || math.Abs(p[0]-float64(c.w)/2) < half+wd
			}
			if crosses {
				continue
			}
		}
		c.strand(pts, wd, off, gloss)
	}
}

// drawScar draws a hairless band across the head, a twentieth of the
// frame wide.
func (c *canvas) drawScar(rng *rand.Rand) {
	long := float64(max(c.w, c.h))
	half := 0.025 * long
	x, y := (0.3+0.4*rng.Float64())*float64(c.w), 0.15*float64(c.h)
	ang := math.Pi/2 + 0.4*(2*rng.Float64()-1)
	x1, y1 := x+0.6*long*math.Cos(ang), y+0.6*long*math.Sin(ang)
	dx, dy := x1-x, y1-y
	l2 := dx*dx + dy*dy
	for py := 0; py < c.h; py++ {
		for px := 0; px < c.w; px++ {
			i := py*c.w + px
			if !c.head[i] {
				continue
			}
			fx, fy := float64(px)+0.5, float64(py)+0.5
			t := math.Max(0, math.Min(1, ((fx-x)*dx+(fy-y)*dy)/l2))
			d := math.Hypot(fx-x-t*dx, fy-y-t*dy)
			cov := float32(smooth((half - d) / 3))
			if cov > 0 {
				c.scar[i] = cov
				c.alpha[i] *= 1 - cov // scars are hairless
			}
		}
	}
}

// drawFace draws eyebrows as bands of short hairs.
func (c *canvas) drawFace(s Scene, rng *rand.Rand) {
	fw, fh := float64(c.w), float64(c.h)
	for _, bx := range []float64{0.3, 0.7} {
		for k := 0; k < 220; k++ {
			t := rng.Float64()
			x := (bx - 0.12 + 0.24*t) * fw
			y := (0.25 - 0.04*math.Sin(math.Pi*t) + 0.03*rng.NormFloat64()) * fh
			ang := 0.3 * (2*rng.Float64() - 1)
			if bx < 0.5 {
				ang += math.Pi
			}
			l := 0.03 * fw
			c.strand([][2]float64{{x, y}, {x + l*math.Cos(ang), y + l*math.Sin(ang)*0.3}}, s.StrandWidthPx*0.8, 0, nil)
		}
	}
}

func (c *canvas) drawFaceFeatures(s Scene, lin func(colour.LabD50) [3]float64) {
	fw, fh := float64(c.w), float64(c.h)
	ellipse := func(cx, cy, rx, ry float64, lab colour.LabD50) {
		p := lin(lab)
		for y := 0; y < c.h; y++ {
			for x := 0; x < c.w; x++ {
				if math.Hypot((float64(x)/fw-cx)/rx, (float64(y)/fh-cy)/ry) < 1 {
					i := y*c.w + x
					for k := 0; k < 3; k++ {
						c.lin[3*i+k] = p[k] * c.light[i]
					}
				}
			}
		}
	}
	for _, ex := range []float64{0.3, 0.7} {
		ellipse(ex, 0.38, 0.09, 0.05, scleraLab)
		ellipse(ex, 0.38, 0.035, 0.05, eyeDarkLab)
	}
	ellipse(0.5, 0.82, 0.16, 0.06, lipsLab)
}

// drawHand overlays darker creases on the skin and puts a wall behind the
// fingers' gaps at the top.
func (c *canvas) drawHand(s Scene, rng *rand.Rand, lin func(colour.LabD50) [3]float64) {
	wall := lin(wallLab)
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			fx, fy := float64(x)/float64(c.w), float64(y)/float64(c.h)
			if fy < 0.25 && math.Mod(fx*5, 1) > 0.8 {
				i := y*c.w + x
				copy(c.lin[3*i:3*i+3], wall[:])
			}
		}
	}
	for k := 0; k < 12; k++ {
		y0 := (0.3 + 0.6*rng.Float64()) * float64(c.h)
		for x := 0; x < c.w; x++ {
			y := int(y0 + 10*math.Sin(float64(x)/80+float64(k)))
			for d := -1; d <= 1; d++ {
				if yy := y + d; yy >= 0 && yy < c.h {
					i := yy*c.w + x
					for ch := 0; ch < 3; ch++ {
						c.lin[3*i+ch] *= creaseScale
					}
				}
			}
		}
	}
}

// drawSpecular adds oily highlights: Gaussian blobs of the light's colour.
func (c *canvas) drawSpecular(s Scene, rng *rand.Rand, white [3]float64) {
	long := float64(max(c.w, c.h))
	n := 1 + c.w*c.h/40000
	for k := 0; k < n; k++ {
		cx, cy := rng.Float64()*float64(c.w), rng.Float64()*float64(c.h)
		sg := long * (0.006 + 0.01*rng.Float64())
		r := int(3 * sg)
		for y := max(0, int(cy)-r); y < min(c.h, int(cy)+r); y++ {
			for x := max(0, int(cx)-r); x < min(c.w, int(cx)+r); x++ {
				i := y*c.w + x
				if !c.head[i] {
					continue
				}
				g := s.Specular * math.Exp(-((float64(x)-cx)*(float64(x)-cx)+(float64(y)-cy)*(float64(y)-cy))/(2*sg*sg))
				for ch := 0; ch < 3; ch++ {
					c.lin[3*i+ch] += g * white[ch]
				}
			}
		}
	}
}

// mottle is smooth zero-mean skin texture: a few random plane waves,
// tabulated per column and row (sin(a + b) = sin a cos b + cos a sin b).
type mottle struct {
	sx, cx [4][3][]float64
	sy, cy [4][3][]float64
}

func newMottle(rng *rand.Rand, w, h float64) mottle {
	var m mottle
	for c := 0; c < 4; c++ {
		for k := 0; k < 3; k++ {
			a := rng.Float64() * 2 * math.Pi
			f := (4 + 20*rng.Float64()) * 2 * math.Pi / math.Max(w, h)
			fx, fy, ph := f*math.Cos(a), f*math.Sin(a), rng.Float64()*2*math.Pi
			m.sx[c][k], m.cx[c][k] = make([]float64, int(w)), make([]float64, int(w))
			m.sy[c][k], m.cy[c][k] = make([]float64, int(h)), make([]float64, int(h))
			for x := range m.sx[c][k] {
				m.sx[c][k][x], m.cx[c][k][x] = math.Sincos(fx*float64(x) + ph)
			}
			for y := range m.sy[c][k] {
				m.sy[c][k][y], m.cy[c][k][y] = math.Sincos(fy * float64(y))
			}
		}
	}
	return m
}

// at returns [luminance, r, g, b] modulations in about −1..1.
func (m mottle) at(x, y int) [4]float64 {
	var o [4]float64
	for c := 0; c < 4; c++ {
		for k := 0; k < 3; k++ {
			o[c] += (m.sx[c][k][x]*m.cy[c][k][y] + m.cx[c][k][x]*m.sy[c][k][y]) / 2
		}
	}
	return o
}

// gaussBlur blurs the linear-light RGB pixels p (w × h, 3 per pixel) in
// place with a Gaussian of sigma px, its kernel cut at 3σ and the image's
// edge replicated: the lens. OpenCV's GaussianBlur.
func gaussBlur(p []float64, w, h int, sigma float64) {
	r := int(math.Ceil(3 * sigma))
	src, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV64FC3,
		unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(p))), 8*len(p)))
	if err != nil {
		return
	}
	defer src.Close()
	dst := gocv.NewMat()
	defer dst.Close()
	gocv.GaussianBlur(src, &dst, image.Pt(2*r+1, 2*r+1), sigma, sigma, gocv.BorderReplicate)
	d, err := dst.DataPtrFloat64()
	if err != nil || len(d) != len(p) {
		return
	}
	copy(p, d)
}

func jpegRoundTrip(img *image.NRGBA, q int) *image.NRGBA {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		return img // cannot happen for an in-memory NRGBA
	}
	dec, err := jpeg.Decode(&buf)
	if err != nil {
		return img
	}
	out := image.NewNRGBA(img.Bounds())
	b := dec.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(x, y, color.NRGBAModel.Convert(dec.At(x, y)))
		}
	}
	return out
}

// Rotate90 returns img turned a quarter turn clockwise.
func Rotate90(img *image.NRGBA) *image.NRGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewNRGBA(image.Rect(0, 0, h, w))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			si := img.PixOffset(b.Min.X+x, b.Min.Y+y)
			di := out.PixOffset(h-1-y, x)
			copy(out.Pix[di:di+4], img.Pix[si:si+4])
		}
	}
	return out
}
