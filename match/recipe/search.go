package recipe

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/optics"
	"github.com/smpmatch/smpmatch/palettes"
)

// Recommender holds a palette prepared for searching: each pigment's
// Kubelka–Munk K/S at its strength in the bottle. Preparing recovers a
// spectrum per pigment, so keep one Recommender per palette.
type Recommender struct {
	palette  *palettes.Palette
	pigments []pigment
}

type pigment struct {
	id, name string
	// ks is the K/S of the ink as bottled: its base's K/S times its strength.
	ks optics.KSSpectrum
	// base is the index of the neat pigment it is made from.
	base     int
	strength float64
}

// New prepares a palette: it recovers (or resamples) each neat pigment's
// masstone spectrum and derives dilutions from their base.
func New(p *palettes.Palette) (*Recommender, error) {
	if p == nil {
		return nil, fmt.Errorf("recipe: no palette")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	r := &Recommender{palette: p}
	baseKS := map[string]optics.KSSpectrum{}
	index := map[string]int{}
	for i := range p.Pigments {
		pg := &p.Pigments[i]
		index[pg.ID] = i
		if pg.DilutionOf != "" {
			continue
		}
		var spec optics.ReflectanceSpectrum
		var err error
		if pg.Spectrum != nil {
			spec, err = optics.Resample(pg.Spectrum.NM, pg.Spectrum.Reflectance)
		} else {
			spec, err = optics.Recover(*pg.Lab)
		}
		if err != nil {
			return nil, fmt.Errorf("palette %s pigment %s: %w", p.File, pg.ID, err)
		}
		baseKS[pg.ID] = spec.KS()
	}
	for i := range p.Pigments {
		pg := &p.Pigments[i]
		b := p.Base(pg)
		var ks optics.KSSpectrum
		ks = ks.Add(baseKS[b.ID], pg.Strength())
		r.pigments = append(r.pigments, pigment{id: pg.ID, name: pg.Name, ks: ks, base: index[b.ID], strength: pg.Strength()})
	}
	return r, nil
}

// Recommend is New(p) followed by Recommend, for one-off calls.
func Recommend(hair, scalp colour.LabD50, p *palettes.Palette, opt Options) (Result, error) {
	r, err := New(p)
	if err != nil {
		return Result{}, err
	}
	return r.Recommend(hair, scalp, opt)
}

// Warning thresholds.
const (
	// OutOfGamutDE00 is the ΔE00 beyond which the best blend is reported as
	// out of the palette's gamut: the 1.8 "acceptable" threshold of shade
	// matching (DOMAIN.md, 'Skin and hair').
	OutOfGamutDE00 = 1.8
	// CastDelta is how much bluer (b*) or greener (a*) than the target a
	// healed blend may be, on the cool side of neutral, before it is
	// flagged as a visible cast: 2 units of b* near neutral is about 1.5–2
	// ΔE00, above the 0.8 perceptibility threshold even for a dot.
	CastDelta = 2.0
	// MetamerismDE00 is how much worse a match may get under incandescent
	// light (illuminant A) than under D50 before it is flagged: the 0.8
	// perceptibility threshold (DOMAIN.md).
	MetamerismDE00 = 0.8
)

// Recommend finds the blends whose predicted healed colour on this scalp is
// closest to the target chosen by opt (by default the hair colour as stubble
// reads on the scalp). hair is ignored when opt.TargetLab is set.
func (r *Recommender) Recommend(hair, scalp colour.LabD50, opt Options) (Result, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Result{}, fmt.Errorf("recommend: %w", err)
	}
	model := optics.DefaultHealedModel()
	if opt.Model != nil {
		model = *opt.Model
	}
	skin, err := model.SkinOf(scalp)
	if err != nil {
		return Result{}, fmt.Errorf("recommend: scalp: %w", err)
	}
	res := Result{
		Target: opt.Target, ScalpLab: scalp,
		Palette: r.palette.Name, PaletteVersion: r.palette.Version, HealedModel: model.Version, HealedModelFile: opt.ModelSource,
		Blends: []Blend{},
	}
	var target optics.ReflectanceSpectrum
	if opt.TargetLab != nil {
		// A target no smooth spectrum reaches still has a best-fit
		// spectrum, good enough to judge metamerism; D50 ranking uses the
		// requested L*a*b* itself.
		c, _, err := optics.RecoverCoeffs(*opt.TargetLab)
		if err != nil {
			return Result{}, fmt.Errorf("recommend: target: %w", err)
		}
		target = c.Spectrum()
		res.TargetLab = *opt.TargetLab
	} else {
		hairSpec, err := optics.Recover(hair)
		if err != nil {
			return Result{}, fmt.Errorf("recommend: hair: %w", err)
		}
		f, _ := opt.Target.Coverage()
		target = skin.Stubble(hairSpec, f)
		res.TargetLab = target.LabD50()
		res.StubbleCoverage = f
		h := hair
		res.HairLab = &h
	}
	targetA := target.LabUnderA()

	s := searcher{r: r, skin: skin, target: res.TargetLab, opt: opt}
	s.run()
	res.Search = SearchStats{Recipes: s.recipes, Scored: s.scored, Exact: true}

	for _, c := range s.top {
		res.Blends = append(res.Blends, r.blend(c, skin, res.TargetLab, targetA, opt))
	}
	if len(res.Blends) > 0 && res.Blends[0].DE00 > OutOfGamutDE00 {
		res.Gamut = gamutWarning(res.Blends[0], res.TargetLab, opt.MaxParts)
	}
	res.Skin = &skin.Layers
	return res, nil
}

