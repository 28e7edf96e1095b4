package optics

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// HealedModel holds the named parameters of the healed-in-skin model. A
// pigment in SMP sits in the dermis, under the epidermis. Skin is two layers
// (FitSkin finds them for each client from the measured scalp colour):
//
//  1. Epidermis: a Kubelka layer EpidermisThicknessUM thick whose absorption
//     is its melanin (melanosome volume fraction × 6.6·10¹¹·λ^−MelaninExponent
//     cm⁻¹, Jacques 2013) plus bloodless tissue, and whose scattering power
//     S·d is EpidermisScattering500·(λ/500)^−ScatteringExponent: the haze it
//     scatters back before light reaches the pigment.
//  2. Dermis: semi-infinite, absorbing by its blood (Prahl's haemoglobin
//     spectra at BloodOxygenSaturation) and scattering as skin does
//     (46·(λ/500)^−ScatteringExponent cm⁻¹, scaled per client).
//
// A healed dot is the client's dermis with the ink mixed in by single-
// constant Kubelka–Munk at EffectiveConcentration × the ink's
// concentrations, K/S_dot = K/S_dermis + φ·Σ cᵢ·K/Sᵢ, seen through the
// epidermis by Kubelka's formula R = Re + Te²·Rb/(1 − Re·Rb). The dermis is
// solved from the measured scalp under the client's own epidermis, so a
// zero-pigment "dot" is exactly the client's skin, and the target (the hair
// as stubble under the same epidermis) uses the same skin.
//
// The epidermis does what is known of tattoos: its haze, rising towards
// blue, makes healed dots lighter and bluer than the ink on light skin; its
// melanin absorbs both the haze and the light that reaches the pigment, so
// on dark skin the same ink heals with less contrast and less blue.
//
// EffectiveConcentration and EpidermisScattering500 are estimates (no public
// measurement of SMP pigment in scalp exists; DOMAIN.md "Pigment in skin");
// the rest are published figures. They ship as data in healed_model.json with
// the source of each; Fit refits them from a practitioner's healed dots.
type HealedModel struct {
	// Version names this set of parameters in reports.
	Version string `json:"version"`
	// EffectiveConcentration φ is the pigment load of the healed dermis
	// relative to the ink's masstone K/S (0 < φ ≤ 5; 1 = masstone strength).
	EffectiveConcentration float64 `json:"effective_concentration"`
	// EpidermisScattering500 is the Kubelka–Munk scattering power S·d
	// (dimensionless) of the tissue over the pigment at 500 nm (0..2).
	EpidermisScattering500 float64 `json:"epidermis_scattering_500"`
	// ScatteringExponent n: skin scattering ∝ λ^−n (both layers).
	ScatteringExponent float64 `json:"scattering_exponent"`
	// EpidermisThicknessUM is the epidermis' thickness in µm (20..200).
	EpidermisThicknessUM float64 `json:"epidermis_thickness_um"`
	// MelaninExponent m: melanin absorption ∝ λ^−m.
	MelaninExponent float64 `json:"melanin_exponent"`
	// BloodOxygenSaturation is the dermal blood's oxygen saturation (0..1).
	BloodOxygenSaturation float64 `json:"blood_oxygen_saturation"`
	// Sources says where each value comes from.
	Sources map[string]string `json:"sources,omitempty"`
}

// maxEffectiveConcentration bounds φ: masstone K/S is itself only known up
// to the drawdown's surface reflection, so φ may exceed 1, but a healed dot
// five times stronger than an opaque film of the ink is not physical.
const maxEffectiveConcentration = 5

// maxHazeFraction caps the epidermal haze at this fraction of the scalp's
// own reflectance: the haze is part of what the scalp reflects, so it can
// never exceed it.
const maxHazeFraction = 0.9

// exactSkinDE00: when the physical layers reproduce the measured scalp this
// closely, their spectrum stands for the scalp; otherwise the scalp's
// smooth recovered spectrum does and the dermis absorbs the difference.
const exactSkinDE00 = 1e-3

//go:embed healed_model.json
var defaultHealedModelJSON []byte

