package segment

import (
	"image"
	"math"
	"unsafe"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"gocv.io/x/gocv"
)

// The fibre's chroma, read apart from its lightness.
//
// A JPEG keeps luminance at full resolution but colour at half (4:2:0, what
// phones and cameras write), and quantises colour more coarsely; phones
// smooth colour further to hide its noise. Across a fibre a few pixels
// wide, luminance steps sharply from skin to fibre while colour is smeared
// over the skin around it, so even the middle of a strand carries part of
// the skin's chroma. Measured with the truth masks of
// ../shared/data/synthscalps: the median of the pixels that are ≥ 90%
// fibre reads 3–9 ΔE00 off, its hue pulled towards the skin's; the middle
// of those pixels still 1.3–5.4. No choice of pixels undoes that; a model
// of the smear does.
//
// With β a pixel's fibre cover read from its luminance (which the codec
// keeps sharp), and βc = g ∗ β the same blurred by the colour smear g, a
// pixel near a strand has chroma c = c_K + βc·(c_F − c_K). (The codec mixes
// colour in a gamma-encoded space; β read from L* instead of Y gave the
// same figures on the synthscalps, 2.47 / 1.92 against 2.46 / 1.95 when it
// was tried, at a cube root per pixel.) So the fibre's chroma is
// c_K + (c − c_K)/βc, read at the pixels where βc is highest
// (the cores of wide strands and clumps: least extrapolation), their
// median. The smear's σ comes from the photo's format and the card
// (measure.ChromaSmear); it is the only thing assumed.

// coreChromaBand: the fibre's chroma is read on the pixels whose smeared
// cover βc is in the top 5% of those near strands.
const coreChromaBand = 0.95

// Admission to the core reading: a pixel at least this much fibre by its
// lightness, whose smeared cover is at least minCoreSmeared.
const (
	minCoreCover   = 0.7
	minCoreSmeared = 0.3
	minCorePixels  = 50
)

// coreChromaResult is the fibre's a*, b* read at the cores.
type coreChromaResult struct {
	a, b float64
	n    int     // pixels read
	bc   float64 // their mean smeared cover
	ok   bool
}

// coreChroma reads the fibre's chroma at the strands' cores, undoing a
// colour smear of σ sigma (working pixels, beyond the luminance's own
// blur). xyz and shade are the photo and its light; admit picks the pixels
// near strands that are mixtures of skin and fibre; hairY is the fibre
// end's luminance (cover 1).
func coreChroma(xyz, shade []float32, reg []bool, w, h int, admit func(i int) bool, skin colour.LabD50, hairY, sigma float64) coreChromaResult {
	yk := skin.XYZ().Y
	if math.Abs(hairY-yk) < 1e-6 {
		return coreChromaResult{}
	}
	beta := make([]float32, w*h)
	wt := make([]float32, w*h)
	for i, v := range reg {
		if v {
			y := float64(xyz[3*i+1]) / float64(shade[i])
			beta[i] = float32(math.Max(-0.2, math.Min(1.2, (y-yk)/(hairY-yk))))
			wt[i] = 1
		}
	}
	// Normalised convolution: what lies off the region does not leak in.
	bb, bw := gaussian(beta, w, h, sigma), gaussian(wt, w, h, sigma)
	var cand []int
	var bcs []float32
	for i, v := range reg {
		if !v || beta[i] < minCoreCover || bw[i] < 0.5 || !admit(i) {
			continue
		}
		if c := bb[i] / bw[i]; c >= minCoreSmeared {
			cand = append(cand, i)
			bcs = append(bcs, c)
		}
	}
	if len(cand) < minCorePixels {
		return coreChromaResult{}
	}
	lim := quantile(append([]float32(nil), bcs...), coreChromaBand)
	var as, bs []float32
	var sum float64
	for k, i := range cand {
		if float64(bcs[k]) < lim {
			continue
		}
		s := float64(shade[i])
		p := colour.XYZ{X: float64(xyz[3*i]) / s, Y: float64(xyz[3*i+1]) / s, Z: float64(xyz[3*i+2]) / s}.LabD50()
		// A cover is at most 1. The hair end is read on the thin
		// structures' peak, and the middles of clumps (fibres over
		// fibres, shade) read beyond it. The top band of covers holds
		// them most of all, and they are the fibre itself: divided by
		// their cover, their chroma would lean back to the skin's (grey
		// hair's cores read 1.07–1.09 on average on 0002 and 0009).
		c := math.Min(1, float64(bcs[k]))
		as = append(as, float32(skin.A+(p.A-skin.A)/c))
		bs = append(bs, float32(skin.B+(p.B-skin.B)/c))
		sum += c
	}
	if len(as) == 0 {
		return coreChromaResult{}
	}
	return coreChromaResult{a: quantile(as, 0.5), b: quantile(bs, 0.5), n: len(as), bc: sum / float64(len(as)), ok: true}
}

// gaussian is v blurred by a Gaussian of σ sigma (OpenCV's), or a copy of v
// when sigma ≤ 0 or OpenCV refuses.
func gaussian(v []float32, w, h int, sigma float64) []float32 {
	out := append([]float32(nil), v...)
	if sigma <= 0 || len(v) != w*h || len(v) == 0 {
		return out
	}
	src, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV32F, unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v)))
	if err != nil {
		return out
	}
	defer src.Close()
	dst := gocv.NewMat()
	defer dst.Close()
	gocv.GaussianBlur(src, &dst, image.Pt(0, 0), sigma, sigma, gocv.BorderReflect101)
	d, err := dst.DataPtrFloat32()
	if err != nil || len(d) != len(out) {
		return out
	}
	copy(out, d)
	return out
}

// fibrePeakShare: a local maximum of the thin structures' histogram this
// share of its tallest (in the hair's half) is the hair end; smaller ones
// are noise in its tail.
var fibrePeakShare = 0.5

// minFibrePeakPixels: fewer thin-structure samples on the line than this
// leave the hair end to the whole region's histogram.
const minFibrePeakPixels = 200

// fibrePeak is the hair end read on the thin structures alone: the first
// peak, from the hair's side, of their histogram along the line (ts the
// positions, fibre which of them lie on thin structures; lo and bw the
// histogram's start and bin width, fromLow true when the hair is the low
// end).
func fibrePeak(ts []float32, fibre []bool, lo, bw float64, fromLow bool) (float64, bool) {
	h := make([]float64, endBins)
	n := 0
	for k, t := range ts {
		if !fibre[k] {
			continue
		}
		if b := int((float64(t) - lo) / bw); b >= 0 && b < endBins {
			h[b]++
			n++
		}
	}
	if n < minFibrePeakPixels {
		return 0, false
	}
	// The first local maximum from the hair's side that is at least
	// fibrePeakShare of the tallest in the hair's half.
	h = smoothHist(h, 2)
	top := 0.0
	for j := 0; j < endBins/2; j++ {
		i := j
		if !fromLow {
			i = endBins - 1 - j
		}
		top = math.Max(top, h[i])
	}
	for j := 0; j < endBins/2; j++ {
		i, prev, next := j, j-1, j+1
		if !fromLow {
			i, prev, next = endBins-1-j, endBins-j, endBins-2-j
		}
		if h[i] < fibrePeakShare*top {
			continue
		}
		if (prev < 0 || prev >= endBins || h[prev] <= h[i]) && h[next] <= h[i] {
			return lo + (float64(i)+0.5)*bw, true
		}
	}
	return 0, false
}
