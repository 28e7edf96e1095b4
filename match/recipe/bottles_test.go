package recipe

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

func TestMixInBottles(t *testing.T) {
	p := reference(t)
	tests := []struct {
		name    string
		parts   []Part
		diluent int
		vol     float64
		drop    float64
		want    string // Bottles.Recipe
		inks    []int  // parts of each neat ink
		water   int
		shade   float64 // -1: none
		drops   []int   // inks then water
	}{
		{"neat black is shade 0", []Part{{Pigment: "black", Parts: 1}}, 0, 0, 0, "1 SMP Black (neat) (shade 0)", []int{1}, 0, 0, []int{20, 0}},
		{"black and water is a shade", []Part{{Pigment: "black", Parts: 1}}, 8, 0, 0, "1 SMP Black (neat) + 8 distilled water (shade 8)", []int{1}, 8, 8, []int{2, 18}},
		{"a pre-diluted shade is its neat ink plus water", []Part{{Pigment: "black-4", Parts: 1}}, 0, 0, 0, "1 SMP Black (neat) + 4 distilled water (shade 4)", []int{1}, 4, 4, []int{4, 16}},
		{"a shade diluted further", []Part{{Pigment: "black-2", Parts: 2}}, 1, 0, 0, "2 SMP Black (neat) + 7 distilled water (shade 3.5, 2:7)", []int{2}, 7, 3.5, []int{4, 16}},
		{"two inks: no shade, whole parts in lowest terms", []Part{{Pigment: "black-8", Parts: 4}, {Pigment: "brown-neutral", Parts: 3}}, 1, 0, 0, "4 SMP Black (neat) + 27 Neutral Dark Brown + 41 distilled water", []int{4, 27}, 41, -1, []int{1, 8, 11}},
		{"two dilutions of one ink are one ink", []Part{{Pigment: "black-1", Parts: 1}, {Pigment: "black-8", Parts: 1}}, 0, 2, 0.04, "11 SMP Black (neat) + 25 distilled water (shade 2.27, 11:25)", []int{11}, 25, 25.0 / 11, []int{15, 35}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := MixInBottles(p, tt.parts, tt.diluent, tt.vol, tt.drop)
			if err != nil {
				t.Fatal(err)
			}
			if b.Recipe != tt.want {
				t.Errorf("recipe %q, want %q", b.Recipe, tt.want)
			}
			var inks, drops []int
			ml := 0.0
			for _, in := range b.Inks {
				inks, drops = append(inks, in.Parts), append(drops, in.Drops)
				ml += in.ML
			}
			drops = append(drops, b.Diluent.Drops)
			ml += b.Diluent.ML
			if !reflect.DeepEqual(inks, tt.inks) || b.Diluent.Parts != tt.water || !reflect.DeepEqual(drops, tt.drops) {
				t.Errorf("inks %v water %d drops %v, want %v %d %v", inks, b.Diluent.Parts, drops, tt.inks, tt.water, tt.drops)
			}
			vol := tt.vol
			if vol == 0 {
				vol = DefaultVolumeML
			}
			if math.Abs(ml-vol) > 1e-9 {
				t.Errorf("millilitres add up to %g, want %g", ml, vol)
			}
			switch {
			case tt.shade < 0 && b.Shade != nil:
				t.Errorf("shade %g for a mix of several inks", *b.Shade)
			case tt.shade >= 0 && (b.Shade == nil || math.Abs(*b.Shade-tt.shade) > 1e-12):
				t.Errorf("shade %v, want %g", b.Shade, tt.shade)
			}
		})
	}
	for _, bad := range []struct {
		parts   []Part
		diluent int
		vol     float64
	}{{nil, 1, 1}, {[]Part{{Pigment: "nope", Parts: 1}}, 0, 1}, {[]Part{{Pigment: "black", Parts: 0}}, 0, 1}, {[]Part{{Pigment: "black", Parts: 1}}, -1, 1}, {[]Part{{Pigment: "black", Parts: 1}}, 0, -1}} {
		if _, err := MixInBottles(p, bad.parts, bad.diluent, bad.vol, 0); err == nil {
			t.Errorf("MixInBottles(%v, %d, %g) accepted", bad.parts, bad.diluent, bad.vol)
		}
	}
}

