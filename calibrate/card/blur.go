package card

import (
	"math"
	"sort"

	"gocv.io/x/gocv"
	"gonum.org/v1/gonum/mat"
)

// EdgeBlur measures the lens blur of a photo on the card it shows: each
// patch meets the card's black border in a sharp step, so the profile
// across a patch edge is the edge-spread function of the lens and sensor.
// For each side of each patch, the profile along its normal (averaged over
// the middle of the side, in linear light by the sRGB curve) is fitted with
// a + b·Φ((x − x0)/σ); the median σ of the edges of good contrast is the
// blur, in pixels of img (a BGR 8-bit photo). ok is false when too few
// edges could be fitted. The σ is the blur of the photo as a whole (lens,
// the pixel's own area, demosaicing, JPEG): what thin fibres in the same
// photo suffer, not the lens's alone.
func EdgeBlur(img gocv.Mat, d Detection) (sigma float64, ok bool) {
	pix, w, h, ok := bgrPixels(img)
	if !ok {
		return 0, false
	}
	lin := &srgbLinear
	// JPEG keeps luma at full resolution: the profile is taken on it.
	luma := func(i int) float64 {
		b, g, r := float64(pix[3*i]), float64(pix[3*i+1]), float64(pix[3*i+2])
		return lin[int(0.299*r+0.587*g+0.114*b+0.5)]
	}
	at := func(x, y float64) (float64, bool) {
		x0, y0 := int(math.Floor(x)), int(math.Floor(y))
		if x0 < 0 || y0 < 0 || x0+1 >= w || y0+1 >= h {
			return 0, false
		}
		fx, fy := x-float64(x0), y-float64(y0)
		g := func(xx, yy int) float64 { return luma(yy*w + xx) }
		return (g(x0, y0)*(1-fx)+g(x0+1, y0)*fx)*(1-fy) + (g(x0, y0+1)*(1-fx)+g(x0+1, y0+1)*fx)*fy, true
	}
	gap := (PatchPitch - PatchSize) / 2 // chart units from a patch edge to mid-gap
	var sigmas []float64
	const step = 0.25
	// The light neutral patches (white to neutral 5) meet the black border
	// in the strongest steps: 16 edges.
	for i := 18; i < 22; i++ {
		c := PatchCentre(i)
		for side := 0; side < 4; side++ {
			// Edge midpoint and outward normal in chart units.
			nx, ny := [4]float64{1, -1, 0, 0}[side], [4]float64{0, 0, 1, -1}[side]
			tx, ty := -ny, nx
			ex, ey := c.X+nx*PatchSize/2, c.Y+ny*PatchSize/2
			// In pixels: the normal's length per chart unit.
			p0 := d.H.Apply(Point{ex, ey})
			p1 := d.H.Apply(Point{ex + nx*0.1, ey + ny*0.1})
			q1 := d.H.Apply(Point{ex + tx*0.1, ey + ty*0.1})
			ux, uy := (p1.X-p0.X)/0.1, (p1.Y-p0.Y)/0.1
			unit := math.Hypot(ux, uy)
			if unit < 8 {
				continue // patches too small to see an edge's profile
			}
			// The pixel normal: perpendicular to the edge as imaged.
			ax, ay := q1.X-p0.X, q1.Y-p0.Y
			al := math.Hypot(ax, ay)
			if al == 0 {
				continue
			}
			ax, ay = ax/al, ay/al
			pnx, pny := ay, -ax
			if pnx*ux+pny*uy < 0 {
				pnx, pny = -pnx, -pny
			}
			inner := math.Min(0.5*PatchSize*unit*0.5, 8) // a few σ into the patch
			outer := gap * unit                          // mid-gap
			if outer < 1.5 {
				continue
			}
			var xs, vs []float64
			for s := -inner; s <= outer; s += step {
				var sum float64
				n := 0
				for k := -4; k <= 4; k++ {
					along := float64(k) / 4 * 0.3 * PatchSize * unit
					v, ok := at(p0.X+pnx*s+ax*along, p0.Y+pny*s+ay*along)
					if ok {
						sum += v
						n++
					}
				}
				if n < 9 {
					xs = nil
					break
				}
				xs = append(xs, s)
				vs = append(vs, sum/float64(n))
			}
			if len(xs) < 8 {
				continue
			}
			if s, contrast, ok := fitEdge(xs, vs, outer); ok && contrast > 0.05 {
				sigmas = append(sigmas, s)
			}
		}
	}
	if len(sigmas) < 4 {
		return 0, false
	}
	sort.Float64s(sigmas)
	return sigmas[len(sigmas)/2], true
}

