package calibrate

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"gocv.io/x/gocv"
)

// Annotate draws the chart outline, each patch's sample area with its
// number, and marks patches left out of the fit, onto img (BGR, modified in
// place), so that a person can check what was measured.
func Annotate(img *gocv.Mat, r Reading, res *PhotoResult) {
	h := r.Detection.H
	pitch := math.Max(r.Detection.PitchPx, 4)
	thick := int(math.Max(1, math.Round(pitch/40)))
	green := color.RGBA{0, 230, 0, 0}
	red := color.RGBA{255, 40, 40, 0}
	yellow := color.RGBA{255, 220, 0, 0}
	pt := func(p card.Point) image.Point { return image.Pt(int(math.Round(p.X)), int(math.Round(p.Y))) }
	for k := 0; k < 4; k++ {
		gocv.Line(img, pt(r.Detection.Corners[k]), pt(r.Detection.Corners[(k+1)%4]), yellow, thick+1)
	}
	// Corner 0 (next to patch 1) gets a dot so orientation is visible.
	gocv.Circle(img, pt(r.Detection.Corners[0]), 2*thick+2, yellow, -1)
	half := 0.6 * card.PatchSize / 2
	for i := 0; i < card.NumPatches; i++ {
		c := card.PatchCentre(i)
		q := [4]card.Point{
			h.Apply(card.Point{X: c.X - half, Y: c.Y - half}), h.Apply(card.Point{X: c.X + half, Y: c.Y - half}),
			h.Apply(card.Point{X: c.X + half, Y: c.Y + half}), h.Apply(card.Point{X: c.X - half, Y: c.Y + half}),
		}
		col := green
		used := true
		if res != nil && i < len(res.Patches) {
			used = res.Patches[i].Used
		}
		if !used {
			col = red
			gocv.Line(img, pt(q[0]), pt(q[2]), col, thick)
			gocv.Line(img, pt(q[1]), pt(q[3]), col, thick)
		}
		for k := 0; k < 4; k++ {
			gocv.Line(img, pt(q[k]), pt(q[(k+1)%4]), col, thick)
		}
		label := fmt.Sprintf("%d", i+1)
		scale := math.Max(0.3, pitch/120)
		gocv.PutText(img, label, pt(h.Apply(card.Point{X: c.X - half, Y: c.Y - half*0.2})), gocv.FontHersheySimplex, scale, color.RGBA{255, 255, 255, 0}, thick+1)
		gocv.PutText(img, label, pt(h.Apply(card.Point{X: c.X - half, Y: c.Y - half*0.2})), gocv.FontHersheySimplex, scale, color.RGBA{0, 0, 0, 0}, thick)
	}
}
