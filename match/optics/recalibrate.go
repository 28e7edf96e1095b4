package optics

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"gonum.org/v1/gonum/optimize"
)

// HealedObservation is one healed area a practitioner measured: the client's
// scalp next to it, the ink that was implanted, and the dots' colour once
// healed (at least 8 weeks after the session, when the epidermis has
// renewed).
type HealedObservation struct {
	// Client identifies the client; cross-validation leaves one client out
	// at a time, because a client's areas share their skin.
	Client string
	// Scalp is the bare scalp next to the dots.
	Scalp colour.LabD50
	// Ink is the K/S of the ink as implanted: Mix of its pigments at their
	// concentrations in the cup, diluent included as lowered concentrations.
	Ink KSSpectrum
	// Healed is the measured colour of the healed dots.
	Healed colour.LabD50
}

// FitParams are the parameters Fit can refit, in the order it adds them as
// the observations allow: the pigment strength, the haze over it, and the
// haze's spectral slope.
var FitParams = []string{"effective_concentration", "epidermis_scattering_500", "scattering_exponent"}

// ObservationsPerParameter is how many observations each refitted parameter
// needs in every cross-validation fold: every observation gives three
// numbers (L*, a*, b*), but areas of one client share a skin and most of the
// information is in L*, so three observations per parameter keep the fit
// well determined.
const ObservationsPerParameter = 3

// ErrTooFewObservations means the observations cannot support the fit asked
// for; the wrapping error says how many it needs.
var ErrTooFewObservations = errors.New("too few healed observations")

// ObservationsNeeded is how many observations a fit of p parameters needs
// in every leave-one-client-out fold.
func ObservationsNeeded(p int) int { return ObservationsPerParameter * p }

// SupportedParams is how many parameters the observations support: every
// fold that leaves one client out must keep ObservationsNeeded of them, and
// there must be at least two clients to leave one out.
func SupportedParams(obs []HealedObservation) int {
	clients := map[string]int{}
	for _, o := range obs {
		clients[o.Client]++
	}
	if len(clients) < 2 {
		return 0
	}
	largest := 0
	for _, n := range clients {
		largest = max(largest, n)
	}
	return min(len(FitParams), (len(obs)-largest)/ObservationsPerParameter)
}

// FitOptions chooses what Fit refits.
type FitOptions struct {
	// Params names the parameters to refit (from FitParams); empty means
	// as many as the observations support, in FitParams' order.
	Params []string
	// NoCrossValidation skips the leave-one-client-out estimate.
	NoCrossValidation bool
}

// ObservationFit is one observation's predictions before and after a fit.
type ObservationFit struct {
	Client   string        `json:"client_id"`
	Measured colour.LabD50 `json:"measured_lab"`
	Before   colour.LabD50 `json:"predicted_before"`
	After    colour.LabD50 `json:"predicted_after"`
	// CrossValidated is the prediction of a model fitted without this
	// observation's client.
	CrossValidated colour.LabD50 `json:"predicted_cross_validated"`
	DE00Before     float64       `json:"de00_before"`
	DE00After      float64       `json:"de00_after"`
	DE00CV         float64       `json:"de00_cross_validated"`
}

// CalibrationReport says how well a model explains the observations.
type CalibrationReport struct {
	Observations int `json:"observations"`
	Clients      int `json:"clients"`
	// Fitted names the parameters that were refitted.
	Fitted []string `json:"fitted"`
	// RMSBefore and RMSAfter are the root-mean-square CIEDE2000 errors of
	// the starting and the refitted model over the observations.
	RMSBefore float64 `json:"rms_de00_before"`
	RMSAfter  float64 `json:"rms_de00_after"`
	// RMSCrossValidated is the RMS error of predicting each client's
	// observations with the model refitted to the other clients' (leave
	// one client out): what to expect for a new client. 0 if skipped.
	RMSCrossValidated float64 `json:"rms_de00_cross_validated"`
	// Rows are the observations' predictions, in input order.
	Rows []ObservationFit `json:"observations_fit,omitempty"`
}

