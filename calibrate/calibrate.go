// Package calibrate turns photos of a ColorChecker Classic 24 into a colour
// correction: it finds the card (package card), reads its patches, decides
// how the photo's values relate to light, fits candidate models from camera
// RGB to CIE XYZ (package ccm), keeps the one with the lowest
// leave-one-patch-out CIEDE2000, and reports every patch's error honestly.
//
// A Session is the set of card photos taken with one camera under one light;
// its Profile corrects every other photo of that session (see Profile.Lab).
// All L*a*b* values are D50, 2° observer, against X-Rite's post-2014
// reference values.
package calibrate

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/ccm"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"gocv.io/x/gocv"
)

// CardType names the chart layout in results.
const CardType = "colorchecker-classic-24"

// CardResult describes the chart found in a photo.
type CardResult struct {
	Type string `json:"type"`
	// Corners in photo pixels (as displayed), in the order: next to patch 1
	// (dark skin), patch 6 (bluish green), patch 24 (black), patch 19
	// (white).
	Corners [4][2]float64 `json:"corners"`
	// PitchPx is the mean patch-to-patch distance in pixels.
	PitchPx float64 `json:"pitch_px"`
	// Mirrored is true for a mirror-imaged card (selfie camera).
	Mirrored bool `json:"mirrored"`
	// DetectScore is the detector's validation error (mean ΔE00 of the best
	// 18 patches under a plain 3×3 fit); absent for manual corners.
	DetectScore float64 `json:"detect_score,omitempty"`
	// Manual is true when the corners were given by the user.
	Manual bool `json:"manual,omitempty"`
}

// PatchResult is one patch's reading and error.
type PatchResult struct {
	Index  int           `json:"index"`
	Name   string        `json:"name"`
	RGB    [3]float64    `json:"rgb"`
	Spread float64       `json:"spread"`
	Lab    colour.LabD50 `json:"lab"`
	RefLab colour.LabD50 `json:"ref_lab"`
	// DE00 is the in-sample error: the patch under the session's model.
	DE00 float64 `json:"de00"`
	// LooDE00 is the cross-validated error: the patch under a model fitted
	// without it (only for patches used in the fit).
	LooDE00 *float64 `json:"loo_de00,omitempty"`
	Used    bool     `json:"used"`
	Flags   []string `json:"flags"`
}

// FitStats summarises a model's errors on the used patches.
type FitStats struct {
	MeanDE00    float64 `json:"mean_de00"`
	MaxDE00     float64 `json:"max_de00"`
	LooMeanDE00 float64 `json:"loo_mean_de00"`
	LooMaxDE00  float64 `json:"loo_max_de00"`
	// BaselineLooMeanDE00 is the same cross-validated error for a plain
	// least-squares 3×3 matrix on sRGB-decoded values: the textbook method,
	// reported so that the gain of ours is measured, not claimed.
	BaselineLooMeanDE00 float64 `json:"baseline_loo_mean_de00"`
	UsedPatches         int     `json:"used_patches"`
}

// Candidate is one model family's cross-validated score, with or without
// a tone curve undone first.
type Candidate struct {
	Model       ccm.Kind `json:"model"`
	ToneCurve   bool     `json:"tone_curve,omitempty"`
	LooMeanDE00 float64  `json:"loo_mean_de00"`
}

// PhotoResult is the calibration result of one photo: the JSON Lines
// contract of `smpmatch calibrate --json`.
type PhotoResult struct {
	Photo   string        `json:"photo"`
	OK      bool          `json:"ok"`
	Error   string        `json:"error,omitempty"`
	Card    *CardResult   `json:"card,omitempty"`
	Patches []PatchResult `json:"patches,omitempty"`
	Model   ccm.Kind      `json:"model,omitempty"`
	Fit     *FitStats     `json:"fit,omitempty"`
	// Encoding is the photo's tone encoding as judged from its grey row.
	Encoding ccm.Encoding `json:"encoding,omitempty"`
	// ToneCurve is the tone curve measured on the neutral patches and
	// undone before the model (absent when the decoding alone did best).
	ToneCurve *ccm.Tone `json:"tone_curve,omitempty"`
	// Candidates lists every model family tried, with its LOO error.
	Candidates []Candidate `json:"candidates,omitempty"`
}

