package recipe

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/smpmatch/smpmatch/palettes"
)

// Mixing defaults: a cup of 1 ml, and the 0.05 ml drop of a standard
// dropper bottle (20 drops per ml, the pharmacopoeial drop of water).
const (
	DefaultVolumeML = 1.0
	DefaultDropML   = 0.05
)

// BottlePart is one bottle in a mix: a neat ink or the diluent.
type BottlePart struct {
	// Pigment is the neat ink's ID in the palette, or the diluent's.
	Pigment string `json:"pigment"`
	// Name is its name, for people.
	Name string `json:"name"`
	// Parts is how many parts of it go in (whole parts, lowest terms).
	Parts int `json:"parts"`
	// ML is how many millilitres of it make VolumeML of the mix.
	ML float64 `json:"ml"`
	// Drops is ML in drops of DropML, rounded (at least 1 when Parts > 0).
	Drops int `json:"drops"`
}

// Bottles is a recipe in the bottles a practitioner has: neat inks and the
// diluent (a pre-diluted shade of the palette is its neat ink plus water).
// Two recipes that are the same ink have the same Bottles.
type Bottles struct {
	// Inks are the neat inks, in palette order.
	Inks []BottlePart `json:"inks"`
	// Diluent is the water (or the maker's diluent); Parts may be 0.
	Diluent BottlePart `json:"diluent"`
	// Shade is the SMP shade number when the mix is one neat ink and
	// water: Shade parts of water to 1 of ink (0 = neat). Absent otherwise.
	Shade *float64 `json:"shade,omitempty"`
	// Recipe says it in words: "1 SMP Black (neat) + 8 distilled water (shade 8)".
	Recipe string `json:"recipe"`
	// VolumeML and DropML are the cup and the drop the ML and Drops are for.
	VolumeML float64 `json:"volume_ml"`
	DropML   float64 `json:"drop_ml"`
}

