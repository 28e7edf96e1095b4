// Package region finds the head in a photo: the head's skin (scalp, and the
// forehead or neck where they cannot be told apart from it) together with the
// hair growing on it, and nothing of the frame around it (wall, door,
// clothing, background).
//
// The input is the photo as interleaved L*a*b* D50 float32 pixels, the layout
// of segment.LabImage.Pix (this package does not import segment, which uses
// it). Find works on a reduced copy (long side Options.WorkSide, 128 px by
// default) — the head is a large object and the reduction averages fibres and
// pores into the texture measure below — and returns masks at full size.
//
// The method, stage by stage, from what the things in the photo physically
// are:
//
//  1. Texture. Hair is a field of fibres about one pixel wide: its lightness
//     changes from pixel to pixel. A painted wall, a door and most cloth are
//     smooth at that scale, and so is skin apart from pores and creases.
//     Texture is the local RMS of the lightness detail (L* minus its
//     Gaussian blur at σ = 1.5 px per 640 px of long side, averaged over
//     σ = 4 px per 640), measured at full resolution, reduced, and divided by
//     (L* + 16)/3: that is the Weber contrast dY/Y, so black fibres in shade
//     count as much as grey ones in the light.
//  2. Skin chromaticity. Shading scales a surface's XYZ, and L*a*b* then
//     scales a* and b* roughly with L* + 16, so (α, β) = (a*, b*)/(L* + 16)
//     is nearly the same for lit and shaded skin. The white balance of an
//     uncalibrated phone photo is unknown, so the skin's chromaticity is not
//     assumed but estimated: the mode of a smoothed histogram of (α, β) over
//     the pixels in a broad skin locus (hue 0–100°, chroma ≥ 4), weighted
//     towards the middle of the frame (a head photo is centred on the head;
//     a wall of skin's hue fills more of the frame, but less of its
//     middle), towards clearly chromatic colours (walls are nearly neutral)
//     and against textured pixels (which are hair as often as skin). Its
//     spread (the median distance of the pixels near the mode) sets how far
//     a pixel may be from it and still be this person's skin. An estimate
//     that is nearly neutral means no skin is in view (the back of a head
//     of hair), unless nothing else is found either (a pale head under cold
//     light).
//  3. Skin pixels lie within 2 spreads of the skin's chromaticity and are
//     not black (L* ≥ 12). Hair pixels are textured (Weber texture above
//     0.05: smooth skin, walls and phone noise stay at 0.01–0.03) over an
//     area: an opening drops the textured lines along objects' outlines.
//  4. The head. Skin and hair, opened to cut thin bridges, split into
//     8-connected components (OpenCV); the head is the component with the
//     most skin (hair counts 0.7), each pixel weighted by its closeness to
//     the frame's centre.
//  5. Its outline, by colour: OpenCV's GrabCut, started from what is known.
//     Certainly head: skin or hair deep inside the component and near the
//     centre. Certainly not: the frame's edge where it is neither skin nor
//     hair (a wall, a door, a shirt), and everything the options exclude.
//     Probably head: the component, a ring around it, and the middle of the
//     frame. GrabCut fits colour models (Gaussian mixtures in L*a*b*) to
//     each side and cuts along the image's edges; the part that holds the
//     certain head is kept.
//  6. Hair GrabCut left out (black hair before a dark room has the room's
//     colour) comes back where it is attached to the head, within a
//     geodesic reach through hair of 0.6 × the head's equivalent diameter
//     (at least 0.6 × the frame's short side). Holes are filled (a bald
//     patch, an ear's shadow), the outline closed, and the mask scaled back
//     to full size and cut by the ROI, mask and exclusions.
//
// Find takes about 0.14 s for a 640 × 640 photo, most of it GrabCut
// (BenchmarkFind640).
//
// Region.Skin and Region.Hair are the two parts, for pictures and for
// deciding what is skin; Region.Mask is their union with holes filled: the
// region a measurement should look at.
//
// Every OpenCV Mat is closed before Find returns.
package region

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"runtime"
	"sort"
	"unsafe"

	"gocv.io/x/gocv"
)

// Options restrict the search. The zero value searches the whole photo.
type Options struct {
	// ROI restricts the region to a rectangle (zero = whole image).
	ROI image.Rectangle
	// Mask, if set, admits only pixels where it is > 0; it has the image's
	// size.
	Mask *image.Gray
	// Exclude lists polygons never to include, e.g. a colour card.
	Exclude [][]image.Point
	// WorkSide is the long side of the working copy (default 128).
	WorkSide int
}

// DefaultWorkSide is the long side, in pixels, of the copy Find works on.
const DefaultWorkSide = 128

// Region is the head found in a photo. Masks are 255 inside, 0 outside, at
// the photo's size.
type Region struct {
	// Mask is the head: skin and hair with holes filled.
	Mask *image.Gray
	// Skin is the part of Mask whose chromaticity is the skin's.
	Skin *image.Gray
	// Hair is the part of Mask that is textured and not skin-coloured.
	Hair *image.Gray
	// Textured is the part of Mask that is textured like hair, whatever
	// its colour (brown hair has skin's hue): skin seen there is mixed
	// with fibres.
	Textured *image.Gray
	// Pixels counts Mask's pixels.
	Pixels int
	// Share is Pixels over the admitted pixels (ROI, Mask, Exclude).
	Share float64
	// SkinChroma is the skin's estimated chromaticity (a*, b*)/(L* + 16).
	SkinChroma [2]float64
	// SkinSpread is the spread of that chromaticity (robust σ).
	SkinSpread float64
}

// ErrEmpty is returned when nothing of the photo is admitted.
var ErrEmpty = errors.New("region: no pixels to search")

// Tuning, each with its reason.
const (
	// detailSigma640, textureSigma640: the fibre-scale detail's blur and
	// its averaging window, in pixels per 640 px of long side (a whole
	// head at 640 px has fibres about 1 px wide).
	detailSigma640  = 1.5
	textureSigma640 = 4.0
	// minSkinL: skin in deep shadow or black is not measurable skin.
	minSkinL = 12.0
	// locus of plausible skin under any white balance, for the estimate.
	locusHueMin, locusHueMax = 0.0, 100.0
	locusChromaMin           = 4.0
	// skinDist: how many spreads from the skin's chromaticity skin may be.
	skinDist = 2.0
	// spread bounds (α, β units): JPEG and mottling give at least the
	// first; more than the second is no longer one person's skin.
	minSpread, maxSpread = 0.02, 0.045
	// hairTexture: a pixel is hair-textured above this Weber contrast
	// (RMS dY/Y at fibre scale). Smooth skin, walls and a phone's noise
	// and JPEG blocks give 0.01–0.03 on the real intake photos, fields of
	// fibres 0.05–0.15. It is fixed, not relative to the photo, because a
	// close-up of stubble is textured all over.
	hairTexture = 0.05
	// hairOpenPx: the opening that keeps textured areas and drops
	// textured lines (outlines of objects), working-size pixels.
	hairOpenPx = 5
	// centreSigma: the centre weight's σ as a share of the half diagonal.
	centreSigma = 0.45
	// estCentreSigma: the same for the skin colour estimate, narrower: a
	// wall of skin's hue fills more of the frame than the head does, but
	// less of its middle.
	estCentreSigma = 0.2
	// texturedVote: the weight, in the skin colour estimate, of a pixel
	// more textured than half the frame.
	texturedVote = 0.3
	// minSkinChroma: an estimate nearer neutral than this ((a*, b*)/(L*+16)
	// units) is a wall or grey hair, not skin: there is no skin in view.
	minSkinChroma = 0.08
	// hairReach: hair is kept within this share of the head's skin's
	// equivalent diameter from that skin (geodesically, through hair).
	hairReach      = 0.6
	hairReachFrame = 0.6
	// ringShare: GrabCut may grow the head by this share of its
	// equivalent diameter (hair the texture missed).
	ringShare = 0.15
	// coreDepth, coreCentre: the certain head is skin deeper than this
	// share of the head's equivalent radius inside it, and near the
	// frame's centre (centre weight at least coreCentre: within about
	// 0.6 of the half diagonal).
	coreDepth, coreCentre = 0.15, 0.4
	// grabCutIters: GrabCut's iterations (it settles within a few).
	grabCutIters = 3
	// grabCutSeed: any fixed seed makes GrabCut deterministic.
	grabCutSeed = 1
	// hairScore: a hair pixel's vote for its component, against a skin
	// pixel's 1.
	hairScore = 0.7
	// prCentre: pixels this close to the frame's centre (centre weight;
	// 0.54 is half the half diagonal) are probably head whatever the
	// masks say: a head photo is centred on the head.
	prCentre = 0.54
	// borderShare: the frame's edge strip, as a share of its short side.
	borderShare = 0.03
	// minGrabCutSamples: fewest pixels on either side for GrabCut's
	// five-component colour models.
	minGrabCutSamples = 50
)

// Find returns the head region of a w × h photo given as interleaved
// L*a*b* float32 pixels (3 per pixel, row-major).
func Find(pix []float32, w, h int, o Options) (Region, error) {
	if w <= 0 || h <= 0 {
		return Region{}, ErrEmpty
	}
	if len(pix) != 3*w*h {
		return Region{}, fmt.Errorf("region: %d×%d pixels need %d values, have %d", w, h, 3*w*h, len(pix))
	}
	if o.Mask != nil && !o.Mask.Bounds().Eq(image.Rect(0, 0, w, h)) {
		return Region{}, fmt.Errorf("region: mask is %v, image is %d×%d: they must match", o.Mask.Bounds(), w, h)
	}
	side := o.WorkSide
	if side <= 0 {
		side = DefaultWorkSide
	}
	long := max(w, h)
	s := math.Min(1, float64(side)/float64(long))
	ww, wh := max(1, int(math.Round(float64(w)*s))), max(1, int(math.Round(float64(h)*s)))

	full, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV32FC3, f32bytes(pix))
	if err != nil {
		return Region{}, fmt.Errorf("region: wrapping pixels: %w", err)
	}
	defer full.Close()

	admitFull := admitMask(w, h, o)
	defer admitFull.Close()
	nAdmit := gocv.CountNonZero(admitFull)
	if nAdmit == 0 {
		return Region{}, ErrEmpty
	}

	// The texture's two wide blurs run on another core beside the
	// reductions.
	texs := make(chan []float32, 1)
	go func() { texs <- texture(full, float64(long)/640, ww, wh) }()
	lab := resized(full, ww, wh)
	admit := resizedMask(admitFull, ww, wh)
	tex := <-texs

	f := newFeatures(lab, tex, admit, ww, wh)
	f.estimateSkin(false)
	head := f.head()
	if !anyTrue(head) {
		// Nothing chromatic enough to be skin and no hair: an
		// overexposed or cold-lit pale head is nearly neutral. Take the
		// dominant chromaticity as the skin's after all.
		f.estimateSkin(true)
		head = f.head()
	}

	r := Region{SkinChroma: [2]float64{f.alpha0, f.beta0}, SkinSpread: f.spread}
	r.Mask = upscale(head, ww, wh, w, h, admitFull)
	skin := make([]bool, len(head))
	hair := make([]bool, len(head))
	for i, v := range head {
		skin[i] = v && f.skin[i]
		hair[i] = v && f.hair[i] && !f.skin[i]
	}
	r.Skin = upscale(skin, ww, wh, w, h, admitFull)
	r.Hair = upscale(hair, ww, wh, w, h, admitFull)
	textured := make([]bool, len(head))
	for i, v := range head {
		textured[i] = v && f.hair[i]
	}
	r.Textured = upscale(textured, ww, wh, w, h, admitFull)
	for _, v := range r.Mask.Pix {
		if v != 0 {
			r.Pixels++
		}
	}
	r.Share = float64(r.Pixels) / float64(nAdmit)
	return r, nil
}

func f32bytes(p []float32) []byte {
	if len(p) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&p[0])), 4*len(p))
}

// admitMask is 255 where the options admit a pixel (CV8U, full size).
func admitMask(w, h int, o Options) gocv.Mat {
	m := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), h, w, gocv.MatTypeCV8U)
	roi := image.Rect(0, 0, w, h)
	if !o.ROI.Empty() {
		roi = roi.Intersect(o.ROI)
	}
	if !roi.Empty() {
		sub := m.Region(roi)
		sub.SetTo(gocv.NewScalar(255, 0, 0, 0))
		sub.Close()
	}
	if o.Mask != nil {
		p, _ := m.DataPtrUint8()
		for y := 0; y < h; y++ {
			row := o.Mask.Pix[y*o.Mask.Stride : y*o.Mask.Stride+w]
			for x, v := range row {
				if v == 0 {
					p[y*w+x] = 0
				}
			}
		}
	}
	var polys [][]image.Point
	for _, p := range o.Exclude {
		if len(p) >= 3 {
			polys = append(polys, p)
		}
	}
	if len(polys) > 0 {
		pv := gocv.NewPointsVectorFromPoints(polys)
		gocv.FillPoly(&m, pv, color.RGBA{})
		pv.Close()
	}
	return m
}

// texture is the local RMS of fibre-scale lightness detail (L* units), at
// the working size.
func texture(full gocv.Mat, scale float64, ww, wh int) []float32 {
	l := gocv.NewMat()
	defer l.Close()
	gocv.ExtractChannel(full, &l, 0) // L* only
	blur := gocv.NewMat()
	defer blur.Close()
	gocv.GaussianBlur(l, &blur, image.Point{}, detailSigma640*scale, 0, gocv.BorderReflect101)
	d := gocv.NewMat()
	defer d.Close()
	gocv.Subtract(l, blur, &d)
	gocv.Multiply(d, d, &d)
	e := gocv.NewMat()
	defer e.Close()
	gocv.GaussianBlur(d, &e, image.Point{}, textureSigma640*scale, 0, gocv.BorderReflect101)
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(e, &small, image.Pt(ww, wh), 0, 0, gocv.InterpolationArea)
	v, _ := small.DataPtrFloat32()
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(math.Sqrt(math.Max(0, float64(x))))
	}
	return out
}

func resized(full gocv.Mat, ww, wh int) []float32 {
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(full, &small, image.Pt(ww, wh), 0, 0, gocv.InterpolationArea)
	v, _ := small.DataPtrFloat32()
	return append([]float32(nil), v...)
}

func resizedMask(m gocv.Mat, ww, wh int) []bool {
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(m, &small, image.Pt(ww, wh), 0, 0, gocv.InterpolationArea)
	v, _ := small.DataPtrUint8()
	out := make([]bool, len(v))
	for i, x := range v {
		out[i] = x >= 128
	}
	return out
}

// features holds the working copy's per-pixel measures.
type features struct {
	w, h          int
	lab           []float32
	tex           []float32
	admit         []bool
	alpha, beta   []float32
	centre        []float32
	estCentre     []float32
	alpha0, beta0 float64
	spread        float64
	skin, hair    []bool
	border        []bool
	texThr        float64
	box           image.Rectangle
}

func newFeatures(lab, tex []float32, admit []bool, w, h int) *features {
	f := &features{w: w, h: h, lab: lab, tex: tex, admit: admit,
		alpha: make([]float32, w*h), beta: make([]float32, w*h), centre: make([]float32, w*h), estCentre: make([]float32, w*h)}
	// The frame is the admitted pixels' bounding box: a user's ROI is
	// the photo they mean.
	f.box = image.Rectangle{}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if admit[y*w+x] {
				f.box = f.box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	if f.box.Empty() {
		f.box = image.Rect(0, 0, w, h)
	}
	bx0, by0 := float64(f.box.Min.X), float64(f.box.Min.Y)
	bw, bh := float64(f.box.Dx()), float64(f.box.Dy())
	half := math.Hypot(bw, bh) / 2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			l := float64(lab[3*i])
			k := 1 / math.Max(l+16, 1)
			// Weber contrast: dY/Y = 3 dL*/(L* + 16), so that black
			// fibres in the dark count as much as grey ones in the light.
			f.tex[i] = float32(3 * float64(tex[i]) * k)
			f.alpha[i] = float32(float64(lab[3*i+1]) * k)
			f.beta[i] = float32(float64(lab[3*i+2]) * k)
			r := math.Hypot(float64(x)+0.5-bx0-bw/2, float64(y)+0.5-by0-bh/2) / half
			f.centre[i] = float32(math.Exp(-r * r / (2 * centreSigma * centreSigma)))
			f.estCentre[i] = float32(math.Exp(-r * r / (2 * estCentreSigma * estCentreSigma)))
		}
	}
	return f
}

// Histogram of (α, β): bins of histStep from histMin.
const (
	histStep       = 0.01
	histMinA       = -0.2
	histMinB       = -0.2
	histBins       = 100
	histSmoothBins = 3.5
)

// estimateSkin sets the skin's chromaticity and spread, then the skin and
// hair masks. Unless allowNeutral, a nearly neutral estimate means no skin
// is in view (a wall, grey hair).
func (f *features) estimateSkin(allowNeutral bool) {
	n := f.w * f.h
	// Smooth pixels: below the median texture of the admitted ones.
	var ts []float32
	for i := 0; i < n; i++ {
		if f.admit[i] {
			ts = append(ts, f.tex[i])
		}
	}
	texLim := quantile32(ts, 0.5)
	hist := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), histBins, histBins, gocv.MatTypeCV32F)
	defer hist.Close()
	hp, _ := hist.DataPtrFloat32()
	for i := 0; i < n; i++ {
		if !f.admit[i] {
			continue
		}
		// Textured pixels are hair as often as skin: they count less.
		wt := float32(1)
		if f.tex[i] > texLim {
			wt = texturedVote
		}
		l, a, b := float64(f.lab[3*i]), float64(f.lab[3*i+1]), float64(f.lab[3*i+2])
		if l < 20 || l > 98 {
			continue
		}
		c := math.Hypot(a, b)
		hue := math.Atan2(b, a) * 180 / math.Pi
		if c < locusChromaMin || hue < locusHueMin || hue > locusHueMax {
			continue
		}
		// Skin's chroma is moderate: a near-grey wall gets less say.
		// Weight by the chromaticity's distance from neutral: skin of
		// every ITA group is clearly chromatic ((a*, b*)/(L*+16) of 0.15
		// to 0.4 under daylight), walls and ceilings are nearly neutral.
		wc := ramp(math.Hypot(float64(f.alpha[i]), float64(f.beta[i])), 0.05, 0.15)
		ia := int((float64(f.alpha[i]) - histMinA) / histStep)
		ib := int((float64(f.beta[i]) - histMinB) / histStep)
		if ia < 0 || ib < 0 || ia >= histBins || ib >= histBins {
			continue
		}
		hp[ib*histBins+ia] += wt * float32(wc) * f.estCentre[i]
	}
	sm := gocv.NewMat()
	defer sm.Close()
	gocv.GaussianBlur(hist, &sm, image.Point{}, histSmoothBins, 0, gocv.BorderConstant)
	sp, _ := sm.DataPtrFloat32()
	best, bi := float32(0), -1
	for i, v := range sp {
		if v > best {
			best, bi = v, i
		}
	}
	if bi < 0 {
		// No skin-like pixel at all: take a typical skin chromaticity so
		// that the masks come out empty rather than arbitrary.
		f.alpha0, f.beta0, f.spread = 0.18, 0.22, minSpread
	} else {
		f.alpha0 = histMinA + (float64(bi%histBins)+0.5)*histStep
		f.beta0 = histMinB + (float64(bi/histBins)+0.5)*histStep
		// Spread: MAD of the distances of locus pixels near the mode.
		var ds []float32
		for i := 0; i < n; i++ {
			if !f.admit[i] || f.lab[3*i] < minSkinL {
				continue
			}
			d := math.Hypot(float64(f.alpha[i])-f.alpha0, float64(f.beta[i])-f.beta0)
			if d < 2*maxSpread {
				ds = append(ds, float32(d))
			}
		}
		// For a 2-D Gaussian the median distance is 1.18 σ.
		f.spread = math.Min(maxSpread, math.Max(minSpread, float64(median32(ds))/1.18))
	}
	f.skin = make([]bool, n)
	noSkin := !allowNeutral && math.Hypot(f.alpha0, f.beta0) < minSkinChroma
	for i := 0; i < n; i++ {
		if noSkin || !f.admit[i] || f.lab[3*i] < minSkinL {
			continue
		}
		d := math.Hypot(float64(f.alpha[i])-f.alpha0, float64(f.beta[i])-f.beta0)
		if d <= skinDist*f.spread {
			f.skin[i] = true
		}
	}
	thr := hairTexture
	f.texThr = thr
	raw := boolMat(f.w, f.h, func(i int) bool {
		if !f.admit[i] || float64(f.tex[i]) < thr {
			return false
		}
		// A bright neutral is a sheen or a white object, not hair on
		// a head (white hair is textured but not this bright and flat).
		l, c := float64(f.lab[3*i]), math.Hypot(float64(f.lab[3*i+1]), float64(f.lab[3*i+2]))
		return !(l > 95 && c < 3)
	})
	defer raw.Close()
	// An object's outline is textured along a line a few pixels wide; a
	// head of hair is textured over an area. Opening keeps areas.
	k := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(hairOpenPx, hairOpenPx))
	defer k.Close()
	// Pad with "not hair" first: OpenCV's erosion takes the outside of the
	// image as maximal, which would keep textured strips along the frame.
	pad := hairOpenPx
	padded := gocv.NewMat()
	defer padded.Close()
	gocv.CopyMakeBorder(raw, &padded, pad, pad, pad, pad, gocv.BorderConstant, color.RGBA{})
	opp := gocv.NewMat()
	defer opp.Close()
	gocv.MorphologyEx(padded, &opp, gocv.MorphOpen, k)
	op := opp.Region(image.Rect(pad, pad, pad+f.w, pad+f.h))
	defer op.Close()
	opc := op.Clone()
	defer opc.Close()
	hp2, _ := opc.DataPtrUint8()
	f.hair = make([]bool, n)
	f.border = make([]bool, n)
	bw := max(1, int(borderShare*float64(min(f.box.Dx(), f.box.Dy()))))
	for i := range f.hair {
		f.hair[i] = hp2[i] != 0
		x, y := i%f.w, i/f.w
		b := f.box
		f.border[i] = x < b.Min.X+bw || y < b.Min.Y+bw || x >= b.Max.X-bw || y >= b.Max.Y-bw
	}
}

