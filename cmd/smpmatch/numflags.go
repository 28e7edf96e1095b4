package main

import (
	"fmt"
	"math"
	"strconv"

	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/urfave/cli/v2"
)

// numericRange is the valid range of a numeric flag, inclusive.
type numericRange struct{ min, max float64 }

// maxPixelsLimit is OpenCV's own ceiling on decoded pixels (1 << 30).
const maxPixelsLimit = 1 << 30

// numericFlags gives every numeric flag of every command its range. A
// numeric flag missing here is refused by TestUsageNumericFlagsAreValidated,
// so none can be added unchecked.
var numericFlags = map[string]numericRange{
	"workers":      {1, 1024},
	"top":          {1, 100},
	"max-pigments": {1, recipe.MaxMaxPigments},
	"max-parts":    {1, recipe.MaxMaxParts},
	"pigment-cost": {0, 100},
	"max-pixels":   {1, maxPixelsLimit},
	"shards":       {0, 1 << 20}, // 0: not given
	"volume":       {0.01, 1000}, // ml of ink: a cup to a litre
	"drop-ml":      {0.005, 5},
}

// checkNumericFlags refuses a numeric flag that is not finite or is out of
// its range (given or by default): a usage error, exit 2. NaN compares
// false with everything, so without this `--pigment-cost NaN` was taken.
func checkNumericFlags(c *cli.Context) error {
	for _, f := range c.Command.Flags {
		var name string
		var v float64
		switch f := f.(type) {
		case *cli.IntFlag:
			name, v = f.Name, float64(c.Int(f.Name))
		case *cli.Float64Flag:
			name, v = f.Name, c.Float64(f.Name)
		default:
			continue
		}
		r, ok := numericFlags[name]
		if !ok {
			return fmt.Errorf("internal: numeric flag --%s has no range", name)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return usagef("--%s = %v is not a finite number", name, v)
		}
		if v < r.min || v > r.max {
			return usagef("--%s = %s is outside %s..%s", name, num(v), num(r.min), num(r.max))
		}
	}
	return nil
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// checkFlagsFirst runs checkNumericFlags before a command's own Before.
func checkFlagsFirst(c *cli.Command) {
	before := c.Before
	c.Before = func(ctx *cli.Context) error {
		if err := checkNumericFlags(ctx); err != nil {
			return err
		}
		if before != nil {
			return before(ctx)
		}
		return nil
	}
}
