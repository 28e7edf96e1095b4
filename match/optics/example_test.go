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

// A healed dot of neat carbon black on a light and on a brown scalp: on the
// light one lighter than the ink (L* 22 in the bottle) and blue-grey, as
// practitioners see; on the brown one darker, warmer and with less contrast,
// seen through more melanin.
func ExampleHealedModel_SkinOf() {
	ink, _ := optics.Recover(colour.LabD50{L: 22, A: 0.2, B: -0.8})
	for _, scalp := range []colour.LabD50{{L: 64, A: 9, B: 15}, {L: 38, A: 12, B: 22}} {
		skin, err := optics.DefaultHealedModel().SkinOf(scalp)
		if err != nil {
			panic(err)
		}
		healed := skin.Healed(optics.Mix(optics.Component{KS: ink.KS(), Concentration: 1})).LabD50()
		fmt.Printf("scalp %v (melanin %.1f%%): neat carbon black heals to %v\n", scalp, 100*skin.Layers.MelaninFraction, healed)
	}
	// Output:
	// scalp L*a*b*(64.0, 9.0, 15.0) (melanin 0.3%): neat carbon black heals to L*a*b*(31.0, -0.3, -1.3)
	// scalp L*a*b*(38.0, 12.0, 22.0) (melanin 14.2%): neat carbon black heals to L*a*b*(24.5, 1.0, 3.0)
}