// head picks the head component and returns its mask at the working size.
func (f *features) head() []bool {
	n := f.w * f.h
	both := boolMat(f.w, f.h, func(i int) bool { return f.skin[i] || f.hair[i] })
	defer both.Close()
	k3 := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(3, 3))
	defer k3.Close()
	opened := gocv.NewMat()
	defer opened.Close()
	gocv.MorphologyEx(both, &opened, gocv.MorphOpen, k3)

	lab, nl := components(opened)
	if nl <= 1 {
		return make([]bool, n)
	}
	score := make([]float64, nl)
	for i := 0; i < n; i++ {
		if l := lab[i]; l > 0 {
			// Skin decides, but a head of hair with little skin
			// showing (the back of a full head) is a head too.
			switch {
			case f.skin[i]:
				score[l] += float64(f.centre[i])
			case f.hair[i]:
				score[l] += hairScore * float64(f.centre[i])
			}
		}
	}
	best := 0
	for l := 1; l < nl; l++ {
		if score[l] > score[best] {
			best = l
		}
	}
	if best == 0 {
		return make([]bool, n)
	}
	comp := make([]bool, n)
	nSkin := 0
	for i := 0; i < n; i++ {
		comp[i] = int(lab[i]) == best
		if comp[i] && f.skin[i] {
			nSkin++
		}
	}
	// Hair only within a geodesic reach of the head's skin.
	reach := f.reach(nSkin)
	dist := geodesic(comp, func(i int) bool { return f.skin[i] }, f.w, f.h)
	for i := range comp {
		if comp[i] && !f.skin[i] && float64(dist[i]) > reach {
			comp[i] = false
		}
	}
	head := f.grabCut(comp)
	// Hair GrabCut left out (its colour is the background's, e.g. black
	// hair before a dark room) comes back if it is attached to the head.
	nHead := 0
	for _, v := range head {
		if v {
			nHead++
		}
	}
	reach = f.reach(nHead)
	dist = geodesic(orBool(head, f.hair), func(i int) bool { return head[i] }, f.w, f.h)
	for i := range head {
		head[i] = head[i] || (f.hair[i] && float64(dist[i]) <= reach)
	}
	// Close the outline and fill holes.
	m := boolMat(f.w, f.h, func(i int) bool { return head[i] })
	defer m.Close()
	k := max(3, (min(f.w, f.h)/40)|1)
	kc := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(k, k))
	defer kc.Close()
	closed := gocv.NewMat()
	defer closed.Close()
	gocv.MorphologyEx(m, &closed, gocv.MorphClose, kc)
	out := fillHoles(closed, f.w, f.h)
	for i := range out {
		out[i] = out[i] && f.admit[i]
	}
	return out
}

