package healed

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/optics"
	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/palettes"
)

func reference(t testing.TB) *palettes.Palette {
	t.Helper()
	p, err := palettes.Builtin(palettes.DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func recommender(t testing.TB) *recipe.Recommender {
	t.Helper()
	r, err := recipe.New(reference(t))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// synthetic writes an observations file of clients × recipes healed under
// truth, each measured with Gaussian noise of sigma per L*a*b* unit, and
// returns it with the noise floor: the RMS ΔE00 between the true and the
// measured healed colours.
func synthetic(t *testing.T, truth optics.HealedModel, clients int, sigma float64, seed uint64) (string, float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	r := recommender(t)
	recipes := []string{"black:1", "black:1 water:3", "black:1 water:8", "brown-warm:2 black:1 water:4", "grey-cool:1 water:1", "brown-neutral:1 water:2"}
	var b strings.Builder
	b.WriteString(header)
	var sum float64
	n := 0
	for c := 0; c < clients; c++ {
		// Scalps from light to brown.
		f := float64(c) / float64(max(clients-1, 1))
		scalp := colour.LabD50{L: 68 - 28*f + rng.NormFloat64(), A: 9 + 3*f, B: 14 + 7*f}
		for k, rec := range recipes {
			if (c+k)%6 == 5 { // not every client had every recipe
				continue
			}
			parts, dil, err := recipe.ParseRecipe(reference(t), rec)
			if err != nil {
				t.Fatal(err)
			}
			healed, err := r.Predict(parts, dil, scalp, &truth)
			if err != nil {
				t.Fatal(err)
			}
			meas := colour.LabD50{L: healed.L + sigma*rng.NormFloat64(), A: healed.A + sigma*rng.NormFloat64(), B: healed.B + sigma*rng.NormFloat64()}
			de := colour.DeltaE00(meas, healed)
			sum += de * de
			n++
			fmt.Fprintf(&b, "client-%02d,%.3f,%.3f,%.3f,%s,%d,%.3f,%.3f,%.3f\n", c, scalp.L, scalp.A, scalp.B, rec, 10+k, meas.L, meas.A, meas.B)
		}
	}
	return b.String(), math.Sqrt(sum / float64(n))
}

func fitFile(t *testing.T, csv string, start optics.HealedModel, opt optics.FitOptions) (optics.HealedModel, optics.CalibrationReport, error) {
	t.Helper()
	rows, err := Parse(strings.NewReader(csv), "obs.csv")
	if err != nil {
		t.Fatal(err)
	}
	obs, err := Resolve(rows, "obs.csv", ".", reference(t), recommender(t), Measurers{})
	if err != nil {
		t.Fatal(err)
	}
	return Fit(start, obs, "obs.csv", opt)
}

// Observations generated with known parameters plus measurement noise of
// about 1 ΔE00: after the fit, the error on clients left out of it is
// within 0.3 ΔE00 of the noise floor, the best any model can do.
func TestFitRecoversKnownParametersToTheNoiseFloor(t *testing.T) {
	truth := optics.DefaultHealedModel()
	truth.EffectiveConcentration = 0.7
	truth.EpidermisScattering500 = 0.035
	truth.ScatteringExponent = 2.2
	csv, floor := synthetic(t, truth, 8, 0.65, 1)
	fit, rep, err := fitFile(t, csv, optics.DefaultHealedModel(), optics.FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("noise floor %.2f; RMS before %.2f, after %.2f, leave-one-client-out %.2f; fitted %v: φ %.3f S·d %.4f n %.2f",
		floor, rep.RMSBefore, rep.RMSAfter, rep.RMSCrossValidated, rep.Fitted, fit.EffectiveConcentration, fit.EpidermisScattering500, fit.ScatteringExponent)
	if floor < 0.7 || floor > 1.3 {
		t.Fatalf("noise floor %.2f ΔE00: the test wants about 1", floor)
	}
	if rep.RMSBefore < floor+1 {
		t.Errorf("the default model already explains the data (RMS %.2f): the test proves nothing", rep.RMSBefore)
	}
	if len(rep.Fitted) != 3 {
		t.Errorf("fitted %v, want all three parameters from %d observations", rep.Fitted, rep.Observations)
	}
	if rep.RMSCrossValidated > floor+0.3 {
		t.Errorf("leave-one-client-out RMS %.2f ΔE00, want within 0.3 of the noise floor %.2f", rep.RMSCrossValidated, floor)
	}
	if !strings.HasSuffix(fit.Version, "+fit") || !strings.Contains(fit.Sources["effective_concentration"], "REFITTED from") {
		t.Errorf("fitted model %q does not say it was fitted: %q", fit.Version, fit.Sources["effective_concentration"])
	}
	if len(rep.Rows) != rep.Observations {
		t.Errorf("%d rows in the report for %d observations", len(rep.Rows), rep.Observations)
	}
}

func TestFitRefusesMoreParametersThanTheObservationsSupport(t *testing.T) {
	truth := optics.DefaultHealedModel()
	csv, _ := synthetic(t, truth, 2, 0.5, 2)
	lines := strings.SplitAfter(csv, "\n")
	tests := []struct {
		name   string
		csv    string
		params []string
		want   string
	}{
		{"one client cannot be cross-validated", strings.Join(lines[:6], ""), nil, "support no parameter: even one needs at least 3 observations outside the client with the most, from at least 2 clients"},
		{"three parameters from eight observations", strings.Join(lines[:9], ""), optics.FitParams, "3 parameters need at least 9 observations outside the client with the most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := fitFile(t, tt.csv, optics.DefaultHealedModel(), optics.FitOptions{Params: tt.params})
			if !errors.Is(err, optics.ErrTooFewObservations) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant ErrTooFewObservations saying %q", err, tt.want)
			}
		})
	}
	// What they do support is fitted.
	_, rep, err := fitFile(t, strings.Join(lines[:9], ""), optics.DefaultHealedModel(), optics.FitOptions{})
	if err != nil || len(rep.Fitted) != 1 {
		t.Errorf("8 observations of 2 clients: fitted %v, err %v; want one parameter", rep.Fitted, err)
	}
}

func TestResolveMeasuresPhotosRelativeToTheFile(t *testing.T) {
	in := "client_id,before_photo,recipe,weeks,healed_L,healed_a,healed_b,followup_photo\n" +
		"c1,v1/before.jpg,black:1 water:4,12,40,1,2,\n" +
		"c1,v1/before.jpg,black:1 water:8,12,,,,v2/dots.jpg\n"
	rows, err := Parse(strings.NewReader(in), "obs.csv")
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	scalp := MeasurerFunc(func(p string) (colour.LabD50, error) {
		asked = append(asked, p)
		return colour.LabD50{L: 60, A: 10, B: 15}, nil
	})
	obs, err := Resolve(rows, "obs.csv", "clinic", reference(t), recommender(t), Measurers{Scalp: scalp})
	if err == nil || !strings.Contains(err.Error(), "obs.csv line 3 followup_photo: measuring healed dots (smpmatch measure --dots) from a photo is not available here") {
		t.Errorf("without a dot measurer: err = %v", err)
	}
	if len(obs) != 1 || len(asked) != 2 || asked[0] != filepath.Join("clinic", "v1", "before.jpg") {
		t.Errorf("resolved %d, asked %v", len(obs), asked)
	}
	dots := MeasurerFunc(func(p string) (colour.LabD50, error) { return colour.LabD50{}, fmt.Errorf("%s: no dots found", p) })
	_, err = Resolve(rows, "obs.csv", "clinic", reference(t), recommender(t), Measurers{Scalp: scalp, Dots: dots})
	if err == nil || !strings.Contains(err.Error(), "line 3 followup_photo: "+filepath.Join("clinic", "v2", "dots.jpg")+": no dots found") {
		t.Errorf("a failing dot measurer: err = %v", err)
	}
	bad, _ := Parse(strings.NewReader(header+"c1,64,9,15,ink:1,12,40,1,2\n"), "obs.csv")
	if _, err := Resolve(bad, "obs.csv", ".", reference(t), recommender(t), Measurers{}); err == nil || !strings.Contains(err.Error(), `obs.csv line 2 recipe: "ink" is not a pigment`) {
		t.Errorf("unknown pigment: err = %v", err)
	}
}
