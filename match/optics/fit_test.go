package optics

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

func TestSupportedParams(t *testing.T) {
	obs := func(perClient ...int) []HealedObservation {
		var o []HealedObservation
		for c, n := range perClient {
			for i := 0; i < n; i++ {
				o = append(o, HealedObservation{Client: fmt.Sprint(c)})
			}
		}
		return o
	}
	tests := []struct {
		name string
		obs  []HealedObservation
		want int
	}{
		{"nothing", nil, 0},
		{"one client, however many areas", obs(30), 0},
		{"two clients, two areas each", obs(2, 2), 0},
		{"three areas outside the largest client", obs(5, 3), 1},
		{"the largest client does not count", obs(20, 5), 1},
		{"six outside", obs(3, 3, 3), 2},
		{"never more than there are parameters", obs(10, 10, 10, 10), len(FitParams)},
	}
	for _, tt := range tests {
		if got := SupportedParams(tt.obs); got != tt.want {
			t.Errorf("%s: %d parameters, want %d", tt.name, got, tt.want)
		}
	}
}

func TestFitRefusesWhatItCannotFit(t *testing.T) {
	ink := mustRecover(t, carbonInk).KS()
	o := HealedObservation{Client: "a", Scalp: lightScalp, Ink: ink, Healed: colour.LabD50{L: 35, A: 0, B: -1}}
	b := o
	b.Client = "b"
	obs := []HealedObservation{o, o, o, b, b, b}
	m := DefaultHealedModel()
	if _, _, err := Fit(m, obs, FitOptions{Params: []string{"effective_concentration", "scattering_exponent", "epidermis_scattering_500"}}); !errors.Is(err, ErrTooFewObservations) || !strings.Contains(err.Error(), "3 parameters need at least 9 observations") {
		t.Errorf("err = %v", err)
	}
	if _, _, err := Fit(m, obs, FitOptions{Params: []string{"melanin"}}); err == nil || !strings.Contains(err.Error(), `unknown parameter "melanin"`) {
		t.Errorf("err = %v", err)
	}
	fit, rep, err := Fit(m, obs, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Fitted) != 1 || rep.Fitted[0] != "effective_concentration" || rep.RMSAfter > rep.RMSBefore || fit.Validate() != nil {
		t.Errorf("report %+v, model %+v", rep, fit)
	}
	bad := append([]HealedObservation{}, obs...)
	bad[0].Healed.L = nan()
	if _, _, err := Fit(m, bad, FitOptions{}); err == nil {
		t.Error("a NaN healed colour was accepted")
	}
}

func nan() float64 { var z float64; return z / z }
