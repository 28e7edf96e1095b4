package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/smpmatch/smpmatch/calibrate/card"
)

// Rendering constants.
const (
	// superSamples is the supersampling grid (per axis) used on pixels whose
	// four corners do not all see the same surface: 4 × 4 = 16 samples, which
	// leaves edge pixels within 1/32 of their true coverage.
	superSamples = 4
	// tilePx is the side of the square tiles that hold the list of layers
	// that may cover them.
	tilePx = 32
	// bandRows is how many rows a worker renders at a time.
	bandRows = 16
	// encodeLUTSize is the number of steps of the linear → 8-bit lookup
	// table: fine enough that the sRGB curve's steepest part (slope 12.92
	// near black) moves by less than 0.06 of an 8-bit level per step.
	encodeLUTSize = 1 << 16
	// flagGlare is the glare, in units of the camera's white, above which a
	// patch counts as glared: 1% of white is about 2–3 sRGB levels on a mid
	// grey, the size of a typical patch's noise.
	flagGlare = 0.01
	// flagInner is the fraction of a patch's side, centred, that the truth
	// flags look at: detectors sample well inside patches, and the patch's
	// outer rim is where blur mixes in the gaps anyway.
	flagInner = 0.8
	// flagSteps is how many points per axis of that square the flags test.
	flagSteps = 9
)

// Validate reports what makes a scene impossible to render.
func (s Scene) Validate() error {
	if s.Width <= 0 || s.Height <= 0 {
		return fmt.Errorf("synth: image size %d×%d: both must be positive", s.Width, s.Height)
	}
	if _, err := homographyFrom(card.ChartCorners, s.Corners); err != nil {
		return err
	}
	for i, d := range s.Decoys {
		if _, err := homographyFrom(card.ChartCorners, d.Corners); err != nil {
			return fmt.Errorf("decoy %d: %w", i, err)
		}
	}
	if s.JPEGQuality < 0 || s.JPEGQuality > 100 {
		return fmt.Errorf("synth: JPEG quality %d is outside 0..100", s.JPEGQuality)
	}
	return nil
}

// Render draws the scene and returns the photo and its truth. It is a pure
// function of the scene: the same scene (including Seed) gives the same
// image, bit for bit. Render panics if s.Validate reports an error.
//
// Order of work: background fill and clutter, decoys, the card, occluders,
// each anti-aliased by 4 × 4 supersampling wherever a pixel's corners see
// different surfaces; then light (level, gradient, vignetting, shadow) and
// glare, all in camera linear RGB; then Gaussian blur; then sensor noise; then
// the camera's tone curve and 8-bit quantisation; then the JPEG round trip.
func Render(s Scene) (*image.NRGBA, Truth) {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	r := newRenderer(s, s.Width, s.Height, true)
	lin := make([]float32, s.Width*s.Height*3)
	r.paint(lin, nil)
	if s.BlurSigma > 0 {
		gaussianBlur(lin, s.Width, s.Height, s.BlurSigma)
	}
	img := image.NewNRGBA(image.Rect(0, 0, s.Width, s.Height))
	r.finish(lin, img, nil)
	if s.JPEGQuality > 0 {
		img = jpegRoundTrip(img, s.JPEGQuality)
	}
	return img, r.truth()
}

// DrawCard composites the scene's card, its decoys, occluders, light and
// glare onto dst, which is taken to be a photo by the same camera (decoded
// with s.Camera.Curve and blended in linear light), and returns the card's
// truth. It is for renderers of other scenes (a scalp with a card held beside
// it) that want a card seen by the same camera.
//
// DrawCard ignores s.Width, s.Height (dst's size counts) and s.Background;
// the light field (gradient, vignetting, shadow) applies to the drawn objects
// only, since dst is already lit. It adds s.NoiseSigma noise to the pixels it
// draws, but does not blur or JPEG-compress: the caller finishes the whole
// image once (blur it, then Encode it) so that card and scene match. DrawCard
// panics if the card's corners are degenerate.
func DrawCard(dst *image.NRGBA, s Scene) Truth {
	b := dst.Bounds()
	s.Width, s.Height = b.Dx(), b.Dy()
	if err := s.Validate(); err != nil {
		panic(err)
	}
	r := newRenderer(s, s.Width, s.Height, false)
	dec := decodeLUT(s.Camera)
	under := make([]float32, s.Width*s.Height*3)
	for y := 0; y < s.Height; y++ {
		row := dst.Pix[dst.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := 0; x < s.Width; x++ {
			for k := 0; k < 3; k++ {
				under[(y*s.Width+x)*3+k] = dec[row[x*4+k]]
			}
		}
	}
	lin := make([]float32, len(under))
	cover := r.paint(lin, under)
	sub := dst.SubImage(b).(*image.NRGBA)
	r.finish(lin, sub, cover)
	return r.truth()
}

// renderer is a scene prepared for drawing.
type renderer struct {
	s          Scene
	w, h       int
	hom        homography
	layers     []layer
	occluders  []*occluderLayer
	tiles      [][]int32
	tw, th     int
	background bool
	bg0, bg1   rgb32
	bgDir      [2]float64
	bgMin      float64
	bgSpan     float64
	light      lightField
	glare      *glareField
	lut        []uint8
}

func newRenderer(s Scene, w, h int, background bool) *renderer {
	hom, _ := homographyFrom(card.ChartCorners, s.Corners) // checked by Validate
	r := &renderer{s: s, w: w, h: h, hom: hom, background: background}
	cam := s.Camera
	var id uint32 = 1 << 8
	next := func() uint32 { id += 1 << 8; return id }
	if background {
		bg := s.Background
		r.bg0, r.bg1 = linearOf(cam, bg.Colour), linearOf(cam, bg.Colour)
		if bg.Kind == BackgroundGradient {
			r.bg1 = linearOf(cam, bg.Colour2)
		}
		r.bgDir = [2]float64{math.Cos(bg.Angle), math.Sin(bg.Angle)}
		r.bgMin = math.Min(0, r.bgDir[0]*float64(w)) + math.Min(0, r.bgDir[1]*float64(h))
		r.bgSpan = math.Abs(r.bgDir[0]*float64(w)) + math.Abs(r.bgDir[1]*float64(h))
		for _, sh := range bg.Clutter {
			r.layers = append(r.layers, newShapeLayer(sh, cam, next()))
		}
	}
	for i, d := range s.Decoys {
		dh, _ := homographyFrom(card.ChartCorners, d.Corners)
		r.layers = append(r.layers, newCardLayer(dh, faceOf(d.Kind, s.Seed+int64(i)+1), d.Border, d.CornerRadius, cam, next(), false))
	}
	r.layers = append(r.layers, newCardLayer(hom, faceOf(s.Kind, s.Seed), s.Border, s.CornerRadius, cam, next(), true))
	for _, o := range s.Occluders {
		ol := newOccluderLayer(hom, o, cam, next())
		r.layers = append(r.layers, ol)
		r.occluders = append(r.occluders, ol)
	}
	r.tw, r.th = w/tilePx+1, h/tilePx+1
	r.tiles = make([][]int32, r.tw*r.th)
	for i, l := range r.layers {
		x0, y0, x1, y1 := l.bounds()
		tx0, ty0 := clampInt(int(math.Floor(x0/tilePx)), 0, r.tw-1), clampInt(int(math.Floor(y0/tilePx)), 0, r.th-1)
		tx1, ty1 := clampInt(int(math.Floor(x1/tilePx)), 0, r.tw-1), clampInt(int(math.Floor(y1/tilePx)), 0, r.th-1)
		if x1 < 0 || y1 < 0 || x0 > float64(w) || y0 > float64(h) {
			continue
		}
		for ty := ty0; ty <= ty1; ty++ {
			for tx := tx0; tx <= tx1; tx++ {
				r.tiles[ty*r.tw+tx] = append(r.tiles[ty*r.tw+tx], int32(i))
			}
		}
	}
	r.light = newLightField(s.Light, hom, w, h)
	if g := s.Glare; g != nil && g.Strength > 0 && g.Radius > 0 {
		white := linearOf(cam, perfectWhite)
		st := float32(g.Strength)
		r.glare = &glareField{m: newChartMap(hom), cu: g.Centre.X, cv: g.Centre.Y,
			inv2s2: 1 / (2 * g.Radius * g.Radius), white: rgb32{white[0] * st, white[1] * st, white[2] * st}}
	}
	r.lut = encodeLUT(cam)
	return r
}

func clampInt(v, lo, hi int) int { return max(lo, min(hi, v)) }

// sample is what the scene shows at one point, before light: colour, surface
// id, how much of it is the main card (for glare) and how much of it is drawn
// layers rather than what lies under them.
func (r *renderer) sample(x, y float64) (col rgb32, id uint32, onCard, cover float32) {
	tx, ty := clampInt(int(x)/tilePx, 0, r.tw-1), clampInt(int(y)/tilePx, 0, r.th-1)
	if r.background {
		cover = 1
		col = r.bg0
		if r.bg0 != r.bg1 {
			t := float32((x*r.bgDir[0] + y*r.bgDir[1] - r.bgMin) / r.bgSpan)
			for k := range col {
				col[k] = r.bg0[k] + (r.bg1[k]-r.bg0[k])*t
			}
		}
	}
	for _, li := range r.tiles[ty*r.tw+tx] {
		h, ok := r.layers[li].at(x, y)
		if !ok {
			continue
		}
		if h.alpha >= 1 {
			col, id, cover = h.col, h.id, 1
			onCard = 0
			if h.isCard {
				onCard = 1
			}
			continue
		}
		a := h.alpha
		for k := range col {
			col[k] = col[k]*(1-a) + h.col[k]*a
		}
		onCard *= 1 - a
		cover = cover*(1-a) + a
		id = id*16777619 ^ h.id
	}
	return
}

// paint fills lin with the lit scene in camera linear RGB, over under (may be
// nil), and returns each pixel's cover by drawn layers.
func (r *renderer) paint(lin, under []float32) []float32 {
	cover := make([]float32, r.w*r.h)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := r.w + 1
			ids := [2][]uint32{make([]uint32, n), make([]uint32, n)}
			cols := [2][]rgb32{make([]rgb32, n), make([]rgb32, n)}
			cards := [2][]float32{make([]float32, n), make([]float32, n)}
			covs := [2][]float32{make([]float32, n), make([]float32, n)}
			sampleRow := func(k, y int) {
				for x := 0; x < n; x++ {
					cols[k][x], ids[k][x], cards[k][x], covs[k][x] = r.sample(float64(x), float64(y))
				}
			}
			for {
				y0 := int(next.Add(bandRows)) - bandRows
				if y0 >= r.h {
					return
				}
				y1 := min(y0+bandRows, r.h)
				sampleRow(0, y0)
				for y := y0; y < y1; y++ {
					sampleRow(1, y+1)
					r.paintRow(y, ids, cols, cards, covs, lin, under, cover)
					ids[0], ids[1] = ids[1], ids[0]
					cols[0], cols[1] = cols[1], cols[0]
					cards[0], cards[1] = cards[1], cards[0]
					covs[0], covs[1] = covs[1], covs[0]
				}
			}
		}()
	}
	wg.Wait()
	return cover
}

