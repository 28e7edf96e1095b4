package recipe

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/optics"
	"github.com/smpmatch/smpmatch/palettes"
)

var (
	lightScalp  = colour.LabD50{L: 64, A: 9, B: 15}
	mediumScalp = colour.LabD50{L: 52, A: 11, B: 18}
	brownScalp  = colour.LabD50{L: 42, A: 11, B: 19}
	blackHair   = colour.LabD50{L: 18, A: 1, B: 1.5}
	brownHair   = colour.LabD50{L: 22.5, A: 3.8, B: 4.6}
)

func reference(t testing.TB) *palettes.Palette {
	t.Helper()
	p, err := palettes.Builtin(palettes.DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// neatOnly drops the dilution line, so that every ink is a different
// pigment and no two recipes are the same ink.
func neatOnly(p *palettes.Palette) *palettes.Palette {
	q := *p
	q.Pigments = nil
	for _, pg := range p.Pigments {
		if pg.DilutionOf == "" {
			q.Pigments = append(q.Pigments, pg)
		}
	}
	return &q
}

func mustNew(t testing.TB, p *palettes.Palette) *Recommender {
	t.Helper()
	r, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func skinFor(t testing.TB, scalp colour.LabD50) *optics.Skin {
	t.Helper()
	skin, err := optics.DefaultHealedModel().SkinOf(scalp)
	if err != nil {
		t.Fatal(err)
	}
	return skin
}

// healedOf predicts the healed colour of pigments (by palette index) at the
// given concentrations.
func healedOf(r *Recommender, skin *optics.Skin, idx []int, conc []float64) colour.LabD50 {
	var ink optics.KSSpectrum
	for j, i := range idx {
		ink = ink.Add(r.pigments[i].ks, conc[j])
	}
	return skin.Healed(ink).LabD50()
}

func TestRecommendFindsTheRecipeThatMadeTheTarget(t *testing.T) {
	pal := neatOnly(reference(t))
	r := mustNew(t, pal)
	tests := []struct {
		name    string
		scalp   colour.LabD50
		parts   map[string]int
		diluent int
	}{
		{"neat black diluted 1:9 on a light scalp", lightScalp, map[string]int{"black": 1}, 9},
		{"a warm brown and black blend", lightScalp, map[string]int{"black": 1, "brown-warm": 3}, 6},
		{"three pigments without diluent on a brown scalp", brownScalp, map[string]int{"brown-neutral": 2, "grey-cool": 1, "iron-black": 4}, 0},
		{"two greys and diluent on a medium scalp", mediumScalp, map[string]int{"grey-warm": 3, "grey-neutral": 2}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skin := skinFor(t, tt.scalp)
			total := tt.diluent
			for _, p := range tt.parts {
				total += p
			}
			var idx []int
			var conc []float64
			for i, pg := range pal.Pigments {
				if p, ok := tt.parts[pg.ID]; ok {
					idx = append(idx, i)
					conc = append(conc, float64(p)/float64(total))
				}
			}
			target := healedOf(r, skin, idx, conc)
			res, err := r.Recommend(colour.LabD50{}, tt.scalp, Options{TargetLab: &target, PigmentCost: -1})
			if err != nil {
				t.Fatal(err)
			}
			best := res.Blends[0]
			got := map[string]int{}
			for _, p := range best.Parts {
				got[p.Pigment] = p.Parts
			}
			if !reflect.DeepEqual(got, tt.parts) || best.DiluentParts != tt.diluent {
				t.Errorf("best blend %q, want %v + %d diluent", best.Recipe, tt.parts, tt.diluent)
			}
			if best.DE00 > 1e-6 {
				t.Errorf("best blend ΔE00 %.2g, want 0", best.DE00)
			}
		})
	}
}

// inGamutTargets makes targets that the palette can reach: healed colours of
// random continuous blends of up to three pigments, each at least one part
// in MaxParts (nothing weaker is a whole-part recipe).
func inGamutTargets(r *Recommender, skin *optics.Skin, n int, rng *rand.Rand) []colour.LabD50 {
	const minShare = 1.0 / DefaultMaxParts
	var out []colour.LabD50
	for len(out) < n {
		k := 1 + rng.IntN(DefaultMaxPigments)
		idx := rng.Perm(len(r.pigments))[:k]
		conc := make([]float64, k)
		sum := 0.0
		for j := range conc {
			conc[j] = minShare + (1-minShare)*rng.Float64()
			sum += conc[j]
		}
		ok := true
		if sum > 1 {
			for j := range conc {
				conc[j] /= sum
				ok = ok && conc[j] >= minShare
			}
		}
		if ok {
			out = append(out, healedOf(r, skin, idx, conc))
		}
	}
	return out
}

func TestInGamutTargetsAreMatchedWithinOneDeltaE00(t *testing.T) {
	r := mustNew(t, reference(t))
	rng := rand.New(rand.NewPCG(1, 2))
	const perScalp = 40
	var worst, sum float64
	n := 0
	for _, sc := range []colour.LabD50{lightScalp, mediumScalp, brownScalp} {
		skin := skinFor(t, sc)
		for _, target := range inGamutTargets(r, skin, perScalp, rng) {
			res, err := r.Recommend(colour.LabD50{}, sc, Options{TargetLab: &target})
			if err != nil {
				t.Fatal(err)
			}
			de := res.Blends[0].DE00
			sum += de
			n++
			if de > worst {
				worst = de
			}
			if de > 1.0 {
				t.Errorf("scalp %v target %v: best blend %q is %.2f ΔE00 away, want ≤ 1.0", sc, target, res.Blends[0].Recipe, de)
			}
			if res.Gamut != "" {
				t.Errorf("target %v made from the palette reported as out of gamut: %s", target, res.Gamut)
			}
		}
	}
	t.Logf("%d in-gamut targets: best blend mean %.3f, max %.3f ΔE00", n, sum/float64(n), worst)
}

func TestPruningChangesNothing(t *testing.T) {
	r := mustNew(t, reference(t))
	for _, sc := range []colour.LabD50{lightScalp, brownScalp} {
		skin := skinFor(t, sc)
		for _, target := range []colour.LabD50{{L: 40, A: 4, B: 4}, {L: 55, A: 6, B: 11}, {L: 30, A: 0, B: -2}, {L: 47, A: -3, B: -6}} {
			for _, cost := range []float64{0, DefaultPigmentCost} {
				opt, _ := Options{Top: 6, PigmentCost: cost}.withDefaults()
				if cost == 0 {
					opt.PigmentCost = 0
				}
				pruned := searcher{r: r, skin: skin, target: target, opt: opt}
				pruned.run()
				full := searcher{r: r, skin: skin, target: target, opt: opt, noPrune: true}
				full.run()
				if !reflect.DeepEqual(pruned.top, full.top) {
					t.Errorf("scalp %v target %v cost %g: pruned top differs from the exhaustive one", sc, target, cost)
				}
				if full.scored != full.recipes || pruned.recipes != full.recipes {
					t.Errorf("exhaustive search scored %d of %d recipes (pruned counted %d)", full.scored, full.recipes, pruned.recipes)
				}
				if full.top[0].de < 1 && pruned.scored*5 > full.scored {
					t.Errorf("pruning scored %d of %d recipes: the bound does no work", pruned.scored, full.scored)
				}
			}
		}
	}
}

func TestSearchCountsEveryRecipeOnce(t *testing.T) {
	// Brute force: all (p1..pk, d) with pi ≥ 1, d ≥ 0, sum ≤ max, gcd 1.
	brute := func(k, max int) int {
		n := 0
		var rec func(j, used, g int)
		rec = func(j, used, g int) {
			if j == k {
				for d := 0; used+d <= max; d++ {
					if gcd(g, d) == 1 {
						n++
					}
				}
				return
			}
			for p := 1; used+p <= max; p++ {
				rec(j+1, used+p, gcd(g, p))
			}
		}
		rec(0, 0, 0)
		return n
	}
	for k := 1; k <= 3; k++ {
		for _, max := range []int{1, 5, 10, 20} {
			if got, want := partsTuples(k, max), brute(k, max); got != want {
				t.Errorf("partsTuples(%d, %d) = %d, want %d", k, max, got, want)
			}
		}
	}
	// One pigment, 10 parts: 1:0, and for each total T = 2…10 the φ(T)
	// parts p coprime to T: 1 + (1+2+2+4+2+6+4+6+4) = 32 recipes.
	if got := partsTuples(1, 10); got != 32 {
		t.Errorf("one pigment, 10 parts: %d recipes, want 32", got)
	}
}

func TestSameInputSameAnswer(t *testing.T) {
	p := reference(t)
	a, err := Recommend(brownHair, lightScalp, p, Options{Top: 5})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		b, err := Recommend(brownHair, lightScalp, p, Options{Top: 5})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatal("two runs on the same input gave different results")
		}
	}
	for i := 1; i < len(a.Blends); i++ {
		if a.Blends[i].DE00+DefaultPigmentCost*float64(len(a.Blends[i].Parts)-1) <
			a.Blends[i-1].DE00+DefaultPigmentCost*float64(len(a.Blends[i-1].Parts)-1)-1e-9 {
			t.Errorf("blend %d ranks below a worse one", i+1)
		}
	}
}