// Reading is a card found in a photo and its patches read; the input of a
// fit. Keep it to annotate the photo afterwards.
type Reading struct {
	Photo     string
	Detection card.Detection
	Manual    bool
	Samples   [card.NumPatches]card.PatchSample
}

// ReadOptions control how a card is found.
type ReadOptions struct {
	Detect card.DetectOptions
	// Corners, when set, skip detection: the chart corners in photo pixels
	// in smpmatch's order.
	Corners *card.Corners
}

// Read finds the card in a decoded BGR photo and samples its patches.
func Read(photo string, img gocv.Mat, opt ReadOptions) (Reading, error) {
	r := Reading{Photo: photo}
	if opt.Corners != nil {
		h, err := card.FitHomography(card.ChartCorners[:], opt.Corners[:])
		if err != nil {
			return r, fmt.Errorf("manual card corners: %w", err)
		}
		r.Detection = card.Detection{H: h, Corners: *opt.Corners}
		r.Detection.PitchPx = card.MeanPitch(h)
		r.Manual = true
	} else {
		d, err := card.Detect(img, opt.Detect)
		if err != nil {
			return r, err
		}
		r.Detection = d
	}
	s, err := card.Sample(img, r.Detection.H)
	if err != nil {
		return r, fmt.Errorf("sampling patches: %w", err)
	}
	r.Samples = s
	return r, nil
}

// Fit thresholds.
const (
	// MinSessionPatches: Fit refuses a session with fewer usable patches
	// (FitWith can go down to MinPatchesInFrame); the occlusion check
	// needs this many to find the agreeing two thirds among, and is not
	// made on fewer.
	MinSessionPatches = 12
	// occludedMinDE00 and occludedFactor decide that a patch is covered by
	// something: its cross-validated error exceeds both this absolute
	// level and this multiple of the median patch's.
	occludedMinDE00 = 12.0
	occludedFactor  = 4.0
	// shadowedRatio: a patch reflecting less than this fraction of the
	// light the agreeing patches reflect (each relative to its reference),
	// and right again once relit, lies in a shadow. Shadows cast by a
	// person or a wall pass 25–60% of the light (skylight); light
	// gradients and vignetting across a usable card stay within 25%, and
	// a flared, low-contrast photo (the plantcv seedhead photo of the
	// real-card test set) puts some patches at 0.5–0.65 of the rest: this
	// limit keeps those.
	shadowedRatio = 0.5
	// simplerWins: a simpler model is kept unless a more flexible one
	// lowers the cross-validated error by more than this fraction.
	simplerWins = 0.03
)

// ErrTooFewPatches means too many patches were clipped, glared, shadowed or
// covered.
var ErrTooFewPatches = errors.New("too few usable patches")

// Session is the result of fitting one profile to the readings of one or
// more card photos.
type Session struct {
	Profile *Profile
	Results []PhotoResult
}

// Fit fits one colour correction to the readings of a session's card
// photos and reports each photo's patches under it. It refuses a session
// with fewer than 12 usable patches: a profile corrects every photo of
// the shoot, and a card shot is cheap to re-take.
func Fit(readings []Reading) (*Session, error) { return FitWith(readings, FitOptions{}) }

// FitOptions adjusts Fit.
type FitOptions struct {
	// MinUsedPatches is the fewest usable patches to fit to: 0 for
	// Fit's MinSessionPatches, and never below MinPatchesInFrame.
	MinUsedPatches int
}

// MinPatchesInFrame is the fewest usable patches a fit can rest on: a
// 3×3 matrix's rows have 3 unknowns each, and leaving one patch out still
// leaves 7 equations for them; root-polynomial models (6 terms a row)
// need 12 in every leave-one-out fold and drop out below 13. measure uses
// it for a card in the photo itself, which cannot be re-taken once the
// client has left: the fit's cross-validated error, reported, says how far
// to trust it.
const MinPatchesInFrame = 8