// Two recipes that are the same ink give the same bottles, and a
// recommendation never lists the same bottles twice.
func TestRecommendationsAreDistinctInBottles(t *testing.T) {
	p := reference(t)
	a, _ := MixInBottles(p, []Part{{Pigment: "black-1", Parts: 1}}, 0, 0, 0)
	b, _ := MixInBottles(p, []Part{{Pigment: "black", Parts: 1}}, 1, 0, 0)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("Shade 1 and black + water: %+v vs %+v", a, b)
	}
	r := mustNew(t, p)
	for _, sc := range []colour.LabD50{lightScalp, mediumScalp, brownScalp} {
		res, err := r.Recommend(brownHair, sc, Options{Top: 10, VolumeML: 2, DropML: 0.04})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for i, bl := range res.Blends {
			if bl.Bottles == nil {
				t.Fatalf("blend %q has no bottles", bl.Recipe)
			}
			if bl.Bottles.VolumeML != 2 || bl.Bottles.DropML != 0.04 {
				t.Errorf("bottles for %g ml, %g ml drops", bl.Bottles.VolumeML, bl.Bottles.DropML)
			}
			if j, dup := seen[bl.Bottles.Recipe]; dup {
				t.Errorf("blends %d and %d are the same ink: %s", j+1, i+1, bl.Bottles.Recipe)
			}
			seen[bl.Bottles.Recipe] = i
		}
	}
}

func TestParseRecipe(t *testing.T) {
	p := reference(t)
	r := mustNew(t, p)
	// Every recipe match prints reads back as itself.
	res, err := r.Recommend(brownHair, lightScalp, Options{Top: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range res.Blends {
		parts, dil, err := ParseRecipe(p, b.Recipe)
		if err != nil {
			t.Fatalf("%q: %v", b.Recipe, err)
		}
		if !reflect.DeepEqual(parts, b.Parts) || dil != b.DiluentParts {
			t.Errorf("%q read as %v + %d water", b.Recipe, parts, dil)
		}
	}
	tests := []struct {
		in      string
		want    string // fmt of parts and diluent, or error text
		wantErr bool
	}{
		{"black:1 water:8", "[{black SMP Black (neat) 1}] 8", false},
		{"water:3, brown-warm:2,black:1", "[{black SMP Black (neat) 1} {brown-warm Warm Dark Brown 2}] 3", false},
		{"2 warm dark brown + 1 SMP BLACK (NEAT) + 7 distilled water", "[{black SMP Black (neat) 1} {brown-warm Warm Dark Brown 2}] 7", false},
		{"1 SMP Black Shade 8 (1:8)", "[{black-8 SMP Black Shade 8 (1:8) 1}] 0", false},
		{"", "empty recipe", true},
		{"black", "want ID:parts", true},
		{"black:x", "not a whole number", true},
		{"ink:1", `"ink" is not a pigment of palette smp-reference`, true},
		{"black:1 black:2", "named twice", true},
		{"water:4", "has no pigment", true},
		{"1 Unknown Brown + 2 distilled water", `"Unknown Brown" is not a pigment`, true},
	}
	for _, tt := range tests {
		parts, dil, err := ParseRecipe(p, tt.in)
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := fmt.Sprint(parts, " ", dil); got != tt.want {
			t.Errorf("%q: %s, want %s", tt.in, got, tt.want)
		}
	}
}

// Bottles sized for one cup and resized for another are the bottles mixed
// for the other cup: a batch resumed with another --volume or --drop-ml
// gives the same amounts as a fresh run.
func TestBottlesForVolume(t *testing.T) {
	p := reference(t)
	mixes := []struct {
		parts   []Part
		diluent int
	}{
		{[]Part{{Pigment: "black", Parts: 1}}, 0},
		{[]Part{{Pigment: "black-2", Parts: 2}}, 1},
		{[]Part{{Pigment: "black-8", Parts: 4}, {Pigment: "brown-neutral", Parts: 3}}, 1},
	}
	cups := [][2]float64{{0, 0}, {2, 0.04}, {0.3, 0.05}, {10, 0.1}}
	for _, m := range mixes {
		first, err := MixInBottles(p, m.parts, m.diluent, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, cup := range cups {
			want, err := MixInBottles(p, m.parts, m.diluent, cup[0], cup[1])
			if err != nil {
				t.Fatal(err)
			}
			got, err := first.ForVolume(cup[0], cup[1])
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s for %v: %+v, want %+v", first.Recipe, cup, got, want)
			}
		}
		if _, err := first.ForVolume(-1, 0.05); err == nil {
			t.Error("a negative volume was taken")
		}
		if again, _ := MixInBottles(p, m.parts, m.diluent, 0, 0); !reflect.DeepEqual(first, again) {
			t.Errorf("ForVolume changed the original: %+v", first)
		}
	}
}
