// Package measure is the pipeline behind `smpmatch measure`: decode a scalp
// photo, colour-correct it (with a session profile, or with the card found in
// the same photo), convert it to L*a*b* D50 at a working resolution, and
// measure hair and scalp with match/segment.
//
// Decisions, so that nobody has to guess:
//
//   - Working resolution: the photo is reduced (area averaging) to a long
//     side of WorkSide pixels (default 1600) before segmentation; pixel
//     coordinates in options (ROI, mask) are in the photo as displayed and
//     are scaled. The corrected image written for people is at the working
//     resolution.
//   - Correction order: profile if given; otherwise the card in the photo;
//     otherwise an error, unless Uncalibrated is set, in which case the
//     photo is taken as sRGB and the result says "calibrated": false.
//   - The card (its outline grown by a patch pitch, to cover the card's
//     border and the fingers holding it) is never measured as skin.
package measure

import (
	"errors"
	"fmt"
	"image"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/match/segment"
	"gocv.io/x/gocv"
)

// DefaultWorkSide is the working resolution's long side in pixels: fibres of
// shaved stubble stay a few pixels wide on a phone close-up, as
// match/segment needs.
const DefaultWorkSide = 1600

// MinPhotoSide is the smallest photo side measured: a scalp close-up in
// which fibres are a few pixels wide is hundreds of pixels across.
const MinPhotoSide = 64

// Options control a measurement.
type Options struct {
	// Profile corrects the photo; nil means use the card in the photo.
	Profile *calibrate.Profile
	// Uncalibrated allows measuring without profile or card, as sRGB.
	Uncalibrated bool
	// Read tunes the card search (or gives its corners).
	Read calibrate.ReadOptions
	// ROI restricts the scalp search to a rectangle of the photo (pixels).
	ROI image.Rectangle
	// ROIMask admits only photo pixels where it is > 0; it must have the
	// photo's size.
	ROIMask *image.Gray
	// WorkSide overrides DefaultWorkSide.
	WorkSide int
	// Segment tunes the segmentation (ROI, Mask and Exclude are set here).
	Segment segment.Options
	// Source is what photo.Load said about the photo (its format and how
	// its colour is stored). Without it (zero) the colour smear of a JPEG
	// is not known, and the hair's colour is read the older way (see
	// ChromaSmear).
	Source photo.Info
}

// codecChromaPx is the colour smear (Gaussian σ, photo pixels, beyond the
// lens) that a strand of hair sees in a JPEG, per unit of chroma
// subsampling (4:2:0: 2.5 px). The 2×2 average and the decoder's
// interpolation alone give σ ≈ 1 px, but the coarser quantisation of
// colour also drops the finer colour detail of a strand whose colour
// differs little from the skin's, which a card's strong edges keep (the
// card reads 1.3–4 px, lens included, on the 24 synthscalps). Measured on
// the synthscalps (another author's renderer and encoder, with a phone's
// colour smoothing), hair mean / median ΔE00 at 1, 2, 2.5 and 3 px: 2.78 /
// 2.61, 2.47 / 2.21, 2.36 / 1.95, 2.40 / 1.85; on our own renders (Go's
// encoder, no smoothing) 2–2.5 px read best too (hair 5.75, 5.66, 5.87 at
// 1.5, 2 and 2.5 px through the card). 2.5 px sits in the flat part of
// both; it is an assumption about codecs, named here, and the card's
// measurement overrides it when larger.
const codecChromaPx = 1.25

// ChromaSmear is how far the photo smears colour beyond its luminance's
// blur (Gaussian σ, photo pixels): the larger of what the card's patch
// edges show (colour blur over lens blur, when the card was read) and what
// the JPEG's storage implies (codecChromaPx per unit of subsampling). ok
// is false when neither is known (no card and no Source): then nothing is
// assumed.
func ChromaSmear(src photo.Info, lensPx, colourPx *float64) (float64, bool) {
	var smear float64
	known := false
	if lensPx != nil && colourPx != nil {
		smear = math.Sqrt(math.Max(0, *colourPx**colourPx-*lensPx**lensPx))
		known = true
	}
	if src.Format != "" {
		known = true
		s := max(src.ChromaSubsampling[0], src.ChromaSubsampling[1])
		if src.Format == "heif" && s == 0 {
			// HEIC photos are HEVC stills, whose profiles phones write
			// keep colour at half resolution (4:2:0).
			s = 2
		}
		if s > 1 {
			smear = math.Max(smear, codecChromaPx*float64(s))
		}
	}
	return smear, known
}