// FitWith is Fit with options.
func FitWith(readings []Reading, opt FitOptions) (*Session, error) {
	need := opt.MinUsedPatches
	if need <= 0 {
		need = MinSessionPatches
	}
	need = max(need, MinPatchesInFrame)
	if len(readings) == 0 {
		return nil, errors.New("no card readings to fit")
	}
	type obs struct {
		photo, patch int
		rgb          ccm.CameraRGB
	}
	var all []obs
	used := make([][card.NumPatches]bool, len(readings))
	for p, r := range readings {
		for i, s := range r.Samples {
			if len(s.Flags) == 0 {
				used[p][i] = true
				all = append(all, obs{p, i, s.RGB})
			}
		}
	}
	// Tone encoding from the neutral patches of every photo.
	var green, refY []float64
	for _, o := range all {
		if card.Reference[o.patch].Neutral() {
			green = append(green, o.rgb.G)
			refY = append(refY, card.Reference[o.patch].Lab.XYZ().Y)
		}
	}
	enc, _, err := ccm.Linearity(green, refY)
	if err != nil {
		enc = ccm.EncodingSRGB
	}
	samples := func(keep func(o obs) bool) ([]ccm.Sample, []obs) {
		var s []ccm.Sample
		var os []obs
		for _, o := range all {
			if keep(o) {
				s = append(s, ccm.Sample{RGB: enc.Linearize(o.rgb), Ref: card.Reference[o.patch].Lab})
				os = append(os, o)
			}
		}
		return s, os
	}
	// occluded maps a patch left out by the fit to its flag.
	occluded := map[[2]int]string{}
	isUsed := func(o obs) bool { return occluded[[2]int{o.photo, o.patch}] == "" }

	// Find covered patches (a leaf, a finger, a sticker): under a 3×3
	// matrix fitted to the best-agreeing two thirds of the patches, their
	// error is far above the rest. Fitting to all first would let a large
	// cover drag the fit towards itself and hide.
	if s, os := samples(isUsed); len(s) >= MinSessionPatches {
		for k, flag := range coveredPatches(s) {
			if flag != "" {
				occluded[[2]int{os[k].photo, os[k].patch}] = flag
			}
		}
	}
	s, os := samples(isUsed)
	if len(s) < need {
		// Say why, by flag, so that the photographer knows what to fix.
		count := map[string]int{}
		for p, r := range readings {
			for i, smp := range r.Samples {
				for _, f := range smp.Flags {
					count[f]++
				}
				if f := occluded[[2]int{p, i}]; f != "" {
					count[f]++
				}
			}
		}
		var why []string
		for _, f := range []string{card.FlagClipped, card.FlagGlare, card.FlagNonuniform, card.FlagShadowed, card.FlagOccluded, card.FlagOutside} {
			if count[f] > 0 {
				why = append(why, fmt.Sprintf("%d %s", count[f], f))
			}
		}
		return nil, fmt.Errorf("%w: %d of %d patches are usable (flagged: %s); need %d: re-take the card photo in even light without glare, exposed so that the white patch is not clipped",
			ErrTooFewPatches, len(s), card.NumPatches*len(readings), strings.Join(why, ", "), need)
	}
	groups := os2groups(os, func(o obs) int { return o.patch })

	// Choose the model family, and whether to undo a tone curve measured
	// on the neutral patches first, by grouped leave-one-patch-out error:
	// the curve is refitted in every fold, so a neutral patch left out
	// does not shape the curve that judges it.
	neutral := make([]bool, len(os))
	for k, o := range os {
		neutral[k] = card.Reference[o.patch].Neutral()
	}
	// The candidates' leave-one-out fits are independent (each reads s,
	// neutral and groups only): they run side by side, and are gathered
	// in this order whichever finishes first.
	type trial struct {
		kind     ccm.Kind
		withTone bool
		loo      []float64
		err      error
	}
	var trials []trial
	for _, withTone := range []bool{false, true} {
		for _, k := range ccm.Kinds {
			trials = append(trials, trial{kind: k, withTone: withTone})
		}
	}
	var wg sync.WaitGroup
	for i := range trials {
		wg.Add(1)
		go func(t *trial) {
			defer wg.Done()
			t.loo, t.err = looGroupedTone(t.kind, t.withTone, s, neutral, groups)
		}(&trials[i])
	}
	wg.Wait()
	var cands []Candidate
	var loos [][]float64
	for _, t := range trials {
		if t.err != nil {
			continue
		}
		cands = append(cands, Candidate{Model: t.kind, ToneCurve: t.withTone, LooMeanDE00: ccm.Summarise(t.loo).Mean})
		loos = append(loos, t.loo)
	}
	// The best candidate, a simpler one winning near-ties; one whose
	// fitted model a profile loader would refuse (singular, greys out of
	// order) is passed over for the next.
	refused := make([]bool, len(cands))
	var tone *ccm.Tone
	var model ccm.Model
	var bestLOO []float64
	for {
		best := -1
		for c := range cands {
			if !refused[c] && (best < 0 || cands[c].LooMeanDE00 < cands[best].LooMeanDE00*(1-simplerWins)) {
				best = c
			}
		}
		if best < 0 {
			return nil, fmt.Errorf("%w: no model could be fitted to %d patches", ErrTooFewPatches, len(s))
		}
		fs := s
		tone = nil
		if cands[best].ToneCurve {
			t, err := fitTone(s, neutral)
			if err != nil {
				refused[best] = true
				continue
			}
			tone, fs = &t, applyTone(t, s)
		}
		m, err := ccm.Fit(cands[best].Model, fs)
		if err != nil || checkModelOnCard(m) != nil {
			refused[best] = true
			continue
		}
		model, bestLOO = m, loos[best]
		break
	}
	// The textbook baseline on the same patches.
	var plainS []ccm.Sample
	for _, o := range os {
		plainS = append(plainS, ccm.Sample{RGB: ccm.EncodingSRGB.Linearize(o.rgb), Ref: card.Reference[o.patch].Lab})
	}
	plainLOO, _ := looGroupedWith(ccm.FitPlain, plainS, groups)

	looOf := map[[2]int]float64{}
	plainOf := map[[2]int]float64{}
	for k, o := range os {
		looOf[[2]int{o.photo, o.patch}] = bestLOO[k]
		if plainLOO != nil {
			plainOf[[2]int{o.photo, o.patch}] = plainLOO[k]
		}
	}

	prof := &Profile{
		Schema:    ProfileSchema,
		Version:   ProfileVersion,
		Encoding:  enc,
		Tone:      tone,
		Model:     model,
		Reference: ReferenceName,
	}
	sess := &Session{Profile: prof}
	var allIn, allLoo, allPlain []float64
	for p, r := range readings {
		res := PhotoResult{Photo: r.Photo, OK: true, Model: model.Kind, Encoding: enc, ToneCurve: tone, Candidates: cands}
		res.Card = cardResult(r)
		var in, lo, pl []float64
		for i, smp := range r.Samples {
			ref := card.Reference[i]
			pr := PatchResult{
				Index: ref.Index, Name: ref.Name,
				RGB:    [3]float64{smp.RGB.R, smp.RGB.G, smp.RGB.B},
				Spread: smp.Spread,
				RefLab: ref.Lab,
				Flags:  append([]string{}, smp.Flags...),
			}
			key := [2]int{p, i}
			if f := occluded[key]; f != "" {
				pr.Flags = append(pr.Flags, f)
			}
			if smp.Pixels > 0 {
				pr.Lab = prof.Lab(smp.RGB)
				pr.DE00 = colour.DeltaE00(pr.Lab, ref.Lab)
			}
			if e, ok := looOf[key]; ok && used[p][i] {
				pr.Used = true
				e := e
				pr.LooDE00 = &e
				in = append(in, pr.DE00)
				lo = append(lo, e)
				if v, ok := plainOf[key]; ok {
					pl = append(pl, v)
				}
			}
			res.Patches = append(res.Patches, pr)
		}
		res.Fit = stats(in, lo, pl)
		if len(in) == 0 {
			res.OK = false
			res.Error = fmt.Sprintf("%s: %v: none of this photo's patches could be used (all clipped, glared, shadowed, covered or outside the photo)", r.Photo, ErrTooFewPatches)
		}
		allIn, allLoo, allPlain = append(allIn, in...), append(allLoo, lo...), append(allPlain, pl...)
		sess.Results = append(sess.Results, res)
		prof.Photos = append(prof.Photos, baseName(r.Photo))
	}
	prof.Fit = *stats(allIn, allLoo, allPlain)
	prof.Candidates = cands
	return sess, nil
}

