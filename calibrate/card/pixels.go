package card

import (
	"fmt"
	"math"
	"sort"

	"github.com/smpmatch/smpmatch/calibrate/ccm"
	"gocv.io/x/gocv"
)

// bgr is a read-only view of an 8-bit BGR Mat's pixels. It borrows the Mat's
// memory: it is valid only while the Mat is open.
type bgr struct {
	w, h, stride int
	pix          []byte
}

func newBGR(m gocv.Mat) (bgr, error) {
	if m.Type() != gocv.MatTypeCV8UC3 {
		return bgr{}, fmt.Errorf("want an 8-bit BGR image, have type %v", m.Type())
	}
	if !m.IsContinuous() {
		return bgr{}, fmt.Errorf("image memory is not continuous")
	}
	p, err := m.DataPtrUint8()
	if err != nil {
		return bgr{}, fmt.Errorf("reading pixels: %w", err)
	}
	return bgr{w: m.Cols(), h: m.Rows(), stride: m.Cols() * 3, pix: p}, nil
}

// rgbAt returns the pixel at (x, y) as R, G, B in 0..1.
func (b bgr) rgbAt(x, y int) (float64, float64, float64) {
	o := y*b.stride + x*3
	return float64(b.pix[o+2]) / 255, float64(b.pix[o+1]) / 255, float64(b.pix[o]) / 255
}

// meanAround averages a square of half-width r pixels around p; ok is false
// when the square leaves the image.
func (b bgr) meanAround(p Point, r float64) (ccm.CameraRGB, bool) {
	x0, x1 := int(math.Floor(p.X-r)), int(math.Ceil(p.X+r))
	y0, y1 := int(math.Floor(p.Y-r)), int(math.Ceil(p.Y+r))
	if x0 < 0 || y0 < 0 || x1 >= b.w || y1 >= b.h || x1 < x0 || y1 < y0 {
		return ccm.CameraRGB{}, false
	}
	var sr, sg, sb float64
	var n float64
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			r, g, bl := b.rgbAt(x, y)
			sr += r
			sg += g
			sb += bl
			n++
		}
	}
	return ccm.CameraRGB{R: sr / n, G: sg / n, B: sb / n}, true
}

// validationScore reads the 24 patches where h puts them and measures how
// well a 3×3 correction maps them to the reference colours: the mean
// CIEDE2000 of the keptForScore best patches after a refit on them, under
// the better of the two encodings. A patch outside the image counts as a
// miss. Lower is better; a wrong reading of the grid scores 20 and more.
func validationScore(img bgr, h Homography) float64 {
	pitch := MeanPitch(h)
	r := math.Max(1, 0.3*pitch/pitchPerSide)
	var rgb [NumPatches]ccm.CameraRGB
	var ok [NumPatches]bool
	inside := 0
	for i := 0; i < NumPatches; i++ {
		rgb[i], ok[i] = img.meanAround(h.Apply(PatchCentre(i)), r)
		if ok[i] {
			inside++
		}
	}
	if inside < keptForScore {
		return math.Inf(1)
	}
	best := math.Inf(1)
	for _, enc := range []ccm.Encoding{ccm.EncodingSRGB, ccm.EncodingLinear} {
		var s []ccm.Sample
		for i := 0; i < NumPatches; i++ {
			if ok[i] {
				s = append(s, ccm.Sample{RGB: enc.Linearize(rgb[i]), Ref: Reference[i].Lab})
			}
		}
		if sc := robustFitScore(s); sc < best {
			best = sc
		}
	}
	return best
}

func robustFitScore(s []ccm.Sample) float64 {
	m, err := ccm.Fit(ccm.Matrix3x3, s)
	if err != nil {
		return math.Inf(1)
	}
	e := m.Errors(s)
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return e[idx[a]] < e[idx[b]] })
	keep := make([]ccm.Sample, 0, keptForScore)
	for _, i := range idx[:keptForScore] {
		keep = append(keep, s[i])
	}
	m, err = ccm.Fit(ccm.Matrix3x3, keep)
	if err != nil {
		return math.Inf(1)
	}
	e = m.Errors(s)
	sort.Float64s(e)
	var sum float64
	for _, v := range e[:keptForScore] {
		sum += v
	}
	return sum / keptForScore
}
