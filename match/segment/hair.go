package segment

import (
	"math"
	"sort"
)

// The hair stage (stage 3 of Measure): thin structures that stand out from
// the local skin along one colour direction.

// findHair sets m.u, m.proj, m.sigma and m.hair. A quick look skips the
// contrast-scaled second stage.
func (m *measurer) findHair(quick bool) {
	// The direction and the channels' noise read the photo and the
	// local skin only: they are found side by side.
	noise := beside(m.channelNoise)
	m.u = m.hairDirection()
	ns := noise()
	n := m.w * m.h
	// Matched filter: weight each channel by the hair's contrast in it over
	// its pixel-noise variance.
	u := [3]float64{m.u[0] / (ns[0] * ns[0]), m.u[1] / (ns[1] * ns[1]), m.u[2] / (ns[2] * ns[2])}
	if l := math.Sqrt(u[0]*u[0] + u[1]*u[1] + u[2]*u[2]); l > 0 && !math.IsNaN(l) && !math.IsInf(l, 0) {
		u = [3]float64{u[0] / l, u[1] / l, u[2] / l}
	} else {
		u = m.u
	}
	m.proj = make([]float32, n)
	for i := 0; i < n; i++ {
		if m.reg[i] {
			d := m.diff(i)
			m.proj[i] = float32(d[0]*u[0] + d[1]*u[1] + d[2]*u[2])
		}
	}
	// A 3 × 3 binomial filter, about a fibre's width, keeps most of a 3 px
	// strand's contrast and cuts pixel noise. Then a white top-hat (the signal minus its
	// morphological opening) keeps only what is narrower than the
	// structuring element: fibres stay, while what the tiled local skin
	// cannot follow (the steep falloff at the head's rim, skin mottling)
	// goes.
	sm := m.smooth3(m.proj)
	op := m.opening(sm, m.tophatPx())
	all := make([]float32, 0, n/m.stride+1)
	for i := 0; i < n; i++ {
		if m.reg[i] {
			m.proj[i] = sm[i] - op[i]
			if i%m.stride == 0 {
				all = append(all, m.proj[i])
			}
		}
	}
	// Skin is the bulk of the region: its top-hat is a small positive
	// noise floor, hair stands above it. Centre on the median and measure
	// the noise from the half below it.
	med := quantile(all, 0.5)
	neg := make([]float32, 0, n/m.stride+1)
	for i := 0; i < n; i++ {
		if m.reg[i] {
			m.proj[i] -= float32(med)
			if m.proj[i] <= 0 {
				if i%m.stride == 0 {
					neg = append(neg, -m.proj[i])
				}
			}
		}
	}
	m.sigma = 1.4826 * quantile(neg, 0.5)
	if math.IsNaN(m.sigma) {
		m.sigma = 0
	}
	// Under dense hair more than half the region is hair or its halo (blur,
	// JPEG's shared chroma), and the half below the median no longer is
	// plain skin. The pixel noise, carried through the projection, bounds
	// the noise from above.
	pn := math.Sqrt(u[0]*u[0]*ns[0]*ns[0] + u[1]*u[1]*ns[1]*ns[1] + u[2]*u[2]*ns[2]*ns[2])
	m.sigma = math.Min(m.sigma, math.Max(pixelNoiseFactor*pn, minAbsThreshold/2))
	m.quietLim = math.Max(3*m.sigma, minAbsThreshold)
	// Two stages: noise-scaled thresholds find the fibres; their contrast
	// then raises the thresholds so that weak structures (pores, creases,
	// blur halos) do not join them. Highlights, which may be stronger than
	// the hair, are gone before the contrast is taken: they are not thin.
	hi := math.Max(hiSigma*m.sigma, 2*minAbsThreshold)
	lo := math.Max(loSigma*m.sigma, minAbsThreshold)
	hair := m.thinHair(lo, hi)
	nh := 0
	for _, v := range hair {
		if v {
			nh++
		}
	}
	ph := make([]float32, 0, nh)
	for i, v := range hair {
		if v {
			ph = append(ph, m.proj[i])
		}
	}
	if len(ph) > 0 && !quick {
		c := quantile(ph, fibreContrastQuantile)
		hair = m.thinHair(math.Max(lo, loFrac*c), math.Max(hi, hiFrac*c))
	}
	m.hair = hair
}

