// Package palettes holds pigment palettes: the inks a practitioner has on the
// shelf, as data. A palette is a versioned file, JSON or CSV, either built in
// (embedded from data/) or the user's own.
//
// Each pigment records what it is (carbon black, iron oxide, …), who makes
// it, and its colour as measured: the L*a*b* D50 of a masstone drawdown (an
// opaque layer of the neat ink) and optionally a reflectance spectrum. A
// dilution line is written as pigments that are dilutions of another one
// ("dilution_of", with "dilution" parts of diluent per part of the base, the
// way SMP shades are named); their colour follows from the base. The
// diluent (distilled water or the maker's diluent) is pigment-free. Every
// pigment states the source of its numbers: a manufacturer's swatch, a
// published measurement, or an honest "estimated".
//
// Parsing never stops at the first problem: it returns a *ValidationError
// listing every problem with its file, line and field, the way
// `smpmatch palettes check` prints them.
package palettes

import (
	"fmt"
	"math"
	"strings"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/optics"
)

// Palette is a named, versioned set of pigments and the diluent used with
// them.
type Palette struct {
	// Name identifies the palette, e.g. "smp-reference".
	Name string `json:"name"`
	// Version is the palette's own version, bumped when any number changes.
	Version string `json:"version"`
	// Description says what the palette is and where it comes from.
	Description string `json:"description,omitempty"`
	// Diluent is the pigment-free component recipes are diluted with.
	Diluent Diluent `json:"diluent"`
	// Pigments are in file order; recipes refer to them by ID.
	Pigments []Pigment `json:"pigments"`
	// File is where the palette was read from ("builtin:NAME" for an
	// embedded one); it prefixes every problem.
	File string `json:"-"`
}

// Diluent is the pigment-free component of a recipe.
type Diluent struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Source string `json:"source,omitempty"`
}

// DefaultDiluent is used when a palette names none: distilled water, the
// diluent most SMP practitioners use (DOMAIN.md, "Pigment in skin").
var DefaultDiluent = Diluent{ID: "diluent", Name: "distilled water"}

// Pigment is one ink of a palette.
type Pigment struct {
	// ID is the short, unique name recipes use (letters, digits, '-', '_',
	// '.').
	ID string `json:"id"`
	// Name is the ink's name as the practitioner knows it.
	Name string `json:"name"`
	// Maker and Line say who makes it and in which product line.
	Maker string `json:"maker,omitempty"`
	Line  string `json:"line,omitempty"`
	// Kind says what the pigment is; one of Kinds.
	Kind string `json:"kind"`
	// Lab is the L*a*b* D50 of a masstone drawdown of the ink; nil for a
	// dilution (its colour follows from its base) or when only a spectrum
	// was measured.
	Lab *colour.LabD50 `json:"lab,omitempty"`
	// Spectrum is the measured reflectance of the masstone, if any; it
	// takes precedence over Lab in the optics.
	Spectrum *Spectrum `json:"spectrum,omitempty"`
	// DilutionOf is the ID of the pigment this ink is a dilution of.
	DilutionOf string `json:"dilution_of,omitempty"`
	// Dilution is the parts of diluent per part of DilutionOf (SMP shade
	// numbering: 3 means 1:3).
	Dilution float64 `json:"dilution,omitempty"`
	// Source says where the numbers come from.
	Source string `json:"source"`
	// Notes is free text.
	Notes string `json:"notes,omitempty"`
	// SourceLine is the line of the file the pigment starts on (0 if not
	// from a file).
	SourceLine int `json:"-"`
}

// Spectrum is a measured reflectance: ascending wavelengths in nm and the
// reflectance factor (0..1) at each.
type Spectrum struct {
	NM          []float64 `json:"nm"`
	Reflectance []float64 `json:"reflectance"`
}

// Pigment kinds: what the colorant is. A "blend" is a maker's premix of
// several; the diluent kind marks the diluent row of a CSV file.
const (
	KindCarbonBlack     = "carbon black"
	KindIronOxide       = "iron oxide"
	KindIronOxideBlack  = "iron oxide black"
	KindOrganic         = "organic"
	KindTitaniumDioxide = "titanium dioxide"
	KindBlend           = "blend"
	KindOther           = "other"
	KindDiluent         = "diluent"
)

// Kinds lists the accepted pigment kinds.
var Kinds = []string{KindCarbonBlack, KindIronOxide, KindIronOxideBlack, KindOrganic, KindTitaniumDioxide, KindBlend, KindOther}

// Strength is the fraction of the base pigment in this ink: 1 for a neat
// ink, 1/(1+Dilution) for a dilution.
func (p *Pigment) Strength() float64 {
	if p.DilutionOf == "" {
		return 1
	}
	return 1 / (1 + p.Dilution)
}

