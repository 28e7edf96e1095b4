// Package segment finds the scalp in a colour-corrected photo, separates hair
// from scalp skin, and measures both colours robustly.
//
// The input is a LabImage: the photo after colour correction, as L*a*b* D50
// per pixel. A working resolution with a long side of 1600–2000 px suits
// close-ups of the scalp, provided hair fibres are at least about 3 px wide
// in it and the photo is sharp: a fibre's colour is read from its core, and
// a fibre narrower than that, or blurred, never shows a pure core (see
// the README, "Limits"). Measure takes about 0.8–0.9 s at 1600 × 1200 on
// two cores (BenchmarkMeasure1600): steps that read the same inputs run
// side by side, and per-pixel and per-tile loops are shared among the
// cores (parallelFor), each writing only what it owns. Its result is
// deterministic and the same on any number of cores (the synthscalps'
// JSON is byte-identical with GOMAXPROCS 1, 2 and 4), and
// TestMeasureMatchesTheGoldenResults guards it against unintended change.
//
// Measure works in stages:
//
//  1. Scalp region (headregion.go): the head — its skin and the hair
//     growing on it — found by match/segment/region (skin chromaticity estimated from the photo,
//     texture for hair, GrabCut for the outline; see its package doc). The
//     card (Options.Exclude), the ROI and mask, the wall, clothing and a
//     separate hand fall away here. Where that head fills the frame
//     (closeUpShare) the photo is a close-up and the region is instead
//     the largest group of mostly skin-like blocks (findRegion).
//  2. Local skin and light (skin.go): the most common colour per tile (median, then
//     median of the nearer half), a 3 × 3 median over tiles, interpolated.
//     A robust quadratic fit of the local skin's log luminance models the
//     light falling off over the curved head; deep shadow (more than a stop
//     below the best-lit skin) in the region's rim, where the dome turns
//     away from the light, is dropped and the rest relit to the best-lit
//     level, so shading does not darken skin or hair. Scars and highlights
//     are outliers to the fit and cannot set the light level.
//  3. Hair (hair.go): each pixel's difference from its local skin is projected on the
//     colour direction from skin to hair (at first the dominant direction of
//     all clear differences, then the mean over the hair found), each
//     channel weighted by its pixel noise (a matched filter). So dark hair on light skin, grey hair lighter than
//     or close to the skin, and black hair on dark skin are one problem: a
//     thin structure standing out along one colour direction. A white
//     top-hat keeps only what is narrower than ~2.5 fibres (fibres stay;
//     shading, mottling and the head's rim go). Hysteresis thresholds scaled
//     to the noise and then to the fibres' own contrast select hair pixels,
//     and components that are thick (chamfer distance transform) are
//     dropped: highlights, moles, eyes. The local skin is then re-estimated
//     without the hair and everything repeated.
//  4. Colours (ends.go): skin and fibre as the two ends of the linear-light
//     mixture shading × ((1−α)·skin + α·fibre) + shine along the region's
//     principal colour direction, shine (off the line towards the light's
//     colour) left out; skin the more chromatic end's peak, the light fitted
//     on skin-end pixels only; the fibre's direction from block means around
//     the strands (for a JPEG, its chroma at the strands' cores: a solid
//     area of full cover is a surface, not a core, and is left out; where
//     strands lie in clumps, in the clumps' middles beyond the smear), its
//     distance from the cores' luminance, unblurred with
//     the peak cover erf(w/(2√2σ)) from the card's blur (Options.BlurPx) and
//     the width from profiles across isolated strands (width.go uses
//     OpenCV's distance transform and dilation).
//  5. Confidence (confidence.go; the factors are gathered at the end of
//     run): the share of the photo that is scalp, how much skin was
//     sampled, whether hair was found, whether it is spread over the region
//     (a face's eyebrows are not), and whether it is unlike shaded skin
//     (a hand's creases are shaded skin: close to it and of its
//     chromaticity), and on a close-up whether the skin end lies all over
//     the region (a band at the frame's edge read as skin lies in one
//     part). The weakest factor is the confidence; each weak factor
//     adds a warning, and below 0.5 the result is flagged LowConfidence.
//     Thin fibres (a narrow strand profile, a low recovered peak cover, or
//     a card blur that keeps even 4 px fibres from full cover) warn with
//     the width in pixels and "photograph closer".
//
// Each stage's file has its tests beside it (skin_test.go, hair_test.go,
// ends_test.go with opaque_test.go and thin_test.go, confidence_test.go;
// the region's in match/segment/region), and the whole is held by the
// golden, matrix and real-photo tests.
//
// Whole-image operations are OpenCV's (cvops.go, width.go, and
// match/segment/region): the top-hat's erosion and dilation, connected
// components, distance transforms, the masks' openings and dilations (the
// hair's 2.5 px neighbourhood too), the local skin's tiles spread over the
// pixels (a linear resize), the colour-smear blur. The
// stages keep their data as Go slices, which those wrap for the call; what
// stays in Go is colour maths per pixel and statistics (quantiles by
// selection, the mixture line, the light fit) and the 3 × 3 smoothing
// inside the region, whose neighbours outside it count as the centre
// pixel (no OpenCV filter has that rule).
package segment

