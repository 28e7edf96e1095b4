package segment

import (
	"math"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// The skin-and-light stage (stage 2 of Measure): the local skin colour per
// tile, the light falling on the head fitted to it, the photo relit.

func (m *measurer) skinLike(l, a, b float32) bool {
	if l < 8 || l > 95 {
		return false
	}
	fa, fb := float64(a), float64(b)
	c2 := fa*fa + fb*fb
	if c2 < m.o.SkinChromaMin*m.o.SkinChromaMin || c2 > 60*60 {
		return false
	}
	if h := &m.hue; h.fast {
		// Within the arc from the least to the greatest hue: on the
		// anticlockwise side of the one, the clockwise side of the other.
		return h.cosMin*fb-h.sinMin*fa >= 0 && fa*h.sinMax-fb*h.cosMax >= 0
	}
	hue := math.Atan2(fb, fa) * 180 / math.Pi
	return hue >= m.o.SkinHueMinDeg && hue <= m.o.SkinHueMaxDeg
}

// hueArc tests hue angles without atan2: two cross products with the
// arc's ends, valid when the arc lies within −180°..180° (atan2's range)
// and spans less than 180°.
type hueArc struct {
	fast                           bool
	cosMin, sinMin, cosMax, sinMax float64
}

func newHueArc(minDeg, maxDeg float64) hueArc {
	if minDeg < -180 || maxDeg > 180 || maxDeg < minDeg || maxDeg-minDeg >= 180 {
		return hueArc{}
	}
	lo, hi := minDeg*math.Pi/180, maxDeg*math.Pi/180
	return hueArc{fast: true, cosMin: math.Cos(lo), sinMin: math.Sin(lo), cosMax: math.Cos(hi), sinMax: math.Sin(hi)}
}

// localSkin estimates the skin colour around every pixel from the median of
// the admitted pixels of m.rel per tile, smoothed over 3 × 3 tiles and
// interpolated bilinearly. It returns nil if no tile has enough pixels.
func (m *measurer) localSkin(admit func(i int) bool) []float32 {
	ts := m.o.TilePx
	tw, th := (m.w+ts-1)/ts, (m.h+ts-1)/ts
	grid := make([]float32, 3*tw*th)
	valid := make([]bool, tw*th)
	// A tile's mode needs a few hundred samples, not thousands.
	step := max(1, ts/maxTileSide)
	minN := max(8, (ts/step)*(ts/step)/10)
	// Tiles are independent: rows of tiles are shared out among the
	// cores, each with its own scratch.
	parallelFor(th, func(ty0, ty1 int) {
		scratch := make([][]float32, 3)
		var buf modeBuf
		for ty := ty0; ty < ty1; ty++ {
			for tx := 0; tx < tw; tx++ {
				for c := range scratch {
					scratch[c] = scratch[c][:0]
				}
				for y := ty * ts; y < min(m.h, (ty+1)*ts); y += step {
					for x := tx * ts; x < min(m.w, (tx+1)*ts); x += step {
						i := y*m.w + x
						if admit(i) {
							for c := 0; c < 3; c++ {
								scratch[c] = append(scratch[c], m.rel[3*i+c])
							}
						}
					}
				}
				if len(scratch[0]) < minN {
					continue
				}
				t := ty*tw + tx
				valid[t] = true
				grid[3*t], grid[3*t+1], grid[3*t+2] = modeLab(scratch, &buf)
			}
		}
	})
	any := false
	for _, v := range valid {
		any = any || v
	}
	if !any {
		return nil
	}
	// Fill tiles without skin from their neighbours, ring by ring.
	for {
		var todo []int
		for t := range valid {
			if !valid[t] {
				todo = append(todo, t)
			}
		}
		if len(todo) == 0 {
			break
		}
		var fill []int
		var vals [][3]float32
		for _, t := range todo {
			x, y := t%tw, t/tw
			var s [3]float32
			n := 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx >= 0 && yy >= 0 && xx < tw && yy < th && valid[yy*tw+xx] {
						j := yy*tw + xx
						for c := 0; c < 3; c++ {
							s[c] += grid[3*j+c]
						}
						n++
					}
				}
			}
			if n > 0 {
				fill = append(fill, t)
				vals = append(vals, [3]float32{s[0] / float32(n), s[1] / float32(n), s[2] / float32(n)})
			}
		}
		for k, t := range fill {
			copy(grid[3*t:3*t+3], vals[k][:])
			valid[t] = true
		}
	}
	return m.interpolate(medianTiles(grid, tw, th), tw, th)
}