func TestTargetModes(t *testing.T) {
	r := mustNew(t, reference(t))
	light := map[TargetMode]float64{}
	for _, m := range []TargetMode{TargetLighter, TargetMatch, TargetDarker} {
		res, err := r.Recommend(blackHair, lightScalp, Options{Target: m})
		if err != nil {
			t.Fatal(err)
		}
		if res.Target != m || res.HairLab == nil {
			t.Errorf("mode %s: result says %s, hair %v", m, res.Target, res.HairLab)
		}
		light[m] = res.TargetLab.L
		if res.TargetLab.L <= blackHair.L || res.TargetLab.L >= lightScalp.L {
			t.Errorf("mode %s: target L* %.1f is not between the hair's %.1f and the scalp's %.1f", m, res.TargetLab.L, blackHair.L, lightScalp.L)
		}
	}
	if !(light[TargetLighter] > light[TargetMatch]+2 && light[TargetMatch] > light[TargetDarker]+2) {
		t.Errorf("target lightness lighter %.1f, match %.1f, darker %.1f: want clearly ordered", light[TargetLighter], light[TargetMatch], light[TargetDarker])
	}
	// Typical dark hair on typical scalps is inside the reference palette's
	// gamut: the default answer should not warn about it.
	// (TestSixTypicalTargets covers more.)
	for _, c := range []struct{ hair, scalp colour.LabD50 }{{blackHair, lightScalp}, {brownHair, lightScalp}, {blackHair, mediumScalp}, {brownHair, mediumScalp}, {blackHair, brownScalp}} {
		res, _ := r.Recommend(c.hair, c.scalp, Options{})
		if res.Gamut != "" || res.Blends[0].DE00 > OutOfGamutDE00 {
			t.Errorf("hair %v scalp %v: best %q at %.2f ΔE00 (%s)", c.hair, c.scalp, res.Blends[0].Recipe, res.Blends[0].DE00, res.Gamut)
		}
	}
}