import (
	"errors"
	"fmt"
	"image"
	"math"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// Polygon is a closed polygon in image pixel coordinates, e.g. the card's
// four corners.
type Polygon []image.Point

// RectPolygon returns r as a Polygon.
func RectPolygon(r image.Rectangle) Polygon {
	return Polygon{r.Min, {r.Max.X, r.Min.Y}, r.Max, {r.Min.X, r.Max.Y}}
}

// Options restrict and tune Measure. The zero value measures the whole image
// with the defaults below.
type Options struct {
	// ROI restricts the measurement to a rectangle (zero = whole image).
	ROI image.Rectangle
	// Mask, if set, admits only pixels where it is > 0. It is in the
	// LabImage's coordinates.
	Mask *image.Gray
	// Clipped, if set, marks (> 0) pixels at the encoding's limit in some
	// channel (overexposed). Their share of the head lowers the confidence
	// and is warned about: a clipped channel lost part of the colour. They
	// are still measured: an overexposed head is often clipped nearly
	// everywhere the light falls (0017 of the synthscalps on 37% of its
	// skin, and, grown by JPEG's shared chroma, nearly all of it), and what
	// is left (the vignetted rim) is lit differently from the card. It is
	// in the LabImage's coordinates.
	Clipped *image.Gray
	// Exclude lists areas never to measure, e.g. the card's quadrilateral.
	Exclude []Polygon
	// Card is the outline of the colour card that calibrated this photo,
	// when it lies in it (nil otherwise). The correction holds for
	// surfaces lit as the card is: where the card lies amid the skin, the
	// colours are reported as lit at the card (lightField, Result.LitAt).
	Card Polygon

	// BlockPx is the block size for the scalp region of a close-up (see
	// closeUpShare; whole-head photos take it from match/segment/region).
	// Default: long side / 80, at least 4.
	BlockPx int
	// TilePx is the tile size of the local skin estimate; it must be
	// larger than the gaps between hairs. Default: long side / 40, at least 12.
	TilePx int
	// SkinHueMinDeg and SkinHueMaxDeg bound the hue angle h_ab of skin.
	// Default 15° and 85°: human skin of every ITA group lies at 30–70°
	// (a* and b* both positive), with margin for calibration error.
	SkinHueMinDeg, SkinHueMaxDeg float64
	// SkinChromaMin is the least chroma C*ab of skin (default 5). Greys,
	// white walls and black hair fall below it.
	SkinChromaMin float64
	// MinSkinShare is the share of skin-like pixels that makes a block
	// part of a close-up's scalp region (default 0.3).
	MinSkinShare float64
	// ShadowRatio: skin in the region's rim (see rimShare) whose local
	// luminance Y is below ShadowRatio × the best-lit skin's is deep
	// shadow and is not measured (default 0.5, one stop).
	ShadowRatio float64
	// MaxStrandWidthPx: hair components thicker than this are blobs, not
	// hair. Default: 2.5 × the median thickness of all candidates, at least
	// 5 px.
	MaxStrandWidthPx float64
	// MinHairContrast is the CIEDE2000 between hair and scalp above which
	// the hair is accepted as hair whatever its chromaticity (default 12).
	// Below it, the hair must differ in chromaticity from shaded skin, or
	// the result is flagged: creases and folds are shaded skin.
	MinHairContrast float64
	// BlurPx is the lens blur σ in the LabImage's pixels, measured on the
	// card's patch edges (0: unknown). With it the colour of fibres too
	// thin for a pure pixel is recovered (see ends.go).
	BlurPx float64
	// ChromaSmearPx is how far the photo smears colour beyond the
	// luminance's blur (Gaussian σ in the LabImage's pixels), and
	// ChromaKnown says it is known (it may be 0: a PNG). JPEG keeps colour
	// at a lower resolution than luminance; with it the fibres' colour is
	// read at the strands' cores with the smear undone (chroma.go).
	// Unknown, the colour comes from the direction of block means.
	ChromaSmearPx float64
	ChromaKnown   bool
	// PhotoScale is the LabImage's pixels per pixel of the original photo
	// (0 means 1): hair.width_px is given in the photo's pixels.
	PhotoScale float64
}

// Defaults whose reasons are given in the Options field comments.
const (
	defSkinHueMin      = 15.0
	defSkinHueMax      = 85.0
	defSkinChromaMin   = 5.0
	defMinSkinShare    = 0.3
	defShadowRatio     = 0.5
	defMinHairContrast = 12.0
	// minShadeDE: CIEDE2000 from the skin shaded to the hair's luminance
	// above which the 'hair' is not a crease (see notShade).
	minShadeDE = 2.5
	// litQuantile picks the best-lit skin as the 98th percentile of local
	// skin luminance: the brightest skin apart from outliers.
	litQuantile = 0.98
	// thresholds of the hair projection, in units of its noise σ and of
	// the hair cores' contrast c: seeds above max(hiSigma σ, hiFrac c),
	// grown over pixels above max(loSigma σ, loFrac c).
	hiSigma, hiFrac = 4.0, 0.5
	loSigma, loFrac = 2.5, 0.3
	// fibreContrastQuantile picks the fibres' contrast from the first
	// stage's hair pixels: high enough to be the cores, not so high that
	// highlights on shiny fibres set it.
	fibreContrastQuantile = 0.75
	// minAbsThreshold keeps a noise-free flat image from being all hair.
	minAbsThreshold = 2.0
	// pixelNoiseFactor: the projection's noise is at most this many times
	// the pixel noise carried through it (smoothing lowers it, texture and
	// JPEG blocks raise it).
	pixelNoiseFactor = 3.0
	// hairPasses is how many times the hair is found on the relit photo
	// (once since the colours come from the mixture ends, which do not use
	// this mask's local skin),
	// each time with a local skin that leaves out the hair found before.
	hairPasses = 1
	// labCubeL: above this L* the fast relighting path assumes X, Y, Z
	// all lie on the cube-root branch of L*a*b*; it checks a*, b* loosely
	// and falls back to the exact path otherwise.
	labCubeL = 20.0
	// rimShare: deep shadow is looked for only within this share of the
	// region's inner radius (its largest distance to an edge) from the
	// region's edge. A head is a dome: the light it gets from a lamp or
	// a window near the camera falls with the cosine of the normal's
	// angle to the view, which passes 58° (half the light, one stop) at
	// 0.85 of a sphere's radius, so curvature's deep shadow lies in the
	// outer 15%. Further in, a local skin a stop darker than the best-lit
	// is dense hair mixed into it, not shade (tiles of dense stubble have
	// no clear skin): dropping it took 30–96% of the region from 147 of
	// the 178 real intake photos, the dense hair at the sides and back
	// that the ink is matched to.
	rimShare = 0.15
	// maxLocalShading: a local skin luminance more than this (natural log,
	// about ±15%) from the smooth shading fit is not shading.
	maxLocalShading = 0.15
	// statSamples is about how many pixels whole-image statistics use.
	statSamples = 250000
	// maxTileSide: tiles are sampled on a grid of at most this many
	// pixels a side.
	maxTileSide = 20
	// minChannelNoise floors the noise of a channel (L*a*b* units) so that
	// a noise-free render does not divide by zero.
	minChannelNoise = 0.2
	// tophatDiv sets the top-hat element to the long side / 75 (7 px at
	// 512, 27 px at 2000): about 2.5 times a fibre at the recommended
	// working resolution.
	tophatDiv = 75.0
)

func (o Options) withDefaults(w, h int) Options {
	long := max(w, h)
	if o.BlockPx <= 0 {
		o.BlockPx = max(4, long/80)
	}
	if o.TilePx <= 0 {
		o.TilePx = max(12, long/40)
	}
	if o.SkinHueMinDeg == 0 && o.SkinHueMaxDeg == 0 {
		o.SkinHueMinDeg, o.SkinHueMaxDeg = defSkinHueMin, defSkinHueMax
	}
	if o.SkinChromaMin <= 0 {
		o.SkinChromaMin = defSkinChromaMin
	}
	if o.MinSkinShare <= 0 {
		o.MinSkinShare = defMinSkinShare
	}
	if o.ShadowRatio <= 0 {
		o.ShadowRatio = defShadowRatio
	}
	if o.MinHairContrast <= 0 {
		o.MinHairContrast = defMinHairContrast
	}
	return o
}

// Colour is a measured colour with its dispersion.
type Colour struct {
	// Lab is the robust colour, L*a*b* D50.
	Lab colour.LabD50 `json:"lab"`
	// Spread is the median CIEDE2000 difference between the sampled pixels
	// and Lab: how uniform the sampled area is (noise included).
	Spread float64 `json:"spread"`
	// Pixels is how many pixels were sampled.
	Pixels int `json:"pixels"`
}

// HairResult is the hair measurement.
type HairResult struct {
	Colour
	// Found is false when no hair was found; Lab is then meaningless.
	Found bool `json:"found"`
	// Fraction is the hair coverage of the scalp region, 0..1: the mean
	// hair share of its pixels (unmixed in linear light), not a mask count.
	Fraction float64 `json:"fraction"`
	// MaskPixels is the number of pixels in HairMask.
	MaskPixels int `json:"mask_pixels"`
	// Kind is "dark" or "light": whether the hair is darker or lighter than
	// the skin.
	Kind string `json:"kind"`
	// WidthPx is the fibres' width in pixels of the original photo: from
	// the blurred strands' profile and the card's blur when there is a
	// card, else the strands' width as seen (blur included). It is 0 when
	// no hair is found, and when no single strand can be read: the hair is
	// a mass wider than any strand (a whole head photographed at phone
	// resolution, where one fibre is a fraction of a pixel).
	WidthPx float64 `json:"width_px"`
}

// ScalpResult is the scalp skin measurement.
type ScalpResult struct {
	Colour
	// Found is false when no scalp skin was found.
	Found bool `json:"found"`
	// ITADeg is the individual typology angle of the skin, degrees.
	ITADeg float64 `json:"ita_deg"`
	// ITACategory names the skin group of ITADeg (colour.ITACategory).
	ITACategory string `json:"ita_category"`
	// RegionPixels is the size of the scalp region (skin and hair, shadow
	// excluded).
	RegionPixels int `json:"region_pixels"`
}

// Contrast compares hair with scalp (hair minus scalp).
type Contrast struct {
	// DE00 is the CIEDE2000 difference.
	DE00 float64 `json:"de00"`
	// DL is ΔL* (negative: hair darker).
	DL float64 `json:"dl"`
	// DC is ΔC*ab, the chroma difference.
	DC float64 `json:"dc"`
	// DH is the hue angle difference h_ab(hair) − h_ab(scalp) in degrees,
	// −180..180. Hue angles of near-neutral colours (C* < 2) are unstable.
	DH float64 `json:"dh"`
	// Ratio is the luminance contrast ratio (Y_lighter + 0.05) /
	// (Y_darker + 0.05), Y relative to white = 1, as WCAG 2 defines it:
	// 1 means equal luminance, 21 black on white.
	Ratio float64 `json:"ratio"`
}

// Result is everything Measure reports. Its JSON is the output contract.
type Result struct {
	Hair     HairResult  `json:"hair"`
	Scalp    ScalpResult `json:"scalp"`
	Contrast Contrast    `json:"contrast"`
	// Confidence is 0..1: the weakest of the checks described in the
	// package documentation.
	Confidence float64 `json:"confidence"`
	// LowConfidence is Confidence < 0.5: do not trust the colours.
	LowConfidence bool `json:"low_confidence"`
	// Warnings say, in words, what lowered the confidence.
	Warnings []string `json:"warnings"`
	// LitAt says which light the colours are reported as lit by: "card"
	// (the light falling on the card, where the card lies amid the skin
	// in the photo: Options.Card) or "region" (the scalp region's median
	// light); empty when no scalp was found.
	LitAt string `json:"lit_at"`
	// HairMask (255 = hair) and ScalpMask (255 = scalp skin, hair and shadow
	// excluded) are in the LabImage's coordinates, for the overlay.
	HairMask  *image.Gray `json:"-"`
	ScalpMask *image.Gray `json:"-"`
}

// lowConfidence is the Confidence below which a result is flagged.
const lowConfidence = 0.5

// ErrEmpty is returned for an image with no pixels or none left after the
// ROI, mask and exclusions.
var ErrEmpty = errors.New("segment: no pixels to measure")

// Measure segments img and measures hair and scalp skin. It returns an
// error only for unusable input; a photo that does not look like a scalp
// gives a Result with LowConfidence set and warnings.
func Measure(img *LabImage, opts Options) (Result, error) {
	if img == nil || img.W <= 0 || img.H <= 0 {
		return Result{}, ErrEmpty
	}
	if len(img.Pix) != 3*img.W*img.H {
		return Result{}, fmt.Errorf("segment: LabImage %d×%d needs %d values, has %d", img.W, img.H, 3*img.W*img.H, len(img.Pix))
	}
	if opts.Mask != nil && !opts.Mask.Bounds().Eq(image.Rect(0, 0, img.W, img.H)) {
		return Result{}, fmt.Errorf("segment: mask is %v, image is %d×%d: they must match", opts.Mask.Bounds(), img.W, img.H)
	}
	if opts.Clipped != nil && !opts.Clipped.Bounds().Eq(image.Rect(0, 0, img.W, img.H)) {
		return Result{}, fmt.Errorf("segment: clipped-pixel mask is %v, image is %d×%d: they must match", opts.Clipped.Bounds(), img.W, img.H)
	}
	m := newMeasurer(img, opts.withDefaults(img.W, img.H))
	if m.nCand == 0 {
		return Result{}, ErrEmpty
	}
	return m.run(), nil
}

type measurer struct {
	img   *LabImage
	o     Options
	w, h  int
	cand  []bool
	nCand int
	// clipped marks the admitted pixels Options.Clipped marks.
	clipped []bool
	// textured marks the pixels textured like hair at the head's scale
	// (match/segment/region), for telling the fibre end by texture.
	textured []bool
	skin     []bool    // skin-like colour
	reg      []bool    // scalp region (skin + hair), shadow removed
	rel      []float32 // relit L*a*b*, 3 per pixel
	bg       []float32 // local skin L*a*b*, 3 per pixel
	u        [3]float64
	proj     []float32 // projection of rel − bg on u
	sigma    float64
	hair     []bool
	near     []bool // hair and its 2 px surroundings, from nearHair
	warn     []string
	hue      hueArc // the skin hue test
	// closeUp is true when the region is a close-up's (findRegion).
	closeUp bool
	// quietLim is quiet's limit, max(3σ, minAbsThreshold), set with sigma.
	quietLim float64
	// stride subsamples the pixels behind whole-image statistics
	// (medians, quantiles): a quarter of a million fix them well.
	stride int
}

func newMeasurer(img *LabImage, o Options) *measurer {
	w, h := img.W, img.H
	m := &measurer{img: img, o: o, w: w, h: h, cand: make([]bool, w*h), skin: make([]bool, w*h)}
	m.hue = newHueArc(o.SkinHueMinDeg, o.SkinHueMaxDeg)
	// An odd stride, so that it does not fall on the same columns.
	m.stride = max(1, w*h/statSamples) | 1
	roi := image.Rect(0, 0, w, h)
	if !o.ROI.Empty() {
		roi = roi.Intersect(o.ROI)
	}
	for y := roi.Min.Y; y < roi.Max.Y; y++ {
		for x := roi.Min.X; x < roi.Max.X; x++ {
			i := y*w + x
			if o.Mask != nil && o.Mask.Pix[o.Mask.PixOffset(x, y)] == 0 {
				continue
			}
			excluded := false
			for _, p := range o.Exclude {
				if inPolygon(p, float64(x)+0.5, float64(y)+0.5) {
					excluded = true
					break
				}
			}
			if excluded {
				continue
			}
			if o.Clipped != nil && o.Clipped.Pix[o.Clipped.PixOffset(x, y)] != 0 {
				if m.clipped == nil {
					m.clipped = make([]bool, w*h)
				}
				m.clipped[i] = true
			}
			m.cand[i] = true
			m.nCand++
			m.skin[i] = m.skinLike(img.Pix[3*i], img.Pix[3*i+1], img.Pix[3*i+2])
		}
	}
	return m
}

func (m *measurer) run() Result {
	var r Result
	nReg := m.headRegion()
	if nReg == 0 {
		return m.finish(r, []factor{{0, "no skin-coloured region found: this does not look like a scalp (or the colour correction failed)"}})
	}
	// Local skin on the photo as it is; a first look at the hair so that
	// the skin used to find shadow and relight is free of hair and
	// highlights (a highlight on dark skin would otherwise set the
	// best-lit level).
	m.rel = make([]float32, len(m.img.Pix))
	copy(m.rel, m.img.Pix)
	if !m.skinPass(func(i int) bool { return m.reg[i] && m.skin[i] }) {
		return m.finish(r, []factor{{0, "too little skin to measure"}})
	}
	m.findHair(true)
	near := m.nearHair()
	m.skinPass(func(i int) bool { return m.reg[i] && !near[i] && m.quiet(i) })
	m.relight()
	// Where the region ends inside the photo, the light falls steeply (the
	// head's rim turning into shadow) or something else begins; keep a
	// top-hat's width away from that edge.
	dt := distanceToEdge(m.reg, m.w, m.h)
	edge := float32(m.tophatPx()/2 + 1)
	nReg = 0
	for i, v := range m.reg {
		if v && dt[i] <= edge {
			m.reg[i] = false
		}
		if m.reg[i] {
			nReg++
		}
	}
	// Hair on the relit photo, twice: the second local skin estimate
	// leaves out the hair the first one found.
	for pass := 0; pass < hairPasses; pass++ {
		if !m.skinPass(func(i int) bool { return m.reg[i] && !near[i] && m.quiet(i) }) {
			if pass > 0 {
				// Dense hair leaves no quiet skin between the
				// fibres found: the first pass's skin and hair stand.
				break
			}
			return m.finish(r, []factor{{0, "too little skin to measure"}})
		}
		m.findHair(false)
		near = m.nearHair()
	}

	// The relit photo and its local skin (three floats a pixel each) and
	// the hair stage's projection (one) are done with: the colours below
	// read the photo as it is. Letting them go before the colours stage
	// allocates its own lowers the measurement's peak memory.
	m.rel, m.bg, m.proj = nil, nil, nil

	// Colours: skin and fibre as the ends of the mixture (ends.go).
	e := findEnds(endsInput{lab: m.img.Pix, reg: m.reg, fibre: m.hair, w: m.w, h: m.h, hairDarkHint: m.u[0] < 0,
		tilePx: m.o.TilePx, blurPx: m.o.BlurPx, chromaSmearPx: m.o.ChromaSmearPx, chromaKnown: m.o.ChromaKnown, stride: m.stride, textured: m.textured,
		card: m.o.Card, closeUp: m.closeUp})
	// Two ends close together (a few skin-peak widths) are one material
	// with its shading and mottling unless the hair stage saw thin
	// structures there: a beige wall has ends too, but no fibres.
	thinSeen := 0
	for _, v := range m.hair {
		if v {
			thinSeen++
		}
	}
	if e.found && thinSeen*500 < nReg && (e.separations < 2*minSeparation || e.profiles < minProfiles) {
		e.found = false
	}
	// Fibres are thin structures, which the hair stage finds; a lighter
	// end whose pixels lie away from them is a surface in more light (a
	// lit crown, a highlight), not fibres (fibrousShare).
	fibrous := 1.0
	if e.found && !e.hairDarker {
		fibrous = fibrousShare(e.mask, m.near, m.reg)
		if fibrous < minFibrousShare {
			e.found = false
			m.warn = append(m.warn, fmt.Sprintf("the lighter pixels (L* %.0f against the skin's %.0f) lie away from any fibre (%.0f%% near one): a lit surface or a highlight, not light hair", e.hair.L, e.skin.L, 100*fibrous))
		}
	}
	r.Scalp = ScalpResult{Colour: Colour{Lab: e.skin, Spread: e.skinSpread, Pixels: e.skinN}, Found: e.skinN > 0}
	if r.Scalp.Found {
		r.LitAt = "region"
		if e.litAtCard {
			r.LitAt = "card"
		}
		r.Scalp.ITADeg = colour.ITA(r.Scalp.Lab)
		r.Scalp.ITACategory = colour.ITACategory(r.Scalp.ITADeg)
	}
	r.Scalp.RegionPixels = nReg
	clippedShare := 0.0
	if m.clipped != nil && nReg > 0 {
		n := 0
		for i, v := range m.reg {
			if v && m.clipped[i] {
				n++
			}
		}
		clippedShare = float64(n) / float64(nReg)
	}
	var spread float64
	if e.found {
		r.Hair = HairResult{Colour: Colour{Lab: e.hair, Spread: e.hairSpread, Pixels: e.hairN}, Found: true, Fraction: e.cover}
		m.hair = e.mask
		for _, v := range e.mask {
			if v {
				r.Hair.MaskPixels++
			}
		}
		spread = m.hairSpread()
		scale := m.o.PhotoScale
		if scale <= 0 {
			scale = 1
		}
		r.Hair.WidthPx = e.widthPx / scale
	}
	// L* beyond 0–100 is no surface colour (hair lighter than white comes
	// from unmixing a fibre too thin to show a core): clamp it and say so.
	impossible := 1.0
	for _, c := range []struct {
		what  string
		found bool
		lab   *colour.LabD50
	}{{"hair", r.Hair.Found, &r.Hair.Lab}, {"scalp", r.Scalp.Found, &r.Scalp.Lab}} {
		if l := c.lab.L; c.found && (l < 0 || l > 100) {
			c.lab.L = math.Max(0, math.Min(100, l))
			impossible = 0
			why := "fibres too thin or blurred to read? photograph closer"
			if c.what == "scalp" {
				why = "is the region on skin? check the mask picture"
			}
			m.warn = append(m.warn, fmt.Sprintf("%s L* came out as %.0f, outside 0–100 (physically impossible): clamped to %.0f; do not use this colour (%s)", c.what, l, c.lab.L, why))
		}
		// a*, b* beyond ±128 are no surface colour either (sRGB's
		// gamut reaches about ±110).
		if a, b := c.lab.A, c.lab.B; c.found && (math.Abs(a) > maxAB || math.Abs(b) > maxAB) {
			c.lab.A, c.lab.B = math.Max(-maxAB, math.Min(maxAB, a)), math.Max(-maxAB, math.Min(maxAB, b))
			impossible = 0
			m.warn = append(m.warn, fmt.Sprintf("%s a*, b* came out as %.0f, %.0f, beyond any surface colour: clamped to ±%.0f; do not use this colour (is the region on skin? check the mask picture)", c.what, a, b, maxAB))
		}
	}
	if r.Scalp.Found && r.Hair.Found {
		r.Contrast = contrast(r.Hair.Lab, r.Scalp.Lab)
		if r.Hair.Lab.L < r.Scalp.Lab.L {
			r.Hair.Kind = "dark"
		} else {
			r.Hair.Kind = "light"
		}
	}
	thin := 1.0
	if r.Hair.Found {
		scale := m.o.PhotoScale
		if scale <= 0 {
			scale = 1
		}
		// Strands whose profile (blur included) is narrow show no pure
		// fibre; with the card's blur the peak cover says how much was
		// recovered. Either being low makes the colour uncertain.
		// A mass of hair with no single strand to read (widthObsPx 0)
		// shows fibres over fibres, not skin between them: nothing says
		// it is diluted, as for strands wider than trustObsWidthPx.
		if e.widthObsPx > 0 {
			thin = ramp(e.widthObsPx/scale, minObsWidthPx, trustObsWidthPx)
		}
		if e.blurKnown {
			thin = math.Min(thin, ramp(e.alphaPeak, minAlphaPeak, trustAlphaPeak))
			// The width from profiles reads high under strong blur
			// (neighbouring strands merge): a blur that keeps even a
			// wideFibrePx fibre below trustAlphaPeak warns by itself.
			thin = math.Min(thin, ramp(alphaPeakOf(wideFibrePx*scale, m.o.BlurPx), minAlphaPeak, trustAlphaPeak))
		}
		// The darkest pixels (overlaps, the widest fibres) say the fibre
		// may be darker than its profiles did: by a just-noticeable
		// difference nothing changes, by a clear one the colour is not
		// known.
		// Said as what it is: fibres thin or blurred, or (where the
		// strands are wide enough) two readings that disagree.
		apart := ramp(-e.farEndDE, -clearDE00, -noticeableDE00)
		if thin < 1 {
			m.warn = append(m.warn, describeThin(r.Hair.WidthPx, m.o.BlurPx/scale, e.blurKnown))
		}
		if apart < 1 && apart < thin {
			m.warn = append(m.warn, fmt.Sprintf("the hair's darkest pixels read %.1f ΔE00 from the colour of its strands: the fibre colour is uncertain (overlapping fibres, shade, or strands too blurred to read); photograph closer, in even light", e.farEndDE))
		}
		thin = math.Min(thin, apart)
	}

	r.HairMask = image.NewGray(image.Rect(0, 0, m.w, m.h))
	r.ScalpMask = image.NewGray(image.Rect(0, 0, m.w, m.h))
	for i := range m.reg {
		if r.Hair.Found && m.hair[i] {
			r.HairMask.Pix[i] = 255
		} else if m.reg[i] {
			r.ScalpMask.Pix[i] = 255
		}
	}

	fs := []factor{
		{ramp(float64(nReg)/float64(m.nCand), minScalpShare, fullScalpShare), "the scalp region is a small part of the photo: crop to the scalp or give --roi"},
		{ramp(float64(r.Scalp.Pixels), 50, 500), "too little clear scalp skin to measure its colour"},
		{ramp(r.Hair.Fraction, 0.002, 0.01), "no hair found: hair colour and contrast cannot be measured (a bald scalp, or not a scalp)"},
		{ramp(spread, 0.12, 0.3), "hair is concentrated in a small part of the region, not spread over a scalp (a face, eyebrows or a hairline edge?)"},
		{notShade(r.Hair.Lab, r.Scalp.Lab, r.Contrast.DE00, m.o.MinHairContrast), shadeWarning(r.Hair.Lab, r.Scalp.Lab)},
		{ramp(fibrous, minFibrousShare, fullFibrousShare), fmt.Sprintf("only %.0f%% of the light 'hair' lies near a fibre: much of it may be lit skin or a highlight; check the mask picture", 100*fibrous)},
		// Thin fibres lower the confidence to at most half-way: the colour
		// is uncertain (the warning says how to do better), not wrong.
		{0.5 + 0.5*thin, ""},
	}
	if m.closeUp && e.found {
		// A close-up shows skin between the fibres all over the scalp; a
		// skin end found in one part of the region only is another
		// surface read as skin (a band along the frame's edge turned
		// the ends round: the skin read as light hair).
		fs = append(fs, factor{ramp(e.skinTiles, minSkinTiles, fullSkinTiles), fmt.Sprintf("the scalp colour comes from one part of the region only (%.0f%% of it): another surface may have been read as skin, and the skin as hair; check the mask picture, or give --roi", 100*e.skinTiles)})
	}
	if clippedShare >= minClippedShare {
		fs = append(fs, factor{1 - clippedShare, fmt.Sprintf("%.0f%% of the scalp region is overexposed (a colour channel at its limit): its colour there is not the skin's or the hair's; expose for the skin (the white patch of the card just below its limit)", 100*clippedShare)})
	}
	if r.Scalp.Found {
		if d := offSkinHue(r.Scalp.Lab, m.o.SkinHueMinDeg, m.o.SkinHueMaxDeg); d > minOffSkinHue {
			fs = append(fs, factor{ramp(-d, -maxOffSkinHue, -minOffSkinHue), fmt.Sprintf("the scalp colour (a* %.0f, b* %.0f) lies %.1f units outside the hues of skin: a sheen of the sky or a lamp on the skin, a colour cast, or not skin; check the mask picture, and photograph in diffuse light with the card", r.Scalp.Lab.A, r.Scalp.Lab.B, d)})
		}
	}
	if impossible < 1 {
		// The warning was added above, with the value.
		fs = append(fs, factor{impossible, ""})
	}
	return m.finish(r, fs)
}

// On a close-up the skin peak's pixels lie in at least minSkinTiles of the
// region's tiles for any confidence, fullSkinTiles for full confidence.
// Measured: the synthscalps 0.74–1.00 (0002, long grey strands over 14% of
// the scalp, the least); a band of nearly the hair's colour that turned
// the ends round (0014 in
// TestSynthScalpsEndsTurnedRoundByABandAreNotConfident) 0.12. On whole-head
// photos the visible skin is rightly in a part of the head only (a
// parting, a crown), so the check is for close-ups.
const (
	minSkinTiles  = 0.25
	fullSkinTiles = 0.5
)

// maxAB bounds a reported a*, b*: no surface colour lies beyond it.
const maxAB = 128.0

// minClippedShare: clipped pixels on this share of the head are worth a
// warning (a highlight's few are not).
const minClippedShare = 0.02

// A scalp photo is a close-up: the scalp region (skin and hair) should cover
// a good part of the frame (or of the ROI). Below minScalpShare the
// confidence is 0, above fullScalpShare this check is satisfied. A strip of
// wooden desk beside a colour card (about 10% of the frame in the real card
// photos) must not pass for a scalp; the synthetic close-ups cover over 40%.
const (
	minScalpShare  = 0.10
	fullScalpShare = 0.25
)