// DefaultHealedModel returns the shipped parameters.
func DefaultHealedModel() HealedModel {
	m, err := LoadHealedModel(bytes.NewReader(defaultHealedModelJSON))
	if err != nil {
		panic(fmt.Sprintf("optics: embedded healed_model.json: %v", err))
	}
	return m
}

// LoadHealedModel reads a HealedModel from JSON (the format of
// healed_model.json) and validates it.
func LoadHealedModel(r io.Reader) (HealedModel, error) {
	var m HealedModel
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("healed model: %w", err)
	}
	return m, m.Validate()
}

// Validate checks that every parameter is inside its physical range.
func (m HealedModel) Validate() error {
	var errs []error
	check := func(name string, v, lo, hi float64) {
		if math.IsNaN(v) || v < lo || v > hi {
			errs = append(errs, fmt.Errorf("healed model: %s = %g is outside %g..%g", name, v, lo, hi))
		}
	}
	check("effective_concentration", m.EffectiveConcentration, 1e-4, maxEffectiveConcentration)
	check("epidermis_scattering_500", m.EpidermisScattering500, 0, 2)
	check("scattering_exponent", m.ScatteringExponent, 0, 4)
	check("epidermis_thickness_um", m.EpidermisThicknessUM, 20, 200)
	check("melanin_exponent", m.MelaninExponent, 0, 6)
	check("blood_oxygen_saturation", m.BloodOxygenSaturation, 0, 1)
	return errors.Join(errs...)
}

// Skin is a HealedModel applied to one client's scalp: the epidermis and
// dermis it implies, ready to predict any number of healed dots.
type Skin struct {
	// Scalp is the client's scalp reflectance the dermis was solved from.
	Scalp ReflectanceSpectrum
	// Layers are the client's physical skin layers.
	Layers SkinLayers
	model  HealedModel
	// surface is the surface reflection, haze is Re(λ), trans2 is Te(λ)²,
	// dermis is K/S of the bare dermis.
	surface, haze, trans2 [GridLen]float64
	dermis                KSSpectrum
}

// Skin solves the layers of a client's scalp, given as a reflectance
// spectrum (measured, or recovered from its colour): the epidermis is the
// physical one FitSkin finds for the scalp's colour, and the dermis is what
// makes the two layers reproduce the spectrum exactly.
func (m HealedModel) Skin(scalp ReflectanceSpectrum) (*Skin, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := scalp.Validate(); err != nil {
		return nil, fmt.Errorf("scalp: %w", err)
	}
	o := newLayerOptics(m)
	layers, _, err := o.fit(scalp.LabD50())
	if err != nil {
		return nil, err
	}
	return o.skin(scalp, layers), nil
}

// SkinOf solves a client's skin from the measured scalp colour alone: the
// physical layers' own spectrum stands for the scalp when they reproduce
// its colour (the usual case), else the smooth spectrum Recover gives.
func (m HealedModel) SkinOf(scalp colour.LabD50) (*Skin, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if !scalp.IsFinite() {
		return nil, fmt.Errorf("scalp %v is not finite", scalp)
	}
	o := newLayerOptics(m)
	layers, spec, err := o.fit(scalp)
	if err != nil {
		return nil, err
	}
	if spec, err = scalpSpectrum(spec, layers, scalp); err != nil {
		return nil, err
	}
	return o.skin(spec, layers), nil
}

// scalpSpectrum is the spectrum that stands for a measured scalp: the
// physical layers' own when they reproduce its colour, else theirs nudged
// smoothly to it (correct), else the smooth spectrum Recover gives.
func scalpSpectrum(phys ReflectanceSpectrum, layers SkinLayers, scalp colour.LabD50) (ReflectanceSpectrum, error) {
	if layers.FitDE00 <= exactSkinDE00 {
		return phys, nil
	}
	if r, ok := correct(phys, scalp); ok {
		return r, nil
	}
	r, err := Recover(scalp)
	if err != nil {
		return r, fmt.Errorf("scalp: %w", err)
	}
	return r, nil
}

