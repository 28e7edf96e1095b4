package segment

import (
	"math"
)

// radixSelectMin is the length from which selectK selects by the values'
// bits: quickselect's comparisons mispredict half the time, and on the
// region-wide quantiles (a million values and more) three counting passes
// are several times cheaper.
const radixSelectMin = 1 << 14

// selectK returns the k-th smallest value of v (0-based), possibly
// reordering v.
func selectK(v []float32, k int) float32 {
	if len(v) >= radixSelectMin {
		if x, ok := radixSelect(v, k); ok {
			return x
		}
	}
	return quickSelect(v, k)
}

// radixSelect returns the k-th smallest value of v by its bits, 11, 11
// and 10 at a time from the top, keeping only the values that share the
// bits found so far; v is left as it is. ok is false if v holds a NaN.
func radixSelect(v []float32, k int) (float32, bool) {
	// key orders float32 bits as the numbers they encode: negative
	// numbers have all bits flipped, others the sign bit set.
	key := func(x float32) uint32 {
		b := math.Float32bits(x)
		if b>>31 == 1 {
			return ^b
		}
		return b | 1<<31
	}
	var count [1 << 11]int
	cur := v
	var prefix uint32
	for _, level := range [3]struct{ shift, bits uint }{{21, 11}, {10, 11}, {0, 10}} {
		count = [1 << 11]int{}
		mask := uint32(1)<<level.bits - 1
		for _, x := range cur {
			if x != x {
				return 0, false
			}
			count[key(x)>>level.shift&mask]++
		}
		bin := 0
		for ; k >= count[bin]; bin++ {
			k -= count[bin]
		}
		prefix |= uint32(bin) << level.shift
		if level.shift == 0 {
			break
		}
		next := make([]float32, 0, count[bin])
		top := ^uint32(0) << level.shift
		for _, x := range cur {
			if key(x)&top == prefix {
				next = append(next, x)
			}
		}
		cur = next
	}
	// All 32 bits are known: the value is the one with that key.
	if prefix>>31 == 1 {
		return math.Float32frombits(prefix &^ (1 << 31)), true
	}
	return math.Float32frombits(^prefix), true
}

