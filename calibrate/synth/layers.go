package synth

import (
	"math"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// rgb32 is camera linear RGB at light 1, the renderer's working colour.
type rgb32 [3]float32

func linearOf(cam Camera, lab colour.LabD50) rgb32 {
	v := cam.Linear(lab, 1)
	return rgb32{float32(v[0]), float32(v[1]), float32(v[2])}
}

// hit is what one layer shows at one sample point.
type hit struct {
	col    rgb32
	alpha  float32
	id     uint32 // distinguishes surfaces, to find pixels that need supersampling
	isCard bool   // the main card's own surface, which glare lies on
}

// A layer is one drawn object, in pixels.
type layer interface {
	bounds() (x0, y0, x1, y1 float64)
	at(x, y float64) (hit, bool)
}

// shapeLayer is a piece of background clutter.
type shapeLayer struct {
	s              Shape
	col            rgb32
	cos, sin       float64
	hx, hy         float64
	x0, y0, x1, y1 float64
	id             uint32
	seed           uint32
}

func newShapeLayer(s Shape, cam Camera, id uint32) *shapeLayer {
	l := &shapeLayer{s: s, col: linearOf(cam, s.Colour), cos: math.Cos(s.Angle), sin: math.Sin(s.Angle),
		hx: s.Size.X / 2, hy: s.Size.Y / 2, id: id, seed: id * 2654435761}
	r := math.Hypot(l.hx, l.hy)
	l.x0, l.y0, l.x1, l.y1 = s.Centre.X-r, s.Centre.Y-r, s.Centre.X+r, s.Centre.Y+r
	return l
}

func (l *shapeLayer) bounds() (x0, y0, x1, y1 float64) { return l.x0, l.y0, l.x1, l.y1 }

func (l *shapeLayer) at(x, y float64) (hit, bool) {
	if x < l.x0 || x > l.x1 || y < l.y0 || y > l.y1 {
		return hit{}, false
	}
	dx, dy := x-l.s.Centre.X, y-l.s.Centre.Y
	lx := dx*l.cos + dy*l.sin
	ly := -dx*l.sin + dy*l.cos
	switch l.s.Kind {
	case ShapeEllipse:
		a, b := lx/l.hx, ly/l.hy
		if a*a+b*b > 1 {
			return hit{}, false
		}
	case ShapeLine:
		half := math.Max(l.hx-l.hy, 0)
		cx := math.Max(-half, math.Min(half, lx))
		if (lx-cx)*(lx-cx)+ly*ly > l.hy*l.hy {
			return hit{}, false
		}
	default:
		if math.Abs(lx) > l.hx || math.Abs(ly) > l.hy {
			return hit{}, false
		}
	}
	col := l.col
	if l.s.Texture != TextureNone && l.s.TexturePeriod > 0 {
		p := l.s.TexturePeriod
		var n float64
		switch l.s.Texture {
		case TextureStripes:
			n = math.Sin(2*math.Pi*lx/p + 2*valueNoise(lx/(4*p), ly/(4*p), l.seed))
		default:
			n = 0.7*valueNoise(lx/p, ly/p, l.seed) + 0.3*valueNoise(2*lx/p, 2*ly/p, l.seed+1)
		}
		f := float32(1 + l.s.TextureContrast*n)
		col = rgb32{col[0] * f, col[1] * f, col[2] * f}
	}
	return hit{col: col, alpha: 1, id: l.id}, true
}

// valueNoise is smooth lattice noise in -1..1 (bilinear interpolation of
// hashed lattice values with a smoothstep fade).
func valueNoise(x, y float64, seed uint32) float64 {
	fx, fy := math.Floor(x), math.Floor(y)
	ix, iy := int32(fx), int32(fy)
	tx, ty := x-fx, y-fy
	tx = tx * tx * (3 - 2*tx)
	ty = ty * ty * (3 - 2*ty)
	v00 := latticeValue(ix, iy, seed)
	v10 := latticeValue(ix+1, iy, seed)
	v01 := latticeValue(ix, iy+1, seed)
	v11 := latticeValue(ix+1, iy+1, seed)
	a := v00 + (v10-v00)*tx
	b := v01 + (v11-v01)*tx
	return a + (b-a)*ty
}

func latticeValue(x, y int32, seed uint32) float64 {
	h := uint32(x)*374761393 + uint32(y)*668265263 + seed*2246822519
	h = (h ^ (h >> 13)) * 1274126177
	h ^= h >> 16
	return float64(h)/float64(math.MaxUint32)*2 - 1
}

// chartMap maps pixels back to chart units for everything attached to a card.
type chartMap struct {
	inv   homography
	wSign float64 // sign of w at the card's centre: points with the other sign lie beyond the horizon
}

func newChartMap(h homography) chartMap {
	inv := h.inverse()
	c := h.point(card.Point{X: card.ChartWidth / 2, Y: card.ChartHeight / 2})
	_, _, w := inv.apply(c.X, c.Y)
	return chartMap{inv: inv, wSign: math.Copysign(1, w)}
}

func (m chartMap) chart(x, y float64) (u, v float64, ok bool) {
	u, v, w := m.inv.apply(x, y)
	return u, v, w*m.wSign > 0
}

// pixelBounds is the pixel bounding box of a chart-space rectangle. The
// rectangle must lie on the visible side of the horizon, which holds for a
// card and anything near it in any scene a camera can take.
func pixelBounds(h homography, x0, y0, x1, y1 float64) (bx0, by0, bx1, by1 float64) {
	bx0, by0 = math.Inf(1), math.Inf(1)
	bx1, by1 = math.Inf(-1), math.Inf(-1)
	for _, p := range []card.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}} {
		q := h.point(p)
		bx0, by0 = math.Min(bx0, q.X), math.Min(by0, q.Y)
		bx1, by1 = math.Max(bx1, q.X), math.Max(by1, q.Y)
	}
	return bx0 - 1, by0 - 1, bx1 + 1, by1 + 1
}