func (o *layerOptics) skin(scalp ReflectanceSpectrum, layers SkinLayers) *Skin {
	s := &Skin{Scalp: scalp, Layers: layers, model: o.m}
	for i := range scalp {
		re, te := o.epidermis(i, layers.MelaninFraction)
		// Under the surface reflection: body = (R − rs)/(1 − rs).
		s.surface[i] = math.Min(surfaceReflectance, maxHazeFraction*scalp[i])
		body := (scalp[i] - s.surface[i]) / (1 - s.surface[i])
		re = math.Min(re, maxHazeFraction*body)
		s.haze[i], s.trans2[i] = re, te*te
		// Solve body = Re + Te²·Rd/(1 − Re·Rd) for the dermis Rd.
		d := body - re
		rd := d / (s.trans2[i] + re*d)
		s.dermis[i] = ksOf(math.Min(rd, 1))
	}
	return s
}

// Model returns the parameters the skin was solved with.
func (s *Skin) Model() HealedModel { return s.model }

// Healed predicts the reflectance of a healed dot of an ink whose K/S (the
// concentration-weighted mix of its pigments, diluent included as lowered
// concentrations; see Mix) is ink.
func (s *Skin) Healed(ink KSSpectrum) ReflectanceSpectrum {
	var r ReflectanceSpectrum
	phi := s.model.EffectiveConcentration
	for i := range r {
		rb := reflectanceOf(s.dermis[i] + phi*ink[i])
		r[i] = s.surface[i] + (1-s.surface[i])*(s.haze[i]+s.trans2[i]*rb/(1-s.haze[i]*rb))
	}
	return r
}

// HealedXYZ is Healed(c·ink).XYZ(), the colour of a healed dot of ink
// diluted to concentration c, in one pass without intermediate copies: the
// recipe search calls it for every candidate recipe.
func (s *Skin) HealedXYZ(ink *KSSpectrum, c float64) colour.XYZ {
	var x, y, z float64
	phi := s.model.EffectiveConcentration * c
	for i := 0; i < GridLen; i++ {
		ks := s.dermis[i] + phi*ink[i]
		// With Rb = 1/D (D = 1 + K/S + √(…)), Kubelka's layer formula
		// Re + Te²·Rb/(1 − Re·Rb) is Re + Te²/(D − Re): one division.
		d := 1 + ks + math.Sqrt(ks*ks+2*ks)
		r := s.surface[i] + (1-s.surface[i])*(s.haze[i]+s.trans2[i]/(d-s.haze[i]))
		w := &weightsD50[i]
		x += r * w[0]
		y += r * w[1]
		z += r * w[2]
	}
	return colour.XYZ{X: x, Y: y, Z: z}
}

// Stubble is how a hair reads in its follicle on a freshly shaved scalp: the
// hair (reflectance hair) fills coverage of the dermis under the epidermis,
// the rest is the client's dermis, and the epidermis veils both, exactly as it
// veils a pigment dot. This is the bluish-grey 'shadow' that shaved scalps
// show (DOMAIN.md, 'Skin and hair'), and what an SMP dot imitates.
func (s *Skin) Stubble(hair ReflectanceSpectrum, coverage float64) ReflectanceSpectrum {
	var r ReflectanceSpectrum
	for i := range r {
		rd := reflectanceOf(s.dermis[i])
		rb := coverage*hair[i] + (1-coverage)*rd
		r[i] = s.surface[i] + (1-s.surface[i])*(s.haze[i]+s.trans2[i]*rb/(1-s.haze[i]*rb))
	}
	return r
}

// HealedY is HealedXYZ(ink, c).Y alone, for the recipe search's lightness
// bounds.
func (s *Skin) HealedY(ink *KSSpectrum, c float64) float64 {
	var y float64
	phi := s.model.EffectiveConcentration * c
	for i := 0; i < GridLen; i++ {
		ks := s.dermis[i] + phi*ink[i]
		d := 1 + ks + math.Sqrt(ks*ks+2*ks)
		y += (s.surface[i] + (1-s.surface[i])*(s.haze[i]+s.trans2[i]/(d-s.haze[i]))) * weightsD50[i][1]
	}
	return y
}
