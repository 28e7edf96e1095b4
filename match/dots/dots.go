package dots

import (
	"fmt"
	"image"
	"math"
	"strconv"
	"strings"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/smpmatch/smpmatch/match/segment"
	"gocv.io/x/gocv"
)

// DefaultWorkSide is the working resolution's long side for dots: larger
// than measure's, because a 0.3 mm dot must stay several pixels wide.
const DefaultWorkSide = 3000

// minCoreCoverage: below it (dots under about twice the blur) the dots'
// colour is flagged. Measured on renders: 0.87 reads 1.9 ΔE00 off, 0.49
// reads 26 off (README, Limits).
const minCoreCoverage = 0.75

// Card patch sizes (the side of one square patch), in millimetres, as
// PlantCV's detect_color_card gives them for scale (danforthcenter/plantcv,
// plantcv/transform/detect_color_card.py, card_types: CLASSIC 40 × 40,
// PASSPORT 12 × 12). The detector measures the patch pitch; in mcc's chart
// model (calibrate/card) a patch is 2.5 of a 2.75 pitch.
const (
	ClassicPatchMM  = 40.0
	PassportPatchMM = 12.0
)

// CardSizes names the card sizes Options.CardSize accepts.
var CardSizes = map[string]float64{
	"classic":  ClassicPatchMM,
	"passport": PassportPatchMM,
}

// Options control a dots measurement.
type Options struct {
	// Measure holds the calibration and region options shared with
	// `measure` (Profile, Uncalibrated, Read, ROI, ROIMask, WorkSide: 0
	// means DefaultWorkSide here).
	Measure measure.Options
	// CardSize says which card is in the photo, for scale: "classic"
	// (default), "passport", or a patch size in millimetres ("14.5") for
	// another card of the same layout (a Mini, a clone).
	CardSize string
	// MaxPixels refuses larger photos (MeasurePhoto; default
	// photo.DefaultMaxPixels).
	MaxPixels int
	// FullChroma says the photo keeps colour at full resolution (PNG):
	// otherwise it is taken as a phone JPEG, whose 4:2:0 chroma
	// subsampling blurs colour more than light. MeasurePhoto sets it from
	// the file's format.
	FullChroma bool
}

// Scale says how pixels became millimetres.
type Scale struct {
	// CardAssumed is the card whose size was assumed: "classic",
	// "passport" or "custom".
	CardAssumed string `json:"card_assumed"`
	// PatchMM is that card's patch side in millimetres.
	PatchMM float64 `json:"patch_mm"`
	// MMPerPx is millimetres per photo pixel, on the card's plane.
	MMPerPx float64 `json:"mm_per_px"`
}

// DotsResult describes the healed dots.
type DotsResult struct {
	// Found is true when at least one dot was counted.
	Found bool `json:"found"`
	// Lab is the dots' colour, L*a*b* D50: the median of the dots' own
	// colours, each unmixed from the skin around it in linear light.
	Lab colour.LabD50 `json:"lab"`
	// Spread is the median CIEDE2000 of the dots' colours to Lab.
	Spread float64 `json:"spread"`
	// Count is the number of dots wholly inside the photo (and the ROI),
	// on visible skin, not under the card.
	Count int `json:"count"`
	// DiameterPx is the median dot diameter in photo pixels, corrected
	// for blur; DiameterMM the same in millimetres (null without scale).
	DiameterPx float64  `json:"diameter_px"`
	DiameterMM *float64 `json:"diameter_mm"`
	// SpacingPx is the median distance from a dot to its nearest
	// neighbour, photo pixels; SpacingMM in millimetres (null without
	// scale).
	SpacingPx float64  `json:"spacing_px"`
	SpacingMM *float64 `json:"spacing_mm"`
	// DensityPerCM2 is Count over the area where a counted dot's centre
	// may lie (null without scale); AreaPx is that area in photo pixels.
	DensityPerCM2 *float64 `json:"density_per_cm2"`
	AreaPx        float64  `json:"area_px"`
	// BlurPx is the photo's blur (Gaussian σ, photo pixels) fitted to the
	// dots' profiles; CoreCoverage the median share of a dot's centre that
	// is dot rather than skin under that blur (1 = sharp).
	BlurPx       float64 `json:"blur_px"`
	CoreCoverage float64 `json:"core_coverage"`
}

// SkinResult describes the skin between the dots.
type SkinResult struct {
	Found       bool          `json:"found"`
	Lab         colour.LabD50 `json:"lab"`
	Spread      float64       `json:"spread"`
	ITADeg      float64       `json:"ita_deg"`
	ITACategory string        `json:"ita_category"`
}