// channelNoise is the pixel-to-pixel noise of L*, a*, b* in the region:
// the MAD of horizontal neighbour differences over √2, which ignores
// shading and mottling, and counts JPEG artefacts as noise.
func (m *measurer) channelNoise() [3]float64 {
	var out [3]float64
	d := make([]float32, 0, 1024)
	for c := 0; c < 3; c++ {
		d = d[:0]
		for y := 0; y < m.h; y += 2 {
			for x := 0; x+1 < m.w; x += m.stride {
				i := y*m.w + x
				if m.reg[i] && m.reg[i+1] {
					d = append(d, float32(math.Abs(float64(m.rel[3*(i+1)+c]-m.rel[3*i+c]))))
				}
			}
		}
		out[c] = math.Max(1.4826*quantile(d, 0.5)/math.Sqrt2, minChannelNoise)
	}
	return out
}

// tophatPx is the width of the top-hat's structuring element: wider than
// any fibre, narrow enough to follow shading.
func (m *measurer) tophatPx() int {
	k := 2*int(math.Round(float64(max(m.w, m.h))/tophatDiv)) + 1
	return max(7, k)
}

// hairDirection is the colour direction, in L*a*b*, from skin to hair: the
// mean difference from the local skin over the hair found before, or at
// first the dominant direction (power iteration on the scatter matrix) of
// all clear differences, oriented towards the majority, since hair
// outnumbers highlights.
func (m *measurer) hairDirection() [3]float64 {
	n := m.w * m.h
	norm := func(v [3]float64) ([3]float64, bool) {
		l := math.Sqrt(v[0]*v[0] + v[1]*v[1] + v[2]*v[2])
		if l == 0 || math.IsNaN(l) {
			return v, false
		}
		return [3]float64{v[0] / l, v[1] / l, v[2] / l}, true
	}
	if m.hair != nil {
		// The per-channel median, not the mean: highlights on shiny
		// fibres are few but far out, towards white.
		nh := 0
		for i, v := range m.hair {
			if v && m.reg[i] {
				nh++
			}
		}
		ch := [3][]float32{make([]float32, 0, nh), make([]float32, 0, nh), make([]float32, 0, nh)}
		for i := 0; i < n; i++ {
			if m.hair[i] && m.reg[i] {
				d := m.diff(i)
				for c := 0; c < 3; c++ {
					ch[c] = append(ch[c], float32(d[c]))
				}
			}
		}
		if len(ch[0]) > 0 {
			v := [3]float64{quantile(ch[0], 0.5), quantile(ch[1], 0.5), quantile(ch[2], 0.5)}
			if v, ok := norm(v); ok {
				return v
			}
		}
	}
	var dl []float32
	for i := 0; i < n; i++ {
		if m.reg[i] {
			if i%m.stride == 0 {
				dl = append(dl, float32(math.Abs(float64(m.rel[3*i]-m.bg[3*i]))))
			}
		}
	}
	noise := 1.4826 * quantile(dl, 0.5)
	thr := math.Max(4*noise, 2*minAbsThreshold)
	var s [3][3]float64
	var cnt int
	m.eachClear(thr, func(d [3]float64) {
		cnt++
		for a := 0; a < 3; a++ {
			for b := 0; b < 3; b++ {
				s[a][b] += d[a] * d[b]
			}
		}
	})
	if cnt == 0 {
		return [3]float64{-1, 0, 0} // darker, if nothing stands out
	}
	v := [3]float64{-1, 0.1, 0.1}
	for it := 0; it < 50; it++ {
		var nv [3]float64
		for a := 0; a < 3; a++ {
			nv[a] = s[a][0]*v[0] + s[a][1]*v[1] + s[a][2]*v[2]
		}
		var ok bool
		if v, ok = norm(nv); !ok {
			return [3]float64{-1, 0, 0}
		}
	}
	pos := 0
	m.eachClear(thr, func(d [3]float64) {
		if d[0]*v[0]+d[1]*v[1]+d[2]*v[2] > 0 {
			pos++
		} else {
			pos--
		}
	})
	if pos < 0 {
		v = [3]float64{-v[0], -v[1], -v[2]}
	}
	return v
}

