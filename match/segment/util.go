package segment

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// beside starts f on another goroutine and returns a function that waits
// for its result: for a step that reads what the caller's next steps only
// read, and writes nothing they use. The result is buffered, so f finishes
// even if nobody waits (a caller's early return), and must then read
// nothing the caller frees.
func beside[T any](f func() T) func() T {
	out := make(chan T, 1)
	go func() { out <- f() }()
	return func() T { return <-out }
}

// parallelFor calls body over [0, n) in chunks [lo, hi), on as many
// goroutines as Go runs at once. Chunks are handed out in turn, a few per
// goroutine, so that uneven work (a head in the middle of the photo)
// still shares out. body must only write what its own chunk owns.
func parallelFor(n int, body func(lo, hi int)) {
	if n <= 0 {
		return
	}
	procs := runtime.GOMAXPROCS(0)
	if procs <= 1 || n == 1 {
		body(0, n)
		return
	}
	chunk := max(1, n/(4*procs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < min(procs, (n+chunk-1)/chunk); g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				body(lo, min(n, lo+chunk))
			}
		}()
	}
	wg.Wait()
}

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
