package card

import (
	"math"
	"testing"
)

// The edge fit's tabulated path (samples on the x0 grid) finds the same
// edge as the direct one (samples off it) on the same profile.
func TestFitEdgeTabulatedAsDirect(t *testing.T) {
	for _, c := range []struct{ x0, sigma float64 }{{0.3, 0.7}, {-1.1, 1.4}, {0.05, 0.35}} {
		var xs, vs, xo, vo []float64
		for k, x := 0, -6.0; x <= 6; k, x = k+1, x+0.25 {
			v := 0.2 + 0.6*0.5*math.Erfc(-(x-c.x0)/(c.sigma*math.Sqrt2))
			xs, vs = append(xs, x), append(vs, v)
			// The same profile, every other sample a hair off the grid
			// (not evenly spaced): the direct path.
			xo, vo = append(xo, x+1e-8*float64(k%2)), append(vo, v)
		}
		x0a, sa, ba, oka := fitEdgeAt(xs, vs, -3, 3)
		x0b, sb, bb, okb := fitEdgeAt(xo, vo, -3, 3)
		if !oka || !okb || math.Abs(x0a-x0b) > 1e-6 || math.Abs(sa-sb) > 1e-6 || math.Abs(ba-bb) > 1e-6 {
			t.Errorf("edge at %.2f, σ %.2f: tabulated %.4f, %.4f, %.4f (%v); direct %.4f, %.4f, %.4f (%v)", c.x0, c.sigma, x0a, sa, ba, oka, x0b, sb, bb, okb)
		}
		if math.Abs(sa-c.sigma) > 0.03*c.sigma || math.Abs(x0a-c.x0) > 0.05 {
			t.Errorf("edge at %.2f, σ %.2f read at %.3f, σ %.3f", c.x0, c.sigma, x0a, sa)
		}
	}
}