// Result is one photo's dots measurement: the JSON contract of
// `measure --dots --json`.
type Result struct {
	Photo       string                `json:"photo"`
	OK          bool                  `json:"ok"`
	Error       string                `json:"error,omitempty"`
	Calibrated  bool                  `json:"calibrated"`
	Card        *calibrate.CardResult `json:"card"`
	Calibration *calibrate.FitStats   `json:"calibration,omitempty"`
	Correction  string                `json:"correction"`
	// Scale is null when the photo has no card (then no mm or cm²).
	Scale    *Scale           `json:"scale"`
	Dots     DotsResult       `json:"dots"`
	Skin     SkinResult       `json:"skin"`
	Contrast segment.Contrast `json:"contrast"`
	Warnings []string         `json:"warnings"`
	WorkSize [2]int           `json:"work_size,omitempty"`
}

// Artifacts are the pictures a dots measurement writes for people.
type Artifacts struct {
	// Corrected is the colour-corrected photo at the working resolution.
	Corrected *image.NRGBA
	// Mask outlines every counted dot in cyan and every dot found but not
	// counted (cut by the frame, under the card, off the skin) in orange,
	// over Corrected.
	Mask *image.NRGBA
}

// ParseCardSize reads a card size as Options.CardSize gives it: the card's
// name as results report it and its patch side in millimetres.
func ParseCardSize(s string) (string, float64, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		s = "classic"
	}
	if v, ok := CardSizes[s]; ok {
		return s, v, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0 && v < 100) {
		return "", 0, fmt.Errorf("card size %q: want classic, passport, or the patch side in mm (0–100)", s)
	}
	return "custom", v, nil
}

// MeasurePhoto decodes the photo at path (EXIF orientation applied) and
// measures its healed dots. Errors are for unusable input; the Result then
// carries them too, with OK false.
func MeasurePhoto(path string, opt Options) (Result, *Artifacts, error) {
	mp := opt.MaxPixels
	if mp <= 0 {
		mp = photo.DefaultMaxPixels
	}
	img, info, err := photo.Load(path, photo.Options{MaxPixels: mp})
	if err != nil {
		return Result{Photo: path, Error: err.Error(), Warnings: []string{}}, nil, err
	}
	defer img.Close()
	opt.FullChroma = info.Format != "jpeg"
	return Photo(path, img, opt)
}

// Photo measures the healed dots of a decoded BGR photo.
func Photo(path string, img gocv.Mat, opt Options) (Result, *Artifacts, error) {
	res := Result{Photo: path, Warnings: []string{}}
	fail := func(err error) (Result, *Artifacts, error) {
		res.OK = false
		res.Error = fmt.Sprintf("%s: %v", path, err)
		return res, nil, err
	}
	cardName, patch, err := ParseCardSize(opt.CardSize)
	if err != nil {
		return fail(err)
	}
	mo := opt.Measure
	if mo.WorkSide <= 0 {
		mo.WorkSide = DefaultWorkSide
	}
	if mo.ROIMask != nil && (mo.ROIMask.Bounds().Dx() != img.Cols() || mo.ROIMask.Bounds().Dy() != img.Rows()) {
		return fail(fmt.Errorf("the ROI mask is %dx%d, the photo %dx%d: they must match",
			mo.ROIMask.Bounds().Dx(), mo.ROIMask.Bounds().Dy(), img.Cols(), img.Rows()))
	}
	p, err := measure.Prepare(path, img, mo)
	res.Correction, res.Calibrated, res.Card, res.Calibration = p.Correction, p.Calibrated, p.Card, p.Calibration
	if err != nil {
		return fail(err)
	}
	res.WorkSize = [2]int{p.Lab.W, p.Lab.H}
	var pxPerMM float64 // working pixels per mm
	if p.CardPitchPx > 0 {
		mmPerPx := patch * card.PatchPitch / card.PatchSize / p.CardPitchPx
		res.Scale = &Scale{CardAssumed: cardName, PatchMM: patch, MMPerPx: mmPerPx}
		pxPerMM = p.Scale / mmPerPx
	}
	// Phone photos are JPEG with 4:2:0 chroma; at a reduced working size
	// its blur shrinks with the scale.
	chromaVar := jpegChromaVar * p.Scale * p.Scale
	if opt.FullChroma {
		chromaVar = 0
	}
	f, err := measureField(p.Lab, Region{ROI: p.ROI, Mask: p.Mask, Exclude: p.Exclude}, pxPerMM, chromaVar)
	if err != nil {
		return fail(fmt.Errorf("measuring dots: %w", err))
	}
	res.OK = true
	fill(&res, f, p.Scale)
	if !res.Calibrated {
		res.Warnings = append(res.Warnings, "uncalibrated: the photo was taken as sRGB; colours are not measurements")
	}
	if res.Scale == nil {
		res.Warnings = append(res.Warnings, "no card in the photo: sizes are in pixels only (no mm, no density per cm²)")
	}
	if res.Scale != nil && res.Dots.DiameterMM != nil && (*res.Dots.DiameterMM < 0.2 || *res.Dots.DiameterMM > 1.6) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("dots measure %.2f mm assuming a ColorChecker %s (%.0f mm patches): SMP dots are 0.3–1.2 mm; is it another card? (--card-size)",
			*res.Dots.DiameterMM, cardName, patch))
	}
	return res, &Artifacts{Corrected: p.Corrected, Mask: overlay(p.Corrected, f)}, nil
}

