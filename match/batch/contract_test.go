package batch

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/batch/schematest"
	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/match/segment"
)

// The contract's promises, on the results that broke them: a failed
// measurement, a photo without hair, a confidence just under 0.5, unrounded
// numbers, a client that could not be measured.
func TestContractJSONNullsRoundsAndAgrees(t *testing.T) {
	failed := measure.Result{Photo: "a.jpg", Error: "a.jpg: no colour calibration"}
	noHair := measure.Result{Photo: "b.jpg", OK: true, Calibrated: true, Correction: "profile"}
	noHair.Scalp = segment.ScalpResult{Colour: segment.Colour{Lab: colour.LabD50{L: 61.2321, A: 11.98765, B: 17.00049}, Spread: 1.23456, Pixels: 9}, Found: true, ITADeg: 24.04999, ITACategory: "tan"}
	noHair.Confidence = 0.4987
	noHair.LowConfidence = true
	noHair.Warnings = nil
	client := Combine("C", []PhotoMatch{{Role: RoleScalp, Photo: "C/a.jpg", Error: "C/a.jpg: no colour calibration"}}, []string{""}, nil, recipe.Options{})
	pal := testOptions(t, "").Palette
	inBottles, err := recipe.Recommend(colour.LabD50{L: 22, A: 2, B: 3}, colour.LabD50{L: 66, A: 10, B: 16}, pal, recipe.Options{VolumeML: 2, DropML: 0.03})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		v      any
		schema string
		want   []string
		not    []string
	}{
		{"failed measurement", failed, schematest.Measure,
			[]string{`"hair":null`, `"scalp":null`, `"contrast":null`, `"confidence":null`, `"low_confidence":true`, `"warnings":[]`},
			[]string{`[0,0,0]`, `"ratio":0`}},
		{"no hair found", noHair, schematest.Measure,
			[]string{`"hair":{"lab":null,"spread":null`, `"lab":[61.23,11.99,17]`, `"spread":1.23`, `"ita_deg":24`, `"contrast":null`, `"confidence":0.49`, `"low_confidence":true`, `"warnings":[]`},
			[]string{`[0,0,0]`, `"confidence":0.5`}},
		{"failed photo of a batch", PhotoMatch{ClientID: "C", Photo: "C/a.jpg", Role: RoleScalp, Error: "x", Measurement: &failed}, schematest.MatchPhoto,
			[]string{`"measurement":{"photo":"a.jpg","ok":false`, `"hair":null`},
			nil},
		{"client not measured", client, schematest.Clients,
			[]string{`"hair_lab":null`, `"scalp_lab":null`, `"contrast_de00":null`, `"contrast_ratio":null`, `"recommendation":null`, `"warnings":[]`, `"error":"no photo of this client could be measured: 1 photo(s): no colour calibration`},
			[]string{`"contrast_ratio":0`}},
		{"a recommendation in bottles", inBottles, schematest.Match,
			[]string{`"bottles":{"inks":[{"pigment":"black"`, `"volume_ml":2,"drop_ml":0.03`, `"ml":0.083,`, `"ml":0.5,`},
			[]string{`"ml":0.0833`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ContractJSON(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			for _, w := range tc.want {
				if !strings.Contains(s, w) {
					t.Errorf("no %s in\n%s", w, s)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(s, w) {
					t.Errorf("%s in\n%s", w, s)
				}
			}
			if err := schematest.Validate(tc.schema, b); err != nil {
				t.Errorf("does not validate against %s: %v\n%s", tc.schema, err, s)
			}
			// The plain encoding breaks the contract, and the schema says so.
			raw, _ := json.Marshal(tc.v)
			if err := schematest.Validate(tc.schema, raw); err == nil {
				t.Errorf("the schema %s accepts the unclean encoding:\n%s", tc.schema, raw)
			}
		})
	}
}

func TestContractJSONKeepsFieldsAndOrder(t *testing.T) {
	v := struct {
		Z   float64    `json:"z"`
		Lab [3]float64 `json:"target_lab"`
		RGB [3]float64 `json:"rgb"`
		DE  float64    `json:"de00_in_a"`
		A   string     `json:"a"`
		N   int        `json:"n"`
	}{1.23456789, [3]float64{50.005, -0.004, 1e-9}, [3]float64{0.123456, 0.5, 1}, 2.345, "<b>&", 7}
	b, err := ContractJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"z":1.23456789,"target_lab":[50.01,0,0],"rgb":[0.1235,0.5,1],"de00_in_a":2.35,"a":"\u003cb\u003e\u0026","n":7}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}
