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
// pigment in SMP sits in the dermis, under the epidermis; the healed dot is
// modelled in two steps:
//
//  1. Dermis with pigment: the client's own dermis (solved from their
//     measured scalp, see below) with the ink mixed in by single-constant
//     Kubelka–Munk at EffectiveConcentration × the ink's concentrations:
//     K/S_dot = K/S_dermis + φ·Σ cᵢ·K/Sᵢ. Diluent lowers every cᵢ.
//  2. Epidermis over it: a thin layer that scatters back a haze Re(λ) =
//     EpidermisHaze550·(λ/550)^−HazeExponent, and transmits
//     Te(λ) = (1 − Re)·exp(−EpidermisAbsorbance550·(λ/550)^−MelaninExponent),
//     combined with the layer below by Kubelka's formula
//     R = Re + Te²·Rb / (1 − Re·Rb).
//
// The dermis is whatever makes step 2 reproduce the measured scalp with no
// pigment, so a zero-pigment "dot" is exactly the client's skin. The haze is
// what makes healed dots lighter and bluer than the ink: it is added in front
// of the pigment and rises towards short wavelengths.
//
// The default values are estimates (no public measurement of SMP pigment in
// scalp exists; DOMAIN.md "Pigment in skin") and ship as data in
// healed_model.json with the source of each; Recalibrate refits them from a
// practitioner's own healed dots.
type HealedModel struct {
	// Version names this set of parameters in reports.
	Version string `json:"version"`
	// EffectiveConcentration φ is the pigment load of the healed dermis
	// relative to the ink's masstone K/S (0 < φ ≤ 5; 1 = masstone strength).
	EffectiveConcentration float64 `json:"effective_concentration"`
	// EpidermisHaze550 is the epidermis' back-scattered reflectance at
	// 550 nm (0 ≤ h < 0.5).
	EpidermisHaze550 float64 `json:"epidermis_haze_550"`
	// HazeExponent n is the wavelength dependence of the haze, ∝ λ^−n.
	HazeExponent float64 `json:"haze_exponent"`
	// EpidermisAbsorbance550 is the epidermis' one-pass optical depth at
	// 550 nm.
	EpidermisAbsorbance550 float64 `json:"epidermis_absorbance_550"`
	// MelaninExponent m is the wavelength dependence of that absorption,
	// ∝ λ^−m.
	MelaninExponent float64 `json:"melanin_exponent"`
	// Sources says where each value comes from.
	Sources map[string]string `json:"sources,omitempty"`
}

// maxEffectiveConcentration bounds φ: masstone K/S is itself only known up
// to the drawdown's surface reflection, so φ may exceed 1, but a healed dot
// five times stronger than an opaque film of the ink is not physical.
const maxEffectiveConcentration = 5

// maxHazeFraction caps the epidermal haze at this fraction of the scalp's
// own reflectance: the haze is part of what the scalp reflects, so it can
// never exceed it (on dark skin the nominal haze would at short wavelengths).
const maxHazeFraction = 0.9

// referenceNM is the wavelength the model's spectral parameters refer to.
const referenceNM = 550.0

//go:embed healed_model.json
var defaultHealedModelJSON []byte

// DefaultHealedModel returns the shipped, estimated parameters.
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
	check("epidermis_haze_550", m.EpidermisHaze550, 0, 0.5)
	check("haze_exponent", m.HazeExponent, 0, 4)
	check("epidermis_absorbance_550", m.EpidermisAbsorbance550, 0, 3)
	check("melanin_exponent", m.MelaninExponent, 0, 6)
	return errors.Join(errs...)
}

// Skin is a HealedModel applied to one client's scalp: the epidermis and
// dermis it implies, ready to predict any number of healed dots.
type Skin struct {
	// Scalp is the client's scalp reflectance the skin was solved from.
	Scalp ReflectanceSpectrum
	model HealedModel
	// haze is Re(λ), trans2 is Te(λ)², dermis is K/S of the bare dermis.
	haze, trans2 [GridLen]float64
	dermis       KSSpectrum
}

// Skin solves the layers of a client's scalp with the model's parameters.
func (m HealedModel) Skin(scalp ReflectanceSpectrum) (*Skin, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := scalp.Validate(); err != nil {
		return nil, fmt.Errorf("scalp: %w", err)
	}
	s := &Skin{Scalp: scalp, model: m}
	for i := range scalp {
		rel := Wavelength(i) / referenceNM
		re := math.Min(m.EpidermisHaze550*math.Pow(rel, -m.HazeExponent), maxHazeFraction*scalp[i])
		te := (1 - re) * math.Exp(-m.EpidermisAbsorbance550*math.Pow(rel, -m.MelaninExponent))
		s.haze[i], s.trans2[i] = re, te*te
		// Solve R = Re + Te²·Rd/(1 − Re·Rd) for the dermis Rd.
		d := scalp[i] - re
		rd := d / (s.trans2[i] + re*d)
		s.dermis[i] = ksOf(math.Min(rd, 1))
	}
	return s, nil
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
		r[i] = s.haze[i] + s.trans2[i]*rb/(1-s.haze[i]*rb)
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
		r := s.haze[i] + s.trans2[i]/(d-s.haze[i])
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
		r[i] = s.haze[i] + s.trans2[i]*rb/(1-s.haze[i]*rb)
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
		y += (s.haze[i] + s.trans2[i]/(d-s.haze[i])) * weightsD50[i][1]
	}
	return y
}
