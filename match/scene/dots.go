package scene

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
)

// DotField describes a follow-up photo of healed scalp micropigmentation: a
// shaved scalp with a regular-ish field of round pigment dots, optionally
// with hair stubble grown back between (and over) them. Zero fields take the
// defaults noted. Dots are mixed with the skin in linear light by their
// exact pixel coverage, then blurred, so a blurred dot's centre is lighter
// than the dot's surface colour exactly as in a photo.
type DotField struct {
	// W, H are the image size in pixels (default 640 × 480).
	W, H int
	// Skin is the scalp skin between the dots; Dot the healed dot's surface
	// colour (the truth a measurement should report).
	Skin, Dot colour.LabD50
	// PxPerMM is the photo's scale on the scalp (default 10).
	PxPerMM float64
	// DiameterMM is the dots' mean diameter (default 0.8 mm; SMP dots are
	// 0.3–1.2 mm).
	DiameterMM float64
	// SizeJitter is the relative standard deviation of the diameters
	// (default 0: all equal).
	SizeJitter float64
	// SpacingMM is the lattice pitch, centre to centre (default 1.6 mm).
	SpacingMM float64
	// PosJitter moves each dot off its lattice point by up to this share
	// of the free gap between neighbours (default 0.3; negative = none).
	PosJitter float64
	// Stubble, if > 0, is the coverage of hair stubble over the scalp,
	// 0..1 (e.g. 0.05), in colour Hair: fibres StrandWidthPx wide
	// (default 0.08 mm, at least 1 px) and StubbleMM long (default 1 mm,
	// ±50%: a few days' growth seen at an angle), in random directions
	// around one growth direction, over and between the dots.
	Stubble       float64
	Hair          colour.LabD50
	StrandWidthPx float64
	StubbleMM     float64
	// Camera, Blur (Gaussian σ in pixels), Noise, JPEGQuality and Shading
	// are as in Scene.
	Camera      synth.Camera
	Blur, Noise float64
	JPEGQuality int
	Shading     float64
	// Seed makes the layout and noise reproducible.
	Seed uint64
}

// Dot is one rendered dot: its centre and radius in pixels (pixel (0,0)
// covers [0,1)², so its centre is at (0.5, 0.5)).
type Dot struct{ X, Y, R float64 }

// DotTruth is what a perfect measurement of a dot field would report.
type DotTruth struct {
	Skin, Dot colour.LabD50
	// PxPerMM is the scale the field was drawn at.
	PxPerMM float64
	// Dots lists every dot drawn, including those cut by the frame.
	Dots []Dot
	// Inside counts the dots wholly inside the frame.
	Inside int
	// DensityPerCM2 is the lattice's dot density.
	DensityPerCM2 float64
}

func (f DotField) withDefaults() DotField {
	if f.W <= 0 || f.H <= 0 {
		f.W, f.H = 640, 480
	}
	if f.PxPerMM <= 0 {
		f.PxPerMM = 10
	}
	if f.DiameterMM <= 0 {
		f.DiameterMM = 0.8
	}
	if f.SpacingMM <= 0 {
		f.SpacingMM = 1.6
	}
	if f.PosJitter == 0 {
		f.PosJitter = 0.3
	}
	if f.PosJitter < 0 {
		f.PosJitter = 0
	}
	if f.StrandWidthPx <= 0 {
		f.StrandWidthPx = math.Max(1, 0.08*f.PxPerMM)
	}
	if f.StubbleMM <= 0 {
		f.StubbleMM = 1
	}
	return f
}