func stats(in, loo, plain []float64) *FitStats {
	si, sl, sp := ccm.Summarise(in), ccm.Summarise(loo), ccm.Summarise(plain)
	return &FitStats{
		MeanDE00: round3(si.Mean), MaxDE00: round3(si.Max),
		LooMeanDE00: round3(sl.Mean), LooMaxDE00: round3(sl.Max),
		BaselineLooMeanDE00: round3(sp.Mean),
		UsedPatches:         len(in),
	}
}

func round3(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return math.Round(v*1000) / 1000
}

func cardResult(r Reading) *CardResult {
	c := &CardResult{Type: CardType, PitchPx: round3(r.Detection.PitchPx), Mirrored: r.Detection.Mirrored, Manual: r.Manual}
	if !r.Manual {
		c.DetectScore = round3(r.Detection.Score)
	}
	for k, p := range r.Detection.Corners {
		c.Corners[k] = [2]float64{math.Round(p.X*100) / 100, math.Round(p.Y*100) / 100}
	}
	return c
}

func os2groups[T any](os []T, key func(T) int) []int {
	g := make([]int, len(os))
	for i, o := range os {
		g[i] = key(o)
	}
	return g
}

// looGrouped is leave-one-group-out: every sample of a patch (one per photo)
// is left out together, so that the same patch seen in another photo of the
// session cannot vouch for itself.
func looGrouped(k ccm.Kind, s []ccm.Sample, group []int) ([]float64, error) {
	return looGroupedWith(func(t []ccm.Sample) (ccm.Model, error) { return ccm.Fit(k, t) }, s, group)
}

