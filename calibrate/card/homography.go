package card

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Homography maps points of one plane to another (here: chart units to
// photo pixels), as a row-major 3×3 matrix.
type Homography [9]float64

// Apply maps p through h.
func (h Homography) Apply(p Point) Point {
	w := h[6]*p.X + h[7]*p.Y + h[8]
	return Point{(h[0]*p.X + h[1]*p.Y + h[2]) / w, (h[3]*p.X + h[4]*p.Y + h[5]) / w}
}

// Scale returns the homography followed by a uniform scaling of the
// destination plane (e.g. from a reduced working image to full resolution).
func (h Homography) Scale(s float64) Homography {
	for i := 0; i < 6; i++ {
		h[i] *= s
	}
	return h
}

// Inverse returns the inverse mapping.
func (h Homography) Inverse() (Homography, error) {
	m := mat.NewDense(3, 3, h[:])
	var inv mat.Dense
	if err := inv.Inverse(m); err != nil {
		return Homography{}, fmt.Errorf("homography is singular: %w", err)
	}
	var out Homography
	for i := 0; i < 9; i++ {
		out[i] = inv.At(i/3, i%3)
	}
	return out, nil
}

// Det is the determinant of the 2×2 linear part at p (the local Jacobian's
// sign says whether the mapping mirrors the plane there).
func (h Homography) jacobianDet(p Point) float64 {
	const e = 1e-3
	a := h.Apply(p)
	bx := h.Apply(Point{p.X + e, p.Y})
	by := h.Apply(Point{p.X, p.Y + e})
	return ((bx.X-a.X)*(by.Y-a.Y) - (bx.Y-a.Y)*(by.X-a.X)) / (e * e)
}

var errDegenerate = errors.New("degenerate point set for a homography")

// FitHomography finds the homography that maps src to dst in the
// least-squares sense of the normalised direct linear transform (Hartley &
// Zisserman, Multiple View Geometry, alg. 4.2). It needs at least four
// points, no three of them collinear.
func FitHomography(src, dst []Point) (Homography, error) {
	n := len(src)
	if n < 4 || len(dst) != n {
		return Homography{}, fmt.Errorf("%w: %d point pairs", errDegenerate, n)
	}
	ts, sp := normalise(src)
	td, dp := normalise(dst)
	a := mat.NewDense(2*n, 9, nil)
	for i := 0; i < n; i++ {
		x, y := sp[i].X, sp[i].Y
		u, v := dp[i].X, dp[i].Y
		a.SetRow(2*i, []float64{-x, -y, -1, 0, 0, 0, u * x, u * y, u})
		a.SetRow(2*i+1, []float64{0, 0, 0, -x, -y, -1, v * x, v * y, v})
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDFullV) {
		return Homography{}, fmt.Errorf("%w: SVD failed", errDegenerate)
	}
	vals := svd.Values(nil)
	if vals[len(vals)-1] > 0 && len(vals) >= 8 && vals[7] < 1e-9*vals[0] {
		return Homography{}, errDegenerate
	}
	var v mat.Dense
	svd.VTo(&v)
	var hn Homography
	for i := 0; i < 9; i++ {
		hn[i] = v.At(i, 8)
	}
	// H = Td^-1 · Hn · Ts
	tdInv := Homography{1 / td[0], 0, -td[1] / td[0], 0, 1 / td[0], -td[2] / td[0], 0, 0, 1}
	tsH := Homography{ts[0], 0, ts[1], 0, ts[0], ts[2], 0, 0, 1}
	h := mul33(tdInv, mul33(hn, tsH))
	if math.Abs(h[8]) < 1e-300 {
		return Homography{}, errDegenerate
	}
	for i := range h {
		h[i] /= h[8]
	}
	for _, f := range h {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return Homography{}, errDegenerate
		}
	}
	return h, nil
}

// normalise translates points to their centroid and scales them so that
// their mean distance from it is √2; it returns (scale, tx, ty).
func normalise(p []Point) ([3]float64, []Point) {
	var cx, cy float64
	for _, q := range p {
		cx += q.X
		cy += q.Y
	}
	cx /= float64(len(p))
	cy /= float64(len(p))
	var d float64
	for _, q := range p {
		d += math.Hypot(q.X-cx, q.Y-cy)
	}
	d /= float64(len(p))
	s := math.Sqrt2 / math.Max(d, 1e-12)
	out := make([]Point, len(p))
	for i, q := range p {
		out[i] = Point{(q.X - cx) * s, (q.Y - cy) * s}
	}
	return [3]float64{s, -cx * s, -cy * s}, out
}

func mul33(a, b Homography) Homography {
	var c Homography
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				c[3*i+j] += a[3*i+k] * b[3*k+j]
			}
		}
	}
	return c
}