// MixInBottles restates a recipe of palette inks (parts by pigment ID, plus
// diluent parts) in neat inks and water, as whole parts in lowest terms, as a
// shade number when it is one ink and water, and in millilitres and drops for
// a cup of volumeML (0 means DefaultVolumeML) with drops of dropML (0 means
// DefaultDropML). The batch report and match use it for every blend.
func MixInBottles(p *palettes.Palette, parts []Part, diluentParts int, volumeML, dropML float64) (Bottles, error) {
	if volumeML == 0 {
		volumeML = DefaultVolumeML
	}
	if dropML == 0 {
		dropML = DefaultDropML
	}
	b := Bottles{VolumeML: volumeML, DropML: dropML, Inks: []BottlePart{}}
	if !(volumeML > 0) || !(dropML > 0) || math.IsInf(volumeML, 0) || math.IsInf(dropML, 0) {
		return b, fmt.Errorf("bottles: volume %g ml and drop %g ml must be positive", volumeML, dropML)
	}
	if diluentParts < 0 {
		return b, fmt.Errorf("bottles: %d parts of diluent", diluentParts)
	}
	if len(parts) == 0 {
		return b, fmt.Errorf("bottles: no pigment in the recipe")
	}
	// Exact arithmetic: a shade 1:d bottle is 1/(1+d) ink and d/(1+d) water.
	amount := map[string]*big.Rat{}
	water := new(big.Rat).SetInt64(int64(diluentParts))
	for _, pt := range parts {
		pg, ok := p.Pigment(pt.Pigment)
		if !ok {
			return b, fmt.Errorf("bottles: pigment %q is not in palette %s", pt.Pigment, p.Name)
		}
		if pt.Parts < 1 {
			return b, fmt.Errorf("bottles: %s: %d parts, want at least 1", pt.Pigment, pt.Parts)
		}
		k := new(big.Rat).SetInt64(int64(pt.Parts))
		base := p.Base(pg)
		ink := new(big.Rat).Set(k)
		if pg.DilutionOf != "" {
			d, ok := new(big.Rat).SetString(strconv.FormatFloat(pg.Dilution, 'f', -1, 64))
			if !ok {
				return b, fmt.Errorf("bottles: %s: dilution %g", pg.ID, pg.Dilution)
			}
			one := new(big.Rat).SetInt64(1)
			ink.Quo(k, new(big.Rat).Add(one, d))
			water.Add(water, new(big.Rat).Sub(k, ink))
		}
		if amount[base.ID] == nil {
			amount[base.ID] = new(big.Rat)
		}
		amount[base.ID].Add(amount[base.ID], ink)
	}
	// Whole parts: multiply by the denominators' LCM, divide by the GCD.
	lcm := big.NewInt(1)
	all := []*big.Rat{water}
	for _, a := range amount {
		all = append(all, a)
	}
	for _, a := range all {
		g := new(big.Int).GCD(nil, nil, lcm, a.Denom())
		lcm.Mul(lcm, new(big.Int).Quo(a.Denom(), g))
	}
	ints := map[*big.Rat]*big.Int{}
	g := new(big.Int)
	for _, a := range all {
		n := new(big.Int).Mul(a.Num(), new(big.Int).Quo(lcm, a.Denom()))
		ints[a] = n
		g.GCD(nil, nil, g, n)
	}
	total := 0.0
	toInt := func(a *big.Rat) (int, error) {
		n := new(big.Int).Quo(ints[a], g)
		if !n.IsInt64() || n.Int64() > 1<<31 {
			return 0, fmt.Errorf("bottles: the mix needs more than %d parts", 1<<31)
		}
		return int(n.Int64()), nil
	}
	for i := range p.Pigments {
		pg := &p.Pigments[i]
		a, ok := amount[pg.ID]
		if !ok {
			continue
		}
		n, err := toInt(a)
		if err != nil {
			return b, err
		}
		b.Inks = append(b.Inks, BottlePart{Pigment: pg.ID, Name: pg.Name, Parts: n})
		total += float64(n)
	}
	nw, err := toInt(water)
	if err != nil {
		return b, err
	}
	b.Diluent = BottlePart{Pigment: p.Diluent.ID, Name: p.Diluent.Name, Parts: nw}
	total += float64(nw)
	words := []string{}
	for _, bp := range append(append([]BottlePart{}, b.Inks...), b.Diluent) {
		if bp.Parts > 0 {
			words = append(words, fmt.Sprintf("%d %s", bp.Parts, bp.Name))
		}
	}
	b.measure(total)
	b.Recipe = strings.Join(words, " + ")
	if len(b.Inks) == 1 {
		s := float64(nw) / float64(b.Inks[0].Parts)
		b.Shade = &s
		if s == math.Trunc(s) {
			b.Recipe += fmt.Sprintf(" (shade %g)", s)
		} else {
			b.Recipe += fmt.Sprintf(" (shade %s, %d:%d)", strconv.FormatFloat(math.Round(s*100)/100, 'f', -1, 64), b.Inks[0].Parts, nw)
		}
	}
	return b, nil
}

// measure fills each bottle's ML and Drops from its parts (total of them)
// for b.VolumeML and b.DropML.
func (b *Bottles) measure(total float64) {
	one := func(bp *BottlePart) {
		bp.ML, bp.Drops = 0, 0
		if total > 0 {
			bp.ML = b.VolumeML * float64(bp.Parts) / total
		}
		bp.Drops = int(math.Round(bp.ML / b.DropML))
		if bp.Parts > 0 && bp.Drops == 0 {
			bp.Drops = 1
		}
	}
	for i := range b.Inks {
		one(&b.Inks[i])
	}
	one(&b.Diluent)
}