// Fit settings.
const (
	// priorWeight pulls refitted parameters gently towards the starting
	// model (in log space), so that parameters the data hardly see stay
	// where they were instead of drifting.
	priorWeight = 0.01
	fitMaxEvals = 1500
)

type fitParam struct {
	name string
	ptr  func(*HealedModel) *float64
}

var fitParamPtrs = map[string]func(*HealedModel) *float64{
	"effective_concentration":  func(m *HealedModel) *float64 { return &m.EffectiveConcentration },
	"epidermis_scattering_500": func(m *HealedModel) *float64 { return &m.EpidermisScattering500 },
	"scattering_exponent":      func(m *HealedModel) *float64 { return &m.ScatteringExponent },
}

// Predictor predicts observations under a model, caching each scalp's
// fitted layers so that a slightly different model starts from them.
type predictor struct {
	warm map[colour.LabD50]SkinLayers
}

// predict returns the predicted healed colour of every observation.
func (p *predictor) predict(m HealedModel, obs []HealedObservation) ([]colour.LabD50, error) {
	if p.warm == nil {
		p.warm = map[colour.LabD50]SkinLayers{}
	}
	o := newLayerOptics(m)
	skins := map[colour.LabD50]*Skin{}
	out := make([]colour.LabD50, len(obs))
	for i, ob := range obs {
		s, ok := skins[ob.Scalp]
		if !ok {
			var warm *SkinLayers
			if w, ok := p.warm[ob.Scalp]; ok {
				warm = &w
			}
			layers, spec, err := o.fitFrom(ob.Scalp, warm)
			if err != nil {
				return nil, err
			}
			if spec, err = scalpSpectrum(spec, layers, ob.Scalp); err != nil {
				return nil, fmt.Errorf("observation %d: %w", i+1, err)
			}
			p.warm[ob.Scalp] = layers
			s = o.skin(spec, layers)
			skins[ob.Scalp] = s
		}
		out[i] = s.Healed(ob.Ink).LabD50()
	}
	return out, nil
}

// Predict is the healed colour the model predicts for each observation.
func Predict(m HealedModel, obs []HealedObservation) ([]colour.LabD50, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	var p predictor
	return p.predict(m, obs)
}

func rms(pred []colour.LabD50, obs []HealedObservation) float64 {
	var sum float64
	for i, o := range obs {
		de := colour.DeltaE00(pred[i], o.Healed)
		sum += de * de
	}
	return math.Sqrt(sum / float64(len(obs)))
}