// gamutWarning says how far the best blend is from the target, which way
// (lighter, darker, hue) and what ink the palette would need.
func gamutWarning(b Blend, target colour.LabD50, maxParts int) string {
	p := b.PredictedLab
	dl, da, db := p.L-target.L, p.A-target.A, p.B-target.B
	var way, needs []string
	switch {
	case dl < -1:
		way = append(way, fmt.Sprintf("darker than the target by %.1f L*", -dl))
		need := "a lighter ink than any in the palette (a grey made with titanium dioxide white: pigment in the dermis only darkens the skin, so a target this light is for a white-based ink)"
		if b.DiluentParts > 0 && b.DiluentParts+sumParts(b.Parts) >= maxParts {
			need += fmt.Sprintf(", or more water than --max-parts %d allows", maxParts)
		}
		needs = append(needs, need)
	case dl > 1:
		way = append(way, fmt.Sprintf("lighter than the target by %.1f L*", dl))
		needs = append(needs, "a darker ink than any in the palette (a denser neat carbon black)")
	}
	if math.Abs(db) > 1 || math.Abs(da) > 1 {
		var h []string
		if db < -1 {
			h = append(h, fmt.Sprintf("%.1f b* bluer", -db))
			needs = append(needs, "a warmer ink (a brown iron oxide) against the blue")
		} else if db > 1 {
			h = append(h, fmt.Sprintf("%.1f b* yellower", db))
			needs = append(needs, "a cooler, more neutral ink (an ash or cool grey)")
		}
		if da < -1 {
			h = append(h, fmt.Sprintf("%.1f a* greener", -da))
			needs = append(needs, "a redder ink (a warm red-brown)")
		} else if da > 1 {
			h = append(h, fmt.Sprintf("%.1f a* redder", da))
			needs = append(needs, "a less red ink (a neutral or cool grey)")
		}
		way = append(way, "hue: "+strings.Join(h, ", "))
	}
	if len(way) == 0 {
		way = append(way, "hue")
	}
	msg := fmt.Sprintf("out of gamut: the closest blend is %.1f ΔE00 from the target (acceptable ≤ %.1f) and heals %s", b.DE00, OutOfGamutDE00, strings.Join(way, "; "))
	if len(needs) > 0 {
		msg += "; it would need " + strings.Join(needs, "; ")
	}
	return msg
}

func sumParts(ps []Part) int {
	n := 0
	for _, p := range ps {
		n += p.Parts
	}
	return n
}

