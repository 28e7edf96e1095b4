package segment

import "github.com/smpmatch/smpmatch/calibrate/colour"

// stageScene is a 400 × 300 LabImage of skin lit more from the left (Y
// falls by a third across), with vertical dark strands 2 px wide every 6
// px (a third of the skin covered) in the middle band of rows, and a broad
// shadow band 24 px wide on the right: what the skin, light and hair stages
// must tell apart. isStrand and inShadow say where each is.
func stageScene() (img *LabImage, skin, hair colour.LabD50, isStrand, inShadow func(x, y int) bool) {
	skin = colour.LabD50{L: 62, A: 12, B: 18}
	hair = colour.LabD50{L: 22, A: 3, B: 5}
	w, h := 400, 300
	img = NewLabImage(w, h)
	isStrand = func(x, y int) bool { return y >= 60 && y < 240 && x < 300 && x%6 < 2 }
	inShadow = func(x, y int) bool { return x >= 340 && x < 364 }
	sx, hx := skin.XYZ(), hair.XYZ()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			light := 1 - 0.33*float64(x)/float64(w)
			if inShadow(x, y) {
				light *= 0.55
			}
			c := sx
			if isStrand(x, y) {
				c = hx
			}
			img.Set(x, y, colour.XYZ{X: c.X * light, Y: c.Y * light, Z: c.Z * light}.LabD50())
		}
	}
	return
}

// stageMeasurer prepares a measurer over the whole scene as run does
// before its skin and hair passes.
func stageMeasurer(img *LabImage) *measurer {
	m := newMeasurer(img, Options{}.withDefaults(img.W, img.H))
	m.reg = make([]bool, img.W*img.H)
	for i := range m.reg {
		m.reg[i] = true
	}
	m.rel = append([]float32(nil), img.Pix...)
	return m
}
