package segment

import (
	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// LabImage is a colour-corrected photo: L*a*b* D50 per pixel, row-major,
// interleaved L*, a*, b* as float32. Pixel (x, y) starts at Pix[3*(y*W+x)].
type LabImage struct {
	W, H int
	Pix  []float32
}

// NewLabImage returns a black w × h LabImage.
func NewLabImage(w, h int) *LabImage {
	if w < 0 || h < 0 {
		w, h = 0, 0
	}
	return &LabImage{W: w, H: h, Pix: make([]float32, 3*w*h)}
}

// At returns the colour of pixel (x, y); it panics outside the image, as
// slice indexing does.
func (m *LabImage) At(x, y int) colour.LabD50 {
	i := 3 * (y*m.W + x)
	return colour.LabD50{L: float64(m.Pix[i]), A: float64(m.Pix[i+1]), B: float64(m.Pix[i+2])}
}

// Set stores the colour of pixel (x, y).
func (m *LabImage) Set(x, y int, c colour.LabD50) {
	i := 3 * (y*m.W + x)
	m.Pix[i], m.Pix[i+1], m.Pix[i+2] = float32(c.L), float32(c.A), float32(c.B)
}
