// Package recipe recommends SMP ink blends: given a client's hair and scalp
// colour and a palette, it finds the whole-part recipes of at most a few
// pigments plus diluent whose predicted healed colour (match/optics) is
// closest to the target, ranked by CIEDE2000.
//
// The search is exact: every recipe with at most MaxPigments pigments and at
// most MaxParts parts in total (diluent included) is considered, recipes
// that are multiples of a simpler one (2:2 = 1:1) are skipped, and recipes
// that are the same ink (1 Shade 1:1 = 1 Black + 1 diluent) are listed once.
// A recipe is only left unscored when a lower bound on its ΔE00 (its
// lightness difference alone, see lightnessBound) proves it cannot enter the
// top N; its lightness is bounded without predicting it from two facts of the
// optics: more diluent always heals lighter, and a mix's K/S lies between
// zero and the pointwise maximum of its pigments' (see extend and emit).
// Ranking is by ΔE00 plus PigmentCost per pigment beyond the first; ties are
// broken by fewer pigments, then fewer parts, then palette order, so the same
// input always gives the same answer.
//
// Every blend is also given in the bottles a practitioner has (MixInBottles:
// neat inks and water, whole parts, shade number, millilitres and drops), and
// ParseRecipe reads a recipe back as match prints it or as "black:1 water:8".
// The gamut warning says by how much, which way and which ink is missing.
package recipe

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/optics"
)

// TargetMode says which colour the healed dot should have.
type TargetMode string

// Target modes. Match is the default: the hair colour as shaved stubble
// reads on the scalp. Lighter and Darker are for softer or denser work.
// Explicit is set when the caller gives the target L*a*b* itself.
const (
	TargetLighter  TargetMode = "lighter"
	TargetMatch    TargetMode = "match"
	TargetDarker   TargetMode = "darker"
	TargetExplicit TargetMode = "lab"
)

// Stubble coverage: the fraction of a follicle-sized spot that the hair
// fills when a freshly shaved scalp is seen at conversational distance. The
// target colour is the hair in its follicle under the client's epidermis at
// this coverage, the rest being the client's dermis (optics.Skin.Stubble):
// the bluish 'shadow' of shaved scalps (DOMAIN.md, 'Skin and hair'), and what
// an SMP dot imitates. ESTIMATES: below 1 because the skin around and over a
// 60–100 µm shaft shows through, which is also why practitioners choose shades
// lighter than the hair. Lighter and darker move by about two dilution steps
// of a carbon-black line.
const (
	CoverageLighter = 0.70
	CoverageMatch   = 0.85
	CoverageDarker  = 0.95
)

// Coverage returns the stubble coverage of a mode; ok is false for
// TargetExplicit and unknown modes.
func (m TargetMode) Coverage() (float64, bool) {
	switch m {
	case TargetLighter:
		return CoverageLighter, true
	case TargetMatch, "":
		return CoverageMatch, true
	case TargetDarker:
		return CoverageDarker, true
	}
	return 0, false
}

