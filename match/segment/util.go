package segment

import (
	"math"
)

// selectK returns the k-th smallest value of v (0-based), reordering v.
func selectK(v []float32, k int) float32 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		// Median of three as the pivot keeps sorted input linear.
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		p := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < p {
				i++
			}
			for v[j] > p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}

// quantile returns the q-quantile (0..1) of v, reordering v; NaN if empty.
func quantile(v []float32, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	k := int(math.Round(q * float64(len(v)-1)))
	return float64(selectK(v, max(0, min(len(v)-1, k))))
}

// ramp maps x linearly from lo (0) to hi (1), clamped.
func ramp(x, lo, hi float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return math.Max(0, math.Min(1, (x-lo)/(hi-lo)))
}

// chamfer returns, for every pixel, the distance in pixels to the nearest
// pixel where in is false (1 for a pixel on the mask's border), with the
// 1/√2 chamfer metric; pixels outside the mask get 0.
func chamfer(in []bool, w, h int) []float32 {
	const orth, diag = 1, math.Sqrt2
	const inf = float32(1e9)
	// A one-pixel frame of inf (the image border does not end a
	// structure) lets both sweeps run without bounds tests.
	pw := w + 2
	d := make([]float32, pw*(h+2))
	for i := range d {
		d[i] = inf
	}
	for y := 0; y < h; y++ {
		row := d[(y+1)*pw+1 : (y+1)*pw+1+w]
		for x, v := range in[y*w : (y+1)*w] {
			if !v {
				row[x] = 0
			}
		}
	}
	for y := 1; y <= h; y++ {
		for i := y*pw + 1; i <= y*pw+w; i++ {
			if d[i] == 0 {
				continue
			}
			d[i] = min2(min2(min2(d[i], d[i-1]+orth), min2(d[i-pw]+orth, d[i-pw-1]+diag)), d[i-pw+1]+diag)
		}
	}
	for y := h; y >= 1; y-- {
		for i := y*pw + w; i >= y*pw+1; i-- {
			if d[i] == 0 {
				continue
			}
			d[i] = min2(min2(min2(d[i], d[i+1]+orth), min2(d[i+pw]+orth, d[i+pw+1]+diag)), d[i+pw-1]+diag)
		}
	}
	out := make([]float32, w*h)
	for y := 0; y < h; y++ {
		copy(out[y*w:(y+1)*w], d[(y+1)*pw+1:])
	}
	for i := range out {
		if out[i] >= inf/2 {
			out[i] = float32(w + h) // no background pixel at all
		}
	}
	return out
}

// labels gives 8-connected components of mask numbers 1..n in the order of
// their first pixel in raster order; 0 = background. Two raster passes with
// union-find: no per-pixel stack, no division.
func labels(mask []bool, w, h int) ([]int32, int) {
	lab := make([]int32, w*h)
	parent := []int32{0}
	find := func(a int32) int32 {
		for parent[a] != a {
			parent[a] = parent[parent[a]]
			a = parent[a]
		}
		return a
	}
	union := func(a, b int32) int32 {
		a, b = find(a), find(b)
		if a == b {
			return a
		}
		// The smaller label is the root, so a component's root is its
		// first provisional label.
		if b < a {
			a, b = b, a
		}
		parent[b] = a
		return a
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			if !mask[i] {
				continue
			}
			// Already labelled neighbours: W, NW, N, NE.
			var l int32
			if x > 0 && lab[i-1] != 0 {
				l = lab[i-1]
			}
			if y > 0 {
				up := i - w
				for _, j := range [3]int{up - 1, up, up + 1} {
					if (j == up-1 && x == 0) || (j == up+1 && x == w-1) || lab[j] == 0 {
						continue
					}
					if l == 0 {
						l = lab[j]
					} else if lab[j] != l {
						l = union(l, lab[j])
					}
				}
			}
			if l == 0 {
				l = int32(len(parent))
				parent = append(parent, l)
			}
			lab[i] = l
		}
	}
	// Number the roots in the order of their first pixel.
	final := make([]int32, len(parent))
	var n int32
	for i, l := range lab {
		if l == 0 {
			continue
		}
		r := find(l)
		if final[r] == 0 {
			n++
			final[r] = n
		}
		lab[i] = final[r]
	}
	return lab, int(n)
}

// labY is relative luminance (white = 1) of an L* value.
func labY(l float64) float64 {
	f := (l + 16) / 116
	if f > 6.0/29 {
		return f * f * f
	}
	return l * 27 / 24389
}

// yLab is the L* of a relative luminance.
func yLab(y float64) float64 {
	if y > 216.0/24389 {
		return 116*math.Cbrt(y) - 16
	}
	return y * 24389 / 27
}