func TestWarnings(t *testing.T) {
	carbon, err := palettes.Builtin("smp-carbon-line")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		palette   *palettes.Palette
		target    colour.LabD50
		wantGamut string
		wantWarn  string
	}{
		{"a target darker than any healed dot is out of gamut", reference(t), colour.LabD50{L: 12, A: 1, B: 1}, "heals lighter than the target", "out of gamut"},
		{"a target lighter than the skin is out of gamut", reference(t), colour.LabD50{L: 80, A: 5, B: 10}, "heals darker than the target", "out of gamut"},
		{"carbon black alone heals blue against a warm dark target", carbon, colour.LabD50{L: 31, A: 2, B: 3}, "", "blue cast"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := tt.target
			res, err := Recommend(colour.LabD50{}, lightScalp, tt.palette, Options{TargetLab: &target})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(res.Gamut, tt.wantGamut) || (tt.wantGamut == "") != (res.Gamut == "") && tt.wantGamut != "" {
				t.Errorf("gamut %q, want it to mention %q", res.Gamut, tt.wantGamut)
			}
			if tt.wantWarn == "" {
				return
			}
			w := strings.Join(res.Blends[0].Warnings, "; ")
			if !strings.Contains(w, tt.wantWarn) {
				t.Errorf("best blend %q at %v warns %q, want %q", res.Blends[0].Recipe, res.Blends[0].PredictedLab, w, tt.wantWarn)
			}
		})
	}
}

