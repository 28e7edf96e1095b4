package optics

import (
	"errors"
	"fmt"
	"math"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"gonum.org/v1/gonum/optimize"
)

// HealedObservation is one healed dot a practitioner measured: the client's
// scalp next to it, the ink that was implanted, and the dot's colour once
// healed (at least 8 weeks after the session, when the epidermis has
// renewed).
type HealedObservation struct {
	// Scalp is the bare scalp next to the dot.
	Scalp colour.LabD50
	// Ink is the K/S of the ink as implanted: Mix of its pigments at their
	// concentrations in the cup, diluent included as lowered concentrations.
	Ink KSSpectrum
	// Healed is the measured colour of the healed dot.
	Healed colour.LabD50
}

// CalibrationReport says how well a model explains the observations.
type CalibrationReport struct {
	Observations int `json:"observations"`
	// Fitted names the parameters that were refitted.
	Fitted []string `json:"fitted"`
	// RMSBefore and RMSAfter are the root-mean-square CIEDE2000 errors of
	// the starting and the refitted model over the observations.
	RMSBefore float64 `json:"rms_de00_before"`
	RMSAfter  float64 `json:"rms_de00_after"`
}

// Recalibration settings.
const (
	// minObservationsForShape is how many observations it takes before the
	// spectral shape parameters (haze exponent, epidermal absorbance) are
	// refitted too; with fewer only the two strength parameters are, which
	// a couple of dots pin down.
	minObservationsForShape = 4
	// priorWeight pulls refitted parameters gently towards the starting
	// model (in log space), so that parameters the data cannot see stay
	// where they were instead of drifting.
	priorWeight         = 0.01
	recalibrateMaxEvals = 4000
)

// ErrTooFewObservations means there is not enough data to refit anything.
var ErrTooFewObservations = errors.New("need at least 2 healed observations to recalibrate")

// Recalibrate refits the healed model's parameters to a practitioner's own
// before/after measurements, minimising the squared CIEDE2000 error between
// predicted and measured healed dots (Nelder–Mead in log-parameter space, so
// every parameter stays positive). With fewer than 4 observations only
// EffectiveConcentration and EpidermisHaze550 are refitted.
func Recalibrate(start HealedModel, obs []HealedObservation) (HealedModel, CalibrationReport, error) {
	rep := CalibrationReport{Observations: len(obs)}
	if err := start.Validate(); err != nil {
		return start, rep, err
	}
	if len(obs) < 2 {
		return start, rep, fmt.Errorf("recalibrate with %d observations: %w", len(obs), ErrTooFewObservations)
	}
	scalps := make([]ReflectanceSpectrum, len(obs))
	for i, o := range obs {
		s, err := Recover(o.Scalp)
		if err != nil {
			return start, rep, fmt.Errorf("recalibrate: observation %d scalp: %w", i+1, err)
		}
		scalps[i] = s
		if !o.Healed.IsFinite() {
			return start, rep, fmt.Errorf("recalibrate: observation %d: healed colour is not finite", i+1)
		}
	}
	type param struct {
		name string
		ptr  func(*HealedModel) *float64
	}
	params := []param{
		{"effective_concentration", func(m *HealedModel) *float64 { return &m.EffectiveConcentration }},
		{"epidermis_haze_550", func(m *HealedModel) *float64 { return &m.EpidermisHaze550 }},
	}
	if len(obs) >= minObservationsForShape {
		params = append(params,
			param{"haze_exponent", func(m *HealedModel) *float64 { return &m.HazeExponent }},
			param{"epidermis_absorbance_550", func(m *HealedModel) *float64 { return &m.EpidermisAbsorbance550 }},
		)
	}
	x0 := make([]float64, len(params))
	for i, p := range params {
		rep.Fitted = append(rep.Fitted, p.name)
		// Tiny floor so that a zero parameter can still move in log space.
		x0[i] = math.Log(math.Max(*p.ptr(&start), 1e-4))
	}
	model := func(x []float64) HealedModel {
		m := start
		for i, p := range params {
			*p.ptr(&m) = math.Exp(x[i])
		}
		return m
	}
	sse := func(m HealedModel) float64 {
		if m.Validate() != nil {
			return math.Inf(1)
		}
		var sum float64
		for i, o := range obs {
			skin, err := m.Skin(scalps[i])
			if err != nil {
				return math.Inf(1)
			}
			de := colour.DeltaE00(skin.Healed(o.Ink).LabD50(), o.Healed)
			sum += de * de
		}
		return sum
	}
	rep.RMSBefore = math.Sqrt(sse(start) / float64(len(obs)))
	prob := optimize.Problem{Func: func(x []float64) float64 {
		f := sse(model(x))
		for i := range x {
			d := x[i] - x0[i]
			f += priorWeight * d * d
		}
		return f
	}}
	res, err := optimize.Minimize(prob, x0, &optimize.Settings{FuncEvaluations: recalibrateMaxEvals}, &optimize.NelderMead{})
	if err != nil && res == nil {
		return start, rep, fmt.Errorf("recalibrate: %w", err)
	}
	fitted := model(res.X)
	fitted.Version = start.Version + "+recalibrated"
	rep.RMSAfter = math.Sqrt(sse(fitted) / float64(len(obs)))
	if rep.RMSAfter > rep.RMSBefore {
		// Never hand back a model that explains the data worse.
		return start, CalibrationReport{Observations: len(obs), RMSBefore: rep.RMSBefore, RMSAfter: rep.RMSBefore}, nil
	}
	return fitted, rep, nil
}