// opening is the morphological opening of v (erosion then dilation) with a
// k × k square inside the region; pixels outside it are ignored.
func (m *measurer) opening(v []float32, k int) []float32 {
	const big = float32(math.MaxFloat32)
	e := make([]float32, len(v))
	for i := range v {
		if m.reg[i] {
			e[i] = v[i]
		} else {
			e[i] = big
		}
	}
	e = minFilter(e, m.w, m.h, k, false)
	for i := range e {
		if !m.reg[i] {
			e[i] = -big
		}
	}
	e = minFilter(e, m.w, m.h, k, true)
	return e
}

// smooth3 filters v with the 3 × 3 binomial kernel inside the region;
// neighbours outside it count as the centre pixel.
func (m *measurer) smooth3(v []float32) []float32 {
	out := make([]float32, len(v))
	w, h := m.w, m.h
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			if !m.reg[i] {
				continue
			}
			if x == 0 || y == 0 || x == w-1 || y == h-1 {
				out[i] = m.smooth3Edge(v, x, y)
				continue
			}
			c := v[i]
			at := func(j int) float32 {
				if m.reg[j] {
					return v[j]
				}
				return c
			}
			// The kernel's weights in the order of smooth3Edge, so that
			// the sums agree to the bit.
			var s float32
			s += at(i - w - 1)
			s += 2 * at(i-w)
			s += at(i - w + 1)
			s += 2 * at(i-1)
			s += 4 * c
			s += 2 * at(i+1)
			s += at(i + w - 1)
			s += 2 * at(i+w)
			s += at(i + w + 1)
			out[i] = s / 16
		}
	}
	return out
}

// smooth3Edge is smooth3 at one pixel, with neighbours outside the image
// counted as the centre pixel.
func (m *measurer) smooth3Edge(v []float32, x, y int) float32 {
	wts := [3]float32{1, 2, 1}
	i := y*m.w + x
	var s float32
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			xx, yy := x+dx, y+dy
			val := v[i]
			if xx >= 0 && yy >= 0 && xx < m.w && yy < m.h && m.reg[yy*m.w+xx] {
				val = v[yy*m.w+xx]
			}
			s += wts[dx+1] * wts[dy+1] * val
		}
	}
	return s / 16
}

