package dots

import (
	"image"
	"math"
	"sort"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/segment"
)

// Region says where dots may be counted, in working pixels.
type Region struct {
	// ROI, if not empty, is the rectangle dots must lie wholly inside.
	ROI image.Rectangle
	// Mask, if not nil, admits only pixels where it is > 0 (same size as
	// the image).
	Mask *image.Gray
	// Exclude holds polygons (the card and the fingers holding it) that
	// no counted dot may touch.
	Exclude []segment.Polygon
}

// Shape limits for a dot, measured on its half-peak level set after the
// opening (which removes the stubble that crosses it). A disc has
// elongation 1 and fill 1; a stub of hair that survives the opening is two
// or more times longer than wide.
const (
	// maxElongation is the largest ratio of the level set's principal
	// axes: discs pixelated and noisy stay under 1.3, dots with a stub of
	// hair across them under 1.6; pairs of touching dots are about 2.
	maxElongation = 1.6
	// minFill is the smallest ratio of the level set's area to that of
	// the ellipse with its second moments (1 for a disc; a ring, a
	// crescent or a cluster of specks is lower).
	minFill = 0.75
	// minDiameterPx is the smallest half-peak diameter that is a dot
	// rather than a noise speck or a clump of stubble.
	minDiameterPx = 2.5
	// peakShare: a dot's peak contrast must be at least this share of the
	// typical dot's: shadows of pores, flakes and faint marks are not
	// pigment.
	peakShare = 0.4
	// noiseK is how many noise standard deviations a peak must rise above
	// the skin.
	noiseK = 6
	// minRing is the least contrast, as a share of the centre's, that
	// three quarters of sixteen samples on a circle inside the half-peak
	// set must reach: a blurred disc is about as high all round (a stub across
	// it raises two or four samples); a clump of parallel hairs is low
	// across its axis, crossing hairs are low between their arms.
	minRing = 0.3
	// ringShare places that circle inside the level set of the opened map
	// (whose flattened top puts its half-peak set wider than the dot's).
	ringShare = 0.7
	// minContrast is the least share of the skin's light a dot takes
	// away at its peak (about 3 L* units on mid skin): skin mottle and
	// pores stay below it, a healed dot, even faded, does not.
	minContrast = 0.06
	// skinNoiseK: skin samples are pixels whose contrast is within this
	// many noise standard deviations (stubble, dots and their blurred rims
	// are darker).
	skinNoiseK = 6
	// minSkinChroma, skinHueMin, skinHueMax: skin colour between dots
	// (the loose test of match/segment: hue 15–85°, C* ≥ 5, here a little
	// wider): dots on non-skin (the card's border, clothing) are not
	// counted.
	minSkinChroma = 4.0
	skinHueMin    = 10.0
	skinHueMax    = 90.0
)

// found is one dot as measured, in working pixels.
type found struct {
	x, y     float64 // centre
	peak     float64 // peak contrast of the blurred dot
	rho      [3]float64
	sigma    float64 // blur of this dot alone (0 when not measurable)
	r        float64 // disc radius (under the field's blur)
	lab      colour.LabD50
	skin     colour.XYZ
	resid    float64 // share the unmixing model leaves unexplained
	contrast float64 // 1 − Y_dot/Y_skin, fitted
	inside   bool    // counted: wholly inside the photo, the region, on skin
}

// field is what measure returns, in working pixels.
type field struct {
	dots     []found
	sigma    float64 // the field's blur (smoothing included)
	counted  []int   // indices of counted dots
	area     float64 // where a counted dot's centre may lie, px²
	skin     segment.Colour
	dot      segment.Colour
	diameter float64
	spacing  float64
	coverage float64 // median core coverage of the counted dots
}

// candidates finds local maxima of the opened contrast map that rise above
// the noise: one per dot, and some for clumps of stubble and specks that
// the shape tests then reject.
func candidates(m *maps, minSep float64) []int {
	w, h := m.w, m.h
	thr := float32(math.Max(noiseK*m.noise, minContrast))
	var idx []int
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			v := m.round[i]
			if v < thr {
				continue
			}
			peak := true
			for dy := -1; dy <= 1 && peak; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if m.round[i+dy*w+dx] > v {
						peak = false
						break
					}
				}
			}
			if peak {
				idx = append(idx, i)
			}
		}
	}
	// The opening flattens a dot's top into a plateau: keep the highest
	// maximum within minSep.
	sort.Slice(idx, func(a, b int) bool { return m.round[idx[a]] > m.round[idx[b]] })
	var keep []int
	cell := math.Max(minSep, 1)
	grid := map[[2]int][]int{}
	for _, i := range idx {
		x, y := float64(i%w), float64(i/w)
		gx, gy := int(x/cell), int(y/cell)
		near := false
		for oy := -1; oy <= 1 && !near; oy++ {
			for ox := -1; ox <= 1 && !near; ox++ {
				for _, j := range grid[[2]int{gx + ox, gy + oy}] {
					if math.Hypot(float64(j%w)-x, float64(j/w)-y) < minSep {
						near = true
						break
					}
				}
			}
		}
		if !near {
			grid[[2]int{gx, gy}] = append(grid[[2]int{gx, gy}], i)
			keep = append(keep, i)
		}
	}
	return keep
}

