package synth

import (
	"fmt"
	"math"

	"github.com/smpmatch/smpmatch/calibrate/card"
)

// homography is a 3 × 3 projective map, row-major, h[8] = 1.
type homography [9]float64

// homographyFrom solves for the map taking src[k] to dst[k] (direct linear
// transform on four points, Gaussian elimination with partial pivoting).
func homographyFrom(src, dst card.Corners) (homography, error) {
	var a [8][9]float64
	for k := 0; k < 4; k++ {
		x, y, u, v := src[k].X, src[k].Y, dst[k].X, dst[k].Y
		a[2*k] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*k+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for col := 0; col < 8; col++ {
		p := col
		for r := col + 1; r < 8; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		if math.Abs(a[p][col]) < 1e-12 {
			return homography{}, fmt.Errorf("synth: corners %v are degenerate (three on a line?)", dst)
		}
		a[col], a[p] = a[p], a[col]
		for r := 0; r < 8; r++ {
			if r == col {
				continue
			}
			f := a[r][col] / a[col][col]
			for c := col; c < 9; c++ {
				a[r][c] -= f * a[col][c]
			}
		}
	}
	var h homography
	for i := 0; i < 8; i++ {
		h[i] = a[i][8] / a[i][i]
	}
	h[8] = 1
	return h, nil
}

// apply maps p; w is the homogeneous divisor (its sign tells which side of
// the horizon p is on).
func (h homography) apply(x, y float64) (u, v, w float64) {
	w = h[6]*x + h[7]*y + h[8]
	u = (h[0]*x + h[1]*y + h[2]) / w
	v = (h[3]*x + h[4]*y + h[5]) / w
	return
}

func (h homography) point(p card.Point) card.Point {
	u, v, _ := h.apply(p.X, p.Y)
	return card.Point{X: u, Y: v}
}

// inverse returns the inverse map: the adjugate, since a homography's scale
// is irrelevant. Callers compare the sign of w with a known point's.
func (h homography) inverse() homography {
	a, b, c, d, e, f, g, k, i := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
	return homography{
		e*i - f*k, c*k - b*i, b*f - c*e,
		f*g - d*i, a*i - c*g, c*d - a*f,
		d*k - e*g, b*g - a*k, a*e - b*d,
	}
}
