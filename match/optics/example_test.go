package optics_test

import (
	"fmt"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/optics"
)

// Mixing is subtractive: half black and half white paint is a dark grey, far
// below the L* 58 an average of the two L* values would give.
func ExampleMix() {
	black, _ := optics.Recover(colour.LabD50{L: 22})
	white, _ := optics.Recover(colour.LabD50{L: 95})
	mix := optics.Mix(
		optics.Component{KS: black.KS(), Concentration: 0.5},
		optics.Component{KS: white.KS(), Concentration: 0.5},
	)
	fmt.Printf("L* %.0f\n", mix.Reflectance().LabD50().L)
	// Output:
	// L* 31
}

// A healed dot of neat carbon black on a light scalp: lighter than the ink
// (L* 22 in the bottle) and blue-grey, as practitioners see.
func ExampleHealedModel_Skin() {
	scalp, _ := optics.Recover(colour.LabD50{L: 64, A: 9, B: 15})
	skin, err := optics.DefaultHealedModel().Skin(scalp)
	if err != nil {
		panic(err)
	}
	ink, _ := optics.Recover(colour.LabD50{L: 22, A: 0.2, B: -0.8})
	healed := skin.Healed(optics.Mix(optics.Component{KS: ink.KS(), Concentration: 1}))
	fmt.Println(healed.LabD50())
	// Output:
	// L*a*b*(30.7, -0.6, -3.2)
}
