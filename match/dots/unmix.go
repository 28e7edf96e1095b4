package dots

import (
	"math"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// Unmixing. In linear light a photo of a dot field is the skin with every
// dot's blurred disc mixed in: at pixel x,
//
//	I(x) = s·(1 − Σᵢ gᵢ(x)) + Σᵢ dᵢ·gᵢ(x) = s − Σᵢ (s − dᵢ)·gᵢ(x)
//
// where gᵢ(x) = G(|x − cᵢ|; rᵢ, σ) is dot i's blurred coverage (blurdisc.go),
// s the skin and dᵢ dot i's colour. Once the geometry (centres, radii, blur)
// is known, s and every (s − dᵢ) are a linear least-squares fit to the
// pixels, per channel. Fitting a dot together with its neighbours and the
// skin in the gaps between them reads the dot's colour from all its pixels
// (the core is weighted most, the rim's mixture is modelled, not averaged
// in), and the skin from gaps that, in a dense blurred field, never show
// pure skin.

// grid finds dots near a point.
type grid struct {
	cell  float64
	cells map[[2]int][]int
}

func newGrid(d []found, cell float64) *grid {
	g := &grid{cell: cell, cells: map[[2]int][]int{}}
	for i, dt := range d {
		k := [2]int{int(dt.x / cell), int(dt.y / cell)}
		g.cells[k] = append(g.cells[k], i)
	}
	return g
}

func (g *grid) near(d []found, x, y, rad float64) []int {
	var out []int
	n := int(math.Ceil(rad/g.cell)) + 1
	cx, cy := int(x/g.cell), int(y/g.cell)
	for oy := -n; oy <= n; oy++ {
		for ox := -n; ox <= n; ox++ {
			for _, i := range g.cells[[2]int{cx + ox, cy + oy}] {
				if math.Hypot(d[i].x-x, d[i].y-y) <= rad {
					out = append(out, i)
				}
			}
		}
	}
	return out
}

// unmix fits skin and dot k's colour (linear XYZ) from the pixels within
// rad of it, modelling the dots near it. ok is false when the fit is
// degenerate.
func unmix(m *maps, d []found, g *grid, k int, sigma, rad float64, ch chroma) (skin, dot colour.XYZ, resid float64, ok bool) {
	dt := d[k]
	nb := g.near(d, dt.x, dt.y, rad+dt.r+3*sigma+2*g.cell)
	// Unknowns: skin, then one contrast per dot in nb (k among them).
	n := 1 + len(nb)
	self := -1
	for j, i := range nb {
		if i == k {
			self = j + 1
		}
	}
	if self < 0 {
		return skin, dot, 0, false
	}
	// Channels: Y, and the colour differences X − kx·Y and Z − kz·Y,
	// which JPEG has blurred more (chroma subsampling): their basis uses
	// the wider σc.
	sigmaC := math.Sqrt(sigma*sigma + ch.extraVar)
	type px struct {
		row [2][]float64 // luminance, colour-difference basis
		v   [3]float64   // Y, X − kx·Y, Z − kz·Y
	}
	var pxs []px
	var buf []float64 // rows are cut from it, a block at a time
	x0, x1 := max(0, int(dt.x-rad)), min(m.w-1, int(dt.x+rad))
	y0, y1 := max(0, int(dt.y-rad)), min(m.h-1, int(dt.y+rad))
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			if math.Hypot(fx-dt.x, fy-dt.y) > rad {
				continue
			}
			var row [2][]float64
			if len(buf) < 2*n {
				buf = make([]float64, 256*n)
			}
			for b, sg := range [2]float64{sigma, sigmaC} {
				row[b], buf = buf[:n:n], buf[n:]
				row[b][0] = 1
				for j, i := range nb {
					o := d[i]
					row[b][j+1] = 0
					dx, dy := fx-o.x, fy-o.y
					lim := o.r + 5*sg
					if d2 := dx*dx + dy*dy; d2 < lim*lim {
						row[b][j+1] = -profileAt(math.Sqrt(d2)/sg, o.r/sg) * coreCoverage(o.r, sg)
					}
				}
			}
			p := 3 * (y*m.w + x)
			yv := float64(m.xyz[p+1])
			pxs = append(pxs, px{row, [3]float64{yv, float64(m.xyz[p]) - ch.kx*yv, float64(m.xyz[p+2]) - ch.kz*yv}})
		}
	}
	keep := make([]bool, len(pxs))
	for i := range keep {
		keep[i] = true
	}
	var sol [3][]float64
	// Later passes leave out pixels far darker than the model (hair
	// stubble over or between the dots, which the model does not know),
	// then fit again.
	for pass := 0; pass < unmixPasses; pass++ {
		var ata [2][]float64
		var atb [3][]float64
		for b := range ata {
			ata[b] = make([]float64, n*n)
		}
		for c := range atb {
			atb[c] = make([]float64, n)
		}
		var npx int
		for i, p := range pxs {
			if !keep[i] {
				continue
			}
			npx++
			for c := 0; c < 3; c++ {
				b := min(c, 1)
				r := p.row[b]
				for a := 0; a < n; a++ {
					if r[a] == 0 {
						continue
					}
					if c < 2 {
						for e := a; e < n; e++ {
							ata[b][a*n+e] += r[a] * r[e]
						}
					}
					atb[c][a] += r[a] * p.v[c]
				}
			}
		}
		if npx < 2*n {
			return skin, dot, 0, false
		}
		for b := range ata {
			for a := 0; a < n; a++ {
				for e := 0; e < a; e++ {
					ata[b][a*n+e] = ata[b][e*n+a]
				}
				ata[b][a*n+a] += 1e-9
			}
		}
		for c := 0; c < 3; c++ {
			s, good := solve(ata[min(c, 1)], atb[c], n)
			if !good {
				return skin, dot, 0, false
			}
			sol[c] = s
		}
		lim := math.Max(4*m.noise, 0.02) * sol[0][0]
		var ss float64
		for i, p := range pxs {
			var model float64
			for a := 0; a < n; a++ {
				model += p.row[0][a] * sol[0][a]
			}
			if pass == unmixPasses-1 {
				if keep[i] {
					ss += (p.v[0] - model) * (p.v[0] - model)
				}
				continue
			}
			keep[i] = p.v[0]-model > -lim
		}
		if pass == unmixPasses-1 {
			// The share of the skin's light the model leaves unexplained,
			// plus the share of pixels it had to leave out.
			left := 0
			for _, kp := range keep {
				if !kp {
					left++
				}
			}
			resid = math.Sqrt(ss/float64(npx))/sol[0][0] + float64(left)/float64(len(keep))
		}
	}
	sy, dy := sol[0][0], math.Max(0, sol[0][0]-sol[0][self])
	skin = colour.XYZ{X: sol[1][0] + ch.kx*sy, Y: sy, Z: sol[2][0] + ch.kz*sy}
	dx, dz := sol[1][0]-sol[1][self], sol[2][0]-sol[2][self]
	dot = colour.XYZ{X: math.Max(0, dx+ch.kx*dy), Y: dy, Z: math.Max(0, dz+ch.kz*dy)}
	return skin, dot, resid, true
}

