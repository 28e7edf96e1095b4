package dots

import (
	"math"
	"sort"
)

// profilePx is one pixel of a dot's support: its distance from the dot's
// centre and its contrast.
type profilePx struct{ rho, c float64 }

// supportOf collects a dot's support pixels on the unopened contrast map,
// where the opened map shows the dot (so stubble beside it is left out).
func supportOf(m *maps, dt found, lim float64) []profilePx {
	var s []profilePx
	x0, x1 := max(0, int(dt.x-lim)), min(m.w-1, int(dt.x+lim))
	y0, y1 := max(0, int(dt.y-lim)), min(m.h-1, int(dt.y+lim))
	sup := float32(0.1 * dt.peak)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			r := math.Hypot(float64(x)+0.5-dt.x, float64(y)+0.5-dt.y)
			if r > lim || m.round[y*m.w+x] < sup {
				continue
			}
			s = append(s, profilePx{r, float64(m.dark[y*m.w+x])})
		}
	}
	return s
}

// profileFit is the share of a dot's support left unexplained by a blurred
// disc of radius r under blur sigma, its contrast fitted by least squares;
// pixels far darker than the model (stubble crossing the dot) are dropped
// and the fit repeated twice.
func profileFit(s []profilePx, r, sigma, noise float64) float64 {
	u := r / sigma
	drop := func(p profilePx, g float64) bool { return false }
	var loss float64
	for pass := 0; pass < 3; pass++ {
		var sgg, sgc, scc float64
		for _, p := range s {
			g := profileAt(p.rho/sigma, u)
			if pass > 0 && drop(p, g) {
				continue
			}
			sgg += g * g
			sgc += g * p.c
			scc += p.c * p.c
		}
		if sgg <= 0 || scc <= 0 {
			return 1
		}
		loss = (scc - sgc*sgc/sgg) / scc
		c := sgc / sgg
		lim := math.Max(3*noise, 0.15*c)
		drop = func(p profilePx, g float64) bool { return p.c-c*g > lim }
	}
	return loss
}

// bestRadius searches the disc radius that best explains a dot's profile
// under blur sigma, around its half-peak radius rho50; it returns the
// radius and the share left unexplained.
func bestRadius(s []profilePx, rho50, sigma, noise float64) (float64, float64) {
	lo, hi := 0.4*rho50, 1.4*rho50+0.5
	const coarse = 12
	step := (hi - lo) / coarse
	best, bestLoss := rho50, math.Inf(1)
	for k := 0; k <= coarse; k++ {
		r := lo + step*float64(k)
		if l := profileFit(s, r, sigma, noise); l < bestLoss {
			best, bestLoss = r, l
		}
	}
	for k := -4; k <= 4; k++ {
		r := best + step*float64(k)/4
		if r > 0 && k != 0 {
			if l := profileFit(s, r, sigma, noise); l < bestLoss {
				best, bestLoss = r, l
			}
		}
	}
	return best, bestLoss
}

// fieldBlur fits one blur σ to the profiles of many dots: for each σ every
// dot's radius is fitted to its support pixels (blurred disc, contrast by
// least squares), and the σ that leaves least unexplained is the field's.
// Size and blur trade off within one small dot; across many dots of
// different sizes and positions on the pixel grid they do not.
func fieldBlur(m *maps, dots []found, nn []float64, maxSigma float64) float64 {
	const maxDots = 80
	step := max(1, len(dots)/maxDots)
	var sets [][]profilePx
	var half []float64
	for k := 0; k < len(dots); k += step {
		dt := dots[k]
		s := supportOf(m, dt, math.Min(nn[k]/2, 2*dt.rho[1]+4))
		if len(s) >= 5 {
			sets = append(sets, s)
			half = append(half, dt.rho[1])
		}
	}
	if len(sets) == 0 {
		return smoothSigma
	}
	costs := make([]float64, len(sets))
	cost := func(sigma float64) float64 {
		for k, s := range sets {
			_, costs[k] = bestRadius(s, half[k], sigma, m.noise)
		}
		// Dots crossed by stubble or touching a neighbour fit worse at
		// every σ: the best-fitting 60% decide.
		sort.Float64s(costs)
		var total float64
		for _, c := range costs[:max(1, len(costs)*6/10)] {
			total += c
		}
		return total
	}
	// Coarse steps of 10%, then 2.5% around the best.
	var sigmas, cs []float64
	bestCost, best := math.Inf(1), smoothSigma
	for s := smoothSigma; s <= maxSigma; s *= 1.1 {
		c := cost(s)
		sigmas, cs = append(sigmas, s), append(cs, c)
		if c < bestCost {
			bestCost, best = c, s
		}
	}
	for _, f := range []float64{0.95, 0.975, 1.025, 1.05} {
		if s := best * f; s >= smoothSigma && s <= maxSigma {
			c := cost(s)
			sigmas, cs = append(sigmas, s), append(cs, c)
			bestCost = math.Min(bestCost, c)
		}
	}
	sortPairs(sigmas, cs)
	// Small dots under strong blur look alike for a range of (r, σ): the
	// profile cannot tell a smaller dot blurred more from a larger one
	// blurred less. Within that range (costs within blurTolerance of the
	// best), the sharpest is taken: blur only ever adds spread.
	for k, c := range cs {
		if c <= bestCost*(1+blurTolerance) {
			return sigmas[k]
		}
	}
	return smoothSigma
}

// blurTolerance is the share above the best fit within which blurs are
// taken as equally good.
const blurTolerance = 0.03

// sortPairs sorts xs ascending, keeping ys paired.
func sortPairs(xs, ys []float64) {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return xs[idx[a]] < xs[idx[b]] })
	x2, y2 := make([]float64, len(xs)), make([]float64, len(ys))
	for i, j := range idx {
		x2[i], y2[i] = xs[j], ys[j]
	}
	copy(xs, x2)
	copy(ys, y2)
}