// faceBucket is the size, in chart units, of the cells of the lookup grid
// that finds the tile under a point.
const faceBucket = 0.5

// cardLayer is a card: its body and its printed face.
type cardLayer struct {
	m              chartMap
	f              face
	body           rgb32
	tiles          []rgb32
	border, radius float64
	buckets        [][]int16
	nbx, nby       int
	x0, y0, x1, y1 float64
	id             uint32
	main           bool
}

func newCardLayer(h homography, f face, border, radius float64, cam Camera, id uint32, main bool) *cardLayer {
	l := &cardLayer{m: newChartMap(h), f: f, body: linearOf(cam, f.body), border: border,
		radius: math.Max(0, math.Min(radius, border+card.ChartHeight/2)), id: id, main: main}
	for _, t := range f.tiles {
		l.tiles = append(l.tiles, linearOf(cam, t.lab))
	}
	l.nbx = int(math.Ceil(card.ChartWidth/faceBucket)) + 1
	l.nby = int(math.Ceil(card.ChartHeight/faceBucket)) + 1
	l.buckets = make([][]int16, l.nbx*l.nby)
	for i, t := range f.tiles {
		for by := int(t.y0 / faceBucket); by <= int(t.y1/faceBucket) && by < l.nby; by++ {
			for bx := int(t.x0 / faceBucket); bx <= int(t.x1/faceBucket) && bx < l.nbx; bx++ {
				if bx >= 0 && by >= 0 {
					l.buckets[by*l.nbx+bx] = append(l.buckets[by*l.nbx+bx], int16(i))
				}
			}
		}
	}
	l.x0, l.y0, l.x1, l.y1 = pixelBounds(h, -border, -border, card.ChartWidth+border, card.ChartHeight+border)
	return l
}

func (l *cardLayer) bounds() (x0, y0, x1, y1 float64) { return l.x0, l.y0, l.x1, l.y1 }

func (l *cardLayer) at(x, y float64) (hit, bool) {
	if x < l.x0 || x > l.x1 || y < l.y0 || y > l.y1 {
		return hit{}, false
	}
	u, v, ok := l.m.chart(x, y)
	if !ok || !inRoundedRect(u, v, -l.border, -l.border, card.ChartWidth+l.border, card.ChartHeight+l.border, l.radius) {
		return hit{}, false
	}
	if t := l.tileAt(u, v); t >= 0 {
		return hit{col: l.tiles[t], alpha: 1, id: l.id | uint32(t+1), isCard: l.main}, true
	}
	return hit{col: l.body, alpha: 1, id: l.id, isCard: l.main}, true
}

// tileAt returns the index of the tile under chart point (u, v), or -1.
func (l *cardLayer) tileAt(u, v float64) int {
	if u < 0 || v < 0 {
		return -1
	}
	bx, by := int(u/faceBucket), int(v/faceBucket)
	if bx >= l.nbx || by >= l.nby {
		return -1
	}
	for _, i := range l.buckets[by*l.nbx+bx] {
		t := &l.f.tiles[i]
		if u >= t.x0 && u < t.x1 && v >= t.y0 && v < t.y1 {
			return int(i)
		}
	}
	return -1
}