// grabCut refines the head's outline by colour: the core of the head's
// skin (well inside it and near the frame's centre) is certainly head, the
// head component and a ring around it (room for hair the texture missed)
// probably head, the rest of the frame probably not. OpenCV's GrabCut
// fits a colour model (Gaussian mixtures in L*a*b*) to each side and cuts
// along the image's edges. The component of the result that holds the
// core is the head.
func (f *features) grabCut(comp []bool) []bool {
	n := f.w * f.h
	cm := boolMat(f.w, f.h, func(i int) bool { return comp[i] })
	defer cm.Close()
	dt := gocv.NewMat()
	defer dt.Close()
	dl := gocv.NewMat()
	defer dl.Close()
	gocv.DistanceTransform(cm, &dt, &dl, gocv.DistL2, gocv.DistanceMask5, gocv.DistanceLabelCComp)
	dv, _ := dt.DataPtrFloat32()
	area := 0
	for _, v := range comp {
		if v {
			area++
		}
	}
	if area == 0 {
		return comp
	}
	eqR := math.Sqrt(float64(area) / math.Pi)
	ring := max(3, int(ringShare*2*eqR)|1)
	kr := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(ring, ring))
	defer kr.Close()
	grown := gocv.NewMat()
	defer grown.Close()
	gocv.Dilate(cm, &grown, kr)
	gp, _ := grown.DataPtrUint8()

	mask := gocv.NewMatWithSize(f.h, f.w, gocv.MatTypeCV8U)
	defer mask.Close()
	mp, _ := mask.DataPtrUint8()
	core := make([]bool, n)
	nCore := 0
	for i := 0; i < n; i++ {
		switch {
		case !f.admit[i]:
			mp[i] = 0 // GC_BGD
		case comp[i] && (f.skin[i] || f.hair[i]) && float64(dv[i]) > coreDepth*eqR && f.centre[i] >= coreCentre:
			mp[i] = 1 // GC_FGD
			core[i] = true
			nCore++
		case f.border[i] && !f.skin[i] && float64(f.tex[i]) < f.texThr:
			// The frame's edge, smooth and not skin: a wall, a
			// door, a shirt.
			mp[i] = 0 // GC_BGD
		case gp[i] != 0 || f.centre[i] >= prCentre:
			mp[i] = 3 // GC_PR_FGD
		default:
			mp[i] = 2 // GC_PR_BGD
		}
	}
	nBack := 0
	for _, v := range mp {
		if v == 0 || v == 2 {
			nBack++
		}
	}
	// GrabCut's colour models need samples on both sides (OpenCV asserts
	// it); with no room for background the component is the answer.
	if nCore < minGrabCutSamples || nBack < minGrabCutSamples {
		return comp
	}
	img := gocv.NewMatWithSize(f.h, f.w, gocv.MatTypeCV8UC3)
	defer img.Close()
	ip, _ := img.DataPtrUint8()
	for i := 0; i < n; i++ {
		ip[3*i] = clamp8(float64(f.lab[3*i]) * 2.55)
		ip[3*i+1] = clamp8(float64(f.lab[3*i+1]) + 128)
		ip[3*i+2] = clamp8(float64(f.lab[3*i+2]) + 128)
	}
	bgd, fgd := gocv.NewMat(), gocv.NewMat()
	defer bgd.Close()
	defer fgd.Close()
	// GrabCut seeds its colour models with k-means from OpenCV's
	// per-thread random generator: fix the seed on the thread that runs
	// it, so that the same photo always gives the same region.
	runtime.LockOSThread()
	gocv.SetRNGSeed(grabCutSeed)
	gocv.GrabCut(img, &mask, image.Rectangle{}, &bgd, &fgd, grabCutIters, gocv.GCInitWithMask)
	runtime.UnlockOSThread()
	mp, _ = mask.DataPtrUint8()
	fg := boolMat(f.w, f.h, func(i int) bool { return mp[i] == 1 || mp[i] == 3 })
	defer fg.Close()
	lab, nl := components(fg)
	votes := make([]int, nl)
	for i := 0; i < n; i++ {
		if core[i] {
			votes[lab[i]]++
		}
	}
	best := 0
	for l := 1; l < nl; l++ {
		if votes[l] > votes[best] {
			best = l
		}
	}
	out := make([]bool, n)
	if best == 0 {
		return comp
	}
	for i := range out {
		out[i] = int(lab[i]) == best
	}
	return out
}

// reach is how far (working pixels, through hair) hair may extend from a
// head part of area n: a share of its equivalent diameter, and at least a
// share of the frame, since a head of hair may show little skin.
func (f *features) reach(n int) float64 {
	return math.Max(hairReach*2*math.Sqrt(float64(n)/math.Pi), hairReachFrame*float64(min(f.w, f.h)))
}

func anyTrue(m []bool) bool {
	for _, v := range m {
		if v {
			return true
		}
	}
	return false
}

func orBool(a, b []bool) []bool {
	out := make([]bool, len(a))
	for i := range a {
		out[i] = a[i] || b[i]
	}
	return out
}

func clamp8(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, math.Round(v))))
}

func boolMat(w, h int, in func(i int) bool) gocv.Mat {
	m := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8U)
	p, _ := m.DataPtrUint8()
	for i := range p {
		if in(i) {
			p[i] = 255
		} else {
			p[i] = 0
		}
	}
	return m
}