func (r *renderer) paintRow(y int, ids [2][]uint32, cols [2][]rgb32, cards, covs [2][]float32, lin, under, cover []float32) {
	const inv = 1.0 / (superSamples * superSamples)
	for x := 0; x < r.w; x++ {
		var col rgb32
		var onCard, cov float32
		if id := ids[0][x]; ids[0][x+1] == id && ids[1][x] == id && ids[1][x+1] == id {
			for k := range col {
				col[k] = (cols[0][x][k] + cols[0][x+1][k] + cols[1][x][k] + cols[1][x+1][k]) / 4
			}
			onCard = (cards[0][x] + cards[0][x+1] + cards[1][x] + cards[1][x+1]) / 4
			cov = (covs[0][x] + covs[0][x+1] + covs[1][x] + covs[1][x+1]) / 4
		} else {
			for sy := 0; sy < superSamples; sy++ {
				for sx := 0; sx < superSamples; sx++ {
					c, _, oc, cv := r.sample(float64(x)+(float64(sx)+0.5)/superSamples, float64(y)+(float64(sy)+0.5)/superSamples)
					for k := range col {
						col[k] += c[k] * inv
					}
					onCard += oc * inv
					cov += cv * inv
				}
			}
		}
		px, py := float64(x)+0.5, float64(y)+0.5
		light := float32(r.light.at(px, py))
		var glare float32
		if onCard > 0 && r.glare != nil {
			glare = onCard * float32(r.glare.at(px, py))
		}
		i := (y*r.w + x) * 3
		for k := range col {
			v := (col[k] + glare*r.glare.whiteOr0(k)) * light
			if under != nil {
				v += (1 - cov) * under[i+k]
			}
			lin[i+k] = v
		}
		cover[y*r.w+x] = cov
	}
}

