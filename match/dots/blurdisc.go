package dots

import (
	"math"
	"sort"
	"sync"
)

// A healed dot photographed is a disc of radius r (its contrast against
// the skin is C) blurred by the lens and the demosaicing, modelled as a
// Gaussian of standard deviation σ. Its contrast at distance ρ from its
// centre is C·G(ρ; r, σ), where
//
//	G(ρ; r, σ) = ∫₀ʳ (t/σ²) exp(−(t²+ρ²)/2σ²) I₀(tρ/σ²) dt
//
// is the share of a Gaussian centred at ρ that falls in the disc (one minus
// Marcum's Q₁). At the centre G(0) = 1 − exp(−r²/2σ²): the coverage that
// tells how much skin light a dot's core still mixes in.
//
// In units of σ the profile depends on u = r/σ alone. Two tables hold it:
// the radius where it falls to half its centre (a dot's measured half-peak
// radius then gives a first r under a given σ), and the whole profile
// normalised to its centre (for fitting dots' pixels, profile.go).

// coreCoverage is G(0; r, σ): the share of a blurred disc's centre that is
// the disc.
func coreCoverage(r, sigma float64) float64 {
	if sigma <= 0 {
		return 1
	}
	return 1 - math.Exp(-r*r/(2*sigma*sigma))
}

// blurredDisc returns G(ρ; u, 1) for a disc of radius u in units of σ.
func blurredDisc(rho, u float64) float64 {
	const steps = 160
	h := u / steps
	var s float64
	for k := 0; k <= steps; k++ {
		t := float64(k) * h
		// exp(−(t²+ρ²)/2) I₀(tρ) = exp(−(t−ρ)²/2) · e^(−tρ) I₀(tρ)
		v := t * math.Exp(-(t-rho)*(t-rho)/2) * i0e(t*rho)
		switch {
		case k == 0 || k == steps:
			s += v
		case k%2 == 1:
			s += 4 * v
		default:
			s += 2 * v
		}
	}
	return s * h / 3
}

// i0e is the exponentially scaled modified Bessel function e^(−x)·I₀(x),
// x ≥ 0 (Abramowitz & Stegun 9.8.1–9.8.2, |error| < 2·10⁻⁷).
func i0e(x float64) float64 {
	if x < 3.75 {
		t := x / 3.75
		t2 := t * t
		return math.Exp(-x) * (1 + t2*(3.5156229+t2*(3.0899424+t2*(1.2067492+t2*(0.2659732+t2*(0.0360768+t2*0.0045813))))))
	}
	t := 3.75 / x
	return (0.39894228 + t*(0.01328592+t*(0.00225319+t*(-0.00157565+t*(0.00916281+t*(-0.02057706+t*(0.02635537+t*(-0.01647633+t*0.00392377)))))))) / math.Sqrt(x)
}

// levelRadius is the radius, in units of σ, where the blurred disc of
// radius u falls to share q of its central value.
func levelRadius(u, q float64) float64 {
	target := q * blurredDisc(0, u)
	lo, hi := 0.0, u+6
	for k := 0; k < 50; k++ {
		mid := (lo + hi) / 2
		if blurredDisc(mid, u) > target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// levels tabulates the half-peak radius ρ₅₀ in units of σ against
// u = r/σ.
type levels struct {
	u, r50 []float64
}

var (
	levelTable     levels
	levelTableOnce sync.Once
)

func table() *levels {
	levelTableOnce.Do(func() {
		for u := 0.2; u <= 40; u *= 1.04 {
			levelTable.u = append(levelTable.u, u)
			levelTable.r50 = append(levelTable.r50, levelRadius(u, 0.5))
		}
	})
	return &levelTable
}

// radiusFromHalf returns the disc radius r for a dot whose half-peak level
// set has radius rho50, under blur σ. Below about r = σ a dot's half-peak
// radius no longer depends on r (it is the blur's): the result is then
// clamped to the table's smallest u and ok is false.
func radiusFromHalf(rho50, sigma float64) (r float64, ok bool) {
	t := table()
	v := rho50 / sigma
	n := len(t.u)
	if v <= t.r50[0] {
		return t.u[0] * sigma, false
	}
	if v >= t.r50[n-1] {
		return v * sigma, true
	}
	i := sort.Search(n, func(i int) bool { return t.r50[i] >= v })
	a, b := t.r50[i-1], t.r50[i]
	f := (v - a) / (b - a)
	return (t.u[i-1] + f*(t.u[i]-t.u[i-1])) * sigma, t.u[i] > 1
}

// profileTable tabulates G(ρ; u, 1)/G(0; u, 1) (a blurred disc's profile
// normalised to its centre) on the level table's u grid and ρ in steps of
// profileStep σ.
const (
	profileStep = 0.1
	profileMaxR = 50.0
)

var (
	profiles     [][]float32
	profilesOnce sync.Once
)

func profileTable() [][]float32 {
	profilesOnce.Do(func() {
		t := table()
		profiles = make([][]float32, len(t.u))
		for i, u := range t.u {
			n := int(math.Min(profileMaxR, u+6)/profileStep) + 2
			row := make([]float32, n)
			g0 := blurredDisc(0, u)
			for j := range row {
				row[j] = float32(blurredDisc(float64(j)*profileStep, u) / g0)
			}
			profiles[i] = row
		}
	})
	return profiles
}

// profileAt is the normalised profile of a disc of radius u (units of σ)
// at distance rho (units of σ), interpolated in the table.
func profileAt(rho, u float64) float64 {
	t := table()
	p := profileTable()
	i := sort.SearchFloat64s(t.u, u)
	if i <= 0 {
		i = 1
	}
	if i >= len(t.u) {
		i = len(t.u) - 1
	}
	f := (u - t.u[i-1]) / (t.u[i] - t.u[i-1])
	f = math.Max(0, math.Min(1, f))
	at := func(row []float32) float64 {
		x := rho / profileStep
		j := int(x)
		if j >= len(row)-1 {
			return 0
		}
		g := x - float64(j)
		return float64(row[j])*(1-g) + float64(row[j+1])*g
	}
	return at(p[i-1])*(1-f) + at(p[i])*f
}