func looGroupedWith(fit func([]ccm.Sample) (ccm.Model, error), s []ccm.Sample, group []int) ([]float64, error) {
	ids := map[int]bool{}
	for _, g := range group {
		ids[g] = true
	}
	keys := make([]int, 0, len(ids))
	for g := range ids {
		keys = append(keys, g)
	}
	sort.Ints(keys)
	out := make([]float64, len(s))
	train := make([]ccm.Sample, 0, len(s))
	for _, g := range keys {
		train = train[:0]
		for i := range s {
			if group[i] != g {
				train = append(train, s[i])
			}
		}
		m, err := fit(train)
		if err != nil {
			return nil, err
		}
		for i := range s {
			if group[i] == g {
				out[i] = colour.DeltaE00(m.Lab(s[i].RGB), s[i].Ref)
			}
		}
	}
	return out, nil
}

// looGroupedTone is looGrouped with, when withTone, the tone curve fitted
// on the training fold's neutral patches and undone before the model.
func looGroupedTone(k ccm.Kind, withTone bool, s []ccm.Sample, neutral []bool, group []int) ([]float64, error) {
	if !withTone {
		return looGrouped(k, s, group)
	}
	out := make([]float64, len(s))
	done := map[int]bool{}
	for _, g := range group {
		if done[g] {
			continue
		}
		done[g] = true
		var train []ccm.Sample
		var trainN []bool
		for i := range s {
			if group[i] != g {
				train = append(train, s[i])
				trainN = append(trainN, neutral[i])
			}
		}
		t, err := fitTone(train, trainN)
		if err != nil {
			return nil, err
		}
		m, err := ccm.Fit(k, applyTone(t, train))
		if err != nil {
			return nil, err
		}
		for i := range s {
			if group[i] == g {
				out[i] = colour.DeltaE00(m.Lab(t.Apply(s[i].RGB)), s[i].Ref)
			}
		}
	}
	return out, nil
}