// finish adds sensor noise to lin and encodes it into img. With mask, only
// pixels with mask > 0 are written and noise is scaled by the mask.
func (r *renderer) finish(lin []float32, img *image.NRGBA, mask []float32) {
	sigma := r.s.NoiseSigma
	var next atomic.Int64
	var wg sync.WaitGroup
	b := img.Bounds()
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				y := int(next.Add(1)) - 1
				if y >= r.h {
					return
				}
				var rng *rand.Rand
				if sigma > 0 {
					// One stream per row keeps the noise independent of
					// how rows are shared between workers.
					rng = rand.New(rand.NewSource(r.s.Seed*1_000_003 + int64(y)))
				}
				row := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):]
				for x := 0; x < r.w; x++ {
					m := float32(1)
					if mask != nil {
						if m = mask[y*r.w+x]; m <= 0 {
							continue
						}
					}
					i := (y*r.w + x) * 3
					for k := 0; k < 3; k++ {
						v := lin[i+k]
						if rng != nil {
							v += float32(rng.NormFloat64()*sigma) * m
						}
						row[x*4+k] = r.lut[lutIndex(v)]
					}
					row[x*4+3] = 255
				}
			}
		}()
	}
	wg.Wait()
}

func lutIndex(v float32) int {
	if !(v > 0) {
		return 0
	}
	if v >= 1 {
		return encodeLUTSize - 1
	}
	return int(v*(encodeLUTSize-1) + 0.5)
}

// encodeLUTs caches one table per tone curve: Camera.Encode depends on the
// curve only.
var encodeLUTs sync.Map // Curve → []uint8

// encodeLUT tabulates the camera's tone curve from linear 0..1 to 8 bits.
func encodeLUT(cam Camera) []uint8 {
	if lut, ok := encodeLUTs.Load(cam.Curve); ok {
		return lut.([]uint8)
	}
	lut := make([]uint8, encodeLUTSize)
	for i := range lut {
		v := float64(i) / (encodeLUTSize - 1)
		lut[i] = to8(Camera{Curve: cam.Curve}.Encode([3]float64{v, 0, 0})[0])
	}
	encodeLUTs.Store(cam.Curve, lut)
	return lut
}

// decodeLUT inverts the camera's tone curve for each 8-bit level, by
// bisection on Encode so that it matches whatever curve the camera uses.
func decodeLUT(cam Camera) [256]float32 {
	var out [256]float32
	for i := range out {
		target := float64(i) / 255
		lo, hi := 0.0, 1.0
		for range 40 {
			mid := (lo + hi) / 2
			if cam.Encode([3]float64{mid, mid, mid})[0] < target {
				lo = mid
			} else {
				hi = mid
			}
		}
		out[i] = float32((lo + hi) / 2)
	}
	return out
}

func to8(v float64) uint8 { return uint8(math.Max(0, math.Min(255, math.Round(v*255)))) }

func jpegRoundTrip(img *image.NRGBA, quality int) *image.NRGBA {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(fmt.Sprintf("synth: JPEG encode of an in-memory image failed: %v", err))
	}
	dec, err := jpeg.Decode(&buf)
	if err != nil {
		panic(fmt.Sprintf("synth: JPEG decode of our own encoding failed: %v", err))
	}
	out := image.NewNRGBA(dec.Bounds())
	draw.Draw(out, out.Bounds(), dec, dec.Bounds().Min, draw.Src)
	return out
}

// lightField is the relative light at each pixel.
type lightField struct {
	level, grad, gx, gy, gHalf float64
	cx, cy, vigK, vigNorm      float64
	shadow                     bool
	snx, sny, sc               float64 // signed distance to the shadow's edge, positive on the lit side
	sLevel, sWidth             float64
}

func newLightField(l Lighting, hom homography, w, h int) lightField {
	f := lightField{level: l.Level, grad: l.Gradient, cx: float64(w) / 2, cy: float64(h) / 2}
	if f.level == 0 {
		f.level = 1
	}
	f.gx, f.gy = math.Cos(l.GradientAngle), math.Sin(l.GradientAngle)
	f.gHalf = math.Abs(f.gx*f.cx) + math.Abs(f.gy*f.cy)
	if l.Vignette > 0 && l.Vignette < 1 {
		// 1/(1+k)² = 1 - Vignette at the corners.
		f.vigK = 1/math.Sqrt(1-l.Vignette) - 1
		f.vigNorm = 1 / (f.cx*f.cx + f.cy*f.cy)
	}
	if sh := l.Shadow; sh != nil {
		dir := card.Point{X: math.Cos(sh.Angle), Y: math.Sin(sh.Angle)}
		p0 := hom.point(sh.Through)
		p1 := hom.point(card.Point{X: sh.Through.X + dir.X, Y: sh.Through.Y + dir.Y})
		q := hom.point(card.Point{X: sh.Through.X + dir.Y, Y: sh.Through.Y - dir.X}) // on the shadow side
		nx, ny := -(p1.Y - p0.Y), p1.X-p0.X
		n := math.Hypot(nx, ny)
		if n > 0 {
			nx, ny = nx/n, ny/n
			c := -(nx*p0.X + ny*p0.Y)
			if nx*q.X+ny*q.Y+c > 0 {
				nx, ny, c = -nx, -ny, -c
			}
			// One chart unit near the edge, in pixels, scales the penumbra.
			scale := math.Hypot(p1.X-p0.X, p1.Y-p0.Y)
			f.shadow, f.snx, f.sny, f.sc = true, nx, ny, c
			f.sLevel = sh.Level
			f.sWidth = math.Max(1, sh.Penumbra*scale)
		}
	}
	return f
}

