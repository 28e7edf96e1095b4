package palettes_test

import (
	"errors"
	"fmt"

	"github.com/smpmatch/smpmatch/palettes"
)

func ExampleBuiltin() {
	p, err := palettes.Builtin("smp-reference")
	if err != nil {
		panic(err)
	}
	k, _ := p.Pigment("black-4")
	fmt.Printf("%s %s: %d pigments\n", p.Name, p.Version, len(p.Pigments))
	fmt.Printf("%s is %.0f%% %s\n", k.Name, 100*k.Strength(), p.Base(k).Name)
	// Output:
	// smp-reference 1.0: 12 pigments
	// SMP Black Shade 4 (1:4) is 20% SMP Black (neat)
}

func ExampleParseCSV() {
	csv := "id,name,kind,L,a,b,source\n" +
		"k,Black,carbon black,22,0,-1,estimated\n" +
		"w,Warm Brown,iron oxide,140,8,9,estimated\n"
	_, err := palettes.ParseCSV("warm.csv", []byte(csv))
	var ve *palettes.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// palette warm.csv line 3 (w) lab: L* = 140 is outside 0..100
}
