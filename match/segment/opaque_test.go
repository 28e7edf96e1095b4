package segment

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestOpaqueEndFindsTheFibreBehindTheNoise draws cover maps as the colours
// stage sees them: skin at 0, hair pixels whose cover runs up to the pure
// fibre at end (in the hair end's units), everything with pixel noise; the
// far end less the noise must come back within tol of end: close for
// resolved fibres (a sharp end), a little short for thin ones (the few
// pure pixels at the end of a long tail).
func TestOpaqueEndFindsTheFibreBehindTheNoise(t *testing.T) {
	dark := [3]float64{0.05, 0.05, 0.04} // the hair end: luminance falls
	skin := [3]float64{0.30, 0.28, 0.20} // from the skin's
	cases := []struct {
		name  string
		end   float64 // the pure fibre, in cover units
		low   float64 // the hair pixels' cover is uniform in low..end
		share float64 // of those, at the pure fibre (wide cores)
		noise float64
		tol   float64
	}{
		{"resolved fibres: most hair pixels pure", 1.02, 0.5, 0.7, 0.03, 0.02},
		{"resolved fibres, noisier", 1.0, 0.5, 0.6, 0.06, 0.02},
		{"thin fibres: a long tail to the fibre", 1.22, 0.5, 0.02, 0.04, 0.06},
		{"thin fibres, little noise", 1.15, 0.5, 0.05, 0.02, 0.06},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			w, h := 400, 400
			cover := make([]float32, w*h)
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					var c float64
					// Hair in 3-px bands every 12 px: skin between keeps
					// its four neighbours.
					if x%12 < 3 {
						c = tc.low + (tc.end-tc.low)*rng.Float64()
						if rng.Float64() < tc.share {
							c = tc.end
						}
					}
					cover[y*w+x] = float32(c + tc.noise*rng.NormFloat64())
				}
			}
			got, ok := opaqueEnd(cover, nil, w, 100, skin, dark)
			if !ok {
				t.Fatal("no end read")
			}
			t.Logf("end %.3f, read %.3f", tc.end, got)
			if math.Abs(got-tc.end) > tc.tol {
				t.Errorf("read %.3f, want %.2f ± %.2f", got, tc.end, tc.tol)
			}
		})
	}
	// A skin-to-hair line that is mostly chroma (grey hair on pink skin)
	// is not read: that is not an opaque fibre's end.
	grey := [3]float64{0.24, 0.28, 0.26}
	if _, ok := opaqueEnd(make([]float32, 400*400), nil, 400, 100, skin, grey); ok {
		t.Error("an end was read along a line of chroma")
	}
}
