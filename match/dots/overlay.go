package dots

import (
	"image"
	"image/color"
	"image/draw"
	"math"
)

// Mask colours: cyan for counted dots, orange for dots found but not
// counted.
var (
	MaskCounted = color.NRGBA{R: 0, G: 220, B: 255, A: 255}
	MaskOther   = color.NRGBA{R: 255, G: 140, B: 0, A: 255}
)

// overlay draws each dot's fitted circle over img (same size as the
// working image).
func overlay(img *image.NRGBA, f *field) *image.NRGBA {
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	for _, d := range f.dots {
		c := MaskOther
		if d.inside {
			c = MaskCounted
		}
		r := math.Max(d.r, 1)
		n := int(2*math.Pi*r) + 8
		for k := 0; k < n; k++ {
			s, co := math.Sincos(2 * math.Pi * float64(k) / float64(n))
			x, y := int(d.x+r*co), int(d.y+r*s)
			if image.Pt(x, y).In(out.Bounds()) {
				out.SetNRGBA(x, y, c)
			}
		}
	}
	return out
}
