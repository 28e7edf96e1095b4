package segment

import (
	"fmt"
	"math"

	"gocv.io/x/gocv"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// The colours stage: skin and fibre as the two ends of a mixture.
//
// In linear light a pixel of the region is
//
//	p = s(x, y) · ((1 − α)·K + α·F) + shine
//
// with s the light falling on the head (smooth), K the skin, F the fibre and
// α the share of the pixel the fibre covers after lens blur. Without shine
// every pixel lies on the segment from s·K to s·F. The stage finds that
// line (the principal direction of the region's XYZ), drops what lies off
// it towards the light's colour (shine) or far off it (anything else), and
// takes the two ends of the distribution along it: each end is the peak of
// the pixels nearest that end (pure skin between fibres, pure fibre in wide
// strands) or, for the fibre when no pixel is pure fibre, the band of
// strongest cover. Which end is skin is told first by the hair stage's thin
// structures, where their shares of the two ends' pixels differ plainly
// (fibres are thin, skin is the ground they lie on: fibreEnd), then by the
// head region's texture where the two ends' differ plainly (texturedEnd:
// hair is textured, lit or shaded skin is not); otherwise by chroma: skin (haemoglobin, pheomelanin) is more chromatic than most hair,
// with the thin-structure direction deciding near-ties. Two materials are
// there when the ends are minSeparation skin-peak widths apart (on the
// region's histogram, or on the thin structures' own where those are
// many), or when a one-sided excess beyond the skin peak says so under
// noise (hairSideExcess).
// The light s is fitted on the skin-end pixels only (a smooth surface in
// log Y, normalised to its median over the region), so dense hair is never
// taken for shade. Skin comes from the least-covered pixels wherever they
// are, so a region that is half hair everywhere still gives pure skin.
//
// The hair end is the peak, nearest the hair's side, of the thin
// structures' own distribution along the line (the hair stage's fibre
// mask): where hair is sparse the whole region's histogram has no peak
// there, and its extreme tail is darker than the fibre (overlaps, shade,
// noise). The fibre's chroma is read apart from its luminance, because a
// JPEG smears colour far more than luminance: chroma.go.
//
// Thin fibres: a bar of width w blurred by a Gaussian of σ peaks at
// coverage erf(w / (2√2 σ)) and keeps its area w. The band of strongest
// cover is normalised to 1; the area of the profile in those units is
// w / α_peak (measured as the summed cover over the length of the strands,
// the length being the hair mask's area over its width from the distance
// transform). With σ from the card, w and α_peak follow, and the fibre is
// F = K + (P − K) / α_peak in linear light. Where α_peak is low the
// colour is uncertain and a warning says so. Opaque (dark) fibres are read
// further, at the far end of the cover distribution, where that lies
// beyond: opaque.go says why and how.

// endsResult is what the colours stage found.
type endsResult struct {
	skin, hair  colour.LabD50
	skinN       int
	hairN       int
	found       bool
	hairDarker  bool
	mask        []bool  // hair: cover ≥ ½ of the strongest cover
	cover       float64 // mean fibre cover α over the region
	widthObsPx  float64 // w / α_peak in working pixels
	widthPx     float64 // fibre width in working pixels (w), or widthObsPx without blur
	alphaPeak   float64 // peak cover of the fibres' cores; 1 when unknown
	blurKnown   bool
	warn        []string
	confidence  float64 // how far the fibre colour can be trusted (1 = fully)
	skinSpread  float64
	hairSpread  float64
	separations float64
	// excess is the share of the line's pixels beyond two skin-peak
	// widths on the hair's side, less the share beyond them on the other.
	excess float64
	// fibreSeparations is the same distance for the thin structures'
	// own peak (0 when they have none, or cover less than minThinShare
	// of the region).
	fibreSeparations float64
	profiles         int // isolated strand profiles measured
	// opaqueEnd is true when the fibre was read at the far end of the
	// cover distribution (opaque.go) rather than from the profiles alone.
	opaqueEnd bool
	// farEndDE is the CIEDE2000 between the fibre read from its profiles
	// and the far end of the cover distribution (whichever is reported):
	// how much the two readings disagree (0 when the far end is not
	// beyond the profiles').
	farEndDE float64
	// chromaCores is how many core pixels gave the fibre's chroma
	// (chroma.go); 0 when it came from the block means' direction.
	chromaCores int
	// chromaDeep is true when the fibre's a*, b* were read in the middle
	// of clumps (deepChroma), beyond the colour smear's reach.
	chromaDeep bool
	// skinTiles is the share of the region's tiles in which the skin
	// peak's pixels lie (tileSpread).
	skinTiles float64
	// litAtCard is true when the colours are as lit at the card (the
	// light field read there, lightAtCard), false when at the region's
	// median light.
	litAtCard bool
}

// Thresholds of the colours stage, each with its reason.
const (
	// endBins: the histogram along the mixture line; 256 bins resolve the
	// skin peak (noise about 1% of the range) on 10⁵ samples.
	endBins = 256
	// endPeakShare: a local maximum this share of the tallest is a peak,
	// not noise in the tail.
	endPeakShare = 0.15
	// offLineK: a pixel more than this many robust σ off the mixture line
	// is not a mixture of skin and fibre (shine, a mole, a scar).
	offLineK = 4.0
	// coreBand: pixels whose cover is at least this share of the strongest
	// cover (the hair end) are the strands' cores.
	coreBand = 0.85
	// minAlphaPeak caps the thin-fibre extrapolation: below it the colour
	// is not recovered further (it would amplify noise and JPEG's chroma
	// smear), and the result says so.
	minAlphaPeak = 0.45
	// trustAlphaPeak: from this peak cover up the fibre colour is read
	// nearly directly (correction ≤ 1/0.92); below it a warning is given.
	trustAlphaPeak = 0.92
	// minSeparation: the two ends must be this many skin-peak widths
	// apart for there to be two materials (hair) at all.
	minSeparation = 3.5
	// minExcess and minSeparationExcess: noise widens the skin peak until
	// dark hair close to dark skin ends inside minSeparation of its widths
	// (0022 of the synthscalps with the noise of its renderer's darkest
	// settings: 3.2). A single material's peak is as wide on both sides;
	// a second one shows as pixels beyond it on one side only. When those
	// are 5% of the region (the coverage the issue asks hair to be found
	// at) and the ends are at least 2 widths apart, there are two.
	minExcess           = 0.05
	minSeparationExcess = 2.0
	// minThinShare: thin structures on this share of the region's
	// pixels are hair, not pores or creases: their own peak may then
	// stand for the region's hair end in telling two materials apart.
	minThinShare = 0.05
	// minChromaGap: skin is the more chromatic end when the ends' C*
	// differ by more than this; closer, the hair stage's direction decides.
	minChromaGap = 2.5
)

// xyzPix converts the region's pixels of lab to XYZ, 3 per pixel (0 off
// the region).
func xyzOf(lab []float32, reg []bool) []float32 {
	out := make([]float32, len(lab))
	for i, v := range reg {
		if !v {
			continue
		}
		x := colour.LabD50{L: float64(lab[3*i]), A: float64(lab[3*i+1]), B: float64(lab[3*i+2])}.XYZ()
		out[3*i], out[3*i+1], out[3*i+2] = float32(x.X), float32(x.Y), float32(x.Z)
	}
	return out
}

// endsLine is the mixture line: a point c and unit direction e, the white
// direction off it (for shine), and robust scales.
type endsLine struct {
	c, e, wp [3]float64
	offSigma float64
	offMed   float64
}

func sub3(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func dot3(a, b [3]float64) float64    { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func scale3(a [3]float64, k float64) [3]float64 {
	return [3]float64{a[0] * k, a[1] * k, a[2] * k}
}
func add3(a, b [3]float64) [3]float64 { return [3]float64{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }
func norm3(a [3]float64) [3]float64 {
	n := math.Sqrt(dot3(a, a))
	if n == 0 {
		return a
	}
	return scale3(a, 1/n)
}

// principal returns the mean and the principal direction of the samples.
func principal(px [][3]float64) ([3]float64, [3]float64) {
	var c [3]float64
	for _, p := range px {
		c = add3(c, p)
	}
	c = scale3(c, 1/float64(len(px)))
	var cov [3][3]float64
	for _, p := range px {
		d := sub3(p, c)
		for r := 0; r < 3; r++ {
			for k := 0; k < 3; k++ {
				cov[r][k] += d[r] * d[k]
			}
		}
	}
	e := [3]float64{0.6, 0.6, 0.5}
	for it := 0; it < 50; it++ {
		var n [3]float64
		for r := 0; r < 3; r++ {
			n[r] = cov[r][0]*e[0] + cov[r][1]*e[1] + cov[r][2]*e[2]
		}
		e = norm3(n)
	}
	return c, e
}

// d50White is the D50 white point in XYZ: the colour of the light after
// correction, towards which shine lies.
var d50White = colour.LabD50{L: 100}.XYZ()

func newLine(c, e [3]float64, px [][3]float64) endsLine {
	l := endsLine{c: c, e: e}
	w := [3]float64{d50White.X, d50White.Y, d50White.Z}
	wp := sub3(w, scale3(e, dot3(w, e)))
	l.wp = norm3(wp)
	offs := make([]float32, 0, len(px))
	for _, p := range px {
		_, off := l.at(p)
		offs = append(offs, float32(off))
	}
	l.offMed = quantile(append([]float32(nil), offs...), 0.5)
	dev := make([]float32, len(offs))
	for k, o := range offs {
		dev[k] = float32(math.Abs(float64(o) - l.offMed))
	}
	l.offSigma = math.Max(1.4826*quantile(dev, 0.5), 1e-4)
	return l
}

// at returns the position along the line and the distance off it.
func (l *endsLine) at(p [3]float64) (t, off float64) {
	d0, d1, d2 := p[0]-l.c[0], p[1]-l.c[1], p[2]-l.c[2]
	t = d0*l.e[0] + d1*l.e[1] + d2*l.e[2]
	r0, r1, r2 := d0-l.e[0]*t, d1-l.e[1]*t, d2-l.e[2]*t
	return t, math.Sqrt(r0*r0 + r1*r1 + r2*r2)
}

// onLine is false for shine (off the line towards the light's colour) and
// for anything else far off the mixture line.
//
// It runs for every pixel of the region several times over, so it is
// written out in scalars on a pointer.
func (l *endsLine) onLine(p [3]float64) bool {
	d0, d1, d2 := p[0]-l.c[0], p[1]-l.c[1], p[2]-l.c[2]
	t := d0*l.e[0] + d1*l.e[1] + d2*l.e[2]
	r0, r1, r2 := d0-l.e[0]*t, d1-l.e[1]*t, d2-l.e[2]*t
	if math.Sqrt(r0*r0+r1*r1+r2*r2)-l.offMed > offLineK*l.offSigma {
		return false
	}
	// Shine: towards white, beyond the noise.
	return r0*l.wp[0]+r1*l.wp[1]+r2*l.wp[2]-l.offMed <= 0.5*offLineK*l.offSigma
}

// endPeak walks from one end of the smoothed histogram towards the other
// and returns the first peak (a local maximum of at least endPeakShare of
// the tallest), or ok false if none comes before the middle.
func endPeak(h []float64, fromLow bool) (int, bool) {
	top := 0.0
	for _, v := range h {
		top = math.Max(top, v)
	}
	n := len(h)
	for k := 0; k < n/2; k++ {
		i := k
		if !fromLow {
			i = n - 1 - k
		}
		if h[i] < endPeakShare*top {
			continue
		}
		prev, next := i-1, i+1
		if !fromLow {
			prev, next = i+1, i-1
		}
		lo := prev < 0 || prev >= n || h[prev] <= h[i]
		hi := next < 0 || next >= n || h[next] <= h[i]
		if lo && hi {
			return i, true
		}
	}
	return 0, false
}

// medianLab is the per-channel median of the XYZ samples, as L*a*b*, and
// their median CIEDE2000 to it.
func medianLab(px [][3]float64) (colour.LabD50, float64) {
	if len(px) == 0 {
		return colour.LabD50{}, 0
	}
	ch := make([]float32, len(px))
	var med [3]float64
	for c := 0; c < 3; c++ {
		for k, p := range px {
			ch[k] = float32(p[c])
		}
		med[c] = quantile(ch, 0.5)
	}
	lab := colour.XYZ{X: med[0], Y: med[1], Z: med[2]}.LabD50()
	step := max(1, len(px)/2000)
	var de []float32
	for k := 0; k < len(px); k += step {
		p := px[k]
		de = append(de, float32(colour.DeltaE00(colour.XYZ{X: p[0], Y: p[1], Z: p[2]}.LabD50(), lab)))
	}
	return lab, quantile(de, 0.5)
}

// endsInput is what the colours stage needs from the earlier stages.
type endsInput struct {
	lab []float32 // L*a*b* of the photo, 3 per pixel
	reg []bool    // the scalp region (skin and hair)
	// fibre marks the thin structures the hair stage found (nil: none
	// known); the opaque-fibre end is read on them only, so a deep shadow
	// at the head's rim, which lies on the skin-to-black line too, is not
	// taken for fibre.
	fibre []bool
	w, h  int
	// hairDarkHint is the hair stage's answer to 'is the hair darker than
	// the skin', for near-ties in chroma.
	hairDarkHint bool
	// tilePx is the tile of the light fit.
	tilePx int
	// blurPx is the lens blur σ in working pixels (0: unknown).
	blurPx float64
	// chromaSmearPx is how far colour is smeared beyond the luminance's
	// blur (Gaussian σ, working pixels), meaningful when chromaKnown.
	chromaSmearPx float64
	chromaKnown   bool
	// stride subsamples whole-region statistics.
	stride int
	// textured marks the pixels textured like hair at the head's scale
	// (match/segment/region's Weber texture; nil: not known).
	textured []bool
	// closeUp is true for a close-up's region (skin shows all over it).
	closeUp bool
	// card is the outline of the card that calibrated the photo (nil:
	// not in it).
	card Polygon
}

// findEnds runs the colours stage.
func findEnds(in endsInput) endsResult {
	var r endsResult
	r.alphaPeak, r.confidence = 1, 1
	xyz := xyzOf(in.lab, in.reg)
	shade := make([]float32, in.w*in.h)
	for i := range shade {
		shade[i] = 1
	}
	var line endsLine
	var tK, tH float64
	var skinEnd, hairEnd [3]float64
	for pass := 0; pass < 2; pass++ {
		// The region's pixels are counted first: these slices hold
		// millions of entries at 12 MP, and growing them by append
		// copied and discarded about as much again.
		n := 0
		for i := 0; i < len(in.reg); i += in.stride {
			if in.reg[i] {
				n++
			}
		}
		px := make([][3]float64, 0, n)
		pxFibre, pxTex := make([]bool, 0, n), make([]bool, 0, n)
		pxAt := make([]int, 0, n)
		for i := 0; i < len(in.reg); i += in.stride {
			if in.reg[i] {
				s := float64(shade[i])
				pxAt = append(pxAt, i)
				px = append(px, [3]float64{float64(xyz[3*i]) / s, float64(xyz[3*i+1]) / s, float64(xyz[3*i+2]) / s})
				pxFibre = append(pxFibre, in.fibre != nil && in.fibre[i])
				pxTex = append(pxTex, in.textured != nil && in.textured[i])
			}
		}
		if len(px) < 100 {
			return r
		}
		c, e := principal(px)
		line = newLine(c, e, px)
		ts := make([]float32, 0, len(px))
		on := make([][3]float64, 0, len(px))
		onFibre, onTex := make([]bool, 0, len(px)), make([]bool, 0, len(px))
		onAt := make([]int, 0, len(px))
		for k, p := range px {
			if line.onLine(p) {
				t, _ := line.at(p)
				ts = append(ts, float32(t))
				on = append(on, p)
				onAt = append(onAt, pxAt[k])
				onFibre = append(onFibre, pxFibre[k])
				onTex = append(onTex, pxTex[k] || pxFibre[k])
			}
		}
		if len(on) < 100 {
			return r
		}
		// Selection reorders its input; one copy serves both ends (a
		// reordering keeps the values).
		tsq := append([]float32(nil), ts...)
		lo, hi := quantile(tsq, 0.002), quantile(tsq, 0.998)
		if !(hi > lo) {
			return r
		}
		bw := (hi - lo) / endBins
		hist := make([]float64, endBins)
		for _, t := range ts {
			k := int((float64(t) - lo) / bw)
			if k >= 0 && k < endBins {
				hist[k]++
			}
		}
		hist = smoothHist(hist, 2)
		// The two ends: a peak near each, or the extreme band.
		endOf := func(fromLow bool) (float64, float64, bool) {
			k, ok := endPeak(hist, fromLow)
			if ok {
				// Half width of the peak on its outer side.
				hw := 1
				for j := 1; j < endBins/4; j++ {
					o := k - j
					if !fromLow {
						o = k + j
					}
					if o < 0 || o >= endBins || hist[o] < 0.6*hist[k] {
						break
					}
					hw = j + 1
				}
				return lo + (float64(k)+0.5)*bw, float64(hw) * bw, true
			}
			if fromLow {
				return quantile(append([]float32(nil), ts...), 0.01), 2 * bw, false
			}
			return quantile(append([]float32(nil), ts...), 0.99), 2 * bw, false
		}
		tLo, hwLo, peakLo := endOf(true)
		tHi, hwHi, peakHi := endOf(false)
		band := func(t0, hw float64) [][3]float64 {
			var out [][3]float64
			for k, t := range ts {
				if math.Abs(float64(t)-t0) <= hw {
					out = append(out, on[k])
				}
			}
			return out
		}
		loPx, hiPx := band(tLo, hwLo), band(tHi, hwHi)
		loLab, _ := medianLab(loPx)
		hiLab, _ := medianLab(hiPx)
		// Which end is skin: the end whose pixels lie on the hair stage's
		// thin structures is the fibre, where that is plain (fibreEnd);
		// otherwise skin is the more chromatic end, and near a tie the hair
		// stage's thin-structure direction says which end the fibres are.
		skinLow := loLab.Chroma() > hiLab.Chroma()
		if fibreLow, ok := fibreEnd(ts, onFibre, tLo, hwLo, tHi, hwHi); ok {
			skinLow = !fibreLow
		} else if texLow, ok := texturedEnd(ts, onTex, tLo, hwLo, tHi, hwHi); ok {
			skinLow = !texLow
		} else if math.Abs(loLab.Chroma()-hiLab.Chroma()) < minChromaGap {
			skinLow = (loLab.L > hiLab.L) == in.hairDarkHint
		}
		// On a close-up, once the light is divided out (the second
		// pass), skin shows between the fibres all over the scalp: an
		// end confined to one part of the region (a band along the
		// frame's edge) while the other lies all over it, off the
		// fibres, is another surface, and the end all over is the skin.
		if pass == 1 && in.closeUp && turnedRound(ts, onAt, onFibre, skinLow, tLo, hwLo, tHi, hwHi, in) {
			skinLow = !skinLow
		}
		var hwK float64
		hairPeak := peakHi
		if skinLow {
			tK, tH, hwK = tLo, tHi, hwLo
		} else {
			tK, tH, hwK, hairPeak = tHi, tLo, hwHi, peakLo
		}
		// The hair end, on the second pass (the light field is fitted on
		// the first), refined on the thin structures the hair stage found:
		// their own histogram's peak nearest the hair's side. Where hair
		// is sparse the region's histogram has no hair-side peak and its
		// end is the extreme tail, darker than the fibre (overlaps, shade,
		// noise): the thin structures' peak may move it inwards, though
		// not past half-way to the skin (a mask caught on creases or shade
		// would otherwise turn the ends round). Where the region has a
		// hair-side peak it may only move outwards: mixed pixels lie
		// between skin and fibre, so a peak of them is short of the fibre,
		// never beyond it, while the thin structures of dense long hair
		// peak at a mixed level (0000 of the synthscalps read 4.8 L*
		// light with inward moves allowed there too). Whether there are
		// two materials at all is the region's histogram's to say, before
		// the refinement, unless thin structures cover minThinShare of the
		// region: that many fibre-shaped pixels are hair, not pores, and
		// their peak has the noise of the whole region's skin against it,
		// not of a tail (a harsher JPEG widens the skin peak until brown
		// stubble on dark skin is 3.4 widths from it, its fibres' peak 3.8).
		r.separations = math.Abs(tH-tK) / math.Max(hwK, bw)
		r.excess = hairSideExcess(ts, tK, tH, 2*math.Max(hwK, bw))
		if pass == 1 {
			if t, ok := fibrePeak(ts, onFibre, lo, bw, !skinLow); ok {
				thin := 0
				for _, v := range onFibre {
					if v {
						thin++
					}
				}
				if float64(thin) >= minThinShare*float64(len(onFibre)) {
					r.fibreSeparations = math.Abs(t-tK) / math.Max(hwK, bw)
				}
				if f := (t - tK) / (tH - tK); f >= 1 || (!hairPeak && f >= 0.5) {
					tH = t
				}
			}
		}
		// Skin: the median of the skin peak.
		skinPx := band(tK, hwK)
		r.skinN = len(skinPx)
		if pass == 1 {
			// Read once, on the ends the result reports.
			r.skinTiles = tileSpread(ts, onAt, tK, hwK, in.w, in.h, in.tilePx)
		}
		skinLab, spread := medianLab(skinPx)
		r.skin, r.skinSpread = skinLab, spread
		sx := skinLab.XYZ()
		skinEnd = [3]float64{sx.X, sx.Y, sx.Z}
		// Cores: cover at least coreBand of the hair end.
		var core [][3]float64
		for k, t := range ts {
			if a := (float64(t) - tK) / (tH - tK); a >= coreBand && a <= 1.15 {
				core = append(core, on[k])
			}
		}
		r.hairN = len(core)
		hairLab, hs := medianLab(core)
		r.hairSpread = hs
		hx := hairLab.XYZ()
		hairEnd = [3]float64{hx.X, hx.Y, hx.Z}
		if pass == 0 {
			shade, r.litAtCard = lightField(in, xyz, line, tK, tH)
		}
	}
	r.found = r.hairN >= 20 && (math.Max(r.separations, r.fibreSeparations) >= minSeparation ||
		r.separations >= minSeparationExcess && r.excess >= minExcess)
	// Cover of every region pixel, along skin → hair end, in units of the
	// cores' cover.
	d := sub3(hairEnd, skinEnd)
	dd := dot3(d, d)
	if dd == 0 {
		r.found = false
		return r
	}
	r.mask = make([]bool, in.w*in.h)
	cover := make([]float32, in.w*in.h)
	for i := range cover {
		cover[i] = float32(math.NaN())
	}
	// Each pixel's cover on its own, the pixels shared out among the
	// cores; the sum after, in pixel order.
	parallelFor(len(in.reg), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if !in.reg[i] {
				continue
			}
			s := float64(shade[i])
			p := [3]float64{float64(xyz[3*i]) / s, float64(xyz[3*i+1]) / s, float64(xyz[3*i+2]) / s}
			if !line.onLine(p) {
				continue
			}
			a := dot3(sub3(p, skinEnd), d) / dd
			cover[i] = float32(a)
			if a >= 0.5 {
				r.mask[i] = true
			}
		}
	})
	var sum float64
	n := 0
	for i, v := range in.reg {
		if v {
			n++
			if a := cover[i]; !math.IsNaN(float64(a)) {
				sum += float64(a)
			}
		}
	}
	if n == 0 {
		return r
	}
	r.cover = sum / float64(n)
	r.hairDarker = r.hair.L < r.skin.L
	if !r.found {
		return r
	}
	// The far end of the cover distribution needs only the cover and the
	// two ends: it is found on another core beside the profiles and the
	// chroma below.
	type farRead struct {
		end float64
		ok  bool
	}
	farEnd := beside(func() farRead {
		end, ok := opaqueEnd(cover, in.fibre, in.w, tailTiles*in.tilePx, skinEnd, hairEnd)
		return farRead{end, ok}
	})
	// The fibre's direction from the skin: the principal direction of
	// the means of small blocks around the strands. Lens blur is linear in
	// linear light, so a blurred pixel stays on the skin-to-fibre line;
	// JPEG's chroma subsampling moves chroma between neighbours (a core
	// pixel's own chroma leans towards the skin's) but keeps block means.
	// The cores' luminance (JPEG keeps luma at full resolution) says how
	// far along it the fibre lies; when the fibre is close to the skin's
	// luminance, the projection of the cores on that direction does, which
	// cannot extrapolate beyond the cores' own distance.
	near := dilateMask(r.mask, in.w, in.h, 2+int(math.Ceil(2*in.blurPx)))
	var sumNear float64
	for i, v := range near {
		if v && in.reg[i] {
			if a := float64(cover[i]); !math.IsNaN(a) {
				sumNear += a
			}
		}
	}
	// Fibre width and peak cover from the profiles across isolated
	// strands: the profile's area over its peak is w / α_peak whatever
	// the fibre's colour; with the blur σ both follow.
	prof := strandProfiles(cover, in.w, in.h, in.blurPx)
	r.profiles = prof.n
	// maskObs is the width the hair mask shows when no isolated strand
	// does; it sizes what counts as a surface for the chroma below.
	var maskObs float64
	if prof.n >= minProfiles {
		r.widthObsPx = prof.areaOverPeak
	} else if wMask, area := maskWidth(r.mask, in.w, in.h); wMask > 0 && area > 0 {
		// No isolated strand: the mask's area over its width (distance
		// transform) is the strands' length, the summed cover over it
		// w / α_peak.
		maskObs = sumNear / (float64(area) / wMask)
		// But a mask wider than any strand the profiles could have read
		// is a mass of hair (a whole head at 640 px, where a fibre is a
		// fraction of a pixel) or of something else, not one fibre: its
		// width is no fibre's (the real intake photos read 26–292 px
		// that way), so none is reported (widthObsPx stays 0).
		if wMask <= strandWindowPx(in.blurPx) {
			r.widthObsPx = maskObs
		}
	}
	r.widthPx = r.widthObsPx
	r.blurKnown = in.blurPx > 0
	if r.blurKnown && r.widthObsPx > 0 {
		w := fibreWidth(r.widthObsPx, in.blurPx)
		r.widthPx = w
		r.alphaPeak = math.Min(1, w/r.widthObsPx)
	}
	ap := math.Max(r.alphaPeak, minAlphaPeak)
	// The fibre's chroma: read at the strands' cores with the codec's
	// colour smear undone (chroma.go) where the photo says how its colour
	// was stored; otherwise from the direction of block means, which the
	// smear leaves alone but the skin's own variation tilts.
	var cc coreChromaResult
	var deepA, deepB float64
	var deepOK bool
	if in.chromaKnown {
		// A fibre's core is the middle of a strand a few pixels wide.
		// Full cover over an area wider than a few fibres side by side
		// is a surface, not fibres: a band of something else at the
		// frame's edge, a mole, a patch of shade. Its pixels would be the
		// most covered of all (the colour smear cannot thin them) and
		// set the fibre's chroma, so what survives an opening by a disc
		// of thickCoreWidths observed widths is left out of it.
		obs := r.widthObsPx
		if obs == 0 {
			obs = maskObs
		}
		rad := math.Min(maxThickRadiusPx, math.Max(minThickRadiusPx, thickCoreWidths*obs))
		thick := morphMask(r.mask, in.w, in.h, int(math.Ceil(rad)), gocv.MorphOpen)
		// Near a strand, not a surface, and on the mixture line: the
		// cover map is NaN off it (it was tested once, above).
		admit := func(i int) bool { return near[i] && !thick[i] && !math.IsNaN(float64(cover[i])) }
		// Where strands lie together in clumps, the clumps' middles are
		// deeper in full cover than the colour smear reaches: their
		// chroma is the fibre's as it is, with nothing to undo (grey
		// hair's cores read 3–4 units towards the skin through the smear
		// model; its clumps read the truth). Read there where there are
		// enough of them.
		// The clumps and the cores are read side by side.
		type clumps struct {
			a, b float64
			ok   bool
		}
		deep := beside(func() clumps {
			a, b, ok := deepChroma(xyz, shade, cover, thick, in)
			return clumps{a, b, ok}
		})
		cc = coreChroma(xyz, shade, in.reg, in.w, in.h, admit, r.skin, hairEnd[1], in.chromaSmearPx)
		cl := deep()
		deepA, deepB, deepOK = cl.a, cl.b, cl.ok
	}
	if cc.ok {
		hl := colour.XYZ{X: hairEnd[0], Y: hairEnd[1], Z: hairEnd[2]}.LabD50()
		h2 := colour.LabD50{L: hl.L, A: cc.a, B: cc.b}.XYZ()
		d = sub3([3]float64{h2.X, h2.Y, h2.Z}, skinEnd)
		r.chromaCores = cc.n
	} else if dir, ok := blockDirection(in, xyz, shade, near, line, blockPx); ok {
		if dot3(dir, d) < 0 {
			dir = scale3(dir, -1)
		}
		var lambda float64
		if math.Abs(dir[1]) >= 0.5 {
			lambda = d[1] / dir[1]
		} else {
			lambda = dot3(d, dir)
		}
		if lambda > 0 {
			d = scale3(dir, lambda)
		}
	}
	m := 1 / ap
	f := add3(skinEnd, scale3(d, m))
	// Opaque fibres: the far end of the cover distribution (opaque.go).
	// Where the fibre is not taken as opaque, the far end still says how
	// much darker it could be (overlaps of translucent fibres, or fibres
	// too thin and blurred for their profiles): that is the colour's
	// uncertainty, for the confidence.
	first := colour.XYZ{X: f[0], Y: math.Max(f[1], 1e-4), Z: f[2]}.LabD50()
	if fr := farEnd(); fr.ok && fr.end > m {
		end := fr.end
		fe := add3(skinEnd, scale3(d, end))
		far := colour.XYZ{X: math.Max(fe[0], 1e-4), Y: math.Max(fe[1], 1e-4), Z: math.Max(fe[2], 1e-4)}.LabD50()
		if first.L <= opaqueFibreL {
			m, f = end, fe
			r.opaqueEnd = true
		}
		// Read either way, the two readings' disagreement is how
		// uncertain the colour is: fibres whose profiles and darkest
		// pixels tell different colours are too thin or too blurred
		// for either to be sure.
		r.farEndDE = colour.DeltaE00(first, far)
	}
	for k := range f {
		f[k] = math.Max(f[k], 1e-4)
	}
	// L* outside 0–100 is left for Measure to clamp and warn about.
	r.hair = colour.XYZ{X: f[0], Y: f[1], Z: f[2]}.LabD50()
	if deepOK {
		r.hair.A, r.hair.B = deepA, deepB
		r.chromaDeep = true
	}
	r.hairDarker = r.hair.L < r.skin.L
	r.cover = sumNear / float64(n) * r.alphaPeak
	return r
}

// Clumps for deepChroma: pixels of cover ≥ deepCover at least
// deepSmears colour-smear σ inside that cover (the skin's chroma leaks in
// by under 7% there: ½ erfc(1.5/√2)), at least minDeepPixels of them.
// Measured on the synthscalps (0009, grey): in the truth mask's hair, its
// pixels two or more inside read a*, b* 1.2 / 0.0 against the truth's
// 0.9 / 0.3, the cores' smear model 4.3 / 3.1. Hair mean / median 2.31 /
// 1.96 → 2.19 / 1.96 (σ 1 inside: 2.11 / 2.13); grey 3.13 → 2.66.
const (
	deepCover     = 0.95
	deepSmears    = 1.5
	minDeepPixels = 200
)

// deepChroma is the median a*, b* (the light divided out) of the pixels in
// the middle of clumps of full fibre cover, surfaces (thick) left out; ok
// is false for a photo whose colour smear is not known, or where clumps
// are too few.
func deepChroma(xyz, shade, cover []float32, thick []bool, in endsInput) (a, b float64, ok bool) {
	if !in.chromaKnown || in.chromaSmearPx <= 0 {
		return 0, 0, false
	}
	full := make([]bool, len(cover))
	for i, c := range cover {
		full[i] = in.reg[i] && float64(c) >= deepCover
	}
	deep := morphMask(full, in.w, in.h, int(math.Ceil(deepSmears*in.chromaSmearPx)), gocv.MorphErode)
	var as, bs []float32
	for i, v := range deep {
		if !v || thick[i] || !in.reg[i] {
			continue
		}
		s := float64(shade[i])
		p := colour.XYZ{X: float64(xyz[3*i]) / s, Y: float64(xyz[3*i+1]) / s, Z: float64(xyz[3*i+2]) / s}.LabD50()
		as = append(as, float32(p.A))
		bs = append(bs, float32(p.B))
	}
	if len(as) < minDeepPixels {
		return 0, 0, false
	}
	return quantile(as, 0.5), quantile(bs, 0.5), true
}

// tileSpread is the share of the tiles (tilePx square) holding samples
// (ts, at their pixel indices at) in which at least one sample in
// twenty lies within hw of t0: how widely over the region a peak's pixels
// lie. The skin between fibres shows all over a scalp, a band of some
// other surface at one edge does not.
func tileSpread(ts []float32, at []int, t0, hw float64, w, h, tilePx int) float64 {
	return bandTilesOf(ts, at, t0, hw, w, h, tilePx).spread()
}

// bandTiles says, per tile of the region, whether it is counted (at least
// 5 of the positions) and whether the band t0 ± hw holds at least a
// twentieth of its positions.
type bandTiles struct {
	tw, th        int
	counted, with []bool
}

func bandTilesOf(ts []float32, at []int, t0, hw float64, w, h, tilePx int) bandTiles {
	if tilePx <= 0 || w <= 0 || len(ts) == 0 {
		return bandTiles{}
	}
	tw, th := (w+tilePx-1)/tilePx, (h+tilePx-1)/tilePx
	all := make([]int, tw*th)
	in := make([]int, tw*th)
	for k, t := range ts {
		i := at[k]
		tile := (i/w/tilePx)*tw + (i%w)/tilePx
		all[tile]++
		if math.Abs(float64(t)-t0) <= hw {
			in[tile]++
		}
	}
	bt := bandTiles{tw: tw, th: th, counted: make([]bool, tw*th), with: make([]bool, tw*th)}
	for tile, c := range all {
		bt.counted[tile] = c >= 5
		bt.with[tile] = c >= 5 && in[tile]*20 >= c
	}
	return bt
}

// spread is the share of the counted tiles that hold the band (tileSpread).
func (bt bandTiles) spread() float64 {
	n, with := 0, 0
	for tile, counted := range bt.counted {
		if counted {
			n++
			if bt.with[tile] {
				with++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(with) / float64(n)
}

// atEdge is the share of the tiles holding the band that lie within et
// tiles of the frame's border.
func (bt bandTiles) atEdge(et int) float64 {
	n, edge := 0, 0
	for tile, with := range bt.with {
		if !with {
			continue
		}
		n++
		x, y := tile%bt.tw, tile/bt.tw
		if min(x, y, bt.tw-1-x, bt.th-1-y) < et {
			edge++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(edge) / float64(n)
}

// hairSideExcess is the share of the positions ts beyond w from the skin
// end tK on the hair end tH's side, less the share beyond w on the other:
// about the hair's coverage for two materials, about 0 for one.
func hairSideExcess(ts []float32, tK, tH, w float64) float64 {
	if len(ts) == 0 {
		return 0
	}
	sg := 1.0
	if tH < tK {
		sg = -1
	}
	n := 0
	for _, t := range ts {
		switch d := (float64(t) - tK) * sg; {
		case d > w:
			n++
		case d < -w:
			n--
		}
	}
	return float64(n) / float64(len(ts))
}

// fibreEndShare: an end of the mixture line is the fibre when at least this
// share of its pixels lies on the hair stage's thin structures and the other
// end's share is at most fibreEndOther of it. Brown hair can be as
// chromatic as skin (a card's correction a few tenths off turns the chroma
// test round: 0014 and 0017 of the synthscalps, their white balance
// shifted, read skin at the hair's L* 34 and 40), but fibres are thin
// structures and skin is the ground they lie on: the fibre end's pixels
// are the fibres' cores, nearly all on thin structures (100% for 0014's).
// Where hair is dense and long, the thin structures are as often the skin
// in the gaps between strands: 14% of 0000's skin end as shared, but 51%
// with the camera turned a quarter and 0.8× as far (its ends then turned
// round, 14.7 ΔE00 off at confidence 1, with a half here). Three quarters
// keeps gaps out; below it chroma decides.
const (
	fibreEndShare = 0.75
	fibreEndOther = 0.25
)

// turnedRound says whether the skin end chosen (skinLow: the low end) is
// another surface that came into a close-up from the frame's edge: it is
// confined to fewer than minSkinTiles of the region's tiles, most of them
// (minEdgeTileShare) within a tenth of the frame from its border, while the
// other end lies in at least fullSkinTiles of them and less on the hair
// stage's thin structures than the chosen one. Then the other end is the
// skin between the fibres. (0014 of the synthscalps with a band of nearly
// its hair's colour along an edge: the band's end in 12% of the tiles, 76%
// of those at the edge, 21% on thin structures; the skin's in 91%, none on
// them. The scalp's own bare skin lies within the frame: a close-up of
// dense hair with skin in a parting only, TestDenseHairWithSkinInAPartingKeepsItsEnds,
// has its skin end in 4% of the tiles, 11% of those at the edge, and keeps
// its ends.)
func turnedRound(ts []float32, at []int, fibre []bool, skinLow bool, tLo, hwLo, tHi, hwHi float64, in endsInput) bool {
	lo := bandTilesOf(ts, at, tLo, hwLo, in.w, in.h, in.tilePx)
	hi := bandTilesOf(ts, at, tHi, hwHi, in.w, in.h, in.tilePx)
	fLo, fHi := bandShare(ts, fibre, tLo, hwLo), bandShare(ts, fibre, tHi, hwHi)
	k, o, fK, fH := lo, hi, fLo, fHi
	if !skinLow {
		k, o, fK, fH = hi, lo, fHi, fLo
	}
	if !(k.spread() < minSkinTiles && o.spread() >= fullSkinTiles && fH < fK) || k.tw == 0 {
		return false
	}
	// The border zone: edgeShare of the frame's short side, in tiles.
	et := max(1, int(math.Round(edgeShare*float64(min(in.w, in.h))/float64(in.tilePx))))
	return k.atEdge(et) >= minEdgeTileShare
}

// edgeShare: the frame's border zone, as a share of its short side, in
// which a surface entering a close-up from the edge mostly lies
// (minEdgeTileShare of its tiles): the renderer's distractor bands are
// 4–10% of the frame's area along one side.
const (
	edgeShare        = 0.1
	minEdgeTileShare = 0.5
)

// fibreEnd says which end of the line is the fibre by the hair stage's thin
// structures (ts the positions on the line, fibre which lie on thin
// structures; each end's band is its centre t and half width hw). ok is
// false when the thin structures are too few (minThinShare of the samples)
// or their shares do not tell the ends plainly apart.
func fibreEnd(ts []float32, fibre []bool, tLo, hwLo, tHi, hwHi float64) (low, ok bool) {
	nf := 0
	for _, v := range fibre {
		if v {
			nf++
		}
	}
	if float64(nf) < minThinShare*float64(len(ts)) {
		return false, false
	}
	return plainEnd(bandShare(ts, fibre, tLo, hwLo), bandShare(ts, fibre, tHi, hwHi), fibreEndShare)
}

// plainEnd says which end has the plainly larger share: at least least,
// the other's at most fibreEndOther of it (low true for the low end). ok is
// false when neither does.
func plainEnd(sLo, sHi, least float64) (low, ok bool) {
	switch {
	case sLo >= least && sHi <= fibreEndOther*sLo:
		return true, true
	case sHi >= least && sLo <= fibreEndOther*sHi:
		return false, true
	}
	return false, false
}

// texturedEndShare: failing fibreEnd, an end is the fibre when at least this
// share of its pixels is textured like hair (or on thin structures) and the
// other end's share is at most fibreEndOther of it. Hair is a field of
// fibres, skin is smooth apart from pores; shading and a flash's hot spot
// change the light, not the texture. On whole-head photos the chroma test
// read the lit half of a head as light hair and dark hair as skin (1-Front,
// 11-Front and 11-Top-Down of the real photos: the dark end textured on
// 31–89% of its pixels, the light end on 0–30%). On a close-up of a scalp,
// hair is everywhere and both ends are textured alike: this says nothing
// there, and chroma decides as before. The other end's share must be as
// plainly lower as for the thin structures: with half, a smooth dark object
// beside black stubble on dark skin (one of our matrix renders: 25% against
// 63%) turned the ends round.
const texturedEndShare = 0.3

// texturedEnd says which end of the line is the fibre by texture (tex which
// of ts lie on textured pixels); ok is false when the ends' textured shares
// do not differ plainly.
func texturedEnd(ts []float32, tex []bool, tLo, hwLo, tHi, hwHi float64) (low, ok bool) {
	return plainEnd(bandShare(ts, tex, tLo, hwLo), bandShare(ts, tex, tHi, hwHi), texturedEndShare)
}

// bandShare is the share of the positions ts within hw of t0 that flag
// marks (0 when none are).
func bandShare(ts []float32, flag []bool, t0, hw float64) float64 {
	n, f := 0, 0
	for k, t := range ts {
		if math.Abs(float64(t)-t0) <= hw {
			n++
			if flag[k] {
				f++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(f) / float64(n)
}

// fibreWidth solves w / erf(w / (2√2 σ)) = wObs for the fibre width w: the
// area of a blurred bar's profile over its peak is wObs. The area over peak
// cannot be below √(2π) σ (a line thinner than the blur); there w → 0.
func fibreWidth(wObs, sigma float64) float64 {
	k := 2 * math.Sqrt2 * sigma
	f := func(w float64) float64 { return w / math.Erf(w/k) }
	if wObs <= math.Sqrt(2*math.Pi)*sigma*1.0001 {
		return 0.05 * wObs
	}
	lo, hi := 1e-6, wObs
	for it := 0; it < 60; it++ {
		mid := (lo + hi) / 2
		if f(mid) < wObs {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// smoothHist is the histogram convolved with a Gaussian of s bins.
func smoothHist(h []float64, s float64) []float64 {
	r := int(math.Ceil(3 * s))
	k := make([]float64, 2*r+1)
	for j := range k {
		x := float64(j - r)
		k[j] = math.Exp(-x * x / (2 * s * s))
	}
	out := make([]float64, len(h))
	for i := range h {
		var v float64
		for j := -r; j <= r; j++ {
			if ii := i + j; ii >= 0 && ii < len(h) {
				v += h[ii] * k[j+r]
			}
		}
		out[i] = v
	}
	return out
}

// lightTile is a tile of the light fit: its features, log Y, and centre.
type lightTile struct {
	f    [6]float64
	z    float64
	x, y float64
}

// cardSectors: the card is amid the skin when skin tiles of the light fit
// lie around it in at least cardSectorsMin of cardSectors directions (one
// may be missing: a strand of long hair), within cardReach card radii of
// its centre. The light at the card is then interpolated between skin
// that lies, like the card, on the same part of the head. A card at the
// frame's edge or corner, or beside the head, is not amid it: there the
// fit would be carried beyond its data, and a head's curvature (the light
// falling towards its rim) is no light the card gets. (On the synthscalps
// 20 of 24 cards lie amid the skin in 7–8 directions; 4 lie at a frame's
// edge, with skin in 4–5. Our own batch renders hold the card in a
// corner of a dome-shaded head: read there, the scalp came out 5–6 ΔE00
// dark.)
const (
	cardSectors    = 8
	cardSectorsMin = 7
	cardReach      = 4.0
)

// lightAtCard is the fitted log light at the card's centre, where skin
// tiles surround the card (ok false otherwise: the fit carried to a card
// beside the head follows the head's own shading, not the card's light).
func lightAtCard(in endsInput, pts []lightTile, use []bool, coef [6]float64, feat func(x, y float64) [6]float64) (float64, bool) {
	if len(in.card) < 3 {
		return 0, false
	}
	var cx, cy float64
	for _, p := range in.card {
		cx += float64(p.X) / float64(len(in.card))
		cy += float64(p.Y) / float64(len(in.card))
	}
	var rc float64
	for _, p := range in.card {
		rc = math.Max(rc, math.Hypot(float64(p.X)-cx, float64(p.Y)-cy))
	}
	var seen [cardSectors]bool
	for k, p := range pts {
		if !use[k] {
			continue
		}
		dx, dy := p.x-cx, p.y-cy
		if math.Hypot(dx, dy) > cardReach*rc {
			continue
		}
		a := math.Atan2(dy, dx) + math.Pi
		seen[int(a/(2*math.Pi)*cardSectors)%cardSectors] = true
	}
	n := 0
	for _, v := range seen {
		if v {
			n++
		}
	}
	if n < cardSectorsMin {
		return 0, false
	}
	return dot6(coef, feat(cx, cy)), true
}

// lightField fits the light falling on the head on the skin-end pixels:
// per tile, the mean Y of the pixels of cover below ¼; a quadratic surface
// in log Y over the tiles (robust). It is relative light, normalised to 1
// at the card's centre where the card lies amid the skin (lightAtCard;
// atCard true), else to its median over the region.
//
// Why the card: the colour correction reads true a surface lit as the card
// is. Normalised there, the light between the card and the skin drops out
// whatever made it: the lens's vignetting (the synthscalps' corners get
// 75–100% of the centre's light; their card lies amid the scalp, near the
// frame's centre, and at the region's median light their scalp read 0.8
// L* dark on average, 0.7–2.0 where the vignetting is strongest) or the
// room's light falling across the frame. Beside the head the fit would be
// carried beyond its data, where it follows the head's own curvature (our
// renders shade the head as a dome and light a card in the corner fully:
// read there, scalp 2.31 → 8.66 ΔE00); there the region's median light is
// the reference, as before.
func lightField(in endsInput, xyz []float32, line endsLine, tK, tH float64) ([]float32, bool) {
	ts := in.tilePx
	tw, th := (in.w+ts-1)/ts, (in.h+ts-1)/ts
	sumY := make([]float64, tw*th)
	cnt := make([]int, tw*th)
	tot := make([]int, tw*th)
	// Every other pixel each way: tiles hold hundreds of pixels.
	for y := 0; y < in.h; y += 2 {
		for x := 0; x < in.w; x += 2 {
			i := y*in.w + x
			if !in.reg[i] {
				continue
			}
			t := (y/ts)*tw + x/ts
			tot[t]++
			p := [3]float64{float64(xyz[3*i]), float64(xyz[3*i+1]), float64(xyz[3*i+2])}
			// Shading scales t too: compare on chromaticity-free terms by
			// the cover of p relative to its own brightness along the
			// line is not possible without the shade, so use the unshaded
			// position; the light varies by tens of percent at most.
			tp, _ := line.at(p)
			if a := (tp - tK) / (tH - tK); a < 0.25 && a > -0.5 && line.onLine(p) {
				sumY[t] += p[1]
				cnt[t]++
			}
		}
	}
	feat := func(x, y float64) [6]float64 {
		u := 2*x/float64(in.w) - 1
		v := 2*y/float64(in.h) - 1
		return [6]float64{1, u, v, u * u, u * v, v * v}
	}
	var pts []lightTile
	for t := range cnt {
		if cnt[t] < 4 || cnt[t]*10 < tot[t] {
			continue
		}
		x := (float64(t%tw) + 0.5) * float64(ts)
		y := (float64(t/tw) + 0.5) * float64(ts)
		pts = append(pts, lightTile{feat(x, y), math.Log(math.Max(sumY[t]/float64(cnt[t]), 1e-4)), x, y})
	}
	out := make([]float32, in.w*in.h)
	for i := range out {
		out[i] = 1
	}
	if len(pts) < 12 {
		return out, false
	}
	use := make([]bool, len(pts))
	for k := range use {
		use[k] = true
	}
	var coef [6]float64
	for it := 0; it < 4; it++ {
		var a [6][7]float64
		for k, p := range pts {
			if !use[k] {
				continue
			}
			for r := 0; r < 6; r++ {
				for c := 0; c < 6; c++ {
					a[r][c] += p.f[r] * p.f[c]
				}
				a[r][6] += p.f[r] * p.z
			}
		}
		sol, ok := solve6(a)
		if !ok {
			return out, false
		}
		coef = sol
		res := make([]float32, len(pts))
		for k, p := range pts {
			res[k] = float32(math.Abs(p.z - dot6(coef, p.f)))
		}
		mad := math.Max(quantile(append([]float32(nil), res...), 0.5), 0.005)
		for k := range pts {
			use[k] = float64(res[k]) <= 3*1.4826*mad
		}
	}
	// The surface is known where its tiles are: away from them (a part of
	// the region with no skin end, such as dense hair at a whole head's
	// side) it is held within a stop of the light's range over its tiles,
	// not extrapolated (a quadratic carried beyond its data fell to e⁻¹⁰
	// and turned skin there into L*a*b* (100, 554, 581)). Held at the
	// range itself, the synthscalps' long grey strands (0002) read a*, b*
	// 4 units off: the light goes on beyond the skin's tiles there.
	zMin, zMax := math.Inf(1), math.Inf(-1)
	for k, p := range pts {
		if use[k] {
			zMin, zMax = math.Min(zMin, p.z), math.Max(zMax, p.z)
		}
	}
	zMin, zMax = zMin-math.Ln2, zMax+math.Ln2
	fit := func(x, y float64) float64 {
		return math.Max(zMin, math.Min(zMax, dot6(coef, feat(x, y))))
	}
	var vals []float32
	for i, v := range in.reg {
		if v && i%in.stride == 0 {
			vals = append(vals, float32(fit(float64(i%in.w), float64(i/in.w))))
		}
	}
	ref := quantile(vals, 0.5)
	z, atCard := lightAtCard(in, pts, use, coef, feat)
	if atCard {
		ref = math.Max(zMin, math.Min(zMax, z))
	}
	// Along a row the quadratic's steps change by a constant, so exp of it
	// is kept by two multiplications a pixel, not an exp (12 MP of them
	// took a tenth of Measure); the row's start is exact.
	lo, hi := float32(math.Exp(zMin-ref)), float32(math.Exp(zMax-ref))
	du := 2 / float64(in.w)
	d2 := 2 * coef[3] * du * du
	ed2 := math.Exp(d2)
	for y := 0; y < in.h; y++ {
		f0 := feat(0, float64(y))
		u, v := f0[1], f0[2]
		z := dot6(coef, f0)
		dz := coef[1]*du + coef[3]*(2*u*du+du*du) + coef[4]*v*du
		e, edz := math.Exp(z-ref), math.Exp(dz)
		row := out[y*in.w : (y+1)*in.w]
		for x := range row {
			switch {
			case z < zMin:
				row[x] = lo
			case z > zMax:
				row[x] = hi
			default:
				if e == 0 || math.IsInf(e, 0) {
					// Beyond float64 while clamped (a wild
					// quadratic): start afresh.
					e = math.Exp(z - ref)
				}
				row[x] = float32(e)
			}
			z += dz
			dz += d2
			e *= edz
			edz *= ed2
		}
	}
	return out, atCard
}

// describeThin is the warning for fibres too thin to read fully. A pixel
// over a thin fibre mixes it with the skin, so read as it is the colour
// lies towards the skin's (too light for dark hair, too dark for light
// hair on dark skin). Unmixed with the card's blur it may land on either
// side of the fibre's: the synthscalps at half size read 0011's dark brown
// 1.2 px fibres 15 L* too dark, 0018's black ones 13 too light.
func describeThin(widthOrigPx, blurOrigPx float64, blurKnown bool) string {
	if widthOrigPx <= 0 {
		// No single strand was read (a mass of hair): the blur alone says
		// that even a wide fibre shows no pure colour.
		return fmt.Sprintf("lens blur σ %.1f px: no single hair fibre could be read, and under that blur even a %.0f px fibre shows no pure colour, so the hair colour is uncertain (it may read too close to the skin's); photograph closer", blurOrigPx, wideFibrePx)
	}
	if blurKnown {
		return fmt.Sprintf("hair fibres are about %.1f px wide under lens blur σ %.1f px: no pixel shows pure fibre, and the hair colour unmixed from the blurred strands is uncertain (it may read too close to the skin's colour, or beyond the fibre's); photograph closer", widthOrigPx, blurOrigPx)
	}
	return fmt.Sprintf("hair fibres are about %.1f px wide: too thin for a pixel to show pure fibre, so the hair colour may read too close to the skin's (too light for dark hair); photograph closer (or include the card, whose edges measure the blur)", widthOrigPx)
}

// Fibres whose blurred profile's area over peak is under trustObsWidthPx
// (photo pixels, blur included) show no pure fibre and may read too light
// (on our renders, fibres of 4 px under blur σ 1.5 px read 6 ΔE00 off);
// below minObsWidthPx they cannot be read at all.
const (
	minObsWidthPx   = 1.5
	trustObsWidthPx = 5.0
)

// hairSpread is the share of the region's tiles that hold some hair.
func (m *measurer) hairSpread() float64 {
	ts := m.o.TilePx
	tw, th := (m.w+ts-1)/ts, (m.h+ts-1)/ts
	regN := make([]int, tw*th)
	hairN := make([]int, tw*th)
	for y := 0; y < m.h; y++ {
		for x := 0; x < m.w; x++ {
			i := y*m.w + x
			t := (y/ts)*tw + x/ts
			if m.reg[i] || m.hair[i] {
				regN[t]++
			}
			if m.hair[i] {
				hairN[t]++
			}
		}
	}
	var tiles, withHair int
	for t := range regN {
		if regN[t]*2 >= ts*ts {
			tiles++
			if hairN[t]*100 >= regN[t] {
				withHair++
			}
		}
	}
	if tiles == 0 {
		return 0
	}
	return float64(withHair) / float64(tiles)
}

// A solid area of full cover at least 2·thickCoreWidths observed fibre
// widths across is no strand's core (findEnds): fibres lying side by side
// rarely make one, a surface does. The radius is kept within
// minThickRadiusPx–maxThickRadiusPx: a width read from few or odd profiles
// (real photos have given 40–190 px) must neither make every core a
// surface nor ask OpenCV for an opening hundreds of pixels wide.
const (
	thickCoreWidths  = 2.0
	minThickRadiusPx = 3.0
	maxThickRadiusPx = 16.0
)

// blockPx is the side of the blocks whose means give the fibre's
// direction: a few JPEG chroma blocks (2 px of the photo) and blur widths.
const blockPx = 6

// blockDirection is the principal direction, in XYZ, of the means of the
// blockPx-square blocks that lie wholly in the region and touch the
// strands' surroundings (near), shine and off-line pixels left out.
func blockDirection(in endsInput, xyz, shade []float32, near []bool, line endsLine, b int) ([3]float64, bool) {
	var means [][3]float64
	for by := 0; by+b <= in.h; by += b {
		for bx := 0; bx+b <= in.w; bx += b {
			var sum [3]float64
			n, touch, bad := 0, false, false
			for y := by; y < by+b && !bad; y++ {
				for x := bx; x < bx+b; x++ {
					i := y*in.w + x
					if !in.reg[i] {
						bad = true
						break
					}
					s := float64(shade[i])
					p := [3]float64{float64(xyz[3*i]) / s, float64(xyz[3*i+1]) / s, float64(xyz[3*i+2]) / s}
					if !line.onLine(p) {
						bad = true
						break
					}
					touch = touch || near[i]
					sum = add3(sum, p)
					n++
				}
			}
			if bad || !touch || n == 0 {
				continue
			}
			means = append(means, scale3(sum, 1/float64(n)))
		}
	}
	if len(means) < 20 {
		return [3]float64{}, false
	}
	_, e := principal(means)
	return e, true
}

// profileQuantile: the profiles up to this quantile of area over peak are
// taken as single fibres (their median gives w / α_peak).
const profileQuantile = 0.4

// minProfiles is how many isolated strand profiles fix the width.
const minProfiles = 50

// strandRadius is how far, in pixels, a strand's profile is read on each
// side of its peak under blur σ: 3σ + 3, at most 8.
func strandRadius(blur float64) int {
	return min(int(math.Ceil(3*blur+3)), 8)
}

// strandWindowPx is the widest strand, in pixels, whose profile falls to
// skin on both sides within the window strandProfiles reads: a hair mask
// wider than that is a mass of fibres (or not hair), not one strand.
func strandWindowPx(blur float64) float64 {
	return float64(2*strandRadius(blur) + 1)
}

// profileStats summarises the profiles across isolated strands.
type profileStats struct {
	n            int
	areaOverPeak float64 // median ∫cover dx / peak cover, px
}

// strandProfiles samples the cover across isolated strands: at local
// maxima of cover ≥ ½ across the strand (the direction, of four, in which
// the profile is narrowest), whose profile falls to skin (cover below a
// fifth of the peak) on both sides within the window and does not rise
// again (no second strand). The window reaches 3σ + 3 px.
func strandProfiles(cover []float32, w, h int, blur float64) profileStats {
	rad := strandRadius(blur)
	dirs := [4][2]int{{1, 0}, {0, 1}, {1, 1}, {1, -1}}
	var aop []float32
	step := 1
	// Whole-image sampling at most about 400k candidate pixels.
	if n := w * h; n > 400000 {
		step = n/400000 | 1
	}
	at := func(x, y int) (float64, bool) {
		if x < 0 || y < 0 || x >= w || y >= h {
			return 0, false
		}
		v := float64(cover[y*w+x])
		return v, !math.IsNaN(v)
	}
	for i := 0; i < w*h; i += step {
		c := float64(cover[i])
		if !(c >= 0.5) {
			continue
		}
		x, y := i%w, i/w
		best := math.Inf(1)
		for _, d := range dirs {
			a0, ok0 := at(x-d[0], y-d[1])
			a1, ok1 := at(x+d[0], y+d[1])
			if !ok0 || !ok1 || a0 > c || a1 > c {
				continue
			}
			sum := c
			ok := true
			// The skin beside the strand: the outermost two samples on
			// each side. The local skin is seldom exactly the skin end
			// (light left over from the fit, mottling); its level is
			// taken off the profile, as a baseline.
			var base float64
			nb := 0
			for _, sgn := range [2]int{-1, 1} {
				for k := rad - 1; k <= rad; k++ {
					if v, good := at(x+sgn*k*d[0], y+sgn*k*d[1]); good {
						base += v
						nb++
					}
				}
			}
			if nb < 4 {
				continue
			}
			base /= float64(nb)
			for _, sgn := range [2]int{-1, 1} {
				prev := c
				fell := false
				for k := 1; k <= rad; k++ {
					v, good := at(x+sgn*k*d[0], y+sgn*k*d[1])
					if !good || v > prev+0.1*c {
						ok = false
						break
					}
					if v < 0.2*c {
						fell = true
					}
					if fell && v > 0.25*c {
						ok = false
						break
					}
					sum += v
					prev = math.Min(prev, v)
				}
				if !ok || !fell {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			l := math.Hypot(float64(d[0]), float64(d[1]))
			if c-base < 0.5*c {
				continue
			}
			if a := (sum - float64(2*rad+1)*base) * l / (c - base); a < best {
				best = a
			}
		}
		if !math.IsInf(best, 1) {
			aop = append(aop, float32(best))
		}
	}
	if len(aop) == 0 {
		return profileStats{}
	}
	// Crossings, clumps and neighbours lying alongside only widen a
	// profile: single fibres are the narrow part of the distribution.
	lim := quantile(append([]float32(nil), aop...), profileQuantile)
	var narrow []float32
	for _, v := range aop {
		if float64(v) <= lim {
			narrow = append(narrow, v)
		}
	}
	return profileStats{n: len(aop), areaOverPeak: quantile(narrow, 0.5)}
}

// wideFibrePx is the widest fibre a whole-scalp photo usually shows, in
// photo pixels (the issue: 1.5–2.5 px; synthscalps up to 3.8 px).
const wideFibrePx = 4.0

// alphaPeakOf is the peak cover erf(w / (2√2 σ)) of a bar w wide blurred
// by a Gaussian of σ (1 without blur).
func alphaPeakOf(w, sigma float64) float64 {
	if sigma <= 0 {
		return 1
	}
	return math.Erf(w / (2 * math.Sqrt2 * sigma))
}
