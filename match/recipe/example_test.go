package recipe_test

import (
	"fmt"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/palettes"
)

func ExampleRecommend() {
	pal, err := palettes.Builtin("smp-reference")
	if err != nil {
		panic(err)
	}
	hair := colour.LabD50{L: 22.5, A: 3.8, B: 4.6} // dark brown hair
	scalp := colour.LabD50{L: 64, A: 9, B: 15}     // light scalp
	res, err := recipe.Recommend(hair, scalp, pal, recipe.Options{Top: 1})
	if err != nil {
		panic(err)
	}
	b := res.Blends[0]
	fmt.Printf("target %v\n", res.TargetLab)
	fmt.Printf("%s heals to %v, ΔE00 %.1f\n", b.Recipe, b.PredictedLab, b.DE00)
	// Output:
	// target L*a*b*(40.6, 3.9, 5.1)
	// 1 SMP Black Shade 4 (1:4) + 3 Neutral Dark Brown + 6 distilled water heals to L*a*b*(40.5, 3.7, 5.4), ΔE00 0.3
}

// A recipe of pre-diluted shades, restated in the bottles a practitioner
// has: neat ink and water, with the shade number and what to pour for 1 ml.
func ExampleMixInBottles() {
	p, _ := palettes.Builtin(palettes.DefaultName)
	parts, water, _ := recipe.ParseRecipe(p, "2 SMP Black Shade 2 (1:2) + 1 distilled water")
	b, _ := recipe.MixInBottles(p, parts, water, 1, 0.05)
	fmt.Println(b.Recipe)
	for _, bp := range append(b.Inks, b.Diluent) {
		fmt.Printf("%.2f ml (%d drops) %s\n", bp.ML, bp.Drops, bp.Name)
	}
	// Output:
	// 2 SMP Black (neat) + 7 distilled water (shade 3.5, 2:7)
	// 0.22 ml (4 drops) SMP Black (neat)
	// 0.78 ml (16 drops) distilled water
}

// The same mix poured for a 3 ml cup with a 0.04 ml dropper.
func ExampleBottles_ForVolume() {
	p, _ := palettes.Builtin(palettes.DefaultName)
	parts, water, _ := recipe.ParseRecipe(p, "black:1 water:8")
	b, _ := recipe.MixInBottles(p, parts, water, 1, 0.05)
	big, _ := b.ForVolume(3, 0.04)
	fmt.Println(big.Recipe)
	for _, bp := range append(big.Inks, big.Diluent) {
		fmt.Printf("%.2f ml (%d drops) %s\n", bp.ML, bp.Drops, bp.Name)
	}
	// Output:
	// 1 SMP Black (neat) + 8 distilled water (shade 8)
	// 0.33 ml (8 drops) SMP Black (neat)
	// 2.67 ml (67 drops) distilled water
}