// quickSelect returns the k-th smallest value of v (0-based), reordering v.
func quickSelect(v []float32, k int) float32 {
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
//
// The sweeps run in fixed point (1/65536 px): integer min is branch-free
// and several times cheaper than float32 min, and the result differs from
// float32 sums of 1 and √2 by a few millionths of a pixel at most.
// Background pixels need no test in the sweeps: they are 0 and every
// candidate is positive.
func chamfer(in []bool, w, h int) []float32 {
	const (
		one          = 1 << 16
		orth, diag   = one, 92682 // 1 and round(√2 · 2¹⁶)
		inf          = int32(1 << 30)
		chamferScale = 1.0 / one
	)
	// A one-pixel frame of inf (the image border does not end a
	// structure) lets both sweeps run without bounds tests.
	pw := w + 2
	d := make([]int32, pw*(h+2))
	for i := range d[:pw] {
		d[i], d[(h+1)*pw+i] = inf, inf
	}
	for y := 0; y < h; y++ {
		row := d[(y+1)*pw : (y+2)*pw]
		row[0], row[w+1] = inf, inf
		for x, v := range in[y*w : (y+1)*w] {
			if v {
				row[x+1] = inf
			}
		}
	}
	for y := 1; y <= h; y++ {
		cur, up := d[y*pw:(y+1)*pw], d[(y-1)*pw:y*pw]
		for x := 1; x <= w; x++ {
			cur[x] = min(cur[x], up[x]+orth, up[x-1]+diag, up[x+1]+diag, cur[x-1]+orth)
		}
	}
	for y := h; y >= 1; y-- {
		cur, dn := d[y*pw:(y+1)*pw], d[(y+1)*pw:(y+2)*pw]
		for x := w; x >= 1; x-- {
			cur[x] = min(cur[x], dn[x]+orth, dn[x+1]+diag, dn[x-1]+diag, cur[x+1]+orth)
		}
	}
	out := make([]float32, w*h)
	none := float32(w + h) // no background pixel at all
	for y := 0; y < h; y++ {
		dst, src := out[y*w:(y+1)*w], d[(y+1)*pw+1:(y+1)*pw+1+w]
		for x, v := range src {
			if v >= inf/2 {
				dst[x] = none
			} else {
				dst[x] = float32(float64(v) * chamferScale)
			}
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
// window is cut short (the padding is +inf, neutral to the minimum). The
// maximum is the minimum of the negated values, negated (exact in floating
// point). The horizontal pass runs four rows side by side, so that the
// running minima are four independent chains the CPU can overlap; the
// vertical pass runs along whole rows, reading memory in order.
func minFilter(v []float32, w, h, k int, negate bool) []float32 {
	r := k / 2
	k = 2*r + 1
	pad := float32(math.Inf(1))
	tmp := make([]float32, len(v))
	// Horizontal, on padded copies of four rows at a time.
	n := w + 2*r
	var buf, g, hh [4][]float32
	for q := range buf {
		buf[q], g[q], hh[q] = make([]float32, n), make([]float32, n), make([]float32, n)
		fill(buf[q][:r], pad)
		fill(buf[q][r+w:], pad)
	}
	for y0 := 0; y0 < h; y0 += 4 {
		for q := 0; q < 4; q++ {
			y := min(h-1, y0+q) // past the end: repeat the last row
			src, dst := v[y*w:(y+1)*w], buf[q][r:r+w]
			if negate {
				for x, val := range src {
					dst[x] = -val
				}
			} else {
				copy(dst, src)
			}
		}
		vhLines4(&buf, &g, &hh, k)
		for q := 0; q < 4 && y0+q < h; q++ {
			dst := tmp[(y0+q)*w : (y0+q+1)*w]
			hq, gq := hh[q][:w], g[q][k-1:k-1+w]
			for c := range dst {
				dst[c] = min(hq[c], gq[c])
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
	// gBlock fills dst with the running minimum from the start of block b.
	gBlock := func(b int, dst []float32) {
		for t := 0; t < k && b*k+t < nh; t++ {
			gj := dst[t*w : (t+1)*w]
			src := row(b*k + t)
			switch {
			case t == 0 && src == nil:
				fill(gj, pad)
			case t == 0:
				copy(gj, src)
			case src == nil:
				copy(gj, dst[(t-1)*w:t*w])
			default:
				gp := dst[(t-1)*w : t*w]
				for x := range gj {
					gj[x] = min(gp[x], src[x])
				}
			}
		}
	}
	// hBlock fills dst with the running minimum from the end of block b.
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
			default:
				hn := dst[(t+1)*w : (t+2)*w]
				for x := range hj {
					hj[x] = min(hn[x], src[x])
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
					dst[x] = -min(a[x], gr[x])
				}
			} else {
				for x := range dst {
					dst[x] = min(a[x], gr[x])
				}
			}
		}
	}
	return out
}

// vhLines4 fills g with the running minimum of each of the four lines in
// src from the start of each block of k, and h with that from the end of
// each block: the minimum over any window of k starting at c is
// min(h[c], g[c+k−1]).
func vhLines4(src, g, h *[4][]float32, k int) {
	s0, s1, s2, s3 := src[0], src[1], src[2], src[3]
	g0, g1, g2, g3 := g[0], g[1], g[2], g[3]
	h0, h1, h2, h3 := h[0], h[1], h[2], h[3]
	n := len(s0)
	for b := 0; b < n; b += k {
		e := min(n, b+k)
		g0[b], g1[b], g2[b], g3[b] = s0[b], s1[b], s2[b], s3[b]
		for j := b + 1; j < e; j++ {
			g0[j] = min(g0[j-1], s0[j])
			g1[j] = min(g1[j-1], s1[j])
			g2[j] = min(g2[j-1], s2[j])
			g3[j] = min(g3[j-1], s3[j])
		}
		l := e - 1
		h0[l], h1[l], h2[l], h3[l] = s0[l], s1[l], s2[l], s3[l]
		for j := e - 2; j >= b; j-- {
			h0[j] = min(h0[j+1], s0[j])
			h1[j] = min(h1[j+1], s1[j])
			h2[j] = min(h2[j+1], s2[j])
			h3[j] = min(h3[j+1], s3[j])
		}
	}
}

func fill(v []float32, x float32) {
	for i := range v {
		v[i] = x
	}
}