// Fit refits the healed model's parameters to a practitioner's own healed
// observations, minimising the squared CIEDE2000 error between predicted and
// measured healed colour (Nelder–Mead in log-parameter space, so every
// parameter stays positive, with a weak pull towards the starting values).
// It refuses to fit more parameters than the observations support
// (SupportedParams) with an error wrapping ErrTooFewObservations that says
// how many are needed, and estimates the error on a new client by leaving
// each client out in turn.
func Fit(start HealedModel, obs []HealedObservation, opt FitOptions) (HealedModel, CalibrationReport, error) {
	clients := map[string]bool{}
	for _, o := range obs {
		clients[o.Client] = true
	}
	rep := CalibrationReport{Observations: len(obs), Clients: len(clients)}
	if err := start.Validate(); err != nil {
		return start, rep, err
	}
	for i, o := range obs {
		if !o.Healed.IsFinite() || !o.Scalp.IsFinite() {
			return start, rep, fmt.Errorf("fit: observation %d: colour is not finite", i+1)
		}
	}
	supported := SupportedParams(obs)
	names := opt.Params
	if len(names) == 0 {
		if supported == 0 {
			return start, rep, fmt.Errorf("fit: %d observations from %d clients support no parameter: even one needs at least %d observations outside the client with the most, from at least 2 clients: %w",
				len(obs), len(clients), ObservationsNeeded(1), ErrTooFewObservations)
		}
		names = FitParams[:supported]
	}
	if len(names) > supported {
		return start, rep, fmt.Errorf("fit: %d parameters need at least %d observations outside the client with the most, from at least 2 clients (every leave-one-client-out fold must support them); %d observations from %d clients support %d: %w",
			len(names), ObservationsNeeded(len(names)), len(obs), len(clients), supported, ErrTooFewObservations)
	}
	var params []fitParam
	for _, n := range names {
		ptr, ok := fitParamPtrs[n]
		if !ok {
			return start, rep, fmt.Errorf("fit: unknown parameter %q (want one of %v)", n, FitParams)
		}
		params = append(params, fitParam{n, ptr})
	}
	rep.Fitted = names
	var pr predictor
	before, err := pr.predict(start, obs)
	if err != nil {
		return start, rep, fmt.Errorf("fit: %w", err)
	}
	rep.RMSBefore = rms(before, obs)
	fitted, err := fitParamsTo(start, params, obs, &pr)
	if err != nil {
		return start, rep, err
	}
	after, err := pr.predict(fitted, obs)
	if err != nil {
		return start, rep, fmt.Errorf("fit: %w", err)
	}
	rep.RMSAfter = rms(after, obs)
	cv := make([]colour.LabD50, len(obs))
	if !opt.NoCrossValidation {
		ids := make([]string, 0, len(clients))
		for c := range clients {
			ids = append(ids, c)
		}
		sort.Strings(ids)
		for _, c := range ids {
			var train, test []HealedObservation
			var idx []int
			for i, o := range obs {
				if o.Client == c {
					test = append(test, o)
					idx = append(idx, i)
				} else {
					train = append(train, o)
				}
			}
			m, err := fitParamsTo(start, params, train, &pr)
			if err != nil {
				return start, rep, fmt.Errorf("fit without client %s: %w", c, err)
			}
			pred, err := pr.predict(m, test)
			if err != nil {
				return start, rep, fmt.Errorf("fit: %w", err)
			}
			for j, i := range idx {
				cv[i] = pred[j]
			}
		}
		rep.RMSCrossValidated = rms(cv, obs)
	}
	for i, o := range obs {
		row := ObservationFit{Client: o.Client, Measured: o.Healed, Before: before[i], After: after[i],
			DE00Before: colour.DeltaE00(before[i], o.Healed), DE00After: colour.DeltaE00(after[i], o.Healed)}
		if !opt.NoCrossValidation {
			row.CrossValidated, row.DE00CV = cv[i], colour.DeltaE00(cv[i], o.Healed)
		}
		rep.Rows = append(rep.Rows, row)
	}
	fitted.Version = start.Version + "+fit"
	return fitted, rep, nil
}

// fitParamsTo minimises the squared error of the named parameters.
func fitParamsTo(start HealedModel, params []fitParam, obs []HealedObservation, pr *predictor) (HealedModel, error) {
	x0 := make([]float64, len(params))
	for i, p := range params {
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
		pred, err := pr.predict(m, obs)
		if err != nil {
			return math.Inf(1)
		}
		var sum float64
		for i, o := range obs {
			de := colour.DeltaE00(pred[i], o.Healed)
			sum += de * de
		}
		return sum
	}
	prob := optimize.Problem{Func: func(x []float64) float64 {
		f := sse(model(x))
		for i := range x {
			d := x[i] - x0[i]
			f += priorWeight * d * d
		}
		return f
	}}
	res, err := optimize.Minimize(prob, x0, &optimize.Settings{FuncEvaluations: fitMaxEvals, Converger: &optimize.FunctionConverge{Absolute: 1e-6, Iterations: 30}}, &optimize.NelderMead{})
	if err != nil && res == nil {
		return start, fmt.Errorf("fit: %w", err)
	}
	m := model(res.X)
	if sse(m) > sse(start) {
		// Never hand back a model that explains the data worse.
		return start, nil
	}
	return m, nil
}

// Recalibrate is Fit with as many parameters as the observations support
// and no cross-validation.
func Recalibrate(start HealedModel, obs []HealedObservation) (HealedModel, CalibrationReport, error) {
	return Fit(start, obs, FitOptions{NoCrossValidation: true})
}