// blend turns a candidate into a reported Blend with its warnings.
func (r *Recommender) blend(c candidate, skin *optics.Skin, target, targetA colour.LabD50, opt Options) Blend {
	b := Blend{DiluentParts: c.diluent, Warnings: []string{}}
	var ink optics.KSSpectrum
	var words []string
	for j := 0; j < c.k; j++ {
		p := r.pigments[c.idx[j]]
		b.Parts = append(b.Parts, Part{Pigment: p.id, Name: p.name, Parts: c.parts[j]})
		ink = ink.Add(p.ks, float64(c.parts[j])/float64(c.total))
		words = append(words, fmt.Sprintf("%d %s", c.parts[j], p.name))
	}
	if c.diluent > 0 {
		words = append(words, fmt.Sprintf("%d %s", c.diluent, r.palette.Diluent.Name))
	}
	b.Recipe = strings.Join(words, " + ")
	if bt, err := MixInBottles(r.palette, b.Parts, b.DiluentParts, opt.VolumeML, opt.DropML); err == nil {
		b.Bottles = &bt
	}
	healed := skin.Healed(ink)
	b.PredictedLab = healed.LabD50()
	b.DE00 = colour.DeltaE00(b.PredictedLab, target)
	b.HealedInA = healed.LabUnderA()
	b.DE00InA = colour.DeltaE00(b.HealedInA, targetA)

	p := b.PredictedLab
	if b.DE00 > OutOfGamutDE00 {
		b.Warnings = append(b.Warnings, fmt.Sprintf("out of gamut: %.1f ΔE00 from the target (acceptable ≤ %.1f)", b.DE00, OutOfGamutDE00))
	}
	if p.B < 0 && target.B-p.B > CastDelta {
		b.Warnings = append(b.Warnings, fmt.Sprintf("blue cast: heals to b* %.1f against the target's %.1f; add a warm pigment", p.B, target.B))
	}
	if p.A < 0 && target.A-p.A > CastDelta {
		b.Warnings = append(b.Warnings, fmt.Sprintf("green cast: heals to a* %.1f against the target's %.1f; add a warm (red-brown) pigment", p.A, target.A))
	}
	if b.DE00InA-b.DE00 > MetamerismDE00 {
		b.Warnings = append(b.Warnings, fmt.Sprintf("metameric: the match is %.1f ΔE00 under incandescent light against %.1f in daylight", b.DE00InA, b.DE00))
	}
	return b
}

// candidate is a whole-part recipe: pigments idx[:k] (ascending palette
// indices) with parts[:k], plus diluent, total parts in all.
type candidate struct {
	// score ranks candidates: de plus PigmentCost per extra pigment.
	score   float64
	de      float64
	k       int
	idx     [MaxMaxPigments]int
	parts   [MaxMaxPigments]int
	diluent int
	total   int
	// comp is the recipe's concentration of each neat base pigment,
	// sorted by base: two recipes with the same comp are the same ink
	// (e.g. 1 Shade 1:1 and 1 Black + 1 diluent).
	comp [MaxMaxPigments]baseConc
}

type baseConc struct {
	base int
	c    float64
}

// tieDE00 is the difference in ΔE00 below which two blends count as equally
// good and the simpler one wins; far below anything visible.
const tieDE00 = 1e-9

// less orders candidates: lower score (closer, or as close with fewer
// pigments) first, then fewer pigments, fewer parts, earlier pigments and
// parts in palette order.
func less(a, b *candidate) bool {
	if d := a.score - b.score; math.Abs(d) > tieDE00 {
		return d < 0
	}
	if a.k != b.k {
		return a.k < b.k
	}
	if a.total != b.total {
		return a.total < b.total
	}
	for j := 0; j < a.k; j++ {
		if a.idx[j] != b.idx[j] {
			return a.idx[j] < b.idx[j]
		}
	}
	for j := 0; j < a.k; j++ {
		if a.parts[j] != b.parts[j] {
			return a.parts[j] > b.parts[j]
		}
	}
	return a.diluent < b.diluent
}

func sameComposition(a, b *candidate) bool {
	for j := range a.comp {
		if a.comp[j].base != b.comp[j].base || math.Abs(a.comp[j].c-b.comp[j].c) > 1e-12 {
			return false
		}
	}
	return true
}

type searcher struct {
	r      *Recommender
	skin   *optics.Skin
	target colour.LabD50
	opt    Options
	// noPrune scores every recipe (tests check pruning changes nothing).
	noPrune bool

	top             []candidate
	recipes, scored int
	// windows caches the luminance window per pigment cost.
	windows map[float64]yWindow

	cur candidate
	// sums[d] is Σ parts·K/S of the first d pigments of cur.
	sums [MaxMaxPigments + 1]optics.KSSpectrum
}