// thinHair selects hair in two steps, done on one labelling:
//
//   - hysteresis: region pixels whose projection is at least lo and that
//     are 8-connected to one at least hi;
//   - thinness: of those components, the ones that are thin like fibres:
//     thickness 2 × the 90th percentile of the distance transform inside
//     them.
//
// The components of the hysteresis mask are the components of the lo mask
// that hold a seed, so one labelling of the lo mask serves both. And the
// distance transform of the lo mask equals that of the hysteresis mask on
// its pixels: any path from a kept component to a pixel of a dropped one
// leaves the component through a pixel below lo first.
func (m *measurer) thinHair(lo, hi float64) []bool {
	n := m.w * m.h
	// The least float32 at or above each threshold: p >= lo32 is then
	// exactly float64(p) >= lo.
	lo32, hi32 := ceil32(lo), ceil32(hi)
	cand := make([]bool, n)
	for i, r := range m.reg {
		cand[i] = r && m.proj[i] >= lo32
	}
	// The candidates' distances to their edge are found on another core
	// beside their labelling.
	dts := beside(func() []float32 { return distanceToEdge(cand, m.w, m.h) })
	lab, nl := labels(cand, m.w, m.h)
	dt := dts()
	out := make([]bool, n)
	if nl == 0 {
		return out
	}
	seeded := make([]bool, nl+1)
	for i, l := range lab {
		if l > 0 && m.proj[i] >= hi32 {
			seeded[l] = true
		}
	}
	// Compact indices 0..nk−1 of the seeded components, in label order.
	idx := make([]int32, nl+1)
	nk := 0
	for l := 1; l <= nl; l++ {
		idx[l] = -1
		if seeded[l] {
			idx[l] = int32(nk)
			nk++
		}
	}
	if nk == 0 {
		return out
	}
	// Each component's distances, gathered into one buffer (a counting
	// sort by component) instead of a slice per component.
	start := make([]int, nk+1)
	for _, l := range lab {
		if l > 0 && idx[l] >= 0 {
			start[idx[l]+1]++
		}
	}
	for k := 1; k <= nk; k++ {
		start[k] += start[k-1]
	}
	vals := make([]float32, start[nk])
	pos := append([]int(nil), start...)
	for i, l := range lab {
		if l > 0 && idx[l] >= 0 {
			k := idx[l]
			vals[pos[k]] = dt[i]
			pos[k]++
		}
	}
	thick := make([]float64, nk)
	for k := range thick {
		thick[k] = 2 * quantile(vals[start[k]:start[k+1]], 0.9)
	}
	maxW := m.o.MaxStrandWidthPx
	if maxW <= 0 {
		maxW = math.Max(5, 2.5*weightedMedian(thick, start))
	}
	keep := make([]bool, nl+1)
	for l := 1; l <= nl; l++ {
		if k := idx[l]; k >= 0 {
			keep[l] = thick[k] <= maxW && start[k+1]-start[k] >= 3
		}
	}
	for i, l := range lab {
		out[i] = l > 0 && keep[l]
	}
	return out
}

// ceil32 is the least float32 not below v.
func ceil32(v float64) float32 {
	f := float32(v)
	if float64(f) < v {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}

// weightedMedian is the median of the values v[l] (as float32), each
// counted start[l+1] − start[l] times: quantile(·, 0.5) of that multiset
// without building it.
func weightedMedian(v []float64, start []int) float64 {
	order := make([]int, len(v))
	for l := range order {
		order[l] = l
	}
	sort.Slice(order, func(a, b int) bool { return float32(v[order[a]]) < float32(v[order[b]]) })
	total := start[len(v)] - start[0]
	if total == 0 {
		return math.NaN()
	}
	k := int(math.Round(0.5 * float64(total-1)))
	for _, l := range order {
		k -= start[l+1] - start[l]
		if k < 0 {
			return float64(float32(v[l]))
		}
	}
	return float64(float32(v[order[len(order)-1]]))
}

// nearHair marks pixels within 2 px of hair: blur and JPEG spread a strand's
// colour into its neighbours.
//
// "Within 2 px" is a chamfer distance (steps 1 and √2) of at most 2.5: the
// offsets with |dx|, |dy| ≤ 2 except (±2, ±2). That is a dilation of the
// hair mask by a 5 × 5 square without its corners (OpenCV's).
func (m *measurer) nearHair() []bool {
	near := dilateBy(m.hair, m.w, m.h, nearHairKernel)
	m.near = near
	return near
}

// nearHairKernel is the 5 × 5 square without its corners (1 = in).
var nearHairKernel = [][]uint8{
	{0, 1, 1, 1, 0},
	{1, 1, 1, 1, 1},
	{1, 1, 1, 1, 1},
	{1, 1, 1, 1, 1},
	{0, 1, 1, 1, 0},
}

// eachClear calls f with the difference from the local skin of every region
// pixel whose difference is at least thr long (a clear difference).
func (m *measurer) eachClear(thr float64, f func(d [3]float64)) {
	for i, v := range m.reg {
		if !v {
			continue
		}
		if d := m.diff(i); d[0]*d[0]+d[1]*d[1]+d[2]*d[2] >= thr*thr {
			f(d)
		}
	}
}
