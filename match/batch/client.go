package batch

import (
	"fmt"
	"math"
	"sort"
	"strings"

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
	// In JSON they are null when nothing was combined.
	Hair  *colour.LabD50 `json:"hair_lab"`
	Scalp *colour.LabD50 `json:"scalp_lab"`
	// ContrastDE00 and ContrastDL compare the combined hair with the
	// combined scalp (CIEDE2000; ΔL* hair minus scalp); ContrastRatio is
	// the WCAG luminance ratio.
	ContrastDE00  float64 `json:"contrast_de00"`
	ContrastDL    float64 `json:"contrast_dl"`
	ContrastRatio float64 `json:"contrast_ratio"`
	// Recommendation is the palette search for the combined colours: the
	// object `smpmatch match --json` prints (null when there is none).
	Recommendation *recipe.Result `json:"recommendation"`
	// Representative is the state key of the photo shown in the report
	// (the most confident).
	Representative string `json:"representative,omitempty"`
	// OddPhotos names the photos whose colours disagree with the client's
	// other photos (DisagreeDE00): with them, no colours are combined and
	// nothing is recommended. Empty when the photos agree; when the photos
	// split into equal groups every photo is listed.
	OddPhotos []string `json:"odd_photos,omitempty"`
	Warnings  []string `json:"warnings"`
	Error     string   `json:"error,omitempty"`
}

// DisagreeDE00 is the CIEDE2000 difference in hair or scalp colour beyond
// which two photos of one client are taken to disagree. Photos of one head
// under one calibration differ by a few ΔE00 (lighting across the head,
// segmentation); 6 is well beyond that and well below the difference
// between two people's hair or skin that would make a recipe fit neither.
const DisagreeDE00 = 6.0

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
		cr.Error = "no photo of this client could be measured" + failedBecause(results)
		return cr
	}
	if odd, msg := disagreement(results, use); msg != "" {
		cr.OddPhotos = odd
		cr.Warnings = append(cr.Warnings, msg)
		cr.Error = "no recommendation: the photos disagree, and a blend for a mixture of two heads would fit neither (see the warning); file each person's photos under their own client and run again"
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

// failedBecause says in words why a client's scalp photos could not be
// measured: ": " and each reason with its count, or "" without failures.
func failedBecause(results []PhotoMatch) string {
	n := map[string]int{}
	var order []string
	for _, pm := range results {
		if pm.Role == RoleCard {
			continue
		}
		msg := pm.Error
		if msg == "" && pm.Measurement != nil && pm.Measurement.OK {
			switch {
			case !pm.Measurement.Scalp.Found:
				msg = "no scalp found"
			case !pm.Measurement.Hair.Found:
				msg = "no hair found"
			}
		}
		if msg == "" {
			continue
		}
		r := FailureReason(pm.Photo, msg)
		if n[r] == 0 {
			order = append(order, r)
		}
		n[r]++
	}
	if len(order) == 0 {
		return " (no scalp photo)"
	}
	parts := make([]string, len(order))
	for i, r := range order {
		parts[i] = fmt.Sprintf("%d photo(s): %s", n[r], r)
	}
	return ": " + strings.Join(parts, "; ")
}

// disagreement looks for photos of one client that cannot show the same
// head: the used photos are grouped so that a photo joins a group when its
// hair and its scalp are both within DisagreeDE00 of a photo of the group
// (single linkage, so a group's own spread may exceed DisagreeDE00 through
// photos in between). One group: the photos agree (msg ""). Otherwise the
// photos outside the largest group are the odd ones, or, when no group is
// largest, every photo is listed and none can be called odd.
func disagreement(results []PhotoMatch, use []int) (odd []string, msg string) {
	n := len(use)
	if n < 2 {
		return nil, ""
	}
	group := make([]int, n)
	for i := range group {
		group[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for group[i] != i {
			i = group[i]
		}
		return i
	}
	near := func(a, b int) bool {
		ma, mb := results[use[a]].Measurement, results[use[b]].Measurement
		return colour.DeltaE00(ma.Hair.Lab, mb.Hair.Lab) <= DisagreeDE00 && colour.DeltaE00(ma.Scalp.Lab, mb.Scalp.Lab) <= DisagreeDE00
	}
	for a := 0; a < n; a++ {
		for b := a + 1; b < n; b++ {
			if near(a, b) {
				group[find(a)] = find(b)
			}
		}
	}
	members := map[int][]int{}
	var roots []int
	for i := 0; i < n; i++ {
		r := find(i)
		if members[r] == nil {
			roots = append(roots, r)
		}
		members[r] = append(members[r], i)
	}
	if len(roots) == 1 {
		return nil, ""
	}
	sort.SliceStable(roots, func(i, j int) bool { return len(members[roots[i]]) > len(members[roots[j]]) })
	desc := func(g []int) string {
		var names []string
		var hair, scalp []colour.LabD50
		for _, i := range g {
			m := results[use[i]].Measurement
			names = append(names, results[use[i]].Photo)
			hair = append(hair, m.Hair.Lab)
			scalp = append(scalp, m.Scalp.Lab)
		}
		h, s := medianLab(hair), medianLab(scalp)
		return fmt.Sprintf("%s (hair L*a*b* %.1f, %.1f, %.1f; scalp %.1f, %.1f, %.1f)", strings.Join(names, ", "), h.L, h.A, h.B, s.L, s.A, s.B)
	}
	// The largest difference between the groups, for the message.
	var dh, ds float64
	for a := 0; a < n; a++ {
		for b := a + 1; b < n; b++ {
			if find(a) == find(b) {
				continue
			}
			ma, mb := results[use[a]].Measurement, results[use[b]].Measurement
			dh = math.Max(dh, colour.DeltaE00(ma.Hair.Lab, mb.Hair.Lab))
			ds = math.Max(ds, colour.DeltaE00(ma.Scalp.Lab, mb.Scalp.Lab))
		}
	}
	what := fmt.Sprintf("hair up to ΔE00 %.1f, scalp up to ΔE00 %.1f apart; more than %.0f means two heads or two lightings", dh, ds, DisagreeDE00)
	if len(members[roots[0]]) > len(members[roots[1]]) {
		for _, r := range roots[1:] {
			for _, i := range members[r] {
				odd = append(odd, results[use[i]].Photo)
			}
		}
		sort.Strings(odd)
		var others []string
		for _, r := range roots[1:] {
			others = append(others, desc(members[r]))
		}
		return odd, fmt.Sprintf("photos disagree (%s): the odd one(s) %s do not match the other photos %s — another person's photo?",
			what, strings.Join(others, " and "), desc(members[roots[0]]))
	}
	var groups []string
	for _, r := range roots {
		groups = append(groups, desc(members[r]))
		for _, i := range members[r] {
			odd = append(odd, results[use[i]].Photo)
		}
	}
	sort.Strings(odd)
	return odd, fmt.Sprintf("photos disagree (%s): they split into %d groups, none larger, so none can be called the odd one: %s",
		what, len(roots), strings.Join(groups, " vs "))
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