// chroma says how colour differences are formed and how much more JPEG
// blurred them than luminance.
type chroma struct {
	// kx, kz: the image's typical X/Y and Z/Y (the skin's), so that the
	// differences carry colour, not light.
	kx, kz float64
	// extraVar is the variance (px², per axis) that chroma subsampling
	// adds: JPEG as phones write it (4:2:0) averages colour over 2 × 2
	// pixels and the decoder spreads it back over 2 × 2 (a box of two
	// pixels has variance 1/4 per axis; two of them 1/2). 0 for photos
	// without subsampling.
	extraVar float64
}

// unmixPasses: a fit, then two refits without the stubble.
const unmixPasses = 3

// jpegChromaVar is chroma.extraVar at full resolution, for 4:2:0 JPEG.
const jpegChromaVar = 0.5

// solve solves the n × n system a·x = b (a copied) by Gaussian
// elimination with partial pivoting.
func solve(a0, b0 []float64, n int) ([]float64, bool) {
	a := append([]float64(nil), a0...)
	b := append([]float64(nil), b0...)
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r*n+c]) > math.Abs(a[p*n+c]) {
				p = r
			}
		}
		if math.Abs(a[p*n+c]) < 1e-12 {
			return nil, false
		}
		if p != c {
			for k := 0; k < n; k++ {
				a[c*n+k], a[p*n+k] = a[p*n+k], a[c*n+k]
			}
			b[c], b[p] = b[p], b[c]
		}
		for r := c + 1; r < n; r++ {
			f := a[r*n+c] / a[c*n+c]
			if f == 0 {
				continue
			}
			for k := c; k < n; k++ {
				a[r*n+k] -= f * a[c*n+k]
			}
			b[r] -= f * b[c]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for k := r + 1; k < n; k++ {
			s -= a[r*n+k] * x[k]
		}
		x[r] = s / a[r*n+r]
	}
	return x, true
}