// RenderDots draws a healed dot field and returns the 8-bit picture and its
// truth.
func RenderDots(field DotField) (*image.NRGBA, DotTruth) {
	f := field.withDefaults()
	rng := rand.New(rand.NewPCG(f.Seed, f.Seed^0x2545f4914f6cdd1d))
	w, h := f.W, f.H
	c := &canvas{w: w, h: h, lin: make([]float64, 3*w*h), alpha: make([]float32, w*h), scar: make([]float32, w*h),
		hoff: make([]float32, w*h), gloss: make([]float32, w*h), head: make([]bool, w*h), light: make([]float64, w*h)}
	fw, fh := float64(w), float64(h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			c.head[i] = true
			dx, dy := (float64(x)+0.5)/fw-0.5, (float64(y)+0.5)/fh-0.35
			c.light[i] = 1 - f.Shading*math.Min(1, (dx*dx+dy*dy)/0.5)
		}
	}
	if f.Stubble > 0 {
		c.drawStubble(f, rng)
	}

	// The lattice: rows of dots offset by half a pitch (a hexagonal-ish
	// field, as practitioners stagger their rows), jittered, over a frame
	// one pitch larger than the photo so that dots are cut by its edges.
	pitch := f.SpacingMM * f.PxPerMM
	rowStep := pitch * math.Sqrt(3) / 2
	meanR := f.DiameterMM * f.PxPerMM / 2
	gap := math.Max(0, pitch-2*meanR)
	t := DotTruth{Skin: f.Skin, Dot: f.Dot, PxPerMM: f.PxPerMM,
		DensityPerCM2: 100 / (f.SpacingMM * f.SpacingMM * math.Sqrt(3) / 2)}
	ang := rng.Float64() * math.Pi
	sin, cos := math.Sincos(ang)
	cx, cy := fw/2, fh/2
	n := int(math.Hypot(fw, fh)/rowStep/2) + 2
	for j := -n; j <= n; j++ {
		for i := -n; i <= n; i++ {
			u := (float64(i) + 0.5*float64(j&1)) * pitch
			v := float64(j) * rowStep
			x := cx + u*cos - v*sin + f.PosJitter*gap/2*(2*rng.Float64()-1)
			y := cy + u*sin + v*cos + f.PosJitter*gap/2*(2*rng.Float64()-1)
			r := meanR * math.Max(0.3, 1+f.SizeJitter*rng.NormFloat64())
			if x < -r || y < -r || x > fw+r || y > fh+r {
				continue
			}
			t.Dots = append(t.Dots, Dot{X: x, Y: y, R: r})
			if x-r >= 0 && y-r >= 0 && x+r <= fw && y+r <= fh {
				t.Inside++
			}
		}
	}
	dotCov := make([]float32, w*h)
	for _, d := range t.Dots {
		x0, x1 := max(0, int(d.X-d.R-1)), min(w-1, int(d.X+d.R+1))
		y0, y1 := max(0, int(d.Y-d.R-1)), min(h-1, int(d.Y+d.R+1))
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				cov := float32(discCoverage(float64(x)+0.5-d.X, float64(y)+0.5-d.Y, d.R))
				if i := y*w + x; cov > dotCov[i] {
					dotCov[i] = cov
				}
			}
		}
	}

	cam := f.Camera
	skin, dot, hair := cam.Linear(f.Skin, 1), cam.Linear(f.Dot, 1), cam.Linear(f.Hair, 1)
	mot := newMottle(rng, fw, fh)
	for i := 0; i < w*h; i++ {
		m := mot.at(i%w, i/w)
		a, d := float64(c.alpha[i]), float64(dotCov[i])
		for k := 0; k < 3; k++ {
			sk := skin[k] * (1 + 0.03*m[0] + 0.01*m[k+1])
			under := (1-d)*sk + d*dot[k]
			c.lin[3*i+k] = c.light[i] * ((1-a)*under + a*hair[k]*(1+float64(c.hoff[i])))
		}
	}
	if f.Blur > 0 {
		gaussBlur(c.lin, w, h, f.Blur)
	}
	img := encodeCanvas(c, cam, f.Noise, rng)
	if f.JPEGQuality > 0 {
		img = jpegRoundTrip(img, f.JPEGQuality)
	}
	return img, t
}