// Pigment returns the pigment with the given ID.
func (p *Palette) Pigment(id string) (*Pigment, bool) {
	for i := range p.Pigments {
		if p.Pigments[i].ID == id {
			return &p.Pigments[i], true
		}
	}
	return nil, false
}

// Base follows DilutionOf to the neat pigment a pigment is made from (itself
// if it is neat).
func (p *Palette) Base(pg *Pigment) *Pigment {
	if pg.DilutionOf == "" {
		return pg
	}
	if b, ok := p.Pigment(pg.DilutionOf); ok {
		return b
	}
	return pg
}

// Problem is one thing wrong with a palette file.
type Problem struct {
	File string
	// Line is the 1-based line of the problem, 0 if it concerns the whole
	// file.
	Line int
	// Pigment is the ID of the pigment concerned, if any.
	Pigment string
	// Field is the JSON field or CSV column concerned, if any.
	Field string
	Msg   string
}

func (p Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "palette %s", p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, " line %d", p.Line)
	}
	if p.Pigment != "" {
		fmt.Fprintf(&b, " (%s)", p.Pigment)
	}
	if p.Field != "" {
		fmt.Fprintf(&b, " %s", p.Field)
	}
	return b.String() + ": " + p.Msg
}

// ValidationError lists every problem found in a palette.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].Error()
	}
	return fmt.Sprintf("%s (and %d more problems)", e.Problems[0].Error(), len(e.Problems)-1)
}

// Ranges a palette's numbers must lie in.
const (
	// maxAbsAB bounds a* and b*: no real surface colour reaches beyond
	// ±128 (the ICC 8-bit Lab encoding range).
	maxAbsAB = 128
	// maxDilution is the largest dilution accepted; SMP shades go up to
	// about 20:1 (DOMAIN.md), 100:1 leaves room for clinic practice.
	maxDilution = 100
	// Minimum wavelength range a spectrum must cover (see optics.Resample).
	minSpectrumNM = 400
	maxSpectrumNM = 700
)

// problems collects problems for one file.
type problems struct {
	file string
	list []Problem
}

func (ps *problems) add(line int, pigment, field, format string, a ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Pigment: pigment, Field: field, Msg: fmt.Sprintf(format, a...)})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps.list}
}

// Validate checks the whole palette: missing fields, ranges, duplicates and
// dangling dilutions. It returns a *ValidationError or nil.
func (p *Palette) Validate() error {
	ps := &problems{file: p.File}
	p.validate(ps, nil)
	return ps.err()
}

// fieldLines gives, per pigment index and field, the line to report; nil
// means use the pigment's SourceLine.
type fieldLines func(i int, field string) int

func (p *Palette) validate(ps *problems, lines fieldLines) {
	line := func(i int, field string) int {
		if lines != nil {
			if l := lines(i, field); l > 0 {
				return l
			}
		}
		return p.Pigments[i].SourceLine
	}
	if strings.TrimSpace(p.Name) == "" {
		ps.add(0, "", "name", "the palette has no name")
	}
	if len(p.Pigments) == 0 {
		ps.add(0, "", "pigments", "the palette has no pigments")
	}
	ids := map[string]int{}
	names := map[string]int{}
	// Pigment(id) for every dilution would be quadratic in the palette's
	// size: index the ids once (the first of duplicates, as Pigment finds).
	byID := make(map[string]int, len(p.Pigments))
	for i := len(p.Pigments) - 1; i >= 0; i-- {
		byID[p.Pigments[i].ID] = i
	}
	for i := range p.Pigments {
		pg := &p.Pigments[i]
		id := pg.ID
		switch {
		case id == "":
			ps.add(line(i, "id"), "", "id", "missing: every pigment needs an id")
		case !validID(id):
			ps.add(line(i, "id"), id, "id", "%q may only contain letters, digits, '-', '_' and '.'", id)
		}
		if id != "" && strings.EqualFold(id, p.Diluent.ID) {
			ps.add(line(i, "id"), id, "id", "%q is the diluent's id: recipes could not tell them apart", id)
		}
		if id != "" {
			key := strings.ToLower(id)
			if first, dup := ids[key]; dup {
				ps.add(line(i, "id"), id, "id", "duplicate id: already used on line %d", p.Pigments[first].SourceLine)
			} else {
				ids[key] = i
			}
		}
		if strings.TrimSpace(pg.Name) == "" {
			ps.add(line(i, "name"), id, "name", "missing: every pigment needs a name")
		} else {
			key := strings.ToLower(strings.TrimSpace(pg.Name))
			if first, dup := names[key]; dup {
				ps.add(line(i, "name"), id, "name", "duplicate name %q: already used on line %d", pg.Name, p.Pigments[first].SourceLine)
			} else {
				names[key] = i
			}
		}
		if pg.Kind == "" {
			ps.add(line(i, "kind"), id, "kind", "missing: say what the pigment is (%s)", strings.Join(Kinds, ", "))
		} else if !knownKind(pg.Kind) {
			ps.add(line(i, "kind"), id, "kind", "%q is not a known kind (%s)", pg.Kind, strings.Join(Kinds, ", "))
		}
		if strings.TrimSpace(pg.Source) == "" {
			ps.add(line(i, "source"), id, "source", "missing: state where the numbers come from (maker's swatch, a publication, or 'estimated')")
		}
		if pg.Lab != nil {
			validateLab(ps, line(i, "lab"), id, *pg.Lab, pg.Spectrum == nil)
		}
		if pg.Spectrum != nil {
			validateSpectrum(ps, line(i, "spectrum"), id, pg.Spectrum)
		}
		if pg.DilutionOf == "" {
			if pg.Dilution != 0 {
				ps.add(line(i, "dilution"), id, "dilution", "dilution %g given without dilution_of: say which pigment is diluted", pg.Dilution)
			}
			if pg.Lab == nil && pg.Spectrum == nil {
				ps.add(line(i, "lab"), id, "lab", "missing: a neat pigment needs its measured L*a*b* or a spectrum")
			}
		} else {
			if math.IsNaN(pg.Dilution) || pg.Dilution < 0 || pg.Dilution > maxDilution {
				ps.add(line(i, "dilution"), id, "dilution", "%g is outside 0..%d parts of diluent per part of pigment", pg.Dilution, maxDilution)
			}
			j, ok := byID[pg.DilutionOf]
			var base *Pigment
			if ok {
				base = &p.Pigments[j]
			}
			switch {
			case !ok:
				ps.add(line(i, "dilution_of"), id, "dilution_of", "%q is not a pigment of this palette", pg.DilutionOf)
			case base == pg:
				ps.add(line(i, "dilution_of"), id, "dilution_of", "a pigment cannot be a dilution of itself")
			case base.DilutionOf != "":
				ps.add(line(i, "dilution_of"), id, "dilution_of", "%q is itself a dilution: refer to the neat pigment %q with the combined dilution", pg.DilutionOf, base.DilutionOf)
			}
		}
	}
}

