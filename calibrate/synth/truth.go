package synth

import (
	"math"

	"github.com/smpmatch/smpmatch/calibrate/card"
)

// truth computes the scene's truth from its geometry and light.
func (r *renderer) truth() Truth {
	s := r.s
	t := Truth{Kind: s.Kind, Corners: s.Corners, Decoys: s.Decoys}
	c := s.Corners
	// Chart x × chart y is positive for an unmirrored card in image
	// coordinates (y down), negative for a mirrored one.
	ex, ey := card.Point{X: c[1].X - c[0].X, Y: c[1].Y - c[0].Y}, card.Point{X: c[3].X - c[0].X, Y: c[3].Y - c[0].Y}
	t.Mirrored = ex.X*ey.Y-ex.Y*ey.X < 0

	var sum float64
	var n int
	for i := range t.PatchCentres {
		t.PatchCentres[i] = r.hom.point(card.PatchCentre(i))
	}
	for i, p := range t.PatchCentres {
		if i%card.Cols < card.Cols-1 {
			sum += dist(p, t.PatchCentres[i+1])
			n++
		}
		if i+card.Cols < card.NumPatches {
			sum += dist(p, t.PatchCentres[i+card.Cols])
			n++
		}
	}
	t.PatchPitchPx = sum / float64(n)

	f := faceOf(s.Kind, s.Seed)
	for i := range t.Patches {
		pc := card.PatchCentre(i)
		pt := &t.Patches[i]
		pt.Lab = f.body
		for _, tl := range f.tiles {
			if pc.X >= tl.x0 && pc.X < tl.x1 && pc.Y >= tl.y0 && pc.Y < tl.y1 {
				pt.Lab = tl.lab
				break
			}
		}
		px := t.PatchCentres[i]
		pt.Light = r.light.at(px.X, px.Y)
		e := s.Camera.Encode(s.Camera.Linear(pt.Lab, pt.Light))
		pt.RGB = EncodedRGB{R: e[0], G: e[1], B: e[2]}

		half := flagInner * card.PatchSize / 2
		for a := 0; a < flagSteps; a++ {
			for b := 0; b < flagSteps; b++ {
				u := pc.X - half + 2*half*float64(a)/(flagSteps-1)
				v := pc.Y - half + 2*half*float64(b)/(flagSteps-1)
				q := r.hom.point(card.Point{X: u, Y: v})
				for _, o := range r.occluders {
					if _, ok := o.chartAt(u, v); ok {
						pt.Occluded = true
					}
				}
				if r.light.shadowAt(q.X, q.Y) < 0.999 {
					pt.Shadowed = true
				}
				if r.glare != nil && r.glare.chartAt(u, v)*s.Glare.Strength*r.light.at(q.X, q.Y) > flagGlare {
					pt.Glared = true
				}
			}
		}
	}
	return t
}

func dist(a, b card.Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }
