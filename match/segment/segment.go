// Package segment finds the scalp in a colour-corrected photo, separates hair
// from scalp skin, and measures both colours robustly.
//
// The input is a LabImage: the photo after colour correction, as L*a*b* D50
// per pixel. A working resolution with a long side of 1600–2000 px suits
// close-ups of the scalp, provided hair fibres are at least about 3 px wide
// in it and the photo is sharp: a fibre's colour is read from its core, and
// a fibre narrower than that, or blurred, never shows a pure core (see
// the README, "Limits"). Measure takes about 1.5 s of one core at
// 1600 × 1200 (BenchmarkMeasure1600) and 2.5 s at 2000 × 1500
// (BenchmarkMeasure), on one goroutine; its result is deterministic, and
// TestMeasureMatchesTheGoldenResults guards it against unintended change.
//
// Measure works in stages:
//
//  1. Scalp region: the head — its skin and the hair growing on it — found
//     by match/segment/region (skin chromaticity estimated from the photo,
//     texture for hair, GrabCut for the outline; see its package doc). The
//     card (Options.Exclude), the ROI and mask, the wall, clothing and a
//     separate hand fall away here. Where that head fills the frame
//     (closeUpShare) the photo is a close-up and the region is instead
//     the largest group of mostly skin-like blocks (findRegion).
//  2. Local skin and light: the most common colour per tile (median, then
//     median of the nearer half), a 3 × 3 median over tiles, interpolated.
//     A robust quadratic fit of the local skin's log luminance models the
//     light falling off over the curved head; deep shadow (more than a stop
//     below the best-lit skin) is dropped and the rest relit to the best-lit
//     level, so shading does not darken skin or hair. Scars and highlights
//     are outliers to the fit and cannot set the light level.
//  3. Hair: each pixel's difference from its local skin is projected on the
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
//     the strands, its distance from the cores' luminance, unblurred with
//     the peak cover erf(w/(2√2σ)) from the card's blur (Options.BlurPx) and
//     the width from profiles across isolated strands (width.go uses
//     OpenCV's distance transform and dilation).
//  5. Confidence: the share of the photo that is scalp, how much skin was
//     sampled, whether hair was found, whether it is spread over the region
//     (a face's eyebrows are not), and whether it is unlike shaded skin
//     (a hand's creases are shaded skin: close to it and of its
//     chromaticity). The weakest factor is the confidence; each weak factor
//     adds a warning, and below 0.5 the result is flagged LowConfidence.
//     Thin fibres (a narrow strand profile, a low recovered peak cover, or
//     a card blur that keeps even 4 px fibres from full cover) warn with
//     the width in pixels and "photograph closer".
//
// The region stage uses OpenCV (through match/segment/region), and the
// colour stage for its mask operations; stages 2–3 are plain Go over
// float32 slices (kept for the direction hint and the fibre check).
package segment

import (
	"errors"
	"fmt"
	"image"
	"math"
	"sort"

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
	// Exclude lists areas never to measure, e.g. the card's quadrilateral.
	Exclude []Polygon

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
	// ShadowRatio: skin whose local luminance Y is below ShadowRatio × the
	// best-lit skin's is deep shadow and is not measured (default 0.5, one
	// stop).
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
	// card, else the strands' width as seen (blur included).
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
	skin  []bool    // skin-like colour
	reg   []bool    // scalp region (skin + hair), shadow removed
	rel   []float32 // relit L*a*b*, 3 per pixel
	bg    []float32 // local skin L*a*b*, 3 per pixel
	u     [3]float64
	proj  []float32 // projection of rel − bg on u
	sigma float64
	hair  []bool
	near  []bool // hair and its 2 px surroundings, from nearHair
	warn  []string
	hue   hueArc // the skin hue test
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
			m.cand[i] = true
			m.nCand++
			m.skin[i] = m.skinLike(img.Pix[3*i], img.Pix[3*i+1], img.Pix[3*i+2])
		}
	}
	return m
}

func (m *measurer) skinLike(l, a, b float32) bool {
	if l < 8 || l > 95 {
		return false
	}
	fa, fb := float64(a), float64(b)
	c2 := fa*fa + fb*fb
	if c2 < m.o.SkinChromaMin*m.o.SkinChromaMin || c2 > 60*60 {
		return false
	}
	if h := &m.hue; h.fast {
		// Within the arc from the least to the greatest hue: on the
		// anticlockwise side of the one, the clockwise side of the other.
		return h.cosMin*fb-h.sinMin*fa >= 0 && fa*h.sinMax-fb*h.cosMax >= 0
	}
	hue := math.Atan2(fb, fa) * 180 / math.Pi
	return hue >= m.o.SkinHueMinDeg && hue <= m.o.SkinHueMaxDeg
}

// hueArc tests hue angles without atan2: two cross products with the
// arc's ends, valid when the arc lies within −180°..180° (atan2's range)
// and spans less than 180°.
type hueArc struct {
	fast                           bool
	cosMin, sinMin, cosMax, sinMax float64
}

func newHueArc(minDeg, maxDeg float64) hueArc {
	if minDeg < -180 || maxDeg > 180 || maxDeg < minDeg || maxDeg-minDeg >= 180 {
		return hueArc{}
	}
	lo, hi := minDeg*math.Pi/180, maxDeg*math.Pi/180
	return hueArc{fast: true, cosMin: math.Cos(lo), sinMin: math.Sin(lo), cosMax: math.Cos(hi), sinMax: math.Sin(hi)}
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
	dt := chamfer(m.reg, m.w, m.h)
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

	// Colours: skin and fibre as the ends of the mixture (ends.go).
	e := findEnds(endsInput{lab: m.img.Pix, reg: m.reg, fibre: m.hair, w: m.w, h: m.h, hairDarkHint: m.u[0] < 0,
		tilePx: m.o.TilePx, blurPx: m.o.BlurPx, stride: m.stride})
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
	r.Scalp = ScalpResult{Colour: Colour{Lab: e.skin, Spread: e.skinSpread, Pixels: e.skinN}, Found: e.skinN > 0}
	if r.Scalp.Found {
		r.Scalp.ITADeg = colour.ITA(r.Scalp.Lab)
		r.Scalp.ITACategory = colour.ITACategory(r.Scalp.ITADeg)
	}
	r.Scalp.RegionPixels = nReg
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
			m.warn = append(m.warn, fmt.Sprintf("%s L* came out as %.0f, outside 0–100 (physically impossible): clamped to %.0f; do not use this colour (fibres too thin or blurred to read? photograph closer)", c.what, l, c.lab.L))
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
		thin = ramp(e.widthObsPx/scale, minObsWidthPx, trustObsWidthPx)
		if e.blurKnown {
			thin = math.Min(thin, ramp(e.alphaPeak, minAlphaPeak, trustAlphaPeak))
			// The width from profiles reads high under strong blur
			// (neighbouring strands merge): a blur that keeps even a
			// wideFibrePx fibre below trustAlphaPeak warns by itself.
			thin = math.Min(thin, ramp(alphaPeakOf(wideFibrePx*scale, m.o.BlurPx), minAlphaPeak, trustAlphaPeak))
		}
		if thin < 1 {
			m.warn = append(m.warn, describeThin(r.Hair.WidthPx, m.o.BlurPx/scale, e.blurKnown))
		}
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
		{notShade(r.Hair.Lab, r.Scalp.Lab, r.Contrast.DE00, m.o.MinHairContrast), "the 'hair' looks like shaded skin (creases, pores, folds), not fibres of another colour"},
		// Thin fibres lower the confidence to at most half-way: the colour
		// is uncertain (the warning says how to do better), not wrong.
		{0.5 + 0.5*thin, ""},
	}
	if impossible < 1 {
		// The warning was added above, with the value.
		fs = append(fs, factor{impossible, ""})
	}
	return m.finish(r, fs)
}

// notShade is 1 when the hair is unlike a shadow of the skin: either far
// from the skin (CIEDE2000 at least minDE), or of another chromaticity than
// the skin darkened or lightened to the hair's luminance. Skin creases and
// folds are the skin in shade: close to it and of the same chromaticity.
// Black hair is ≥ 5.7 from the shaded light skin of the tests, dark brown
// 1.8 (but ΔE00 44 from the skin), blond on medium skin 6.6 (ΔE00 7).
func notShade(hair, skin colour.LabD50, de00, minDE float64) float64 {
	x := skin.XYZ()
	g := labY(hair.L) / x.Y
	shaded := colour.XYZ{X: x.X * g, Y: x.Y * g, Z: x.Z * g}.LabD50()
	return math.Max(ramp(de00, 0.6*minDE, minDE), ramp(colour.DeltaE00(shaded, hair), minShadeDE/2.5, minShadeDE))
}

type factor struct {
	v   float64
	msg string
}

func (m *measurer) finish(r Result, fs []factor) Result {
	r.Confidence = 1
	for _, f := range fs {
		r.Confidence = math.Min(r.Confidence, f.v)
		if f.v < 1 && f.msg != "" {
			m.warn = append(m.warn, f.msg)
		}
	}
	r.LowConfidence = r.Confidence < lowConfidence
	r.Warnings = append([]string{}, m.warn...)
	return r
}

// localSkin estimates the skin colour around every pixel from the median of
// the admitted pixels of m.rel per tile, smoothed over 3 × 3 tiles and
// interpolated bilinearly. It returns nil if no tile has enough pixels.
func (m *measurer) localSkin(admit func(i int) bool) []float32 {
	ts := m.o.TilePx
	tw, th := (m.w+ts-1)/ts, (m.h+ts-1)/ts
	grid := make([]float32, 3*tw*th)
	valid := make([]bool, tw*th)
	scratch := make([][]float32, 3)
	// A tile's mode needs a few hundred samples, not thousands.
	step := max(1, ts/maxTileSide)
	minN := max(8, (ts/step)*(ts/step)/10)
	var buf modeBuf
	any := false
	for ty := 0; ty < th; ty++ {
		for tx := 0; tx < tw; tx++ {
			for c := range scratch {
				scratch[c] = scratch[c][:0]
			}
			for y := ty * ts; y < min(m.h, (ty+1)*ts); y += step {
				for x := tx * ts; x < min(m.w, (tx+1)*ts); x += step {
					i := y*m.w + x
					if admit(i) {
						for c := 0; c < 3; c++ {
							scratch[c] = append(scratch[c], m.rel[3*i+c])
						}
					}
				}
			}
			if len(scratch[0]) < minN {
				continue
			}
			t := ty*tw + tx
			valid[t] = true
			any = true
			grid[3*t], grid[3*t+1], grid[3*t+2] = modeLab(scratch, &buf)
		}
	}
	if !any {
		return nil
	}
	// Fill tiles without skin from their neighbours, ring by ring.
	for {
		var todo []int
		for t := range valid {
			if !valid[t] {
				todo = append(todo, t)
			}
		}
		if len(todo) == 0 {
			break
		}
		var fill []int
		var vals [][3]float32
		for _, t := range todo {
			x, y := t%tw, t/tw
			var s [3]float32
			n := 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx >= 0 && yy >= 0 && xx < tw && yy < th && valid[yy*tw+xx] {
						j := yy*tw + xx
						for c := 0; c < 3; c++ {
							s[c] += grid[3*j+c]
						}
						n++
					}
				}
			}
			if n > 0 {
				fill = append(fill, t)
				vals = append(vals, [3]float32{s[0] / float32(n), s[1] / float32(n), s[2] / float32(n)})
			}
		}
		for k, t := range fill {
			copy(grid[3*t:3*t+3], vals[k][:])
			valid[t] = true
		}
	}
	return m.interpolate(medianTiles(grid, tw, th), tw, th)
}

// medianTiles is the 3 × 3 median over tiles, per channel: a tile whose
// mode went to the hair (where hair is locally denser than skin) is an
// outlier among its neighbours.
func medianTiles(grid []float32, tw, th int) []float32 {
	sm := make([]float32, len(grid))
	var win []float32
	for ty := 0; ty < th; ty++ {
		for tx := 0; tx < tw; tx++ {
			t := ty*tw + tx
			for c := 0; c < 3; c++ {
				win = win[:0]
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						xx, yy := tx+dx, ty+dy
						if xx >= 0 && yy >= 0 && xx < tw && yy < th {
							win = append(win, grid[3*(yy*tw+xx)+c])
						}
					}
				}
				sm[3*t+c] = float32(quantile(win, 0.5))
			}
		}
	}
	return sm
}

// interpolate spreads tile values bilinearly over the pixels. The
// horizontal interpolation is done once per row of tiles and shared by all
// the pixel rows between them.
func (m *measurer) interpolate(sm []float32, tw, th int) []float32 {
	ts := m.o.TilePx
	w := m.w
	bg := make([]float32, 3*w*m.h)
	x0s, x1s := make([]int, w), make([]int, w)
	wxs := make([]float32, w)
	for x := 0; x < w; x++ {
		fx := (float64(x)+0.5)/float64(ts) - 0.5
		x0 := int(math.Floor(fx))
		wxs[x] = float32(fx - float64(x0))
		x0s[x], x1s[x] = max(0, min(tw-1, x0)), max(0, min(tw-1, x0+1))
	}
	rows := make([][]float32, th) // tile row → its values interpolated along x
	rowOf := func(ty int) []float32 {
		if rows[ty] == nil {
			r := make([]float32, 3*w)
			for x := 0; x < w; x++ {
				wx := wxs[x]
				a, b := 3*(ty*tw+x0s[x]), 3*(ty*tw+x1s[x])
				for c := 0; c < 3; c++ {
					r[3*x+c] = sm[a+c]*(1-wx) + sm[b+c]*wx
				}
			}
			rows[ty] = r
		}
		return rows[ty]
	}
	for y := 0; y < m.h; y++ {
		fy := (float64(y)+0.5)/float64(ts) - 0.5
		y0 := int(math.Floor(fy))
		wy := float32(fy - float64(y0))
		ra, rb := rowOf(max(0, min(th-1, y0))), rowOf(max(0, min(th-1, y0+1)))
		dst := bg[3*y*w : 3*(y+1)*w]
		for k := range dst {
			dst[k] = ra[k]*(1-wy) + rb[k]*wy
		}
	}
	return bg
}

// modeLab estimates the most common colour of the samples (L*, a*, b* in
// ch, reordered): the per-channel median, then the median of the half
// nearest to it. Hair that passed the skin gate (blurred edges, brown or
// blond fibres) pulls a plain median towards itself in tiles where it is
// dense; the nearest half is skin. buf is scratch space.
func modeLab(ch [][]float32, buf *modeBuf) (float32, float32, float32) {
	n := len(ch[0])
	var c [3]float32
	for k := 0; k < 3; k++ {
		buf.tmp = append(buf.tmp[:0], ch[k]...)
		c[k] = float32(quantile(buf.tmp, 0.5))
	}
	buf.dist = buf.dist[:0]
	for i := 0; i < n; i++ {
		dl, da, db := ch[0][i]-c[0], ch[1][i]-c[1], ch[2][i]-c[2]
		buf.dist = append(buf.dist, dl*dl+da*da+db*db)
	}
	buf.tmp = append(buf.tmp[:0], buf.dist...)
	lim := float32(quantile(buf.tmp, 0.5))
	for k := 0; k < 3; k++ {
		buf.tmp = buf.tmp[:0]
		for i := 0; i < n; i++ {
			if buf.dist[i] <= lim {
				buf.tmp = append(buf.tmp, ch[k][i])
			}
		}
		c[k] = float32(quantile(buf.tmp, 0.5))
	}
	return c[0], c[1], c[2]
}

type modeBuf struct{ tmp, dist []float32 }

// skinPass replaces m.bg by the local skin of the admitted pixels, if there
// are any.
func (m *measurer) skinPass(admit func(i int) bool) bool {
	bg := m.localSkin(admit)
	if bg == nil {
		return false
	}
	m.bg = bg
	return true
}

// relight drops deep shadow from the region and scales every region pixel's
// XYZ so that its local skin has the luminance of the best-lit skin. Light
// falloff is multiplicative in linear light, so this undoes it for hair and
// skin alike.
func (m *measurer) relight() {
	fit := m.shadingFit()
	// The best-lit skin: a high quantile of the smooth fit, which a scar
	// or a large highlight (both lighter than skin, both outliers to the
	// fit) cannot raise.
	var ys []float32
	for i, v := range m.reg {
		if v && i%m.stride == 0 {
			ys = append(ys, float32(fit(i%m.w, i/m.w)))
		}
	}
	yRef := quantile(ys, litQuantile)
	cbrtRef := math.Cbrt(yRef)
	// |log(yb/yf)| > maxLocalShading, as bounds on the ratio.
	rLo, rHi := math.Exp(-maxLocalShading), math.Exp(maxLocalShading)
	for i, v := range m.reg {
		if !v {
			continue
		}
		// The local skin follows shading the fit cannot (a fold, a
		// hollow); where it strays far from the fit it is something else
		// (a scar, a highlight, a birthmark) and the fit gives the light.
		y := i / m.w
		lb := float64(m.bg[3*i])
		yb := labY(lb)
		yf := fit(i-y*m.w, y)
		fromSkin := true
		if r := yb / yf; r > rHi || r < rLo {
			yb, fromSkin = yf, false
		}
		if yb < m.o.ShadowRatio*yRef {
			m.reg[i] = false
			continue
		}
		g := yRef / yb
		p := m.relAt(i)
		// Scaling XYZ by g scales f(X), f(Y), f(Z) by ∛g on the cube-root
		// branch of L*a*b* (L* above 8): L* + 16, a* and b* all scale.
		// ∛g without a cube root per pixel where the local skin's L* gives
		// ∛yb directly (labY's cube branch): ∛(yRef / f³) = ∛yRef / f.
		var k float64
		if f := (lb + 16) / 116; fromSkin && f > 6.0/29 {
			k = cbrtRef / f
		} else {
			k = math.Cbrt(g)
		}
		if lp := (p.L+16)*k - 16; p.L > labCubeL && lp > labCubeL && math.Abs(p.A) < 200 && math.Abs(p.B) < 200 {
			m.rel[3*i], m.rel[3*i+1], m.rel[3*i+2] = float32(lp), float32(p.A*k), float32(p.B*k)
			continue
		}
		x := p.XYZ()
		q := colour.XYZ{X: x.X * g, Y: x.Y * g, Z: x.Z * g}.LabD50()
		m.rel[3*i], m.rel[3*i+1], m.rel[3*i+2] = float32(q.L), float32(q.A), float32(q.B)
	}
}

// shadingFit fits a quadratic surface in x, y to the log luminance of the
// local skin over the region, robustly (points beyond 3 MADs are dropped
// and the fit repeated), and returns the fitted luminance at a pixel. Light
// falling off over a curved head is smooth; scars and highlights are not.
func (m *measurer) shadingFit() func(x, y int) float64 {
	type pt struct {
		f [6]float64
		z float64
	}
	feat := func(x, y int) [6]float64 {
		u := 2*float64(x)/float64(m.w) - 1
		v := 2*float64(y)/float64(m.h) - 1
		return [6]float64{1, u, v, u * u, u * v, v * v}
	}
	var pts []pt
	step := m.stride * 7
	for i := 0; i < len(m.reg); i += step {
		if m.reg[i] {
			pts = append(pts, pt{feat(i%m.w, i/m.w), math.Log(math.Max(labY(float64(m.bg[3*i])), 1e-4))})
		}
	}
	var coef [6]float64
	use := make([]bool, len(pts))
	for k := range use {
		use[k] = true
	}
	for it := 0; it < 4; it++ {
		var a [6][7]float64
		n := 0
		for k, p := range pts {
			if !use[k] {
				continue
			}
			n++
			for r := 0; r < 6; r++ {
				for c := 0; c < 6; c++ {
					a[r][c] += p.f[r] * p.f[c]
				}
				a[r][6] += p.f[r] * p.z
			}
		}
		if n < 12 {
			break
		}
		sol, ok := solve6(a)
		if !ok {
			break
		}
		coef = sol
		res := make([]float32, 0, len(pts))
		for _, p := range pts {
			res = append(res, float32(math.Abs(p.z-dot6(coef, p.f))))
		}
		mad := math.Max(quantile(append([]float32(nil), res...), 0.5), 0.01)
		for k := range pts {
			use[k] = float64(res[k]) <= 3*1.4826*mad
		}
	}
	if coef == ([6]float64{}) {
		// Too few points for a surface: no shading model.
		return func(x, y int) float64 { return labY(float64(m.bg[3*(y*m.w+x)])) }
	}
	// The features per column and per row, computed once: the same
	// products as feat, so the same sums.
	us, uu := make([]float64, m.w), make([]float64, m.w)
	for x := range us {
		f := feat(x, 0)
		us[x], uu[x] = f[1], f[3]
	}
	vs, vv := make([]float64, m.h), make([]float64, m.h)
	for y := range vs {
		f := feat(0, y)
		vs[y], vv[y] = f[2], f[5]
	}
	return func(x, y int) float64 {
		u, v := us[x], vs[y]
		return math.Exp(dot6(coef, [6]float64{1, u, v, uu[x], u * v, vv[y]}))
	}
}

func dot6(a, b [6]float64) float64 {
	return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] + a[3]*b[3] + a[4]*b[4] + a[5]*b[5]
}

// solve6 solves the 6 × 6 system in augmented form by Gaussian elimination
// with partial pivoting.
func solve6(a [6][7]float64) ([6]float64, bool) {
	for c := 0; c < 6; c++ {
		p := c
		for r := c + 1; r < 6; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return [6]float64{}, false
		}
		a[c], a[p] = a[p], a[c]
		for r := c + 1; r < 6; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < 7; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	var x [6]float64
	for r := 5; r >= 0; r-- {
		s := a[r][6]
		for k := r + 1; k < 6; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	return x, true
}

func (m *measurer) diff(i int) [3]float64 {
	return [3]float64{
		float64(m.rel[3*i] - m.bg[3*i]),
		float64(m.rel[3*i+1] - m.bg[3*i+1]),
		float64(m.rel[3*i+2] - m.bg[3*i+2]),
	}
}

// quiet reports whether pixel i is within noise of its local skin: not
// hair, highlight, spot or local shadow.
func (m *measurer) quiet(i int) bool {
	lim := m.quietLim
	return math.Abs(float64(m.proj[i])) <= lim && math.Abs(float64(m.rel[3*i]-m.bg[3*i])) <= lim
}

// findHair sets m.u, m.proj, m.sigma and m.hair. A quick look skips the
// contrast-scaled second stage.
func (m *measurer) findHair(quick bool) {
	m.u = m.hairDirection()
	n := m.w * m.h
	// Matched filter: weight each channel by the hair's contrast in it over
	// its pixel-noise variance.
	ns := m.channelNoise()
	u := [3]float64{m.u[0] / (ns[0] * ns[0]), m.u[1] / (ns[1] * ns[1]), m.u[2] / (ns[2] * ns[2])}
	if l := math.Sqrt(u[0]*u[0] + u[1]*u[1] + u[2]*u[2]); l > 0 && !math.IsNaN(l) && !math.IsInf(l, 0) {
		u = [3]float64{u[0] / l, u[1] / l, u[2] / l}
	} else {
		u = m.u
	}
	m.proj = make([]float32, n)
	for i := 0; i < n; i++ {
		if m.reg[i] {
			d := m.diff(i)
			m.proj[i] = float32(d[0]*u[0] + d[1]*u[1] + d[2]*u[2])
		}
	}
	// A 3 × 3 binomial filter, about a fibre's width, keeps most of a 3 px
	// strand's contrast and cuts pixel noise. Then a white top-hat (the signal minus its
	// morphological opening) keeps only what is narrower than the
	// structuring element: fibres stay, while what the tiled local skin
	// cannot follow (the steep falloff at the head's rim, skin mottling)
	// goes.
	sm := m.smooth3(m.proj)
	op := m.opening(sm, m.tophatPx())
	all := make([]float32, 0, n/m.stride+1)
	for i := 0; i < n; i++ {
		if m.reg[i] {
			m.proj[i] = sm[i] - op[i]
			if i%m.stride == 0 {
				all = append(all, m.proj[i])
			}
		}
	}
	// Skin is the bulk of the region: its top-hat is a small positive
	// noise floor, hair stands above it. Centre on the median and measure
	// the noise from the half below it.
	med := quantile(all, 0.5)
	neg := make([]float32, 0, n/m.stride+1)
	for i := 0; i < n; i++ {
		if m.reg[i] {
			m.proj[i] -= float32(med)
			if m.proj[i] <= 0 {
				if i%m.stride == 0 {
					neg = append(neg, -m.proj[i])
				}
			}
		}
	}
	m.sigma = 1.4826 * quantile(neg, 0.5)
	if math.IsNaN(m.sigma) {
		m.sigma = 0
	}
	// Under dense hair more than half the region is hair or its halo (blur,
	// JPEG's shared chroma), and the half below the median no longer is
	// plain skin. The pixel noise, carried through the projection, bounds
	// the noise from above.
	pn := math.Sqrt(u[0]*u[0]*ns[0]*ns[0] + u[1]*u[1]*ns[1]*ns[1] + u[2]*u[2]*ns[2]*ns[2])
	m.sigma = math.Min(m.sigma, math.Max(pixelNoiseFactor*pn, minAbsThreshold/2))
	m.quietLim = math.Max(3*m.sigma, minAbsThreshold)
	// Two stages: noise-scaled thresholds find the fibres; their contrast
	// then raises the thresholds so that weak structures (pores, creases,
	// blur halos) do not join them. Highlights, which may be stronger than
	// the hair, are gone before the contrast is taken: they are not thin.
	hi := math.Max(hiSigma*m.sigma, 2*minAbsThreshold)
	lo := math.Max(loSigma*m.sigma, minAbsThreshold)
	hair := m.thinHair(lo, hi)
	nh := 0
	for _, v := range hair {
		if v {
			nh++
		}
	}
	ph := make([]float32, 0, nh)
	for i, v := range hair {
		if v {
			ph = append(ph, m.proj[i])
		}
	}
	if len(ph) > 0 && !quick {
		c := quantile(ph, fibreContrastQuantile)
		hair = m.thinHair(math.Max(lo, loFrac*c), math.Max(hi, hiFrac*c))
	}
	m.hair = hair
}

// channelNoise is the pixel-to-pixel noise of L*, a*, b* in the region:
// the MAD of horizontal neighbour differences over √2, which ignores
// shading and mottling, and counts JPEG artefacts as noise.
func (m *measurer) channelNoise() [3]float64 {
	var out [3]float64
	d := make([]float32, 0, 1024)
	for c := 0; c < 3; c++ {
		d = d[:0]
		for y := 0; y < m.h; y += 2 {
			for x := 0; x+1 < m.w; x += m.stride {
				i := y*m.w + x
				if m.reg[i] && m.reg[i+1] {
					d = append(d, float32(math.Abs(float64(m.rel[3*(i+1)+c]-m.rel[3*i+c]))))
				}
			}
		}
		out[c] = math.Max(1.4826*quantile(d, 0.5)/math.Sqrt2, minChannelNoise)
	}
	return out
}

// tophatPx is the width of the top-hat's structuring element: wider than
// any fibre, narrow enough to follow shading.
func (m *measurer) tophatPx() int {
	k := 2*int(math.Round(float64(max(m.w, m.h))/tophatDiv)) + 1
	return max(7, k)
}

// hairDirection is the colour direction, in L*a*b*, from skin to hair: the
// mean difference from the local skin over the hair found before, or at
// first the dominant direction (power iteration on the scatter matrix) of
// all clear differences, oriented towards the majority, since hair
// outnumbers highlights.
func (m *measurer) hairDirection() [3]float64 {
	n := m.w * m.h
	norm := func(v [3]float64) ([3]float64, bool) {
		l := math.Sqrt(v[0]*v[0] + v[1]*v[1] + v[2]*v[2])
		if l == 0 || math.IsNaN(l) {
			return v, false
		}
		return [3]float64{v[0] / l, v[1] / l, v[2] / l}, true
	}
	if m.hair != nil {
		// The per-channel median, not the mean: highlights on shiny
		// fibres are few but far out, towards white.
		nh := 0
		for i, v := range m.hair {
			if v && m.reg[i] {
				nh++
			}
		}
		ch := [3][]float32{make([]float32, 0, nh), make([]float32, 0, nh), make([]float32, 0, nh)}
		for i := 0; i < n; i++ {
			if m.hair[i] && m.reg[i] {
				d := m.diff(i)
				for c := 0; c < 3; c++ {
					ch[c] = append(ch[c], float32(d[c]))
				}
			}
		}
		if len(ch[0]) > 0 {
			v := [3]float64{quantile(ch[0], 0.5), quantile(ch[1], 0.5), quantile(ch[2], 0.5)}
			if v, ok := norm(v); ok {
				return v
			}
		}
	}
	var dl []float32
	for i := 0; i < n; i++ {
		if m.reg[i] {
			if i%m.stride == 0 {
				dl = append(dl, float32(math.Abs(float64(m.rel[3*i]-m.bg[3*i]))))
			}
		}
	}
	noise := 1.4826 * quantile(dl, 0.5)
	thr := math.Max(4*noise, 2*minAbsThreshold)
	var s [3][3]float64
	var cnt int
	for i := 0; i < n; i++ {
		if !m.reg[i] {
			continue
		}
		d := m.diff(i)
		if d[0]*d[0]+d[1]*d[1]+d[2]*d[2] < thr*thr {
			continue
		}
		cnt++
		for a := 0; a < 3; a++ {
			for b := 0; b < 3; b++ {
				s[a][b] += d[a] * d[b]
			}
		}
	}
	if cnt == 0 {
		return [3]float64{-1, 0, 0} // darker, if nothing stands out
	}
	v := [3]float64{-1, 0.1, 0.1}
	for it := 0; it < 50; it++ {
		var nv [3]float64
		for a := 0; a < 3; a++ {
			nv[a] = s[a][0]*v[0] + s[a][1]*v[1] + s[a][2]*v[2]
		}
		var ok bool
		if v, ok = norm(nv); !ok {
			return [3]float64{-1, 0, 0}
		}
	}
	pos := 0
	for i := 0; i < n; i++ {
		if !m.reg[i] {
			continue
		}
		d := m.diff(i)
		if d[0]*d[0]+d[1]*d[1]+d[2]*d[2] < thr*thr {
			continue
		}
		if d[0]*v[0]+d[1]*v[1]+d[2]*v[2] > 0 {
			pos++
		} else {
			pos--
		}
	}
	if pos < 0 {
		v = [3]float64{-v[0], -v[1], -v[2]}
	}
	return v
}

// opening is the morphological opening of v (erosion then dilation) with a
// k × k square inside the region; pixels outside it are ignored.
func (m *measurer) opening(v []float32, k int) []float32 {
	const big = float32(math.MaxFloat32)
	e := make([]float32, len(v))
	for i := range v {
		if m.reg[i] {
			e[i] = v[i]
		} else {
			e[i] = big
		}
	}
	e = minFilter(e, m.w, m.h, k, false)
	for i := range e {
		if !m.reg[i] {
			e[i] = -big
		}
	}
	e = minFilter(e, m.w, m.h, k, true)
	return e
}

// smooth3 filters v with the 3 × 3 binomial kernel inside the region;
// neighbours outside it count as the centre pixel.
func (m *measurer) smooth3(v []float32) []float32 {
	out := make([]float32, len(v))
	w, h := m.w, m.h
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			if !m.reg[i] {
				continue
			}
			if x == 0 || y == 0 || x == w-1 || y == h-1 {
				out[i] = m.smooth3Edge(v, x, y)
				continue
			}
			c := v[i]
			at := func(j int) float32 {
				if m.reg[j] {
					return v[j]
				}
				return c
			}
			// The kernel's weights in the order of smooth3Edge, so that
			// the sums agree to the bit.
			var s float32
			s += at(i - w - 1)
			s += 2 * at(i-w)
			s += at(i - w + 1)
			s += 2 * at(i-1)
			s += 4 * c
			s += 2 * at(i+1)
			s += at(i + w - 1)
			s += 2 * at(i+w)
			s += at(i + w + 1)
			out[i] = s / 16
		}
	}
	return out
}

// smooth3Edge is smooth3 at one pixel, with neighbours outside the image
// counted as the centre pixel.
func (m *measurer) smooth3Edge(v []float32, x, y int) float32 {
	wts := [3]float32{1, 2, 1}
	i := y*m.w + x
	var s float32
	for dy := -1; dy <= 1; dy++ {
		for dx := -1; dx <= 1; dx++ {
			xx, yy := x+dx, y+dy
			val := v[i]
			if xx >= 0 && yy >= 0 && xx < m.w && yy < m.h && m.reg[yy*m.w+xx] {
				val = v[yy*m.w+xx]
			}
			s += wts[dx+1] * wts[dy+1] * val
		}
	}
	return s / 16
}

// thinHair selects hair in two steps, done on one labelling:
//
//   - hysteresis: region pixels whose projection is at least lo and that
//     are 8-connected to one at least hi;
//   - thinness: of those components, the ones that are thin like fibres:
//     thickness 2 × the 90th percentile of the distance transform inside
//     them.
//
// The components of the hysteresis mask are the components of the lo mask
// that hold a seed, so one labelling of the lo mask serves both. And the
// distance transform of the lo mask equals that of the hysteresis mask on
// its pixels: any path from a kept component to a pixel of a dropped one
// leaves the component through a pixel below lo first.
func (m *measurer) thinHair(lo, hi float64) []bool {
	n := m.w * m.h
	// The least float32 at or above each threshold: p >= lo32 is then
	// exactly float64(p) >= lo.
	lo32, hi32 := ceil32(lo), ceil32(hi)
	cand := make([]bool, n)
	for i, r := range m.reg {
		cand[i] = r && m.proj[i] >= lo32
	}
	lab, nl := labels(cand, m.w, m.h)
	out := make([]bool, n)
	if nl == 0 {
		return out
	}
	seeded := make([]bool, nl+1)
	for i, l := range lab {
		if l > 0 && m.proj[i] >= hi32 {
			seeded[l] = true
		}
	}
	// Compact indices 0..nk−1 of the seeded components, in label order.
	idx := make([]int32, nl+1)
	nk := 0
	for l := 1; l <= nl; l++ {
		idx[l] = -1
		if seeded[l] {
			idx[l] = int32(nk)
			nk++
		}
	}
	if nk == 0 {
		return out
	}
	dt := chamfer(cand, m.w, m.h)
	// Each component's distances, gathered into one buffer (a counting
	// sort by component) instead of a slice per component.
	start := make([]int, nk+1)
	for _, l := range lab {
		if l > 0 && idx[l] >= 0 {
			start[idx[l]+1]++
		}
	}
	for k := 1; k <= nk; k++ {
		start[k] += start[k-1]
	}
	vals := make([]float32, start[nk])
	pos := append([]int(nil), start...)
	for i, l := range lab {
		if l > 0 && idx[l] >= 0 {
			k := idx[l]
			vals[pos[k]] = dt[i]
			pos[k]++
		}
	}
	thick := make([]float64, nk)
	for k := range thick {
		thick[k] = 2 * quantile(vals[start[k]:start[k+1]], 0.9)
	}
	maxW := m.o.MaxStrandWidthPx
	if maxW <= 0 {
		maxW = math.Max(5, 2.5*weightedMedian(thick, start))
	}
	keep := make([]bool, nl+1)
	for l := 1; l <= nl; l++ {
		if k := idx[l]; k >= 0 {
			keep[l] = thick[k] <= maxW && start[k+1]-start[k] >= 3
		}
	}
	for i, l := range lab {
		out[i] = l > 0 && keep[l]
	}
	return out
}