// fitTone fits the tone curve on the neutral samples.
func fitTone(s []ccm.Sample, neutral []bool) (ccm.Tone, error) {
	var lin [][3]float64
	var y []float64
	for i, smp := range s {
		if neutral[i] {
			lin = append(lin, smp.RGB)
			y = append(y, smp.Ref.XYZ().Y)
		}
	}
	return ccm.FitTone(lin, y)
}

// applyTone returns the samples with the tone curve undone.
func applyTone(t ccm.Tone, s []ccm.Sample) []ccm.Sample {
	out := make([]ccm.Sample, len(s))
	for i, smp := range s {
		out[i] = ccm.Sample{RGB: t.Apply(smp.RGB), Ref: smp.Ref}
	}
	return out
}

// coveredPatches flags samples whose colour no plausible correction maps to
// their reference. It fits a 3×3 matrix to the two thirds of the samples that
// agree best with the current fit, three times over, then calls a sample
// covered (card.FlagOccluded) when its error exceeds both occludedMinDE00 and
// occludedFactor times the median error of the agreeing samples, and
// shadowed (card.FlagShadowed) when the light it reflects, relative to its
// reference, is under shadowedRatio of the agreeing samples' median.
func coveredPatches(s []ccm.Sample) []string {
	out := make([]string, len(s))
	m, err := ccm.Fit(ccm.Matrix3x3, s)
	if err != nil {
		return out
	}
	keepN := max(MinSessionPatches, (2*len(s)+2)/3)
	var med float64
	for iter := 0; iter < 3; iter++ {
		e := m.Errors(s)
		idx := make([]int, len(s))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return e[idx[a]] < e[idx[b]] })
		keep := make([]ccm.Sample, 0, keepN)
		var ke []float64
		for _, i := range idx[:min(keepN, len(idx))] {
			keep = append(keep, s[i])
			ke = append(ke, e[i])
		}
		med = ccm.Summarise(ke).Median
		nm, err := ccm.Fit(ccm.Matrix3x3, keep)
		if err != nil {
			break
		}
		m = nm
	}
	e := m.Errors(s)
	var inl []float64
	for _, v := range e {
		inl = append(inl, v)
	}
	sort.Float64s(inl)
	med = ccm.Summarise(inl[:min(keepN, len(inl))]).Median
	// A shadow over part of the card keeps each patch's chromaticity but
	// scales its light: a 3×3 matrix cannot absorb that for part of the
	// card, and dark patches in shadow stay under the ΔE00 limit above.
	ratio := make([]float64, len(s))
	var agreeing []float64
	for i := range s {
		ratio[i] = m.XYZ(s[i].RGB).Y / s[i].Ref.XYZ().Y
		if e[i] <= inl[min(keepN, len(inl))-1] {
			agreeing = append(agreeing, ratio[i])
		}
	}
	typical := ccm.Summarise(agreeing).Median
	// relit is a sample's error once its light is brought back to the
	// typical level: small for a shadow, large for a finger or a sticker.
	relit := func(i int) float64 {
		x := m.XYZ(s[i].RGB)
		k := typical / ratio[i]
		return colour.DeltaE00(colour.XYZ{X: k * x.X, Y: k * x.Y, Z: k * x.Z}.LabD50(), s[i].Ref)
	}
	for i, v := range e {
		dark := ratio[i] < shadowedRatio*typical
		switch {
		case dark && relit(i) < occludedMinDE00/2:
			out[i] = card.FlagShadowed
		case v > occludedMinDE00 && v > occludedFactor*med:
			out[i] = card.FlagOccluded
		}
	}
	return out
}

// Unfitted reports a reading that could not be fitted: the card and the
// patches as read, so that a person can see why (ok is false).
func Unfitted(r Reading, err error) PhotoResult {
	res := PhotoResult{Photo: r.Photo, Error: err.Error(), Card: cardResult(r)}
	for i, smp := range r.Samples {
		ref := card.Reference[i]
		res.Patches = append(res.Patches, PatchResult{
			Index: ref.Index, Name: ref.Name,
			RGB:    [3]float64{smp.RGB.R, smp.RGB.G, smp.RGB.B},
			Spread: smp.Spread, RefLab: ref.Lab,
			Flags: append([]string{}, smp.Flags...),
		})
	}
	return res
}