// medianTiles is the 3 × 3 median over tiles, per channel: a tile whose
// mode went to the hair (where hair is locally denser than skin) is an
// outlier among its neighbours.
func medianTiles(grid []float32, tw, th int) []float32 {
	sm := make([]float32, len(grid))
	var win []float32
	for ty := 0; ty < th; ty++ {
		for tx := 0; tx < tw; tx++ {
			t := ty*tw + tx
			for c := 0; c < 3; c++ {
				win = win[:0]
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						xx, yy := tx+dx, ty+dy
						if xx >= 0 && yy >= 0 && xx < tw && yy < th {
							win = append(win, grid[3*(yy*tw+xx)+c])
						}
					}
				}
				sm[3*t+c] = float32(quantile(win, 0.5))
			}
		}
	}
	return sm
}

// interpolate spreads tile values bilinearly over the pixels
// (upsampleTiles: OpenCV's linear resize).
func (m *measurer) interpolate(sm []float32, tw, th int) []float32 {
	return upsampleTiles(sm, tw, th, m.o.TilePx, m.w, m.h)
}

// modeLab estimates the most common colour of the samples (L*, a*, b* in
// ch, reordered): the per-channel median, then the median of the half
// nearest to it. Hair that passed the skin gate (blurred edges, brown or
// blond fibres) pulls a plain median towards itself in tiles where it is
// dense; the nearest half is skin. buf is scratch space.
func modeLab(ch [][]float32, buf *modeBuf) (float32, float32, float32) {
	n := len(ch[0])
	var c [3]float32
	for k := 0; k < 3; k++ {
		buf.tmp = append(buf.tmp[:0], ch[k]...)
		c[k] = float32(quantile(buf.tmp, 0.5))
	}
	buf.dist = buf.dist[:0]
	for i := 0; i < n; i++ {
		dl, da, db := ch[0][i]-c[0], ch[1][i]-c[1], ch[2][i]-c[2]
		buf.dist = append(buf.dist, dl*dl+da*da+db*db)
	}
	buf.tmp = append(buf.tmp[:0], buf.dist...)
	lim := float32(quantile(buf.tmp, 0.5))
	for k := 0; k < 3; k++ {
		buf.tmp = buf.tmp[:0]
		for i := 0; i < n; i++ {
			if buf.dist[i] <= lim {
				buf.tmp = append(buf.tmp, ch[k][i])
			}
		}
		c[k] = float32(quantile(buf.tmp, 0.5))
	}
	return c[0], c[1], c[2]
}

type modeBuf struct{ tmp, dist []float32 }

// skinPass replaces m.bg by the local skin of the admitted pixels, if there
// are any.
func (m *measurer) skinPass(admit func(i int) bool) bool {
	bg := m.localSkin(admit)
	if bg == nil {
		return false
	}
	m.bg = bg
	return true
}