func TestPigmentCostPrefersSimplerBlends(t *testing.T) {
	r := mustNew(t, reference(t))
	for _, sc := range []colour.LabD50{lightScalp, mediumScalp} {
		pure, _ := r.Recommend(brownHair, sc, Options{PigmentCost: -1})
		simple, _ := r.Recommend(brownHair, sc, Options{})
		p, s := pure.Blends[0], simple.Blends[0]
		if len(s.Parts) > len(p.Parts) {
			t.Errorf("with a pigment cost the best blend %q has more pigments than %q", s.Recipe, p.Recipe)
		}
		if s.DE00 > p.DE00+DefaultPigmentCost*float64(MaxMaxPigments) {
			t.Errorf("simpler blend %q costs %.2f ΔE00 against %.2f", s.Recipe, s.DE00, p.DE00)
		}
	}
}

func TestOptionsAreValidated(t *testing.T) {
	nan := colour.LabD50{L: math.NaN()}
	tests := []struct {
		name string
		opt  Options
		want string
	}{
		{"zero top is the default but a negative one is refused", Options{Top: -1}, "top = -1"},
		{"five pigments is too many to search", Options{MaxPigments: 5}, "max pigments = 5 is outside 1..4"},
		{"more than 20 parts is refused", Options{MaxParts: 21}, "max parts = 21"},
		{"an unknown target mode is refused", Options{Target: "softer"}, `target "softer"`},
		{"a NaN target is refused", Options{TargetLab: &nan}, "L* must be in 0..100"},
	}
	p := reference(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Recommend(brownHair, lightScalp, p, tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	if _, err := Recommend(brownHair, colour.LabD50{L: 5, A: 150, B: -150}, p, Options{}); err == nil || !strings.Contains(err.Error(), "scalp") {
		t.Errorf("impossible scalp colour: err = %v", err)
	}
}

func TestPredictAgreesWithRecommend(t *testing.T) {
	r := mustNew(t, reference(t))
	res, err := r.Recommend(brownHair, lightScalp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range res.Blends {
		got, err := r.Predict(b.Parts, b.DiluentParts, lightScalp, nil)
		if err != nil {
			t.Fatal(err)
		}
		if de := colour.DeltaE00(got, b.PredictedLab); de > 1e-9 {
			t.Errorf("%s: Predict %v, Recommend %v", b.Recipe, got, b.PredictedLab)
		}
	}
	if _, err := r.Predict([]Part{{Pigment: "nope", Parts: 1}}, 0, lightScalp, nil); err == nil {
		t.Error("an unknown pigment was accepted")
	}
	if _, err := r.Predict(nil, 0, lightScalp, nil); err == nil {
		t.Error("an empty recipe was accepted")
	}
}

func TestTheSameInkIsListedOnce(t *testing.T) {
	p := reference(t)
	r := mustNew(t, p)
	skin := skinFor(t, lightScalp)
	// 1 part black + 1 part water is Shade 1 (1:1): the same ink.
	black := -1
	for i, pg := range p.Pigments {
		if pg.ID == "black" {
			black = i
		}
	}
	target := healedOf(r, skin, []int{black}, []float64{0.5})
	res, err := r.Recommend(colour.LabD50{}, lightScalp, Options{TargetLab: &target, Top: 10})
	if err != nil {
		t.Fatal(err)
	}
	if best := res.Blends[0]; len(best.Parts) != 1 || best.Parts[0].Pigment != "black-1" || best.DiluentParts != 0 {
		t.Errorf("best %q, want the ready-made shade 1 (fewest parts) for 1 black : 1 water", best.Recipe)
	}
	seen := map[string]string{}
	for _, b := range res.Blends {
		key := b.PredictedLab.String()
		if other, dup := seen[key]; dup && b.DE00 < 1e-6 {
			t.Errorf("%q and %q are the same ink, listed twice", other, b.Recipe)
		}
		seen[key] = b.Recipe
	}
}

func TestAMeasuredSpectrumStandsInForItsColour(t *testing.T) {
	lab := colour.LabD50{L: 30, A: 11, B: 15}
	spec, err := optics.Recover(lab)
	if err != nil {
		t.Fatal(err)
	}
	var nm, refl []float64
	for i, v := range spec {
		nm = append(nm, optics.Wavelength(i))
		refl = append(refl, v)
	}
	byLab := &palettes.Palette{Name: "a", File: "a.json", Diluent: palettes.DefaultDiluent, Pigments: []palettes.Pigment{
		{ID: "b", Name: "Brown", Kind: palettes.KindIronOxide, Lab: &lab, Source: "test"},
	}}
	bySpectrum := &palettes.Palette{Name: "s", File: "s.json", Diluent: palettes.DefaultDiluent, Pigments: []palettes.Pigment{
		{ID: "b", Name: "Brown", Kind: palettes.KindIronOxide, Spectrum: &palettes.Spectrum{NM: nm, Reflectance: refl}, Source: "test"},
	}}
	a, err := Recommend(brownHair, lightScalp, byLab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Recommend(brownHair, lightScalp, bySpectrum, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Blends[0].Recipe != s.Blends[0].Recipe || colour.DeltaE00(a.Blends[0].PredictedLab, s.Blends[0].PredictedLab) > 1e-9 {
		t.Errorf("by L*a*b*: %q %v; by spectrum: %q %v", a.Blends[0].Recipe, a.Blends[0].PredictedLab, s.Blends[0].Recipe, s.Blends[0].PredictedLab)
	}
}

// A practitioner's healed dots, recorded as recipes of their palette, refit
// the healed model; recommendations then use it.
func TestRecalibratingFromHealedRecipes(t *testing.T) {
	r := mustNew(t, reference(t))
	truth := optics.DefaultHealedModel()
	truth.EffectiveConcentration, truth.EpidermisScattering500 = 0.6, 0.05
	var obs []optics.HealedObservation
	for _, rec := range []struct {
		parts   []Part
		diluent int
	}{
		{[]Part{{Pigment: "black", Parts: 1}}, 0},
		{[]Part{{Pigment: "black", Parts: 1}}, 3},
		{[]Part{{Pigment: "brown-warm", Parts: 2}, {Pigment: "black", Parts: 1}}, 4},
		{[]Part{{Pigment: "grey-cool", Parts: 1}}, 1},
	} {
		for i, sc := range []colour.LabD50{lightScalp, mediumScalp, brownScalp} {
			ink, err := r.Ink(rec.parts, rec.diluent)
			if err != nil {
				t.Fatal(err)
			}
			healed, err := r.Predict(rec.parts, rec.diluent, sc, &truth)
			if err != nil {
				t.Fatal(err)
			}
			obs = append(obs, optics.HealedObservation{Client: fmt.Sprint("client-", i), Scalp: sc, Ink: ink, Healed: healed})
		}
	}
	fit, rep, err := optics.Recalibrate(optics.DefaultHealedModel(), obs)
	if err != nil {
		t.Fatal(err)
	}
	if rep.RMSAfter > 0.05 || rep.RMSBefore < 1 {
		t.Errorf("RMS ΔE00 %.2f → %.3f, want a large error fixed", rep.RMSBefore, rep.RMSAfter)
	}
	res, err := r.Recommend(brownHair, lightScalp, Options{Model: &fit})
	if err != nil {
		t.Fatal(err)
	}
	if res.HealedModel != optics.DefaultHealedModel().Version+"+fit" {
		t.Errorf("result names healed model %q", res.HealedModel)
	}
}

// The typical targets of match: black, dark brown, brown and grey hair on
// light, medium and brown scalps. Each best blend is within the 1.8 ΔE00
// acceptability threshold, or the out-of-gamut warning says by how much,
// which way and which ink would be needed. Black hair on a brown scalp
// (18,1,2 on 38,12,22) is what practitioners treat every day with carbon
// black: it must be in gamut.
func TestSixTypicalTargets(t *testing.T) {
	r := mustNew(t, reference(t))
	hairs := []struct {
		name string
		lab  colour.LabD50
	}{
		{"black", colour.LabD50{L: 18, A: 1, B: 2}},
		{"dark brown", colour.LabD50{L: 22.5, A: 3.8, B: 4.6}},
		{"brown", colour.LabD50{L: 30, A: 6, B: 9}},
		{"grey", colour.LabD50{L: 62, A: 0, B: 3}},
	}
	scalps := []struct {
		name string
		lab  colour.LabD50
	}{
		{"light", lightScalp},
		{"medium", mediumScalp},
		{"dark", colour.LabD50{L: 38, A: 12, B: 22}},
	}
	for _, h := range hairs {
		for _, s := range scalps {
			t.Run(h.name+" hair on "+s.name+" scalp", func(t *testing.T) {
				res, err := r.Recommend(h.lab, s.lab, Options{})
				if err != nil {
					t.Fatal(err)
				}
				b := res.Blends[0]
				t.Logf("target %v: %q heals %v, %.2f ΔE00; %s", res.TargetLab, b.Recipe, b.PredictedLab, b.DE00, res.Gamut)
				if h.name != "grey" && b.DE00 > OutOfGamutDE00 {
					t.Errorf("dark hair is what SMP treats: best blend %.2f ΔE00, want ≤ %.1f", b.DE00, OutOfGamutDE00)
				}
				if b.DE00 <= OutOfGamutDE00 {
					if res.Gamut != "" {
						t.Errorf("in gamut at %.2f ΔE00 but warned %q", b.DE00, res.Gamut)
					}
					return
				}
				for _, want := range []string{fmt.Sprintf("%.1f ΔE00", b.DE00), "it would need"} {
					if !strings.Contains(res.Gamut, want) {
						t.Errorf("gamut warning %q does not say %q", res.Gamut, want)
					}
				}
				if !strings.Contains(res.Gamut, "lighter than the target") && !strings.Contains(res.Gamut, "darker than the target") && !strings.Contains(res.Gamut, "hue") {
					t.Errorf("gamut warning %q does not say which way", res.Gamut)
				}
			})
		}
	}
}

// Neat carbon black and its dilutions alone (the line most practitioners
// use) reach a black-hair target on a brown scalp.
func TestCarbonBlackReachesBlackHairOnADarkScalp(t *testing.T) {
	carbon, err := palettes.Builtin("smp-carbon-line")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Recommend(colour.LabD50{L: 18, A: 1, B: 2}, colour.LabD50{L: 38, A: 12, B: 22}, carbon, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b := res.Blends[0]; b.DE00 > OutOfGamutDE00 || res.Gamut != "" {
		t.Errorf("carbon line: best %q at %.2f ΔE00 (%s), want ≤ %.1f", b.Recipe, b.DE00, res.Gamut, OutOfGamutDE00)
	}
}