// fitEdge fits v = a + b·Φ((x − x0)/σ) by a grid over x0 (within ±maxX0)
// and σ with a and b by least squares, and returns σ and |b|.
func fitEdge(xs, vs []float64, maxX0 float64) (float64, float64, bool) {
	_, s, b, ok := fitEdgeAt(xs, vs, -maxX0, maxX0)
	return s, b, ok
}

// fitEdgeAt is fitEdge with the edge searched in [lo, hi]; it also returns
// the edge's position x0.
func fitEdgeAt(xs, vs []float64, lo, hi float64) (x0, sigma, contrast float64, ok bool) {
	f := make([]float64, len(xs))
	// fit returns the squared error and b of the best a + b·f, f the
	// model's Φ at each sample.
	fit := func() (float64, float64) {
		var n, sf, sff, sv, sfv float64
		for k := range xs {
			n++
			sf += f[k]
			sff += f[k] * f[k]
			sv += vs[k]
			sfv += f[k] * vs[k]
		}
		det := n*sff - sf*sf
		if det <= 1e-12 {
			return math.Inf(1), 0
		}
		b := (n*sfv - sf*sv) / det
		a := (sv - b*sf) / n
		var e float64
		for k := range xs {
			r := vs[k] - a - b*f[k]
			e += r * r
		}
		return e, b
	}
	// Where the samples lie every r grid steps of x0, x − x0 takes the
	// values u0 + m·dx: Φ is tabulated over m once per σ instead of once
	// per sample and x0 (the card's edges are sampled every 0.25 px and
	// searched every 0.25, then every 0.05).
	uniform := len(xs) > 1
	for k := range xs {
		if math.Abs(xs[k]-(xs[0]+float64(k)*(xs[1]-xs[0]))) > 1e-9 {
			uniform = false
			break
		}
	}
	var tab []float64
	best := math.Inf(1)
	var bx, bs, bb float64
	search := func(x0lo, x0hi, dx, slo, shi, ds float64) {
		var x0s []float64
		for x0 := x0lo; x0 <= x0hi; x0 += dx {
			x0s = append(x0s, x0)
		}
		r := 0
		if uniform && len(x0s) > 0 {
			q := (xs[1] - xs[0]) / dx
			if rq := math.Round(q); rq >= 1 && math.Abs(q-rq) < 1e-9 {
				r = int(rq)
			}
		}
		for s := slo; s <= shi; s *= ds {
			if r > 0 {
				// m = k·r − j runs from −(len(x0s) − 1) to (len(xs) − 1)·r.
				off := len(x0s) - 1
				tab = tab[:0]
				u0 := xs[0] - x0s[0]
				for m := -off; m <= (len(xs)-1)*r; m++ {
					tab = append(tab, 0.5*math.Erfc(-(u0+float64(m)*dx)/(s*math.Sqrt2)))
				}
				for j, x0 := range x0s {
					for k := range xs {
						f[k] = tab[k*r-j+off]
					}
					if e, b := fit(); e < best {
						best, bx, bs, bb = e, x0, s, math.Abs(b)
					}
				}
				continue
			}
			for _, x0 := range x0s {
				for k, x := range xs {
					f[k] = 0.5 * math.Erfc(-(x-x0)/(s*math.Sqrt2))
				}
				if e, b := fit(); e < best {
					best, bx, bs, bb = e, x0, s, math.Abs(b)
				}
			}
		}
	}
	search(lo, hi, 0.25, 0.15, 4, 1.12)
	if math.IsInf(best, 1) {
		return 0, 0, 0, false
	}
	search(bx-0.25, bx+0.25, 0.05, bs/1.12, bs*1.12, 1.02)
	return bx, bs, bb, true
}

// bgrPixels is the pixel buffer of an 8-bit BGR photo and its size; ok is
// false for anything else.
func bgrPixels(img gocv.Mat) (pix []uint8, w, h int, ok bool) {
	if img.Empty() || img.Type() != gocv.MatTypeCV8UC3 {
		return nil, 0, 0, false
	}
	pix, err := img.DataPtrUint8()
	if err != nil {
		return nil, 0, 0, false
	}
	return pix, img.Cols(), img.Rows(), true
}

