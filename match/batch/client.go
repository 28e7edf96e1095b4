package batch

import (
	"fmt"
	"math"
	"sort"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/recipe"
)

// ClientResult is one client's combined measurement and recommendation: a
// row of clients.csv and a section of the report.
type ClientResult struct {
	ClientID string `json:"client_id"`
	// Photos counts the client's scalp photos; Measured those measured;
	// Combined those whose colours were combined.
	Photos   int `json:"photos"`
	Measured int `json:"measured"`
	Combined int `json:"combined"`
	// Hair and Scalp are the per-channel medians of the combined photos'
	// L*a*b* D50.
	Hair  *colour.LabD50 `json:"hair_lab,omitempty"`
	Scalp *colour.LabD50 `json:"scalp_lab,omitempty"`
	// ContrastDE00 and ContrastDL compare the combined hair with the
	// combined scalp (CIEDE2000; ΔL* hair minus scalp); ContrastRatio is
	// the WCAG luminance ratio.
	ContrastDE00  float64 `json:"contrast_de00"`
	ContrastDL    float64 `json:"contrast_dl"`
	ContrastRatio float64 `json:"contrast_ratio"`
	// Recommendation is the palette search for the combined colours.
	Recommendation *recipe.Result `json:"recommendation,omitempty"`
	// Representative is the state key of the photo shown in the report
	// (the most confident).
	Representative string   `json:"representative,omitempty"`
	Warnings       []string `json:"warnings"`
	Error          string   `json:"error,omitempty"`
}

type clientRecord struct {
	Schema string       `json:"schema"`
	Key    string       `json:"key"`
	Client ClientResult `json:"client"`
}

// client combines a client's photo results into a ClientResult, kept in
// the state under a key of its photos' keys.
func (r *runner) client(cr *clientRun, photos []IndexPhoto) (string, error) {
	k, sum := newKey()
	k.str("client")
	k.str(r.fp)
	k.str(cr.c.ID)
	k.str(string(cr.c.Target))
	var results []PhotoMatch
	var keys []string
	for _, ip := range photos {
		k.str(ip.Name + " " + ip.Key)
		if ip.Inline != nil {
			k.str(ip.Inline.Error)
		}
		res, ok := photoResult(r.st, ip)
		if !ok {
			return "", fmt.Errorf("client %s photo %s: state record missing", cr.c.ID, ip.Name)
		}
		results = append(results, res)
		keys = append(keys, ip.Key)
	}
	key := sum()
	var rec clientRecord
	if r.st.load(key, &rec) {
		return key, nil
	}
	opt := r.o.Settings.Recipe
	if cr.c.Target != "" && opt.TargetLab == nil {
		opt.Target = cr.c.Target
	}
	rec = clientRecord{Schema: stateSchema, Key: key, Client: Combine(cr.c.ID, results, keys, r.o.Settings.Recommender, opt)}
	if err := r.st.save(key, rec); err != nil {
		return "", err
	}
	return key, nil
}

// Combine makes one client's result from its photos: hair and scalp L*a*b*
// are per-channel medians over the confident scalp photos (all measured
// photos if none is confident), and one recommendation is searched for
// them. keys[i] is results[i]'s state key, for the report's pictures.
func Combine(id string, results []PhotoMatch, keys []string, rec *recipe.Recommender, opt recipe.Options) ClientResult {
	cr := ClientResult{ClientID: id, Warnings: []string{}}
	var confident, measured []int
	for i, pm := range results {
		if pm.Role == RoleCard {
			continue
		}
		cr.Photos++
		m := pm.Measurement
		if m == nil || !m.OK || !m.Scalp.Found || (!m.Hair.Found && opt.TargetLab == nil) {
			continue
		}
		measured = append(measured, i)
		if !m.LowConfidence {
			confident = append(confident, i)
		}
	}
	cr.Measured = len(measured)
	use := confident
	if len(use) == 0 {
		use = measured
		if len(use) > 0 {
			cr.Warnings = append(cr.Warnings, "no confident photo: combined from low-confidence photos, do not trust these colours")
		}
	}
	if len(use) == 0 {
		cr.Error = "no photo of this client could be measured"
		return cr
	}
	cr.Combined = len(use)
	if cr.Measured > cr.Combined {
		cr.Warnings = append(cr.Warnings, fmt.Sprintf("%d low-confidence photo(s) left out of the combination", cr.Measured-cr.Combined))
	}
	var hair, scalp []colour.LabD50
	best := use[0]
	uncal := false
	for _, i := range use {
		m := results[i].Measurement
		hair = append(hair, m.Hair.Lab)
		scalp = append(scalp, m.Scalp.Lab)
		if m.Confidence > results[best].Measurement.Confidence {
			best = i
		}
		uncal = uncal || !m.Calibrated
	}
	if uncal {
		cr.Warnings = append(cr.Warnings, "uncalibrated photos: colours are not measurements")
	}
	if i := best; i < len(keys) {
		cr.Representative = keys[i]
	}
	h, s := medianLab(hair), medianLab(scalp)
	cr.Hair, cr.Scalp = &h, &s
	cr.ContrastDE00 = round3(colour.DeltaE00(h, s))
	cr.ContrastDL = round3(h.L - s.L)
	yh, ys := h.XYZ().Y, s.XYZ().Y
	cr.ContrastRatio = round3((math.Max(yh, ys) + 0.05) / (math.Min(yh, ys) + 0.05))
	if rec == nil {
		cr.Error = "no palette to recommend from"
		return cr
	}
	res, err := rec.Recommend(h, s, opt)
	if err != nil {
		cr.Error = fmt.Sprintf("recommend: %v", err)
		return cr
	}
	cr.Recommendation = &res
	if res.Gamut != "" {
		cr.Warnings = append(cr.Warnings, res.Gamut)
	}
	return cr
}

func medianLab(cs []colour.LabD50) colour.LabD50 {
	ch := func(f func(colour.LabD50) float64) float64 {
		v := make([]float64, len(cs))
		for i, c := range cs {
			v[i] = f(c)
		}
		sort.Float64s(v)
		n := len(v)
		if n%2 == 1 {
			return v[n/2]
		}
		return (v[n/2-1] + v[n/2]) / 2
	}
	return colour.LabD50{
		L: ch(func(c colour.LabD50) float64 { return c.L }),
		A: ch(func(c colour.LabD50) float64 { return c.A }),
		B: ch(func(c colour.LabD50) float64 { return c.B }),
	}
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
