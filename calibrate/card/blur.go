package card

import (
	"math"
	"sort"

	"gocv.io/x/gocv"
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
	if img.Empty() || img.Type() != gocv.MatTypeCV8UC3 {
		return 0, false
	}
	pix, err := img.DataPtrUint8()
	if err != nil {
		return 0, false
	}
	w, h := img.Cols(), img.Rows()
	var lin [256]float64
	for k := range lin {
		v := float64(k) / 255
		if v <= 0.04045 {
			lin[k] = v / 12.92
		} else {
			lin[k] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
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
	eval := func(x0, s float64) (float64, float64) {
		var n, sf, sff, sv, sfv float64
		for k, x := range xs {
			f[k] = 0.5 * math.Erfc(-(x-x0)/(s*math.Sqrt2))
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
	best := math.Inf(1)
	var bx, bs, bb float64
	search := func(x0lo, x0hi, dx, slo, shi, ds float64) {
		for x0 := x0lo; x0 <= x0hi; x0 += dx {
			for s := slo; s <= shi; s *= ds {
				if e, b := eval(x0, s); e < best {
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