// srgbLinear decodes an 8-bit sRGB value to linear light.
var srgbLinear = func() (lin [256]float64) {
	for k := range lin {
		v := float64(k) / 255
		if v <= 0.04045 {
			lin[k] = v / 12.92
		} else {
			lin[k] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return lin
}()

// ChromaBlur measures how far the photo smears colour beyond the lens blur,
// from the card's patch edges: the Gaussian σ, in photo pixels, of the
// colour-difference signals (JPEG's Cb and Cr) across the gaps between
// neighbouring patches, where the luminance edges are sharp steps blurred
// by the lens alone. A JPEG stores colour at half resolution (4:2:0) and a
// phone often smooths it further to hide colour noise; neither touches
// luminance, so a strand of hair a few pixels wide keeps its luminance
// while its colour is mixed with the skin's around it. What this returns is
// the total colour blur (lens included); lens is EdgeBlur's answer. The
// colour edges are read in the gamma-encoded space where the codec smears
// them, while the lens blurred them in linear light; the encoding widens
// an edge's dark side, so with no smear at all this reads up to a third
// of a pixel above the lens blur (0.7 → 1.0 px on a clean render).
//
// Each pair of side-by-side patches gives a profile from one centre to the
// other: two luminance edges (patch to black gap, gap to patch) whose
// positions are fitted on linear luminance, then Cb and Cr fitted with the
// same edges as c_i, c_gap, c_j blurred by one σ. ok is false when fewer
// than 4 pairs have colour contrast enough to read.
func ChromaBlur(img gocv.Mat, d Detection) (sigma float64, ok bool) {
	pix, w, h, ok := bgrPixels(img)
	if !ok {
		return 0, false
	}
	lin := &srgbLinear
	// sample returns linear luma, Cb and Cr (of the encoded values, as the
	// codec has them), bilinear at (x, y).
	sample := func(x, y float64) ([3]float64, bool) {
		x0, y0 := int(math.Floor(x)), int(math.Floor(y))
		if x0 < 0 || y0 < 0 || x0+1 >= w || y0+1 >= h {
			return [3]float64{}, false
		}
		fx, fy := x-float64(x0), y-float64(y0)
		var out [3]float64
		for _, c := range [4]struct {
			dx, dy int
			wt     float64
		}{{0, 0, (1 - fx) * (1 - fy)}, {1, 0, fx * (1 - fy)}, {0, 1, (1 - fx) * fy}, {1, 1, fx * fy}} {
			i := (y0+c.dy)*w + x0 + c.dx
			b, g, r := float64(pix[3*i])/255, float64(pix[3*i+1])/255, float64(pix[3*i+2])/255
			yl := lin[int(255*(0.299*r+0.587*g+0.114*b)+0.5)]
			out[0] += c.wt * yl
			out[1] += c.wt * (-0.168736*r - 0.331264*g + 0.5*b)
			out[2] += c.wt * (0.5*r - 0.418688*g - 0.081312*b)
		}
		return out, true
	}
	var sigmas []float64
	for i := 0; i < NumPatches; i++ {
		for _, j := range []int{i + 1, i + Cols} {
			if j >= NumPatches || (j == i+1 && i%Cols == Cols-1) {
				continue
			}
			ci, cj := PatchCentre(i), PatchCentre(j)
			pi, pj := d.H.Apply(ci), d.H.Apply(cj)
			ux, uy := pj.X-pi.X, pj.Y-pi.Y
			length := math.Hypot(ux, uy)
			if length < 24 {
				continue // patches too small for a profile
			}
			ux, uy = ux/length, uy/length
			// A quarter pixel along the profile, or 240 samples on a
			// large card.
			step := math.Max(0.25, length/240)
			// Across: the perpendicular, over ±30% of a patch.
			ax, ay := -uy, ux
			across := 0.3 * PatchSize / PatchPitch * length
			var xs []float64
			var vs [][3]float64
			for s := 0.0; s <= length; s += step {
				var sum [3]float64
				n := 0
				for k := -4; k <= 4; k++ {
					o := float64(k) / 4 * across
					if v, good := sample(pi.X+ux*s+ax*o, pi.Y+uy*s+ay*o); good {
						for c := range sum {
							sum[c] += v[c]
						}
						n++
					}
				}
				if n < 9 {
					xs = nil
					break
				}
				xs = append(xs, s)
				vs = append(vs, [3]float64{sum[0] / 9, sum[1] / 9, sum[2] / 9})
			}
			if len(xs) < 40 {
				continue
			}
			if s, good := fitGapChroma(xs, vs, length); good {
				sigmas = append(sigmas, s)
			}
		}
	}
	if len(sigmas) < 4 {
		return 0, false
	}
	sort.Float64s(sigmas)
	return sigmas[len(sigmas)/2], true
}

// maxChromaBlurPx is the largest colour blur read, in photo pixels.
const maxChromaBlurPx = 6.0

// gapEdge finds the luminance edge from a patch into the gap on a half
// profile (xs from the patch's centre): first the steepest fall between lo
// and hi, then an erf edge fitted there on the samples around it. It
// returns the edge's position and its contrast.
func gapEdge(xs, vs []float64, lo, hi float64) (float64, float64, bool) {
	at, steep := -1.0, 0.0
	for k := 1; k < len(xs); k++ {
		if xs[k] < lo || xs[k] > hi {
			continue
		}
		if d := vs[k-1] - vs[k]; d > steep {
			at, steep = (xs[k-1]+xs[k])/2, d
		}
	}
	if at < 0 {
		return 0, 0, false
	}
	var fx, fv []float64
	for k, x := range xs {
		if x >= at-8 && x <= math.Min(hi, at+8) {
			fx, fv = append(fx, x), append(fv, vs[k])
		}
	}
	x0, _, c, ok := fitEdgeAt(fx, fv, at-1.5, at+1.5)
	return x0, c, ok
}

// Contrasts a profile needs: the gap darker than both patches by this
// share of linear luminance, and colour steps of this much Cb/Cr (0–1)
// into the gap, on at least one side.
const (
	minGapLumaContrast = 0.05
	minGapChroma       = 0.04
)

// fitGapChroma fits one centre-to-centre profile: the luminance edges
// first (patch i to the gap, the gap to patch j, each a blurred step), then
// Cb and Cr as three levels blurred by one σ at those edges.
func fitGapChroma(xs []float64, vs [][3]float64, length float64) (float64, bool) {
	mid := length / 2
	var lx, lv, rx, rv []float64
	for k, x := range xs {
		if x <= mid {
			lx, lv = append(lx, x), append(lv, vs[k][0])
		} else {
			// The right half mirrored, so that both are patch-to-gap.
			rx, rv = append(rx, length-x), append(rv, vs[k][0])
		}
	}
	// The mirrored half runs from the gap to the centre: turn it round.
	for i, j := 0, len(rx)-1; i < j; i, j = i+1, j-1 {
		rx[i], rx[j] = rx[j], rx[i]
		rv[i], rv[j] = rv[j], rv[i]
	}
	e1, c1, ok1 := gapEdge(lx, lv, 0.3*length, mid)
	e2, c2, ok2 := gapEdge(rx, rv, 0.3*length, mid)
	if !ok1 || !ok2 || c1 < minGapLumaContrast || c2 < minGapLumaContrast {
		return 0, false
	}
	e2 = length - e2
	if !(e2 > e1) {
		return 0, false
	}
	// Cb and Cr: levels by least squares for each σ on a grid; the σ of
	// the least residual over both.
	// Only the stretch around the gap says anything about σ.
	var wx []float64
	var wv [][3]float64
	for k, x := range xs {
		if x >= e1-3*maxChromaBlurPx && x <= e2+3*maxChromaBlurPx {
			wx, wv = append(wx, x), append(wv, vs[k])
		}
	}
	best, bestS := math.Inf(1), 0.0
	var bestSteps float64
	try := func(s float64) {
		e, steps := fitLevels(wx, wv, e1, e2, s)
		if e < best {
			best, bestS, bestSteps = e, s, steps
		}
	}
	for s := 0.3; s <= maxChromaBlurPx; s += 0.25 {
		try(s)
	}
	for s, c := bestS-0.25, bestS; s <= c+0.25; s += 0.05 {
		try(s)
	}
	if bestSteps < minGapChroma || bestS <= 0.3 || bestS >= maxChromaBlurPx-0.05 {
		return 0, false
	}
	return bestS, true
}

// fitLevels fits Cb and Cr (channels 1 and 2) of the profile, each as
// a + (g − a)Φ((x−e1)/σ) + (b − g)Φ((x−e2)/σ), by least squares on one
// basis, and returns the two channels' summed residual and the largest of
// their steps |g − a|, |b − g|.
func fitLevels(xs []float64, vs [][3]float64, e1, e2, s float64) (float64, float64) {
	// Basis: 1 − Φ1 (patch i), Φ1 − Φ2 (the gap), Φ2 (patch j); the
	// same for both channels, so it is built and factorised once.
	a := mat.NewDense(len(xs), 3, nil)
	y := mat.NewDense(len(xs), 2, nil)
	for k, x := range xs {
		p1 := 0.5 * math.Erfc(-(x-e1)/(s*math.Sqrt2))
		p2 := 0.5 * math.Erfc(-(x-e2)/(s*math.Sqrt2))
		a.Set(k, 0, 1-p1)
		a.Set(k, 1, p1-p2)
		a.Set(k, 2, p2)
		y.Set(k, 0, vs[k][1])
		y.Set(k, 1, vs[k][2])
	}
	var qr mat.QR
	qr.Factorize(a)
	var sol mat.Dense
	if err := qr.SolveTo(&sol, false, y); err != nil {
		return math.Inf(1), 0
	}
	var fit, res mat.Dense
	fit.Mul(a, &sol)
	res.Sub(y, &fit)
	var e, steps float64
	for c := 0; c < 2; c++ {
		for k := range xs {
			r := res.At(k, c)
			e += r * r
		}
		l0, lg, l1 := sol.At(0, c), sol.At(1, c), sol.At(2, c)
		steps = math.Max(steps, math.Max(math.Abs(lg-l0), math.Abs(l1-lg)))
	}
	return e, steps
}