// ForVolume is the same mix measured out for a cup of volumeML with drops
// of dropML (0 means DefaultVolumeML, DefaultDropML): parts, shade and
// recipe are unchanged, ML and Drops are recomputed as MixInBottles would.
// A batch uses it to give results kept from an earlier run (whose bottles
// were sized for another cup) for the cup asked now.
func (b Bottles) ForVolume(volumeML, dropML float64) (Bottles, error) {
	if volumeML == 0 {
		volumeML = DefaultVolumeML
	}
	if dropML == 0 {
		dropML = DefaultDropML
	}
	if !(volumeML > 0) || !(dropML > 0) || math.IsInf(volumeML, 0) || math.IsInf(dropML, 0) {
		return b, fmt.Errorf("bottles: volume %g ml and drop %g ml must be positive", volumeML, dropML)
	}
	b.Inks = append([]BottlePart{}, b.Inks...)
	b.VolumeML, b.DropML = volumeML, dropML
	total := float64(b.Diluent.Parts)
	for _, bp := range b.Inks {
		total += float64(bp.Parts)
	}
	b.measure(total)
	return b, nil
}

// recipeWords matches one term of a recipe in words: "4 SMP Black Shade 8 (1:8)".
var recipeWords = regexp.MustCompile(`^\s*(\d+)\s+(\S.*?)\s*$`)

// ParseRecipe reads a recipe of this palette as match prints it ("4 SMP Black
// Shade 8 (1:8) + 3 Neutral Dark Brown + 1 distilled water": parts and
// names, joined by "+") or as pigment IDs with parts ("black:1 water:8",
// separated by spaces or commas; the diluent by its ID). Names and IDs are
// matched without regard to case; a pigment named twice is an error.
func ParseRecipe(p *palettes.Palette, s string) (parts []Part, diluentParts int, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, 0, fmt.Errorf("empty recipe")
	}
	seen := map[string]bool{}
	add := func(key string, n int) error {
		if n < 0 {
			return fmt.Errorf("%q: %d parts", key, n)
		}
		k := strings.ToLower(strings.TrimSpace(key))
		if k == strings.ToLower(p.Diluent.ID) || k == strings.ToLower(p.Diluent.Name) || k == "water" && p.Diluent.ID == "" {
			if seen["\x00diluent"] {
				return fmt.Errorf("the diluent is named twice")
			}
			seen["\x00diluent"] = true
			diluentParts = n
			return nil
		}
		for _, pg := range p.Pigments {
			if k == strings.ToLower(pg.ID) || k == strings.ToLower(pg.Name) {
				if seen[pg.ID] {
					return fmt.Errorf("pigment %s is named twice", pg.ID)
				}
				seen[pg.ID] = true
				if n == 0 {
					return nil
				}
				parts = append(parts, Part{Pigment: pg.ID, Name: pg.Name, Parts: n})
				return nil
			}
		}
		return fmt.Errorf("%q is not a pigment of palette %s (nor its diluent %q)", key, p.Name, p.Diluent.ID)
	}
	terms := strings.Split(s, "+")
	words := true
	for _, t := range terms {
		if !recipeWords.MatchString(t) {
			words = false
			break
		}
	}
	if words {
		for _, t := range terms {
			m := recipeWords.FindStringSubmatch(t)
			n, err := strconv.Atoi(m[1])
			if err != nil {
				return nil, 0, fmt.Errorf("%q: %w", t, err)
			}
			if err := add(m[2], n); err != nil {
				return nil, 0, err
			}
		}
	} else {
		for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
			id, num, ok := strings.Cut(tok, ":")
			if !ok {
				return nil, 0, fmt.Errorf("%q: want ID:parts (e.g. black:1 water:8) or parts and names joined by + (as match prints)", tok)
			}
			n, err := strconv.Atoi(num)
			if err != nil {
				return nil, 0, fmt.Errorf("%q: parts %q is not a whole number", tok, num)
			}
			if err := add(id, n); err != nil {
				return nil, 0, err
			}
		}
	}
	if len(parts) == 0 {
		return nil, 0, fmt.Errorf("recipe %q has no pigment", s)
	}
	// Palette order, as match lists them.
	order := map[string]int{}
	for i, pg := range p.Pigments {
		order[pg.ID] = i
	}
	for i := 1; i < len(parts); i++ {
		for j := i; j > 0 && order[parts[j].Pigment] < order[parts[j-1].Pigment]; j-- {
			parts[j], parts[j-1] = parts[j-1], parts[j]
		}
	}
	return parts, diluentParts, nil
}