// Result is one photo's measurement: the JSON contract of `measure --json`.
type Result struct {
	Photo      string `json:"photo"`
	OK         bool   `json:"ok"`
	Error      string `json:"error,omitempty"`
	Calibrated bool   `json:"calibrated"`
	// Card is the card used for the correction, or null when a profile was
	// used (or nothing: uncalibrated).
	Card *calibrate.CardResult `json:"card"`
	// Calibration summarises the in-photo card's fit (absent with a
	// profile).
	Calibration *calibrate.FitStats `json:"calibration,omitempty"`
	// Correction says where the colours came from: "profile", "card" or
	// "none (assumed sRGB)".
	Correction string `json:"correction"`
	segment.Result
	// ChromaBlurPx is the colour blur σ (lens included) in pixels of the
	// photo, measured on the card's patch edges (absent without a card).
	ChromaBlurPx *float64 `json:"chroma_blur_px,omitempty"`
	// BlurPx is the lens blur σ in pixels of the photo, measured on the
	// card's patch edges in the same photo; absent without a card.
	BlurPx *float64 `json:"blur_px,omitempty"`
	// WorkSize is the working image's size in pixels [w, h].
	WorkSize [2]int `json:"work_size,omitempty"`
}

// Artifacts are the pictures a measurement can write for people.
type Artifacts struct {
	// Corrected is the colour-corrected photo at the working resolution,
	// as sRGB.
	Corrected *image.NRGBA
	// Overlay shows hair (magenta) and scalp (cyan) over Corrected.
	Overlay *image.NRGBA
}

// ErrNoCalibration means there was no profile, no card in the photo, and
// uncalibrated measurement was not allowed.
var ErrNoCalibration = errors.New("no colour calibration: give --profile, include the card in the photo, or pass --uncalibrated")

// Photo measures a decoded BGR photo. The error is for unusable input; a
// photo that is not a scalp gives a low-confidence Result with warnings.
func Photo(path string, img gocv.Mat, opt Options) (Result, *Artifacts, error) {
	res := Result{Photo: path}
	p, err := Prepare(path, img, opt)
	res.Correction, res.Calibrated, res.Card, res.Calibration = p.Correction, p.Calibrated, p.Card, p.Calibration
	res.BlurPx = p.BlurPx
	if err != nil {
		return res, nil, err
	}
	lab, corrected := p.Lab, p.Corrected
	res.WorkSize = [2]int{lab.W, lab.H}

	so := opt.Segment
	so.PhotoScale = p.Scale
	if res.BlurPx != nil {
		// The working image adds the area average of 1/scale photo pixels
		// (a box: variance (1/scale² − 1)/12 beyond the photo's own pixel).
		scale := p.Scale
		v := *res.BlurPx**res.BlurPx + (1/(scale*scale)-1)/12
		so.BlurPx = math.Sqrt(v) * scale
	}
	res.ChromaBlurPx = p.ChromaBlurPx
	if smear, ok := ChromaSmear(opt.Source, p.BlurPx, p.ChromaBlurPx); ok {
		so.ChromaSmearPx, so.ChromaKnown = smear*p.Scale, true
	}
	if !p.ROI.Empty() {
		so.ROI = p.ROI
	}
	if p.Mask != nil {
		so.Mask = p.Mask
	}
	so.Clipped = p.Clipped
	so.Exclude = append(so.Exclude, p.Exclude...)
	if p.CardPitchPx > 0 {
		// The card that calibrated the photo, its outline as it is (grown
		// by nothing) in working pixels: where it lies amid the skin the
		// colours are reported as lit like it (segment.Options.Card).
		so.Card = grownPolygon(p.CardCorners, 0, p.Scale)
	}
	seg, err := segment.Measure(lab, so)
	if err != nil {
		return res, nil, fmt.Errorf("measuring: %w", err)
	}
	res.Result = seg
	res.OK = true
	if !res.Calibrated {
		res.Warnings = append(res.Warnings, "uncalibrated: the photo was taken as sRGB; colours are not measurements")
	}
	if c := res.Calibration; c != nil && p.CardPitchPx > 0 && c.UsedPatches < calibrate.MinSessionPatches {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the card in the photo calibrates it on only %d of its 24 patches (the rest clipped, glared, shadowed or uneven; a session profile needs %d): its colours are as good as its cross-validated error, %.1f ΔE00 mean and %.1f at most; expose for the card's white patch just below clipping, without glare",
			c.UsedPatches, calibrate.MinSessionPatches, c.LooMeanDE00, c.LooMaxDE00))
	}
	art := &Artifacts{Corrected: corrected, Overlay: segment.Overlay(corrected, seg)}
	return res, art, nil
}