// ParseTargetMode reads "lighter", "match" or "darker".
func ParseTargetMode(s string) (TargetMode, error) {
	m := TargetMode(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := m.Coverage(); !ok || m == "" {
		return "", fmt.Errorf("target %q: want lighter, match or darker", s)
	}
	return m, nil
}

// Search limits.
const (
	DefaultTop         = 3
	DefaultMaxPigments = 3
	DefaultMaxParts    = 10
	// MaxMaxPigments and MaxMaxParts bound the exhaustive search: with 4
	// pigments and 20 parts a 12-pigment palette has about 5 million
	// recipes, a few seconds of search.
	MaxMaxPigments = 4
	MaxMaxParts    = 20
)

// Options controls a recommendation. The zero value means: target Match,
// top 3, at most 3 pigments, at most 10 parts, the default healed model.
type Options struct {
	// Target chooses the target from hair and scalp; ignored if TargetLab
	// is set.
	Target TargetMode
	// TargetLab, if set, is the healed colour wanted, whatever the hair.
	TargetLab *colour.LabD50
	// Top is the number of blends to return.
	Top int
	// MaxPigments is the most pigments in one blend (diluent not counted).
	MaxPigments int
	// MaxParts is the most parts in one blend, diluent included.
	MaxParts int
	// Model is the healed-in-skin model; nil means optics.DefaultHealedModel.
	Model *optics.HealedModel
	// VolumeML and DropML size each blend's Bottles: the cup to mix
	// (0 means DefaultVolumeML) and one drop (0 means DefaultDropML).
	VolumeML, DropML float64
	// ModelSource names the file the Model came from, for the outputs.
	ModelSource *ModelSource
	// PigmentCost is the ΔE00 each pigment beyond the first must gain to
	// be ranked above a simpler blend; 0 means DefaultPigmentCost, a
	// negative value ranks by ΔE00 alone.
	PigmentCost float64
}

// DefaultPigmentCost: an extra pigment must buy at least 0.1 ΔE00, a tenth of
// a just-noticeable difference, to outrank a simpler blend. Without it, blends
// that differ by invisible thousandths of a ΔE00 are ranked by noise and the
// top of the list fills with fussy three-pigment recipes (DOMAIN.md: break
// ties by fewer pigments and simpler ratios).
const DefaultPigmentCost = 0.1

func (o Options) withDefaults() (Options, error) {
	if o.Top == 0 {
		o.Top = DefaultTop
	}
	if o.MaxPigments == 0 {
		o.MaxPigments = DefaultMaxPigments
	}
	if o.MaxParts == 0 {
		o.MaxParts = DefaultMaxParts
	}
	if o.Target == "" {
		o.Target = TargetMatch
	}
	switch {
	case o.PigmentCost == 0:
		o.PigmentCost = DefaultPigmentCost
	case o.PigmentCost < 0:
		o.PigmentCost = 0
	}
	var errs []error
	if o.Top < 1 {
		errs = append(errs, fmt.Errorf("top = %d: want at least 1 blend", o.Top))
	}
	if o.MaxPigments < 1 || o.MaxPigments > MaxMaxPigments {
		errs = append(errs, fmt.Errorf("max pigments = %d is outside 1..%d", o.MaxPigments, MaxMaxPigments))
	}
	if o.MaxParts < 1 || o.MaxParts > MaxMaxParts {
		errs = append(errs, fmt.Errorf("max parts = %d is outside 1..%d", o.MaxParts, MaxMaxParts))
	}
	if o.VolumeML < 0 || o.DropML < 0 || math.IsNaN(o.VolumeML) || math.IsNaN(o.DropML) || (o.DropML > 0 && o.VolumeML > 0 && o.DropML > o.VolumeML) {
		errs = append(errs, fmt.Errorf("volume %g ml, drop %g ml: want positive numbers, the drop no larger than the volume", o.VolumeML, o.DropML))
	}
	if o.TargetLab != nil {
		o.Target = TargetExplicit
		if !o.TargetLab.IsFinite() || o.TargetLab.L < 0 || o.TargetLab.L > 100 {
			errs = append(errs, fmt.Errorf("target L*a*b* %v: L* must be in 0..100", *o.TargetLab))
		}
	} else if _, ok := o.Target.Coverage(); !ok {
		errs = append(errs, fmt.Errorf("target %q: want lighter, match or darker", o.Target))
	}
	return o, errors.Join(errs...)
}

// Part is one pigment of a blend.
type Part struct {
	// Pigment is the pigment's ID in the palette.
	Pigment string `json:"pigment"`
	// Name is the pigment's name, for people.
	Name string `json:"name"`
	// Parts is how many parts of it go in.
	Parts int `json:"parts"`
}

// Blend is one recommended recipe and what it is predicted to heal to.
type Blend struct {
	// Parts lists the pigments in palette order.
	Parts []Part `json:"parts"`
	// DiluentParts is the parts of diluent.
	DiluentParts int `json:"diluent_parts"`
	// Recipe says it in words: "2 Warm Dark Brown + 1 SMP Black + 7 distilled water".
	Recipe string `json:"recipe"`
	// PredictedLab is the predicted healed colour under D50.
	PredictedLab colour.LabD50 `json:"predicted_lab"`
	// DE00 is the CIEDE2000 difference between PredictedLab and the target.
	DE00 float64 `json:"de00"`
	// HealedInA is the predicted healed colour under incandescent light
	// (illuminant A), as the adapted eye sees it (optics.LabUnderA).
	HealedInA colour.LabD50 `json:"healed_in_a"`
	// DE00InA is the difference to the target under illuminant A; when it
	// is much larger than DE00 the match is metameric and breaks in warm
	// light.
	DE00InA float64 `json:"de00_in_a"`
	// Bottles is the same recipe in neat inks and water, with the shade
	// number, millilitres and drops (see MixInBottles).
	Bottles *Bottles `json:"bottles,omitempty"`
	// Warnings say what a practitioner should know before using the blend;
	// empty (never null) when there is nothing.
	Warnings []string `json:"warnings"`
}

// ModelSource identifies a healed-model file: its path as given and the
// SHA-256 of its bytes, so a report says exactly which parameters were used.
type ModelSource struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// SearchStats describes the search that produced a result.
type SearchStats struct {
	// Recipes is the number of distinct whole-part recipes considered.
	Recipes int `json:"recipes"`
	// Scored is how many of them needed a full CIEDE2000; the rest were
	// excluded by the lightness bound.
	Scored int `json:"scored"`
	// Exact is true: the search is exhaustive over the recipes.
	Exact bool `json:"exact"`
}

// Result is the recommendation for one target. Its JSON form is the output
// contract of `smpmatch match --json`.
type Result struct {
	// TargetLab is the healed colour aimed at (D50).
	TargetLab colour.LabD50 `json:"target_lab"`
	// Target is the mode that chose it: lighter, match, darker or lab.
	Target TargetMode `json:"target"`
	// StubbleCoverage is the hair fraction used for the target (0 for an
	// explicit target).
	StubbleCoverage float64 `json:"stubble_coverage,omitempty"`
	// HairLab and ScalpLab are the inputs (HairLab is omitted when an
	// explicit target made it unnecessary).
	HairLab  *colour.LabD50 `json:"hair_lab,omitempty"`
	ScalpLab colour.LabD50  `json:"scalp_lab"`
	// Palette and PaletteVersion identify the palette searched.
	Palette        string `json:"palette"`
	PaletteVersion string `json:"palette_version"`
	// HealedModel is the version of the healed-in-skin parameters.
	HealedModel string `json:"healed_model"`
	// HealedModelFile names the file the parameters came from and its
	// SHA-256, when not the built-in model.
	HealedModelFile *ModelSource `json:"healed_model_file,omitempty"`
	// Gamut warns when even the best blend is far from the target: by how
	// much, which way (lighter, darker, hue) and which ink would be needed.
	Gamut string `json:"gamut,omitempty"`
	// Skin is the client's skin layers found from the scalp colour
	// (optics.SkinLayers): the epidermis' melanin and the dermis' blood.
	Skin *optics.SkinLayers `json:"skin,omitempty"`
	// Blends are the best blends, best first.
	Blends []Blend `json:"blends"`
	// Search describes the search.
	Search SearchStats `json:"search"`
}
