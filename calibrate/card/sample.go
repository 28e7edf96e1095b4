package card

import (
	"math"
	"sort"

	"github.com/smpmatch/smpmatch/calibrate/ccm"
	"gocv.io/x/gocv"
)

// Patch flags, as they appear in JSON.
const (
	// FlagClipped: a channel is at the sensor's or the encoder's limit for
	// part of the patch, so its value is not a measurement.
	FlagClipped = "clipped"
	// FlagNonuniform: the patch's inner area is not flat (glare, a shadow
	// edge, dirt): its spread is too large for one colour.
	FlagNonuniform = "nonuniform"
	// FlagOccluded: the patch's colour cannot be the reference colour under
	// any plausible correction: something covers it.
	FlagOccluded = "occluded"
	// FlagOutside: the patch lies (partly) outside the photo.
	FlagOutside = "outside"
	// FlagGlare: the black gap around the patch is lit well above the
	// chart's other gaps: a highlight reflected off the card's surface
	// adds light to the patch too, even where it is smooth enough to look
	// uniform.
	FlagGlare = "glare"
	// FlagShadowed: the patch reflects far less light than the rest of the
	// card for its colour: a shadow lies across the card.
	FlagShadowed = "shadowed"
)

// PatchSample is what was read from one patch of the photo.
type PatchSample struct {
	// RGB is the robust mean of the inner area, as encoded in the photo,
	// R, G, B in 0..1.
	RGB ccm.CameraRGB
	// Spread is the robust standard deviation of the inner area's pixels
	// (largest over channels), in the same 0..1 units.
	Spread float64
	// Pixels is how many pixels were read.
	Pixels int
	// Flags lists what is wrong with the patch, if anything.
	Flags []string
}

// Sampling constants.
const (
	// sampleInset is the fraction of the patch side sampled around its
	// centre: the inner 60% (36% of the area) keeps clear of the edges
	// even when the chart outline is off by a tenth of a patch.
	sampleInset = 0.6
	// maxSamplePixels bounds the pixels read per patch; larger patches
	// are read on a regular sub-grid.
	maxSamplePixels = 4096
	// clipHigh and clipLow mark pixels at the encoding's limits.
	clipHigh = 254.5 / 255
	clipLow  = 0.5 / 255
	// clippedFraction of a patch's pixels at a limit flags it.
	clippedFraction = 0.02
	// nonuniformSpread is the robust standard deviation (0..1 encoded)
	// above which a patch is not one colour. Sensor noise and JPEG on flat
	// patches stay below 0.02 on the real photos.
	nonuniformSpread = 0.05
	// outlierFraction: when more than this share of the inner area is
	// far from the patch's median (glare blob, shadow edge), the patch is
	// nonuniform even if the rest is flat.
	outlierFraction = 0.15
)

// Sample reads all 24 patches of a detected chart from the BGR photo.
func Sample(img gocv.Mat, h Homography) ([NumPatches]PatchSample, error) {
	var out [NumPatches]PatchSample
	pix, err := newBGR(img)
	if err != nil {
		return out, err
	}
	for i := 0; i < NumPatches; i++ {
		out[i] = samplePatch(pix, h, i)
	}
	flagGlare(pix, h, &out)
	return out, nil
}

// Glare constants.
const (
	// minGapPx: the gaps between patches are read only where they are at
	// least this wide in the photo; narrower ones are blurred into the
	// patches beside them.
	minGapPx = 3.0
	// glareLiftWhite and glareLiftFactor: a patch is under glare when the
	// linear light of its gap exceeds the chart's lower-quartile gap by
	// more than this fraction of white and by more than this factor of
	// that gap. The card's black body reflects about 1.4% (L* 12); a light
	// gradient or a shadow on the card changes that by a fraction of it,
	// glare adds a share of the light source's own brightness.
	glareLiftWhite  = 0.02
	glareLiftFactor = 1.0
	// gapPoints is how many points per side of the gap are read.
	gapPoints = 12
)

// flagGlare flags patches whose surrounding gap is lit far above the
// chart's darker gaps. Glare is additive, so the darker gaps are the ones
// without it.
func flagGlare(img bgr, h Homography, out *[NumPatches]PatchSample) {
	if MeanPitch(h)*(PatchPitch-PatchSize)/PatchPitch < minGapPx {
		return
	}
	var levels [NumPatches]float64
	var ok [NumPatches]bool
	var all []float64
	for i := range levels {
		levels[i], ok[i] = gapLevel(img, h, i)
		if ok[i] {
			all = append(all, levels[i])
		}
	}
	if len(all) < NumPatches/2 {
		return
	}
	sort.Float64s(all)
	ref := all[len(all)/4]
	for i := range levels {
		if ok[i] && levels[i]-ref > glareLiftWhite && levels[i]-ref > glareLiftFactor*ref {
			out[i].Flags = append(out[i].Flags, FlagGlare)
		}
	}
}