func inRoundedRect(u, v, x0, y0, x1, y1, r float64) bool {
	if u < x0 || u > x1 || v < y0 || v > y1 {
		return false
	}
	if r <= 0 {
		return true
	}
	dx := math.Max(0, math.Max(x0+r-u, u-(x1-r)))
	dy := math.Max(0, math.Max(y0+r-v, v-(y1-r)))
	return dx*dx+dy*dy <= r*r
}

// Default occluder colours (L*a*b* D50), typical rather than measured: a
// light-medium skin (ITA° about 30, "intermediate"), beige masking tape and a
// mid-green leaf with a lighter midrib.
var (
	fingerLab = colour.LabD50{L: 62, A: 16, B: 20}
	tapeLab   = colour.LabD50{L: 86, A: 2, B: 14}
	leafLab   = colour.LabD50{L: 42, A: -28, B: 34}
	midribLab = colour.LabD50{L: 62, A: -24, B: 42}
)

// defaultTapeOpacity is how much of what lies below masking tape hides:
// paper tape lets some light through.
const defaultTapeOpacity = 0.85

// occluderLayer is a finger, strip of tape or leaf lying over the card.
type occluderLayer struct {
	o              Occluder
	m              chartMap
	col, rib       rgb32
	alpha          float32
	ax, ay, length float64 // unit axis From→To and its length
	x0, y0, x1, y1 float64
	id             uint32
}

func newOccluderLayer(h homography, o Occluder, cam Camera, id uint32) *occluderLayer {
	l := &occluderLayer{o: o, m: newChartMap(h), alpha: 1, id: id}
	lab := map[OccluderKind]colour.LabD50{OccluderFinger: fingerLab, OccluderTape: tapeLab, OccluderLeaf: leafLab}[o.Kind]
	if o.Colour.L > 0 {
		lab = o.Colour
	}
	l.col, l.rib = linearOf(cam, lab), linearOf(cam, midribLab)
	if o.Kind == OccluderTape {
		l.alpha = defaultTapeOpacity
		if o.Opacity > 0 {
			l.alpha = float32(math.Min(o.Opacity, 1))
		}
	}
	dx, dy := o.To.X-o.From.X, o.To.Y-o.From.Y
	l.length = math.Hypot(dx, dy)
	if l.length > 0 {
		l.ax, l.ay = dx/l.length, dy/l.length
	} else {
		l.ax = 1
	}
	r := o.Width
	l.x0, l.y0, l.x1, l.y1 = pixelBounds(h, math.Min(o.From.X, o.To.X)-r, math.Min(o.From.Y, o.To.Y)-r,
		math.Max(o.From.X, o.To.X)+r, math.Max(o.From.Y, o.To.Y)+r)
	return l
}

func (l *occluderLayer) bounds() (x0, y0, x1, y1 float64) { return l.x0, l.y0, l.x1, l.y1 }

func (l *occluderLayer) at(x, y float64) (hit, bool) {
	if x < l.x0 || x > l.x1 || y < l.y0 || y > l.y1 {
		return hit{}, false
	}
	u, v, ok := l.m.chart(x, y)
	if !ok {
		return hit{}, false
	}
	return l.chartAt(u, v)
}

// chartAt is at in chart units.
func (l *occluderLayer) chartAt(u, v float64) (hit, bool) {
	du, dv := u-l.o.From.X, v-l.o.From.Y
	t := du*l.ax + dv*l.ay  // along the axis
	s := -du*l.ay + dv*l.ax // across it
	half := l.o.Width / 2
	switch l.o.Kind {
	case OccluderFinger:
		tc := math.Max(0, math.Min(l.length, t))
		d2 := (t-tc)*(t-tc) + s*s
		if d2 > half*half {
			return hit{}, false
		}
		// A cylinder lit from the front: darker towards its silhouette.
		f := float32(0.55 + 0.45*math.Sqrt(1-d2/(half*half)))
		return hit{col: rgb32{l.col[0] * f, l.col[1] * f, l.col[2] * f}, alpha: 1, id: l.id}, true
	case OccluderTape:
		if t < 0 || t > l.length || math.Abs(s) > half {
			return hit{}, false
		}
		return hit{col: l.col, alpha: l.alpha, id: l.id}, true
	default: // leaf
		if t < 0 || t > l.length {
			return hit{}, false
		}
		w := half * math.Pow(math.Sin(math.Pi*t/l.length), 0.7)
		if math.Abs(s) > w {
			return hit{}, false
		}
		if math.Abs(s) < 0.06*half {
			return hit{col: l.rib, alpha: 1, id: l.id | 1}, true
		}
		return hit{col: l.col, alpha: 1, id: l.id}, true
	}
}