func (s *searcher) run() {
	s.windows = map[float64]yWindow{}
	// Fewer pigments first: the best one- and two-pigment blends set a
	// tight bound early, so most three-pigment recipes are excluded by
	// their lightness alone. The order does not change the result.
	for k := 1; k <= s.opt.MaxPigments; k++ {
		s.recipes += binomial(len(s.r.pigments), k) * partsTuples(k, s.opt.MaxParts)
		s.extend(0, k, 0, 0, 0)
	}
	sort.SliceStable(s.top, func(i, j int) bool { return less(&s.top[i], &s.top[j]) })
}

// extend adds pigment number depth (palette index ≥ from) to a recipe of k
// pigments whose parts so far sum to used with gcd g.
//
// Two bounds prune whole subtrees, both exact:
//   - Too dark: every completed recipe has at most MaxParts parts, so each
//     chosen pigment's concentration is at least parts/MaxParts, and more
//     pigments only add K/S. The healed Y at those minimum concentrations is
//     an upper bound; if it is below the window, this node and every larger
//     amount of this pigment are too dark.
//   - Too light: concentrations sum to at most 1, so a mix's K/S is at most
//     the pointwise maximum of its pigments' K/S. The healed Y of that
//     maximum is a lower bound for the whole pigment set; if it is above the
//     window, no recipe of the set can enter the top N.
func (s *searcher) extend(depth, k, from, used, g int) {
	cost := s.opt.PigmentCost * float64(k-1)
	// Leave at least one part for each pigment still to come.
	room := s.opt.MaxParts - used - (k - depth - 1)
	minConc := 1 / float64(s.opt.MaxParts)
	for i := from; i <= len(s.r.pigments)-(k-depth); i++ {
		s.cur.idx[depth] = i
		if depth+1 == k {
			if _, yhi := s.window(cost); yhi < math.Inf(1) && s.lightestBoundY(depth, used, i) > yhi {
				continue
			}
		}
		for p := 1; p <= room; p++ {
			s.cur.parts[depth] = p
			s.sums[depth+1] = s.sums[depth].Add(s.r.pigments[i].ks, float64(p))
			if depth+1 == k {
				s.cur.k = k
				if tooDark := s.emit(used+p, gcd(g, p)); tooDark {
					break // and more of pigment i is darker still
				}
				continue
			}
			if ylo, _ := s.window(cost); ylo > 0 && s.skin.HealedY(&s.sums[depth+1], minConc) < ylo {
				break // too dark, and more of pigment i is darker still
			}
			s.extend(depth+1, k, i+1, used+p, gcd(g, p))
		}
	}
}

// lightestBoundY bounds from below the healed Y of every recipe that
// completes the current prefix (parts summing to used, K/S sum s.sums[depth])
// with pigment i as the last one. The darkest of these recipes for each
// amount p of pigment i has no diluent, and its K/S, (S' + p·K/Sᵢ)/(used + p),
// lies between the prefix's own mix S'/used and K/Sᵢ; so it is at most their
// pointwise maximum, and more diluent only lightens.
func (s *searcher) lightestBoundY(depth, used, i int) float64 {
	var mx optics.KSSpectrum
	ks := &s.r.pigments[i].ks
	if depth == 0 {
		mx = *ks
	} else {
		pre := &s.sums[depth]
		inv := 1 / float64(used)
		for j := range mx {
			mx[j] = math.Max(pre[j]*inv, ks[j])
		}
	}
	return s.skin.HealedY(&mx, 1)
}