// RenderDotsWithCard renders the dot field with a ColorChecker Classic
// layout card in the frame, drawn at the field's scale for a card whose
// patches are chipMM wide (the card's pitch is chipMM × 2.75/2.5 in mcc's
// model). The card is placed by p (PitchPx is ignored: the scale decides
// it). It returns the photo (one JPEG round trip), the dot truth (the card
// covers some of its dots) and the card truth.
func RenderDotsWithCard(field DotField, chipMM float64, p CardPlacement) (*image.NRGBA, DotTruth, synth.Truth) {
	f := field.withDefaults()
	jq := f.JPEGQuality
	f.JPEGQuality = 0
	img, t := RenderDots(f)
	w, h := float64(f.W), float64(f.H)
	p.PitchPx = chipMM * f.PxPerMM * card.PatchPitch / card.PatchSize
	if p.Centre == (card.Point{}) {
		p.Centre = card.Point{X: w - 0.55*p.PitchPx*card.ChartWidth/card.PatchPitch, Y: h - 0.55*p.PitchPx*card.ChartHeight/card.PatchPitch}
	}
	scale := p.PitchPx / card.PatchPitch
	sin, cos := math.Sincos(p.AngleDeg * math.Pi / 180)
	var cs card.Corners
	for k, c := range card.ChartCorners {
		dx, dy := (c.X-card.ChartWidth/2)*scale, (c.Y-card.ChartHeight/2)*scale
		cs[k] = card.Point{X: p.Centre.X + dx*cos - dy*sin, Y: p.Centre.Y + dx*sin + dy*cos}
	}
	ct := synth.DrawCard(img, synth.Scene{Corners: cs, Kind: synth.KindClassic, Border: 0.8, Camera: f.Camera,
		Light: synth.Lighting{Level: 1}, NoiseSigma: f.Noise, Seed: int64(f.Seed)})
	if jq > 0 {
		img = jpegRoundTrip(img, jq)
	}
	return img, t, ct
}

// discCoverage approximates the share of a unit pixel centred (dx, dy) from
// a disc's centre that the disc of radius r covers: 4 × 4 supersampling.
func discCoverage(dx, dy, r float64) float64 {
	d := math.Hypot(dx, dy)
	if d <= r-0.75 {
		return 1
	}
	if d >= r+0.75 {
		return 0
	}
	var n int
	for sy := 0; sy < 4; sy++ {
		for sx := 0; sx < 4; sx++ {
			px, py := dx+(float64(sx)+0.5)/4-0.5, dy+(float64(sy)+0.5)/4-0.5
			if px*px+py*py <= r*r {
				n++
			}
		}
	}
	return float64(n) / 16
}

// encodeCanvas adds sensor noise to the canvas' linear light and encodes
// it through the camera's tone curve to 8 bits, as Render does.
func encodeCanvas(c *canvas, cam synth.Camera, noise float64, rng *rand.Rand) *image.NRGBA {
	enc := newEncoder(cam)
	img := image.NewNRGBA(image.Rect(0, 0, c.w, c.h))
	for i := 0; i < c.w*c.h; i++ {
		for k := 0; k < 3; k++ {
			x := c.lin[3*i+k]
			if noise > 0 {
				x += noise * math.Sqrt(math.Max(x, 0)+0.02) * rng.NormFloat64()
			}
			img.Pix[4*i+k] = enc.q8(x)
		}
		img.Pix[4*i+3] = 255
	}
	return img
}

// drawStubble draws straight hair stubs of the field's width and length.
func (c *canvas) drawStubble(f DotField, rng *rand.Rand) {
	wd, ln := f.StrandWidthPx, f.StubbleMM*f.PxPerMM
	n := int(f.Stubble * float64(c.w*c.h) / (wd * ln))
	growth := rng.Float64() * math.Pi
	for k := 0; k < n; k++ {
		x, y := rng.Float64()*float64(c.w), rng.Float64()*float64(c.h)
		ang := growth + 0.6*(2*rng.Float64()-1)
		l := ln * (0.5 + rng.Float64())
		off := float32(0.08 * (2*rng.Float64() - 1))
		c.strand([][2]float64{{x, y}, {x + l*math.Cos(ang), y + l*math.Sin(ang)}}, wd, off, nil)
	}
}
