package card

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// TestDebugDraw writes annotated detections to $SMPMATCH_DEBUG_DIR for a
// person to look at; it does nothing otherwise.
func TestDebugDraw(t *testing.T) {
	dir := os.Getenv("SMPMATCH_DEBUG_DIR")
	if dir == "" {
		t.Skip("set SMPMATCH_DEBUG_DIR to write annotated real-card detections")
	}
	truth := loadRealTruth(t)
	for name, tr := range truth {
		img := gocv.IMRead(filepath.Join(sharedRealCards, "images", name), gocv.IMReadColor)
		d, err := Detect(img, DetectOptions{})
		if err == nil {
			for i := 0; i < NumPatches; i++ {
				c := d.H.Apply(PatchCentre(i))
				gocv.Circle(&img, image.Pt(int(c.X), int(c.Y)), 3, color.RGBA{255, 0, 255, 0}, 2)
			}
			for k := 0; k < 4; k++ {
				a, b := d.Corners[k], d.Corners[(k+1)%4]
				gocv.Line(&img, image.Pt(int(a.X), int(a.Y)), image.Pt(int(b.X), int(b.Y)), color.RGBA{255, 0, 255, 0}, 2)
			}
		}
		for _, c := range tr.PatchCenters {
			gocv.Circle(&img, image.Pt(int(c[0]), int(c[1])), 2, color.RGBA{0, 255, 0, 0}, -1)
		}
		for k := 0; k < 4; k++ {
			a, b := tr.Corners[k], tr.Corners[(k+1)%4]
			gocv.Line(&img, image.Pt(int(a[0]), int(a[1])), image.Pt(int(b[0]), int(b[1])), color.RGBA{0, 255, 0, 0}, 1)
		}
		// crop to chart
		minX, minY, maxX, maxY := 1e9, 1e9, -1e9, -1e9
		for _, c := range tr.Corners {
			minX, minY = min(minX, c[0]), min(minY, c[1])
			maxX, maxY = max(maxX, c[0]), max(maxY, c[1])
		}
		m := (maxX - minX) * 0.15
		r := image.Rect(int(minX-m), int(minY-m), int(maxX+m), int(maxY+m)).Intersect(image.Rect(0, 0, img.Cols(), img.Rows()))
		crop := img.Region(r)
		big := gocv.NewMat()
		sc := 1000.0 / float64(max(r.Dx(), r.Dy()))
		gocv.Resize(crop, &big, image.Pt(int(float64(r.Dx())*sc), int(float64(r.Dy())*sc)), 0, 0, gocv.InterpolationNearestNeighbor)
		gocv.IMWrite(filepath.Join(dir, name+".png"), big)
		big.Close()
		crop.Close()
		img.Close()
	}
}