// relight drops deep shadow from the region's rim and scales every region
// pixel's XYZ so that its local skin has the luminance of the best-lit
// skin. Light falloff is multiplicative in linear light, so this undoes it
// for hair and skin alike.
func (m *measurer) relight() {
	// The rim and the light's fit both only read the region and the
	// local skin: they are found side by side.
	rims := beside(m.rim)
	sh := m.shadingFit()
	fit := sh.at
	rim := rims()
	// The best-lit skin: a high quantile of the smooth fit, which a scar
	// or a large highlight (both lighter than skin, both outliers to the
	// fit) cannot raise.
	var ys []float32
	for i, v := range m.reg {
		if v && i%m.stride == 0 {
			ys = append(ys, float32(fit(i%m.w, i/m.w)))
		}
	}
	yRef := quantile(ys, litQuantile)
	cbrtRef := math.Cbrt(yRef)
	// |log(yb/yf)| > maxLocalShading, as bounds on the ratio.
	rLo, rHi := math.Exp(-maxLocalShading), math.Exp(maxLocalShading)
	// A ratio clearly inside the bounds by the surface's product form
	// needs no exact fit (the exact value would pass it too); one near or
	// beyond them is decided, and replaced, with the exact value.
	sureLo, sureHi := rLo*(1+nearRatio), rHi*(1-nearRatio)
	// Each pixel is relit on its own: the pixels are shared out among
	// the cores.
	parallelFor(len(m.reg), func(lo, hi int) {
		rowY, next := -1, lo
		var cross, step float64
		fast := false
		for i := lo; i < hi; i++ {
			if !m.reg[i] {
				continue
			}
			// The local skin follows shading the fit cannot (a fold, a
			// hollow); where it strays far from the fit it is something else
			// (a scar, a highlight, a birthmark) and the fit gives the light.
			y := i / m.w
			px := i - y*m.w
			if y != rowY || i != next {
				// A new row, or a gap in it: the cross term afresh.
				rowY = y
				cross, step, fast = sh.along(px, y)
			} else {
				cross *= step
			}
			next = i + 1
			lb := float64(m.bg[3*i])
			yb := labY(lb)
			fromSkin := true
			sure := false
			if fast {
				r := yb / (sh.col[px] * sh.row[y] * cross)
				sure = r > sureLo && r < sureHi
			}
			if !sure {
				yf := fit(px, y)
				if r := yb / yf; r > rHi || r < rLo {
					yb, fromSkin = yf, false
				}
			}
			if rim[i] && yb < m.o.ShadowRatio*yRef {
				m.reg[i] = false
				continue
			}
			g := yRef / yb
			p := m.relAt(i)
			// Scaling XYZ by g scales f(X), f(Y), f(Z) by ∛g on the cube-root
			// branch of L*a*b* (L* above 8): L* + 16, a* and b* all scale.
			// ∛g without a cube root per pixel where the local skin's L* gives
			// ∛yb directly (labY's cube branch): ∛(yRef / f³) = ∛yRef / f.
			var k float64
			if f := (lb + 16) / 116; fromSkin && f > 6.0/29 {
				k = cbrtRef / f
			} else {
				k = math.Cbrt(g)
			}
			if lp := (p.L+16)*k - 16; p.L > labCubeL && lp > labCubeL && math.Abs(p.A) < 200 && math.Abs(p.B) < 200 {
				m.rel[3*i], m.rel[3*i+1], m.rel[3*i+2] = float32(lp), float32(p.A*k), float32(p.B*k)
				continue
			}
			x := p.XYZ()
			q := colour.XYZ{X: x.X * g, Y: x.Y * g, Z: x.Z * g}.LabD50()
			m.rel[3*i], m.rel[3*i+1], m.rel[3*i+2] = float32(q.L), float32(q.A), float32(q.B)
		}
	})
}

// rim marks the region's pixels within rimShare of its inner radius from
// its edge, where a dome turns away from the light. The frame's border
// does not end the region (a close-up's scalp goes on beyond it); a region
// that fills the frame has no rim.
func (m *measurer) rim() []bool {
	dt := distanceToEdge(m.reg, m.w, m.h)
	// Distances from no edge at all are chamfer's infinity: beyond any
	// real distance in the frame.
	far := float32(m.w + m.h)
	var inner float32
	for i, v := range m.reg {
		if v && dt[i] < far && dt[i] > inner {
			inner = dt[i]
		}
	}
	rim := make([]bool, len(m.reg))
	lim := rimShare * inner
	for i, v := range m.reg {
		rim[i] = v && dt[i] < lim
	}
	return rim
}

// shadingFit fits a quadratic surface in x, y to the log luminance of the
// local skin over the region, robustly (points beyond 3 MADs are dropped
// and the fit repeated), and returns the fitted luminance at a pixel. Light
// falling off over a curved head is smooth; scars and highlights are not.
func (m *measurer) shadingFit() shading {
	type pt struct {
		f [6]float64
		z float64
	}
	feat := func(x, y int) [6]float64 {
		u, v := surfaceCoord(x, m.w), surfaceCoord(y, m.h)
		return [6]float64{1, u, v, u * u, u * v, v * v}
	}
	var pts []pt
	step := m.stride * 7
	for i := 0; i < len(m.reg); i += step {
		if m.reg[i] {
			pts = append(pts, pt{feat(i%m.w, i/m.w), math.Log(math.Max(labY(float64(m.bg[3*i])), 1e-4))})
		}
	}
	var coef [6]float64
	use := make([]bool, len(pts))
	for k := range use {
		use[k] = true
	}
	for it := 0; it < 4; it++ {
		var a [6][7]float64
		n := 0
		for k, p := range pts {
			if !use[k] {
				continue
			}
			n++
			for r := 0; r < 6; r++ {
				for c := 0; c < 6; c++ {
					a[r][c] += p.f[r] * p.f[c]
				}
				a[r][6] += p.f[r] * p.z
			}
		}
		if n < 12 {
			break
		}
		sol, ok := solve6(a)
		if !ok {
			break
		}
		coef = sol
		res := make([]float32, 0, len(pts))
		for _, p := range pts {
			res = append(res, float32(math.Abs(p.z-dot6(coef, p.f))))
		}
		mad := math.Max(quantile(append([]float32(nil), res...), 0.5), 0.01)
		for k := range pts {
			use[k] = float64(res[k]) <= 3*1.4826*mad
		}
	}
	if coef == ([6]float64{}) {
		// Too few points for a surface: no shading model.
		return shading{at: func(x, y int) float64 { return labY(float64(m.bg[3*(y*m.w+x)])) }}
	}
	return newShading(coef, m.w, m.h)
}