// shape reads a candidate on the opened map: its half-peak level set
// (connected to the seed, within a window) and that set's moments. It
// returns the centroid, the half-peak radius, elongation and fill.
func shape(m *maps, seed int, win int) (cx, cy, rho, elong, fill float64, ok bool) {
	// A stub of hair touching a dot can carry its half-peak level set away
	// out of the window: the dot's core stands higher than the stub, so
	// higher levels are tried before giving up.
	for _, q := range []float32{0.5, 0.65} {
		cx, cy, rho, elong, fill, ok = shapeAt(m, seed, win, q)
		if ok {
			return
		}
	}
	return
}

// shapeAt is shape at the level set q × the seed's value.
func shapeAt(m *maps, seed int, win int, q float32) (cx, cy, rho, elong, fill float64, ok bool) {
	w, h := m.w, m.h
	sx, sy := seed%w, seed/w
	lvl := q * m.round[seed]
	x0, x1 := max(0, sx-win), min(w-1, sx+win)
	y0, y1 := max(0, sy-win), min(h-1, sy+win)
	// The flood marks pixels in one image-sized scratch, cleared after.
	if len(m.seen) != w*h {
		m.seen = make([]bool, w*h)
	}
	seen := m.seen
	var touched []int
	defer func() {
		for _, i := range touched {
			seen[i] = false
		}
	}()
	stack := []int{seed}
	seen[seed] = true
	touched = append(touched, seed)
	var n, mx, my, mxx, myy, mxy float64
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := float64(i%w), float64(i/w)
		n++
		mx += x
		my += y
		mxx += x * x
		myy += y * y
		mxy += x * y
		ix, iy := i%w, i/w
		if ix == x0 || ix == x1 || iy == y0 || iy == y1 {
			return 0, 0, 0, 0, 0, false // runs out of the window: not a dot
		}
		for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			j := (iy+d[1])*w + ix + d[0]
			if !seen[j] && m.round[j] >= lvl {
				seen[j] = true
				touched = append(touched, j)
				stack = append(stack, j)
			}
		}
	}
	cx, cy = mx/n, my/n
	vxx, vyy, vxy := mxx/n-cx*cx+1.0/12, myy/n-cy*cy+1.0/12, mxy/n-cx*cy
	tr, det := vxx+vyy, vxx*vyy-vxy*vxy
	disc := math.Sqrt(math.Max(0, tr*tr/4-det))
	l1, l2 := tr/2+disc, tr/2-disc
	if l2 <= 0 {
		return 0, 0, 0, 0, 0, false
	}
	return cx + 0.5, cy + 0.5, math.Sqrt(n / math.Pi), math.Sqrt(l1 / l2), n / (4 * math.Pi * math.Sqrt(l1*l2)), true
}

// bilinear samples a w × h map with stride st and offset off per pixel at
// (x, y) in pixel-edge coordinates (pixel centres at +0.5).
func bilinear(v []float32, w, h, st, off int, x, y float64) float64 {
	x, y = x-0.5, y-0.5
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(xx, yy int) float64 {
		xx, yy = max(0, min(w-1, xx)), max(0, min(h-1, yy))
		return float64(v[st*(yy*w+xx)+off])
	}
	return (1-fy)*((1-fx)*at(x0, y0)+fx*at(x0+1, y0)) + fy*((1-fx)*at(x0, y0+1)+fx*at(x0+1, y0+1))
}

// levelsOf measures the dot's 25%, 50% and 75% level-set radii on the
// unopened contrast map, over the pixels nearer to this dot than to the
// next (within radius lim) where the opened map shows the dot (so stubble
// beside it does not count).
func levelsOf(m *maps, f *found, lim float64, support float32) (ok bool) {
	w, h := m.w, m.h
	f.peak = bilinear(m.dark, w, h, 1, 0, f.x, f.y)
	if f.peak <= 0 {
		return false
	}
	var n [3]int
	q := [3]float64{0.25, 0.5, 0.75}
	x0, x1 := max(0, int(f.x-lim)), min(w-1, int(f.x+lim))
	y0, y1 := max(0, int(f.y-lim)), min(h-1, int(f.y+lim))
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			dx, dy := float64(x)+0.5-f.x, float64(y)+0.5-f.y
			if dx*dx+dy*dy > lim*lim {
				continue
			}
			i := y*w + x
			if m.round[i] < support {
				continue
			}
			v := float64(m.dark[i])
			for k := range q {
				if v >= q[k]*f.peak {
					n[k]++
				}
			}
		}
	}
	for k := range n {
		f.rho[k] = math.Sqrt(float64(n[k]) / math.Pi)
	}
	return n[2] > 0
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func skinLike(c colour.LabD50) bool {
	if c.Chroma() < minSkinChroma {
		return false
	}
	hue := c.HueDeg()
	return hue >= skinHueMin && hue <= skinHueMax
}

// roundOnRaw reports whether the unopened contrast around (cx, cy) is a
// disc rather than crossing hairs: the median of sixteen samples on the
// circle of radius rho against the centre's value.
func roundOnRaw(m *maps, cx, cy, rho float64) bool {
	c := bilinear(m.dark, m.w, m.h, 1, 0, cx, cy)
	if c <= 0 {
		return false
	}
	var ring []float64
	for k := 0; k < 16; k++ {
		s, co := math.Sincos(float64(k) * math.Pi / 8)
		ring = append(ring, bilinear(m.dark, m.w, m.h, 1, 0, cx+ringShare*rho*co, cy+ringShare*rho*s))
	}
	sort.Float64s(ring)
	return ring[4] >= minRing*c
}
