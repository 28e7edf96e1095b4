package card

import (
	"math"
	"testing"
)

func TestFitHomographyRecoversAKnownMapping(t *testing.T) {
	truth := Homography{1.2, 0.3, 100, -0.2, 0.9, 50, 1e-4, -2e-4, 1}
	var src, dst []Point
	for i := 0; i < NumPatches; i++ {
		p := PatchCentre(i)
		src = append(src, p)
		dst = append(dst, truth.Apply(p))
	}
	h, err := FitHomography(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ChartCorners {
		a, b := truth.Apply(c), h.Apply(c)
		if math.Hypot(a.X-b.X, a.Y-b.Y) > 1e-6 {
			t.Fatalf("corner %v: got %v want %v", c, b, a)
		}
	}
	inv, err := h.Inverse()
	if err != nil {
		t.Fatal(err)
	}
	p := inv.Apply(h.Apply(Point{3, 4}))
	if math.Hypot(p.X-3, p.Y-4) > 1e-9 {
		t.Fatalf("inverse round trip gave %v", p)
	}
}

func TestFitHomographyRefusesCollinearPoints(t *testing.T) {
	src := []Point{{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}}
	if _, err := FitHomography(src, src); err == nil {
		t.Fatal("collinear points must not give a homography")
	}
}