// surfaceCoord is pixel x of n as the light surface's coordinate, −1 at
// the first pixel to just short of 1 at the last.
func surfaceCoord(x, n int) float64 { return 2*float64(x)/float64(n) - 1 }

// newShading is the surface exp(c · [1, u, v, u², uv, v²]) over a w × h
// image, u and v its surfaceCoords.
func newShading(coef [6]float64, w, h int) shading {
	// The features per column and per row, computed once: the same
	// products as shadingFit's feat, so the same sums.
	us, uu := make([]float64, w), make([]float64, w)
	for x := range us {
		u := surfaceCoord(x, w)
		us[x], uu[x] = u, u*u
	}
	vs, vv := make([]float64, h), make([]float64, h)
	for y := range vs {
		v := surfaceCoord(y, h)
		vs[y], vv[y] = v, v*v
	}
	sh := shading{at: func(x, y int) float64 {
		u, v := us[x], vs[y]
		return math.Exp(dot6(coef, [6]float64{1, u, v, uu[x], u * v, vv[y]}))
	}}
	// The same surface as a product of a column factor, a row factor and
	// the cross term exp(c₄uv), which along a row is a geometric sequence
	// in x (u steps by 2/w): a few multiplications per pixel, not an exp.
	sh.col, sh.row = make([]float64, w), make([]float64, h)
	for x := range sh.col {
		sh.col[x] = math.Exp(coef[0] + coef[1]*us[x] + coef[3]*uu[x])
	}
	sh.beta = make([]float64, h)
	for y := range sh.row {
		sh.row[y] = math.Exp(coef[2]*vs[y] + coef[5]*vv[y])
		sh.beta[y] = coef[4] * vs[y]
	}
	sh.du, sh.u = 2/float64(w), us
	return sh
}

// shading is the light's fitted surface: at is the fitted luminance at a
// pixel. Where the surface was fitted, col, row and beta give it again
// without an exp per pixel (shading.along), to within rounding; relight
// uses that only to decide what the exact value would decide too.
type shading struct {
	at       func(x, y int) float64
	col, row []float64
	beta, u  []float64
	du       float64
}

// along returns the cross term exp(c₄uv) at (x, y) and its factor from
// one pixel of the row to the next: the surface at (x, y) is then
// col[x]·row[y]·cross, and at (x+1, y) the same with cross·step. ok is
// false without a fitted surface.
func (s shading) along(x, y int) (cross, step float64, ok bool) {
	if s.col == nil {
		return 0, 0, false
	}
	return math.Exp(s.beta[y] * s.u[x]), math.Exp(s.beta[y] * s.du), true
}

// nearRatio is the relative error the product form may carry against the
// exact exp(c·f) (a few roundings per step, over at most a row of steps:
// about 10⁻¹³), with a wide margin: a ratio this close to a bound is
// decided on the exact value.
const nearRatio = 1e-9

func dot6(a, b [6]float64) float64 {
	return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] + a[3]*b[3] + a[4]*b[4] + a[5]*b[5]
}

// solve6 solves the 6 × 6 system in augmented form by Gaussian elimination
// with partial pivoting.
func solve6(a [6][7]float64) ([6]float64, bool) {
	for c := 0; c < 6; c++ {
		p := c
		for r := c + 1; r < 6; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return [6]float64{}, false
		}
		a[c], a[p] = a[p], a[c]
		for r := c + 1; r < 6; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < 7; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	var x [6]float64
	for r := 5; r >= 0; r-- {
		s := a[r][6]
		for k := r + 1; k < 6; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	return x, true
}

func (m *measurer) diff(i int) [3]float64 {
	return [3]float64{
		float64(m.rel[3*i] - m.bg[3*i]),
		float64(m.rel[3*i+1] - m.bg[3*i+1]),
		float64(m.rel[3*i+2] - m.bg[3*i+2]),
	}
}

// quiet reports whether pixel i is within noise of its local skin: not
// hair, highlight, spot or local shadow.
func (m *measurer) quiet(i int) bool {
	lim := m.quietLim
	return math.Abs(float64(m.proj[i])) <= lim && math.Abs(float64(m.rel[3*i]-m.bg[3*i])) <= lim
}

func (m *measurer) relAt(i int) colour.LabD50 {
	return colour.LabD50{L: float64(m.rel[3*i]), A: float64(m.rel[3*i+1]), B: float64(m.rel[3*i+2])}
}