// ceil32 is the least float32 not below v.
func ceil32(v float64) float32 {
	f := float32(v)
	if float64(f) < v {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}

// weightedMedian is the median of the values v[l] (as float32), each
// counted start[l+1] − start[l] times: quantile(·, 0.5) of that multiset
// without building it.
func weightedMedian(v []float64, start []int) float64 {
	order := make([]int, len(v))
	for l := range order {
		order[l] = l
	}
	sort.Slice(order, func(a, b int) bool { return float32(v[order[a]]) < float32(v[order[b]]) })
	total := start[len(v)] - start[0]
	if total == 0 {
		return math.NaN()
	}
	k := int(math.Round(0.5 * float64(total-1)))
	for _, l := range order {
		k -= start[l+1] - start[l]
		if k < 0 {
			return float64(float32(v[l]))
		}
	}
	return float64(float32(v[order[len(order)-1]]))
}

// nearHair marks pixels within 2 px of hair: blur and JPEG spread a strand's
// colour into its neighbours.
//
// "Within 2 px" is a chamfer distance (steps 1 and √2) of at most 2.5: the
// offsets with |dx|, |dy| ≤ 2 except (±2, ±2), i.e. a 5 × 3 box or a 3 × 5
// box around some hair pixel. Dilating by those two boxes gives that
// directly, without a distance transform of the whole photo.
func (m *measurer) nearHair() []bool {
	w, h := m.w, m.h
	any := false
	for _, v := range m.hair {
		if v {
			any = true
			break
		}
	}
	near := make([]bool, w*h)
	if !any {
		// chamfer gives w + h everywhere when there is no hair.
		if float32(w+h) <= 2.5 {
			for i := range near {
				near[i] = true
			}
		}
		m.near = near
		return near
	}
	// Horizontal runs of 3 and 5 (as bytes, so that the vertical step is
	// plain ORs of rows), then vertical runs of 5 and 3.
	h3 := make([]uint8, w*h)
	h5 := make([]uint8, w*h)
	for y := 0; y < h; y++ {
		row := m.hair[y*w : (y+1)*w]
		r3, r5 := h3[y*w:(y+1)*w], h5[y*w:(y+1)*w]
		for x := 0; x < w; x++ {
			if !row[x] {
				continue
			}
			for xx := max(0, x-2); xx <= min(w-1, x+2); xx++ {
				r5[xx] = 1
			}
			for xx := max(0, x-1); xx <= min(w-1, x+1); xx++ {
				r3[xx] = 1
			}
		}
	}
	acc := make([]uint8, w)
	for y := 0; y < h; y++ {
		clear(acc)
		for dy := -2; dy <= 2; dy++ {
			yy := y + dy
			if yy < 0 || yy >= h {
				continue
			}
			// A 3-wide run reaches 2 rows away, a 5-wide one 1 row.
			src := h3[yy*w : (yy+1)*w]
			if dy >= -1 && dy <= 1 {
				src = h5[yy*w : (yy+1)*w]
			}
			for x, v := range src {
				acc[x] |= v
			}
		}
		dst := near[y*w : (y+1)*w]
		for x, v := range acc {
			dst[x] = v != 0
		}
	}
	m.near = near
	return near
}

func (m *measurer) relAt(i int) colour.LabD50 {
	return colour.LabD50{L: float64(m.rel[3*i]), A: float64(m.rel[3*i+1]), B: float64(m.rel[3*i+2])}
}

func contrast(hair, scalp colour.LabD50) Contrast {
	dh := hair.HueDeg() - scalp.HueDeg()
	for dh > 180 {
		dh -= 360
	}
	for dh < -180 {
		dh += 360
	}
	yh, ys := labY(hair.L), labY(scalp.L)
	ratio := (math.Max(yh, ys) + 0.05) / (math.Min(yh, ys) + 0.05)
	return Contrast{
		DE00:  colour.DeltaE00(hair, scalp),
		DL:    hair.L - scalp.L,
		DC:    hair.Chroma() - scalp.Chroma(),
		DH:    dh,
		Ratio: ratio,
	}
}

// A scalp photo is a close-up: the scalp region (skin and hair) should cover
// a good part of the frame (or of the ROI). Below minScalpShare the
// confidence is 0, above fullScalpShare this check is satisfied. A strip of
// wooden desk beside a colour card (about 10% of the frame in the real card
// photos) must not pass for a scalp; the synthetic close-ups cover over 40%.
const (
	minScalpShare  = 0.10
	fullScalpShare = 0.25
)