// inPolygon reports whether (x, y) is inside p (even-odd rule).
func inPolygon(p Polygon, x, y float64) bool {
	in := false
	for i, j := 0, len(p)-1; i < len(p); j, i = i, i+1 {
		xi, yi := float64(p[i].X), float64(p[i].Y)
		xj, yj := float64(p[j].X), float64(p[j].Y)
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// minFilter returns the k × k moving minimum of v (the maximum if negate),
// separable, with the van Herk/Gil-Werman algorithm: about three
// comparisons per pixel and direction whatever k. Outside the image the
// window is cut short (the padding is neutral: +inf for the minimum, −inf
// for the maximum). The vertical pass runs along rows, a whole row at a
// time, so that it reads memory in order.
func minFilter(v []float32, w, h, k int, negate bool) []float32 {
	r := k / 2
	k = 2*r + 1
	pad := float32(math.Inf(1))
	if negate {
		pad = float32(math.Inf(-1))
	}
	tmp := make([]float32, len(v))
	// Horizontal: per row, on a padded copy.
	n := w + 2*r
	buf := make([]float32, n)
	g := make([]float32, n)
	hh := make([]float32, n)
	for y := 0; y < h; y++ {
		for j := 0; j < r; j++ {
			buf[j], buf[n-1-j] = pad, pad
		}
		copy(buf[r:r+w], v[y*w:(y+1)*w])
		if negate {
			vhLineMax(buf, g, hh, k)
		} else {
			vhLineMin(buf, g, hh, k)
		}
		dst := tmp[y*w : (y+1)*w]
		if negate {
			for c := range dst {
				dst[c] = max2(hh[c], g[c+k-1])
			}
		} else {
			for c := range dst {
				dst[c] = min2(hh[c], g[c+k-1])
			}
		}
	}
	// Vertical: the same over padded row indices, whole rows at a time.
	// Output row c needs H of row c (block c/k) and G of row c+k−1 (the
	// next block), so two blocks of each are kept, not whole images.
	nh := h + 2*r
	row := func(j int) []float32 { // padded row j of tmp, nil in the padding
		if j < r || j >= r+h {
			return nil
		}
		return tmp[(j-r)*w : (j-r+1)*w]
	}
	nb := (nh + k - 1) / k
	Gb := [2][]float32{make([]float32, k*w), make([]float32, k*w)}
	Hb := make([]float32, k*w)
	// gBlock fills dst with the running extreme from the start of block b.
	gBlock := func(b int, dst []float32) {
		for t := 0; t < k; t++ {
			j := b*k + t
			gj := dst[t*w : (t+1)*w]
			src := row(j)
			if j >= nh {
				break
			}
			switch {
			case t == 0 && src == nil:
				fill(gj, pad)
			case t == 0:
				copy(gj, src)
			case src == nil:
				copy(gj, dst[(t-1)*w:t*w])
			case negate:
				gp := dst[(t-1)*w : t*w]
				for x := range gj {
					gj[x] = max2(gp[x], src[x])
				}
			default:
				gp := dst[(t-1)*w : t*w]
				for x := range gj {
					gj[x] = min2(gp[x], src[x])
				}
			}
		}
	}
	// hBlock fills dst with the running extreme from the end of block b.
	hBlock := func(b int, dst []float32) {
		last := min(nh-1, b*k+k-1)
		for j := last; j >= b*k; j-- {
			t := j - b*k
			hj := dst[t*w : (t+1)*w]
			src := row(j)
			switch {
			case j == last && src == nil:
				fill(hj, pad)
			case j == last:
				copy(hj, src)
			case src == nil:
				copy(hj, dst[(t+1)*w:(t+2)*w])
			case negate:
				hn := dst[(t+1)*w : (t+2)*w]
				for x := range hj {
					hj[x] = max2(hn[x], src[x])
				}
			default:
				hn := dst[(t+1)*w : (t+2)*w]
				for x := range hj {
					hj[x] = min2(hn[x], src[x])
				}
			}
		}
	}
	out := make([]float32, len(v))
	gBlock(0, Gb[0])
	for b := 0; b < nb && b*k < h; b++ {
		hBlock(b, Hb)
		if b+1 < nb {
			gBlock(b+1, Gb[(b+1)%2])
		}
		for t := 0; t < k; t++ {
			c := b*k + t // output row = padded window start
			if c >= h {
				break
			}
			// Row c+k−1 is in block b+1 at offset t−1, or at the end of
			// block b when t = 0.
			var gr []float32
			if t == 0 {
				gr = Gb[b%2][(k-1)*w : k*w]
			} else {
				gr = Gb[(b+1)%2][(t-1)*w : t*w]
			}
			a := Hb[t*w : (t+1)*w]
			dst := out[c*w : (c+1)*w]
			if negate {
				for x := range dst {
					dst[x] = max2(a[x], gr[x])
				}
			} else {
				for x := range dst {
					dst[x] = min2(a[x], gr[x])
				}
			}
		}
	}
	return out
}

// vhLineMin fills g with the running minimum of src from the start of each
// block of k, and h with that from the end of each block: the minimum over
// any window of k starting at c is min(h[c], g[c+k−1]).
func vhLineMin(src, g, h []float32, k int) {
	n := len(src)
	for b := 0; b < n; b += k {
		e := min(n, b+k)
		g[b] = src[b]
		for j := b + 1; j < e; j++ {
			g[j] = min2(g[j-1], src[j])
		}
		h[e-1] = src[e-1]
		for j := e - 2; j >= b; j-- {
			h[j] = min2(h[j+1], src[j])
		}
	}
}

// vhLineMax is vhLineMin for the maximum.
func vhLineMax(src, g, h []float32, k int) {
	n := len(src)
	for b := 0; b < n; b += k {
		e := min(n, b+k)
		g[b] = src[b]
		for j := b + 1; j < e; j++ {
			g[j] = max2(g[j-1], src[j])
		}
		h[e-1] = src[e-1]
		for j := e - 2; j >= b; j-- {
			h[j] = max2(h[j+1], src[j])
		}
	}
}

// min2 and max2 are min and max without the builtins' NaN and signed-zero
// handling, which the filters' finite inputs do not need.
func min2(a, b float32) float32 {
	if b < a {
		return b
	}
	return a
}

func max2(a, b float32) float32 {
	if b > a {
		return b
	}
	return a
}

func fill(v []float32, x float32) {
	for i := range v {
		v[i] = x
	}
}