// at is the light at pixel position (x, y).
func (f *lightField) at(x, y float64) float64 {
	v := f.level
	if f.grad != 0 {
		v *= math.Max(0.05, 1+f.grad/2*((x-f.cx)*f.gx+(y-f.cy)*f.gy)/f.gHalf)
	}
	if f.vigK > 0 {
		r2 := ((x-f.cx)*(x-f.cx) + (y-f.cy)*(y-f.cy)) * f.vigNorm
		d := 1 + f.vigK*r2
		v /= d * d
	}
	return v * f.shadowAt(x, y)
}

// Room is l's light over a w × h image, as a function of the pixel
// position (x, y): its level, gradient and vignetting, without the shadow
// (which is placed in chart units). Other renderers (match/scene) light a
// whole photo with it, so that a card drawn into it is lit by the same
// room and lens. The field is built once; call the function per pixel.
func (l Lighting) Room(w, h int) func(x, y float64) float64 {
	l.Shadow = nil
	f := newLightField(l, homography{}, w, h)
	return f.at
}

// shadowAt is the shadow's factor alone: 1 in full light, Level in the umbra,
// a linear ramp across the penumbra (a one-pixel ramp is a box-filtered step).
func (f *lightField) shadowAt(x, y float64) float64 {
	if !f.shadow {
		return 1
	}
	d := f.snx*x + f.sny*y + f.sc
	t := math.Max(0, math.Min(1, d/f.sWidth+0.5))
	return f.sLevel + (1-f.sLevel)*t
}

// perfectWhite is the perfect diffuser, the reference for glare.
var perfectWhite = lab(100, 0, 0)

// glareField is a specular highlight on the main card.
type glareField struct {
	m      chartMap
	cu, cv float64
	inv2s2 float64
	white  rgb32 // Strength × the camera's white
}

// at is the glare's weight (0..1) at pixel (x, y).
func (g *glareField) at(x, y float64) float64 {
	u, v, ok := g.m.chart(x, y)
	if !ok {
		return 0
	}
	return g.chartAt(u, v)
}

func (g *glareField) chartAt(u, v float64) float64 {
	d2 := (u-g.cu)*(u-g.cu) + (v-g.cv)*(v-g.cv)
	return math.Exp(-d2 * g.inv2s2)
}

func (g *glareField) whiteOr0(k int) float32 {
	if g == nil {
		return 0
	}
	return g.white[k]
}

// gaussianBlur blurs an interleaved RGB image in place, separably, with
// edges clamped.
func gaussianBlur(pix []float32, w, h int, sigma float64) {
	rad := int(math.Ceil(3 * sigma))
	kern := make([]float32, 2*rad+1)
	var sum float32
	for i := range kern {
		d := float64(i - rad)
		kern[i] = float32(math.Exp(-d * d / (2 * sigma * sigma)))
		sum += kern[i]
	}
	for i := range kern {
		kern[i] /= sum
	}
	tmp := make([]float32, len(pix))
	parallelRows(h, func(y int) {
		row := pix[y*w*3 : (y+1)*w*3]
		out := tmp[y*w*3 : (y+1)*w*3]
		for x := 0; x < w; x++ {
			var a [3]float32
			for k, kv := range kern {
				xx := clampInt(x+k-rad, 0, w-1) * 3
				a[0] += kv * row[xx]
				a[1] += kv * row[xx+1]
				a[2] += kv * row[xx+2]
			}
			copy(out[x*3:], a[:])
		}
	})
	parallelRows(h, func(y int) {
		out := pix[y*w*3 : (y+1)*w*3]
		clear(out)
		for k, kv := range kern {
			yy := clampInt(y+k-rad, 0, h-1)
			src := tmp[yy*w*3 : (yy+1)*w*3]
			for i, v := range src {
				out[i] += kv * v
			}
		}
	})
}

func parallelRows(h int, f func(y int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				y := int(next.Add(1)) - 1
				if y >= h {
					return
				}
				f(y)
			}
		}()
	}
	wg.Wait()
}
