package healed

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/optics"
	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/palettes"
)

// PhotoMeasurer measures one colour in a photo: the bare scalp of a before
// photo, or the healed dots of a follow-up photo.
type PhotoMeasurer interface {
	MeasurePhoto(path string) (colour.LabD50, error)
}

// MeasurerFunc adapts a function to a PhotoMeasurer.
type MeasurerFunc func(path string) (colour.LabD50, error)

// MeasurePhoto calls f.
func (f MeasurerFunc) MeasurePhoto(path string) (colour.LabD50, error) { return f(path) }

// Measurers measure the photo columns of an observations file.
type Measurers struct {
	// Scalp measures before_photo: the scalp skin colour, as `smpmatch
	// measure` reports it.
	Scalp PhotoMeasurer
	// Dots measures followup_photo: the healed dots' colour, as `smpmatch
	// measure --dots` reports it. Nil refuses rows with follow-up photos.
	Dots PhotoMeasurer
}

// Observation is a row resolved against a palette, its photos measured.
type Observation struct {
	Row
	ScalpLab  colour.LabD50
	HealedLab colour.LabD50
	Parts     []recipe.Part
	Diluent   int
	Ink       optics.KSSpectrum
}

// Resolve reads each row's recipe in the palette and measures its photos
// (paths relative to dir, the observations file's folder). file names the
// file in messages. Every problem is collected into a *ParseError.
func Resolve(rows []Row, file, dir string, pal *palettes.Palette, rec *recipe.Recommender, m Measurers) ([]Observation, error) {
	var probs []Problem
	var out []Observation
	for _, r := range rows {
		o := Observation{Row: r}
		ok := true
		parts, dil, err := recipe.ParseRecipe(pal, r.Recipe)
		if err == nil {
			o.Ink, err = rec.Ink(parts, dil)
		}
		if err != nil {
			probs = append(probs, Problem{File: file, Line: r.Line, Column: "recipe", Msg: err.Error()})
			ok = false
		}
		o.Parts, o.Diluent = parts, dil
		measure := func(lab *colour.LabD50, photo, column string, pm PhotoMeasurer, what string) (colour.LabD50, bool) {
			if lab != nil {
				return *lab, true
			}
			if pm == nil {
				probs = append(probs, Problem{File: file, Line: r.Line, Column: column, Msg: fmt.Sprintf("measuring %s from a photo is not available here; give the colour as numbers", what)})
				return colour.LabD50{}, false
			}
			c, err := pm.MeasurePhoto(filepath.Join(dir, photo))
			if err != nil {
				probs = append(probs, Problem{File: file, Line: r.Line, Column: column, Msg: err.Error()})
				return c, false
			}
			return c, true
		}
		var ok1, ok2 bool
		o.ScalpLab, ok1 = measure(r.Scalp, r.BeforePhoto, "before_photo", m.Scalp, "the scalp")
		o.HealedLab, ok2 = measure(r.Healed, r.FollowupPhoto, "followup_photo", m.Dots, "healed dots (smpmatch measure --dots)")
		if ok && ok1 && ok2 {
			out = append(out, o)
		}
	}
	if len(probs) > 0 {
		return out, &ParseError{probs}
	}
	return out, nil
}

// ForOptics turns observations into what optics.Fit takes.
func ForOptics(obs []Observation) []optics.HealedObservation {
	out := make([]optics.HealedObservation, len(obs))
	for i, o := range obs {
		out[i] = optics.HealedObservation{Client: o.Client, Scalp: o.ScalpLab, Ink: o.Ink, Healed: o.HealedLab}
	}
	return out
}

// Fit refits model to the observations (optics.Fit) and names the result:
// the new version says it was fitted, and its sources say from what.
func Fit(model optics.HealedModel, obs []Observation, file string, opt optics.FitOptions) (optics.HealedModel, optics.CalibrationReport, error) {
	if len(obs) == 0 {
		return model, optics.CalibrationReport{}, fmt.Errorf("%s: no observations: %w", file, optics.ErrTooFewObservations)
	}
	fitted, rep, err := optics.Fit(model, ForOptics(obs), opt)
	if err != nil {
		return model, rep, fmt.Errorf("%s: %w", file, err)
	}
	src := map[string]string{}
	for k, v := range model.Sources {
		src[k] = v
	}
	for _, p := range rep.Fitted {
		src[p] = fmt.Sprintf("REFITTED from %d healed observations of %d clients in %s (smpmatch healed fit; RMS ΔE00 %.2f before, %.2f after, %.2f leaving one client out). Before: %s",
			rep.Observations, rep.Clients, filepath.Base(file), rep.RMSBefore, rep.RMSAfter, rep.RMSCrossValidated, model.Sources[p])
	}
	fitted.Sources = src
	return fitted, rep, nil
}

// IsTooFew reports whether err means the observations cannot support the fit.
func IsTooFew(err error) bool { return errors.Is(err, optics.ErrTooFewObservations) }
