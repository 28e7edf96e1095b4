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
	d := make([]float32, w*h)
	for i, v := range in {
		if v {
			d[i] = inf
		}
	}
	at := func(x, y int) float32 {
		if x < 0 || y < 0 || x >= w || y >= h {
			return inf // the image border does not end a structure
		}
		return d[y*w+x]
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			if d[i] == 0 {
				continue
			}
			m := d[i]
			m = min(m, at(x-1, y)+orth, at(x, y-1)+orth, at(x-1, y-1)+diag, at(x+1, y-1)+diag)
			d[i] = m
		}
	}
	for y := h - 1; y >= 0; y-- {
		for x := w - 1; x >= 0; x-- {
			i := y*w + x
			if d[i] == 0 {
				continue
			}
			m := d[i]
			m = min(m, at(x+1, y)+orth, at(x, y+1)+orth, at(x+1, y+1)+diag, at(x-1, y+1)+diag)
			d[i] = m
		}
	}
	for i := range d {
		if d[i] >= inf/2 {
			d[i] = float32(w + h) // no background pixel at all
		}
	}
	return d
}

// labels gives 8-connected components of mask numbers 1..n; 0 = background.
func labels(mask []bool, w, h int) ([]int32, int) {
	lab := make([]int32, w*h)
	var n int32
	stack := make([]int, 0, 1024)
	for s, v := range mask {
		if !v || lab[s] != 0 {
			continue
		}
		n++
		lab[s] = n
		stack = append(stack[:0], s)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx < 0 || yy < 0 || xx >= w || yy >= h {
						continue
					}
					j := yy*w + xx
					if mask[j] && lab[j] == 0 {
						lab[j] = n
						stack = append(stack, j)
					}
				}
			}
		}
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
// separable, with a monotone deque per row and column: O(1) per pixel.
// Outside the image the window is cut short.
func minFilter(v []float32, w, h, k int, negate bool) []float32 {
	r := k / 2
	tmp := make([]float32, len(v))
	out := make([]float32, len(v))
	dq := make([]int, max(w, h))
	in := make([]float32, max(w, h))
	res := make([]float32, max(w, h))
	line := func(src, dst []float32) {
		n := len(src)
		head, tail := 0, 0
		for j := 0; j < n+r; j++ {
			if j < n {
				x := src[j]
				if negate {
					for tail > head && x >= src[dq[tail-1]] {
						tail--
					}
				} else {
					for tail > head && x <= src[dq[tail-1]] {
						tail--
					}
				}
				dq[tail] = j
				tail++
			}
			c := j - r // the window [c−r, c+r] is complete
			if c < 0 {
				continue
			}
			for dq[head] < c-r {
				head++
			}
			dst[c] = src[dq[head]]
		}
	}
	for y := 0; y < h; y++ {
		line(v[y*w:(y+1)*w], tmp[y*w:(y+1)*w])
	}
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			in[y] = tmp[y*w+x]
		}
		line(in[:h], res[:h])
		for y := 0; y < h; y++ {
			out[y*w+x] = res[y]
		}
	}
	return out
}