// fill converts a field (working pixels) into the result (photo pixels,
// millimetres).
func fill(res *Result, f *field, scale float64) {
	if len(f.counted) == 0 {
		res.Warnings = append(res.Warnings, "no healed dots found")
		return
	}
	d := &res.Dots
	d.Found = true
	d.Lab, d.Spread, d.Count = f.dot.Lab, f.dot.Spread, len(f.counted)
	d.DiameterPx = f.diameter / scale
	d.SpacingPx = f.spacing / scale
	d.AreaPx = f.area / (scale * scale)
	d.BlurPx = f.sigma / scale
	d.CoreCoverage = f.coverage
	res.Skin = SkinResult{Found: true, Lab: f.skin.Lab, Spread: f.skin.Spread,
		ITADeg: colour.ITA(f.skin.Lab), ITACategory: colour.ITACategory(colour.ITA(f.skin.Lab))}
	res.Contrast = contrast(d.Lab, res.Skin.Lab)
	if res.Scale != nil {
		mm := res.Scale.MMPerPx
		dia, sp := d.DiameterPx*mm, d.SpacingPx*mm
		d.DiameterMM, d.SpacingMM = &dia, &sp
		if d.AreaPx > 0 {
			den := float64(d.Count) / (d.AreaPx * mm * mm / 100)
			d.DensityPerCM2 = &den
		}
	}
	roundResult(res)
	if f.coverage < minCoreCoverage {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the dots are small against the blur (a dot's centre is %.0f%% dot): size and blur cannot be told apart, so their colour is not to be trusted; photograph closer or sharper", 100*f.coverage))
	}
}

// contrast is the dots minus the skin, as measure reports hair minus scalp.
func contrast(dot, skin colour.LabD50) segment.Contrast {
	dh := dot.HueDeg() - skin.HueDeg()
	for dh > 180 {
		dh -= 360
	}
	for dh < -180 {
		dh += 360
	}
	yd, ys := dot.XYZ().Y, skin.XYZ().Y
	return segment.Contrast{
		DE00:  colour.DeltaE00(dot, skin),
		DL:    dot.L - skin.L,
		DC:    dot.Chroma() - skin.Chroma(),
		DH:    dh,
		Ratio: (math.Max(yd, ys) + 0.05) / (math.Min(yd, ys) + 0.05),
	}
}

func r3(v float64) float64 { return math.Round(v*1000) / 1000 }

func r3p(v *float64) {
	if v != nil {
		*v = r3(*v)
	}
}

func r3lab(c colour.LabD50) colour.LabD50 {
	return colour.LabD50{L: r3(c.L), A: r3(c.A), B: r3(c.B)}
}

// roundResult rounds the reported numbers to three decimals, as the rest
// of smpmatch's JSON.
func roundResult(res *Result) {
	d := &res.Dots
	d.Lab, d.Spread = r3lab(d.Lab), r3(d.Spread)
	d.DiameterPx, d.SpacingPx, d.AreaPx, d.BlurPx, d.CoreCoverage = r3(d.DiameterPx), r3(d.SpacingPx), math.Round(d.AreaPx), r3(d.BlurPx), r3(d.CoreCoverage)
	r3p(d.DiameterMM)
	r3p(d.SpacingMM)
	r3p(d.DensityPerCM2)
	res.Skin.Lab, res.Skin.Spread, res.Skin.ITADeg = r3lab(res.Skin.Lab), r3(res.Skin.Spread), r3(res.Skin.ITADeg)
	c := &res.Contrast
	c.DE00, c.DL, c.DC, c.DH, c.Ratio = r3(c.DE00), r3(c.DL), r3(c.DC), r3(c.DH), r3(c.Ratio)
	if res.Scale != nil {
		res.Scale.MMPerPx = math.Round(res.Scale.MMPerPx*1e6) / 1e6
	}
}
