package segment

import (
	"image"
	"image/color"
	"image/draw"
)

// Overlay colours, chosen to stand out on any skin: magenta for hair, cyan
// for the measured scalp skin.
var (
	OverlayHair  = color.NRGBA{R: 255, G: 0, B: 200, A: 255}
	OverlayScalp = color.NRGBA{R: 0, G: 200, B: 255, A: 255}
)

// overlayAlpha is the opacity of the overlay colours (0..1).
const overlayAlpha = 0.45

// Overlay returns img with the result's hair pixels tinted OverlayHair and
// its scalp skin tinted OverlayScalp, semi-transparent. The masks are scaled
// to img's size by nearest neighbour, so img may be the full-size photo
// while r came from a smaller working copy.
func Overlay(img image.Image, r Result) *image.NRGBA {
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	if r.HairMask == nil || r.ScalpMask == nil {
		return out
	}
	mb := r.HairMask.Bounds()
	for y := 0; y < b.Dy(); y++ {
		my := mb.Min.Y + y*mb.Dy()/b.Dy()
		for x := 0; x < b.Dx(); x++ {
			mx := mb.Min.X + x*mb.Dx()/b.Dx()
			var c color.NRGBA
			switch {
			case r.HairMask.GrayAt(mx, my).Y > 0:
				c = OverlayHair
			case r.ScalpMask.GrayAt(mx, my).Y > 0:
				c = OverlayScalp
			default:
				continue
			}
			i := out.PixOffset(x, y)
			p := out.Pix[i : i+3]
			p[0] = uint8(float64(p[0])*(1-overlayAlpha) + float64(c.R)*overlayAlpha)
			p[1] = uint8(float64(p[1])*(1-overlayAlpha) + float64(c.G)*overlayAlpha)
			p[2] = uint8(float64(p[2])*(1-overlayAlpha) + float64(c.B)*overlayAlpha)
		}
	}
	return out
}