// validateLab checks a pigment's colour. When the colour is all there is
// (no spectrum), it must also be one a surface can have: recipes recover a
// smooth reflectance spectrum for it (match/optics), and a colour none has
// (L*a*b* 50, 128, −128) used to pass `palettes check` and fail `match`.
// The same check, with the same message, now refuses it in both.
func validateLab(ps *problems, line int, id string, c colour.LabD50, recover bool) {
	if !c.IsFinite() {
		ps.add(line, id, "lab", "L*a*b* must be finite numbers")
		return
	}
	bad := false
	if c.L < 0 || c.L > 100 {
		ps.add(line, id, "lab", "L* = %g is outside 0..100", c.L)
		bad = true
	}
	if math.Abs(c.A) > maxAbsAB {
		ps.add(line, id, "lab", "a* = %g is outside -%d..%d", c.A, maxAbsAB, maxAbsAB)
		bad = true
	}
	if math.Abs(c.B) > maxAbsAB {
		ps.add(line, id, "lab", "b* = %g is outside -%d..%d", c.B, maxAbsAB, maxAbsAB)
		bad = true
	}
	if recover && !bad {
		if _, err := optics.Recover(c); err != nil {
			ps.add(line, id, "lab", "%v", err)
		}
	}
}

func validateSpectrum(ps *problems, line int, id string, s *Spectrum) {
	if len(s.NM) != len(s.Reflectance) {
		ps.add(line, id, "spectrum", "%d wavelengths but %d reflectance values", len(s.NM), len(s.Reflectance))
		return
	}
	if len(s.NM) < 2 {
		ps.add(line, id, "spectrum", "needs at least 2 samples covering %d–%d nm", minSpectrumNM, maxSpectrumNM)
		return
	}
	for j := range s.NM {
		if j > 0 && !(s.NM[j] > s.NM[j-1]) {
			ps.add(line, id, "spectrum", "wavelengths must ascend: %g nm follows %g nm", s.NM[j], s.NM[j-1])
			return
		}
		if r := s.Reflectance[j]; math.IsNaN(r) || r < 0 || r > 1 {
			ps.add(line, id, "spectrum", "reflectance %g at %g nm is outside 0..1", r, s.NM[j])
			return
		}
	}
	if s.NM[0] > minSpectrumNM || s.NM[len(s.NM)-1] < maxSpectrumNM {
		ps.add(line, id, "spectrum", "covers %g–%g nm, needs at least %d–%d nm", s.NM[0], s.NM[len(s.NM)-1], minSpectrumNM, maxSpectrumNM)
	}
}

func validID(id string) bool {
	for _, r := range id {
		ok := r == '-' || r == '_' || r == '.' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return id != ""
}

func knownKind(k string) bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}