// components labels the 8-connected components of a CV8U mask.
func components(m gocv.Mat) ([]int32, int) {
	labels := gocv.NewMat()
	defer labels.Close()
	n := gocv.ConnectedComponentsWithParams(m, &labels, 8, gocv.MatTypeCV32S, gocv.CCL_DEFAULT)
	b := labels.ToBytes()
	out := make([]int32, len(b)/4)
	copy(out, unsafe.Slice((*int32)(unsafe.Pointer(&b[0])), len(out)))
	return out, n
}

// fillHoles returns m (CV8U) with every background component that does not
// touch the border added.
func fillHoles(m gocv.Mat, w, h int) []bool {
	inv := gocv.NewMat()
	defer inv.Close()
	gocv.BitwiseNot(m, &inv)
	lab, nl := components(inv)
	touches := make([]bool, nl)
	for x := 0; x < w; x++ {
		touches[lab[x]] = true
		touches[lab[(h-1)*w+x]] = true
	}
	for y := 0; y < h; y++ {
		touches[lab[y*w]] = true
		touches[lab[y*w+w-1]] = true
	}
	p, _ := m.DataPtrUint8()
	out := make([]bool, w*h)
	for i := range out {
		out[i] = p[i] != 0 || (lab[i] > 0 && !touches[lab[i]])
	}
	return out
}

// geodesic returns, for each pixel of in, its 8-connected path length
// within in from the nearest seed (+Inf where unreachable). The working
// copy is small (about 128 × 128), so a two-pass chamfer repeated until
// stable costs little.
func geodesic(in []bool, seed func(i int) bool, w, h int) []float32 {
	const d1, d2 = 1, 1.4142135
	inf := float32(math.Inf(1))
	d := make([]float32, w*h)
	for i := range d {
		d[i] = inf
		if in[i] && seed(i) {
			d[i] = 0
		}
	}
	relax := func(i, j int, c float32) bool {
		if v := d[j] + c; v < d[i] {
			d[i] = v
			return true
		}
		return false
	}
	for iter := 0; iter < 20; iter++ {
		changed := false
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				i := y*w + x
				if !in[i] {
					continue
				}
				if x > 0 && relax(i, i-1, d1) {
					changed = true
				}
				if y > 0 {
					if relax(i, i-w, d1) {
						changed = true
					}
					if x > 0 && relax(i, i-w-1, d2) {
						changed = true
					}
					if x < w-1 && relax(i, i-w+1, d2) {
						changed = true
					}
				}
			}
		}
		for y := h - 1; y >= 0; y-- {
			for x := w - 1; x >= 0; x-- {
				i := y*w + x
				if !in[i] {
					continue
				}
				if x < w-1 && relax(i, i+1, d1) {
					changed = true
				}
				if y < h-1 {
					if relax(i, i+w, d1) {
						changed = true
					}
					if x < w-1 && relax(i, i+w+1, d2) {
						changed = true
					}
					if x > 0 && relax(i, i+w-1, d2) {
						changed = true
					}
				}
			}
		}
		if !changed {
			break
		}
	}
	return d
}

// upscale scales a working-size mask to full size (bilinear, then the
// midpoint), cut by the admitted pixels.
func upscale(in []bool, ww, wh, w, h int, admit gocv.Mat) *image.Gray {
	small := gocv.NewMatWithSize(wh, ww, gocv.MatTypeCV8U)
	defer small.Close()
	sp, _ := small.DataPtrUint8()
	for i, v := range in {
		if v {
			sp[i] = 255
		} else {
			sp[i] = 0
		}
	}
	big := gocv.NewMat()
	defer big.Close()
	gocv.Resize(small, &big, image.Pt(w, h), 0, 0, gocv.InterpolationLinear)
	gocv.Threshold(big, &big, 127, 255, gocv.ThresholdBinary)
	gocv.BitwiseAnd(big, admit, &big)
	bp, _ := big.DataPtrUint8()
	out := image.NewGray(image.Rect(0, 0, w, h))
	copy(out.Pix, bp)
	return out
}

func quantile32(v []float32, q float64) float32 {
	if len(v) == 0 {
		return 0
	}
	c := append([]float32(nil), v...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	return c[int(q*float64(len(c)-1))]
}

func median32(v []float32) float32 {
	if len(v) == 0 {
		return 0
	}
	c := append([]float32(nil), v...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	return c[len(c)/2]
}

func ramp(x, lo, hi float64) float64 {
	switch {
	case x <= lo:
		return 0
	case x >= hi:
		return 1
	}
	return (x - lo) / (hi - lo)
}