// emit scores the current pigments and parts with every amount of diluent.
//
// More diluent always heals lighter (every K/S falls, so every reflectance
// rises), and a recipe can only enter the top N if its luminance Y lies in the
// window the lightness bound allows (see window). So the amounts of diluent
// worth scoring form one run: the two ends are checked first, a binary search
// finds where the run starts and the scan stops where it ends. All of this
// only skips recipes the bound excludes, so the search stays exact.
//
// It reports whether even the most diluted recipe is too dark: then so is
// every recipe with more of the last pigment.
func (s *searcher) emit(pigParts, g int) (tooDark bool) {
	ink := &s.sums[s.cur.k]
	dmax := s.opt.MaxParts - pigParts
	var cache [MaxMaxParts + 1]float64
	var have [MaxMaxParts + 1]bool
	y := func(d int) float64 {
		if !have[d] {
			cache[d], have[d] = s.skin.HealedY(ink, 1/float64(pigParts+d)), true
		}
		return cache[d]
	}
	cost := s.opt.PigmentCost * float64(s.cur.k-1)
	ylo, yhi := s.window(cost)
	y0 := y(0)
	if y0 > yhi {
		return false // too light even with no diluent
	}
	lo := 0
	if y0 < ylo {
		if y(dmax) < ylo {
			return true // too dark even with the most diluent
		}
		// Smallest d light enough to matter: y(0) < ylo ≤ y(dmax).
		hi := dmax
		lo = 1
		for lo < hi {
			mid := (lo + hi) / 2
			if y(mid) >= ylo {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
	}
	for d := lo; d <= dmax; d++ {
		if y(d) > yhi {
			break // lighter still with more diluent
		}
		if y(d) < ylo || gcd(g, d) != 1 {
			continue // excluded, or a multiple of a simpler recipe
		}
		xyz := s.skin.HealedXYZ(ink, 1/float64(pigParts+d))
		s.scored++
		c := s.cur
		c.diluent, c.total = d, pigParts+d
		c.de = colour.DeltaE00(xyz.LabD50(), s.target)
		c.score = c.de + cost
		if s.insert(&c) {
			ylo, yhi = s.window(cost)
		}
	}
	return false
}

// window is the range of luminance Y a recipe with the given pigment cost
// must have to possibly enter the top N: outside it, lightnessBound alone
// exceeds the N-th best score. It is (−∞, +∞) until the top N is full.
// Windows are recomputed only when the top N changes.
func (s *searcher) window(cost float64) (ylo, yhi float64) {
	if s.noPrune || len(s.top) < s.opt.Top {
		return math.Inf(-1), math.Inf(1)
	}
	thr := s.top[len(s.top)-1].score + tieDE00 - cost
	if w, ok := s.windows[cost]; ok && w.thr == thr {
		return w.ylo, w.yhi
	}
	if thr < 0 {
		s.windows[cost] = yWindow{thr, math.Inf(1), math.Inf(-1)}
		return math.Inf(1), math.Inf(-1)
	}
	lt := s.target.L
	// lightnessBound grows with |L − Lt|; find where it reaches thr on each
	// side by bisection, keeping the outer end so the window never
	// excludes a recipe inside the bound.
	edge := func(dir float64) float64 {
		in, out := 0.0, 200.0
		for out-in > 1e-9 {
			mid := (in + out) / 2
			if lightnessBound(lt+dir*mid, lt) > thr {
				out = mid
			} else {
				in = mid
			}
		}
		return lt + dir*out
	}
	w := yWindow{thr: thr, ylo: luminance(edge(-1)), yhi: luminance(edge(1))}
	s.windows[cost] = w
	return w.ylo, w.yhi
}

type yWindow struct{ thr, ylo, yhi float64 }

// luminance is Y of lightness L* (D50-relative; negative L* gives negative Y,
// which no recipe has).
func luminance(l float64) float64 { return colour.LabD50{L: l}.XYZ().Y }

// partsTuples counts the whole-part recipes for k given pigments: parts
// p₁…p_k ≥ 1 and diluent d ≥ 0 with at most maxParts in all and no common
// factor (2:2 is 1:1).
func partsTuples(k, maxParts int) int {
	var count func(j, used, g int) int
	count = func(j, used, g int) int {
		if j == k {
			n := 0
			for d := 0; used+d <= maxParts; d++ {
				if gcd(g, d) == 1 {
					n++
				}
			}
			return n
		}
		n := 0
		for p := 1; used+p+(k-j-1) <= maxParts; p++ {
			n += count(j+1, used+p, gcd(g, p))
		}
		return n
	}
	return count(0, 0, 0)
}

func binomial(n, k int) int {
	if k < 0 || k > n {
		return 0
	}
	r := 1
	for i := 1; i <= k; i++ {
		r = r * (n - k + i) / i
	}
	return r
}

// insert keeps s.top as the best opt.Top candidates of distinct
// composition, sorted by less.
// It reports whether the list changed.
func (s *searcher) insert(c *candidate) bool {
	if len(s.top) == s.opt.Top && !less(c, &s.top[len(s.top)-1]) {
		return false
	}
	s.r.composition(c)
	for i := range s.top {
		if sameComposition(c, &s.top[i]) {
			if !less(c, &s.top[i]) {
				return false
			}
			s.top = append(s.top[:i], s.top[i+1:]...)
			break
		}
	}
	pos := sort.Search(len(s.top), func(i int) bool { return less(c, &s.top[i]) })
	s.top = append(s.top, candidate{})
	copy(s.top[pos+1:], s.top[pos:])
	s.top[pos] = *c
	if len(s.top) > s.opt.Top {
		s.top = s.top[:s.opt.Top]
	}
	return true
}

// composition fills c.comp: the concentration of each neat base pigment.
func (r *Recommender) composition(c *candidate) {
	var comp [MaxMaxPigments]baseConc
	n := 0
	for j := 0; j < c.k; j++ {
		p := r.pigments[c.idx[j]]
		conc := p.strength * float64(c.parts[j]) / float64(c.total)
		found := false
		for m := 0; m < n; m++ {
			if comp[m].base == p.base {
				comp[m].c += conc
				found = true
			}
		}
		if !found {
			comp[n] = baseConc{p.base, conc}
			n++
		}
	}
	for m := n; m < MaxMaxPigments; m++ {
		comp[m] = baseConc{base: -1}
	}
	sort.Slice(comp[:n], func(a, b int) bool { return comp[a].base < comp[b].base })
	c.comp = comp
}

// lightnessBound is a lower bound on CIEDE2000 between two colours with
// lightness l1 and l2. ΔE00² = (ΔL/S_L)² + Q, where Q, the chroma and hue
// part, is (ΔC/S_C)² + (ΔH/S_H)² + R_T·(ΔC/S_C)(ΔH/S_H) ≥ (|x| − |y|)² ≥ 0
// because |R_T| ≤ R_C ≤ 2 (Sharma, Wu & Dalal 2005, eqs. 16–22); L* enters
// CIEDE2000 unchanged, so ΔE00 ≥ |ΔL|/S_L(mean L). A recipe whose bound
// exceeds the current N-th best cannot enter the top N.
func lightnessBound(l1, l2 float64) float64 {
	m := (l1+l2)/2 - 50
	sl := 1 + 0.015*m*m/math.Sqrt(20+m*m)
	return math.Abs(l1-l2) / sl
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Ink is the Kubelka–Munk K/S of a recipe given in whole parts (by pigment
// ID) plus diluent: what optics.Skin.Healed takes, and what an
// optics.HealedObservation records when a practitioner recalibrates the
// healed model from their own dots.
func (r *Recommender) Ink(parts []Part, diluentParts int) (optics.KSSpectrum, error) {
	var ink optics.KSSpectrum
	if diluentParts < 0 {
		return ink, fmt.Errorf("ink: %d parts of diluent", diluentParts)
	}
	total := diluentParts
	for _, p := range parts {
		if p.Parts < 1 {
			return ink, fmt.Errorf("ink: %s: %d parts, want at least 1", p.Pigment, p.Parts)
		}
		total += p.Parts
	}
	if len(parts) == 0 {
		return ink, fmt.Errorf("ink: no pigment in the recipe")
	}
	for _, p := range parts {
		found := false
		for _, pg := range r.pigments {
			if pg.id == p.Pigment {
				ink = ink.Add(pg.ks, float64(p.Parts)/float64(total))
				found = true
				break
			}
		}
		if !found {
			return ink, fmt.Errorf("ink: pigment %q is not in palette %s", p.Pigment, r.palette.Name)
		}
	}
	return ink, nil
}

// Predict is the healed colour, on a scalp, of a recipe given in whole parts
// (by pigment ID) plus diluent: the same prediction Recommend ranks by, for a
// recipe the practitioner chose. model nil means the default healed model.
func (r *Recommender) Predict(parts []Part, diluentParts int, scalp colour.LabD50, model *optics.HealedModel) (colour.LabD50, error) {
	m := optics.DefaultHealedModel()
	if model != nil {
		m = *model
	}
	ink, err := r.Ink(parts, diluentParts)
	if err != nil {
		return colour.LabD50{}, fmt.Errorf("predict: %w", err)
	}
	skin, err := m.SkinOf(scalp)
	if err != nil {
		return colour.LabD50{}, fmt.Errorf("predict: scalp: %w", err)
	}
	return skin.Healed(ink).LabD50(), nil
}