// reduce returns the photo at the working resolution (a new Mat the caller
// closes, except on error) and the scale factor.
func reduce(img gocv.Mat, side int) (gocv.Mat, float64, error) {
	if side <= 0 {
		side = DefaultWorkSide
	}
	if img.Empty() || img.Type() != gocv.MatTypeCV8UC3 {
		return gocv.Mat{}, 0, errors.New("measure: want a decoded 8-bit colour photo")
	}
	long := math.Max(float64(img.Cols()), float64(img.Rows()))
	s := math.Min(1, float64(side)/long)
	if s == 1 {
		return img.Clone(), 1, nil
	}
	out := gocv.NewMat()
	w := int(math.Round(float64(img.Cols()) * s))
	h := int(math.Round(float64(img.Rows()) * s))
	gocv.Resize(img, &out, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
	return out, s, nil
}

// toLab converts a BGR working image to L*a*b* through conv (of 8-bit
// camera R, G, B), and renders the corrected colours as sRGB for people.
// Camera values are 8-bit, so the conversion is tabulated per distinct
// colour.
func toLab(work gocv.Mat, conv func(r, g, b uint8) colour.LabD50) (*segment.LabImage, *image.NRGBA, error) {
	pix, err := work.DataPtrUint8()
	if err != nil {
		return nil, nil, fmt.Errorf("reading pixels: %w", err)
	}
	w, h := work.Cols(), work.Rows()
	lab := segment.NewLabImage(w, h)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	// Photos hold far fewer distinct colours than pixels: each distinct
	// 24-bit colour is converted once, in an open-addressed table (a Go
	// map's lookup was most of this loop's time). The table's keys are
	// gathered first, on one core; the distinct colours are then converted
	// side by side, a share of the table's slots per core, and the pixels
	// filled side by side, a band of rows per core, reading the finished
	// table. (One table per band converted a colour once per band: on a
	// 12-MP photo of dense stubble, half the conversions were repeats.)
	var tab colourTable
	tab.init(1 << 16)
	for i := 0; i+2 < len(pix); i += 3 {
		tab.add(uint32(pix[i+2])<<16 | uint32(pix[i+1])<<8 | uint32(pix[i]))
	}
	parts := max(1, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for k := 0; k < parts; k++ {
		wg.Add(1)
		go func(i0, i1 int) {
			defer wg.Done()
			for i := i0; i < i1; i++ {
				key := tab.keys[i]
				if key == 0 {
					continue
				}
				key--
				c := conv(uint8(key>>16), uint8(key>>8), uint8(key))
				if !c.IsFinite() {
					c = colour.LabD50{}
				}
				tab.vals[i] = colourEntry{lab: [3]float32{float32(c.L), float32(c.A), float32(c.B)}, rgb: c.SRGB8()}
			}
		}(k*len(tab.keys)/parts, (k+1)*len(tab.keys)/parts)
	}
	wg.Wait()
	bands := max(1, min(parts, h/64))
	for k := 0; k < bands; k++ {
		wg.Add(1)
		go func(y0, y1 int) {
			defer wg.Done()
			for y := y0; y < y1; y++ {
				for x := 0; x < w; x++ {
					o := 3 * (y*w + x)
					e := tab.vals[tab.slot(uint32(pix[o+2])<<16|uint32(pix[o+1])<<8|uint32(pix[o]))]
					copy(lab.Pix[o:o+3], e.lab[:])
					j := 4 * (y*w + x)
					out.Pix[j], out.Pix[j+1], out.Pix[j+2], out.Pix[j+3] = e.rgb[0], e.rgb[1], e.rgb[2], 255
				}
			}
		}(k*h/bands, (k+1)*h/bands)
	}
	wg.Wait()
	return lab, out, nil
}

// srgb8Lab takes 8-bit camera values as sRGB (an uncalibrated photo).
func srgb8Lab(r, g, b uint8) colour.LabD50 {
	return colour.SRGB{R: float64(r) / 255, G: float64(g) / 255, B: float64(b) / 255}.LabD50()
}

// colourEntry is a camera colour's conversion: L*a*b* and its sRGB.
type colourEntry struct {
	lab [3]float32
	rgb [3]uint8
}

// colourTable maps 24-bit colours to their conversion: open addressing
// with linear probing, kept at most half full. Keys are added first (add),
// their entries filled after (vals, at the slots the keys hold), and read by
// slot.
type colourTable struct {
	keys []uint32 // key + 1; 0 is an empty slot
	vals []colourEntry
	n    int
}

func (t *colourTable) init(size int) {
	t.keys, t.vals, t.n = make([]uint32, size), make([]colourEntry, size), 0
}

// slot returns the slot holding key, or the empty slot where it would go.
func (t *colourTable) slot(key uint32) uint32 {
	mask := uint32(len(t.keys) - 1)
	i := (key * 0x9E3779B1) >> 7 & mask
	for t.keys[i] != key+1 && t.keys[i] != 0 {
		i = (i + 1) & mask
	}
	return i
}

// add puts key in the table if it is not there.
func (t *colourTable) add(key uint32) {
	i := t.slot(key)
	if t.keys[i] != 0 {
		return
	}
	t.keys[i] = key + 1
	if t.n++; 2*t.n > len(t.keys) {
		keys := t.keys
		t.init(2 * len(keys))
		for _, k := range keys {
			if k != 0 {
				t.add(k - 1)
			}
		}
	}
}

func scaleRect(r image.Rectangle, s float64) image.Rectangle {
	return image.Rect(int(float64(r.Min.X)*s), int(float64(r.Min.Y)*s),
		int(math.Ceil(float64(r.Max.X)*s)), int(math.Ceil(float64(r.Max.Y)*s)))
}

func scaleMask(m *image.Gray, w, h int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	b := m.Bounds()
	for y := 0; y < h; y++ {
		my := b.Min.Y + y*b.Dy()/h
		for x := 0; x < w; x++ {
			mx := b.Min.X + x*b.Dx()/w
			out.Pix[y*out.Stride+x] = m.GrayAt(mx, my).Y
		}
	}
	return out
}

// grownPolygon is the card outline pushed out by a patch pitch from its
// centre, in working-image pixels: it covers the card's black border and
// the fingers that hold it.
func grownPolygon(c card.Corners, pitch, s float64) segment.Polygon {
	var cx, cy float64
	for _, p := range c {
		cx += p.X / 4
		cy += p.Y / 4
	}
	var poly segment.Polygon
	for _, p := range c {
		dx, dy := p.X-cx, p.Y-cy
		d := math.Hypot(dx, dy)
		k := 1.0
		if d > 0 {
			k = (d + 1.5*pitch) / d
		}
		poly = append(poly, image.Pt(int((cx+dx*k)*s), int((cy+dy*k)*s)))
	}
	return poly
}

// ParseRect reads a region of interest written "x,y,w,h" (whole pixels of
// the photo as displayed) into a rectangle with w, h > 0. The CLI's --roi
// and --region and the batch manifest's roi column all use it.
func ParseRect(s string) (image.Rectangle, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return image.Rectangle{}, fmt.Errorf("%q: want x,y,w,h (four whole numbers)", s)
	}
	var v [4]int
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 || n > 1<<20 {
			return image.Rectangle{}, fmt.Errorf("%q: %q is not a whole number of pixels in 0..1048576", s, strings.TrimSpace(p))
		}
		v[i] = n
	}
	if v[2] == 0 || v[3] == 0 {
		return image.Rectangle{}, fmt.Errorf("%q: width and height must be positive", s)
	}
	return image.Rect(v[0], v[1], v[0]+v[2], v[1]+v[3]), nil
}