// gapLevel is the median linear light (sRGB-decoded mean of R, G, B) along
// the middle of the gap around patch i, and whether it lies in the photo.
func gapLevel(img bgr, h Homography, i int) (float64, bool) {
	c := PatchCentre(i)
	d := PatchPitch / 2 // the middle of the gap to the next patch
	var v []float64
	for side := 0; side < 4; side++ {
		for k := 0; k < gapPoints; k++ {
			t := -d + 2*d*(float64(k)+0.5)/gapPoints
			var q Point
			switch side {
			case 0:
				q = Point{c.X + t, c.Y - d}
			case 1:
				q = Point{c.X + d, c.Y + t}
			case 2:
				q = Point{c.X - t, c.Y + d}
			default:
				q = Point{c.X - d, c.Y - t}
			}
			p := h.Apply(q)
			x, y := int(math.Round(p.X)), int(math.Round(p.Y))
			if x < 0 || y < 0 || x >= img.w || y >= img.h {
				return 0, false
			}
			r, g, b := img.rgbAt(x, y)
			l := ccm.EncodingSRGB.Linearize(ccm.CameraRGB{R: r, G: g, B: b})
			v = append(v, (l[0]+l[1]+l[2])/3)
		}
	}
	return median(v), true
}

func samplePatch(img bgr, h Homography, i int) PatchSample {
	c := PatchCentre(i)
	half := sampleInset * PatchSize / 2
	// The sample area is a square in chart units: a quadrilateral in the
	// photo. Walk it on a grid in chart units so that every sample is
	// inside it whatever the perspective.
	corners := [4]Point{
		h.Apply(Point{c.X - half, c.Y - half}), h.Apply(Point{c.X + half, c.Y - half}),
		h.Apply(Point{c.X + half, c.Y + half}), h.Apply(Point{c.X - half, c.Y + half}),
	}
	side := math.Sqrt(polyArea(corners[:]))
	n := int(math.Ceil(side))
	if n*n > maxSamplePixels {
		n = int(math.Sqrt(maxSamplePixels))
	}
	if n < 2 {
		n = 2
	}
	var rs, gs, bs []float64
	outside := false
	for a := 0; a < n; a++ {
		for b := 0; b < n; b++ {
			u := c.X - half + (float64(a)+0.5)*2*half/float64(n)
			v := c.Y - half + (float64(b)+0.5)*2*half/float64(n)
			p := h.Apply(Point{u, v})
			x, y := int(math.Floor(p.X)), int(math.Floor(p.Y))
			if x < 0 || y < 0 || x >= img.w || y >= img.h {
				outside = true
				continue
			}
			r, g, bl := img.rgbAt(x, y)
			rs, gs, bs = append(rs, r), append(gs, g), append(bs, bl)
		}
	}
	var s PatchSample
	s.Pixels = len(rs)
	if outside {
		s.Flags = append(s.Flags, FlagOutside)
	}
	if len(rs) < 4 {
		return s
	}
	var clipped int
	for k := range rs {
		for _, v := range [3]float64{rs[k], gs[k], bs[k]} {
			if v >= clipHigh || v <= clipLow {
				clipped++
				break
			}
		}
	}
	mr, sr, or := robustMean(rs)
	mg, sg, og := robustMean(gs)
	mb, sb, ob := robustMean(bs)
	s.RGB = ccm.CameraRGB{R: mr, G: mg, B: mb}
	s.Spread = math.Max(sr, math.Max(sg, sb))
	if float64(clipped) > clippedFraction*float64(len(rs)) {
		s.Flags = append(s.Flags, FlagClipped)
	}
	if s.Spread > nonuniformSpread || math.Max(or, math.Max(og, ob)) > outlierFraction {
		s.Flags = append(s.Flags, FlagNonuniform)
	}
	return s
}

// robustMean returns the mean of the values within 3 robust standard
// deviations of the median, that robust standard deviation (from the median
// absolute deviation), and the fraction of values left out.
func robustMean(v []float64) (mean, sd, outFrac float64) {
	c := append([]float64(nil), v...)
	sort.Float64s(c)
	med := c[len(c)/2]
	dev := make([]float64, len(c))
	for i, x := range c {
		dev[i] = math.Abs(x - med)
	}
	sort.Float64s(dev)
	// 1.4826 makes the MAD a consistent estimator of a normal σ.
	sd = 1.4826 * dev[len(dev)/2]
	lim := math.Max(3*sd, 2.0/255)
	var sum float64
	var n int
	for _, x := range c {
		if math.Abs(x-med) <= lim {
			sum += x
			n++
		}
	}
	return sum / float64(n), sd, 1 - float64(n)/float64(len(c))
}
