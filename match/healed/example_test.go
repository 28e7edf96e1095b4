package healed_test

import (
	"fmt"
	"strings"

	"github.com/smpmatch/smpmatch/match/healed"
)

// Reading an observations file: numbers or photos for the scalp and the
// healed dots, and problems named by line and column.
func ExampleParse() {
	csv := `client_id,scalp_L,scalp_a,scalp_b,recipe,weeks,healed_L,healed_a,healed_b
A017,64.2,9.1,15.3,black:1 water:4,12,41.0,1.2,2.0
A017,64.2,9.1,15.3,black:1 water:8,6,46.0,1.0,3.1
`
	rows, err := healed.Parse(strings.NewReader(csv), "obs.csv")
	fmt.Println(len(rows), "rows")
	fmt.Println(err)
	// Output:
	// 2 rows
	// observations obs.csv line 3 weeks: 6 weeks: a healed result needs at least 8 weeks after the session (and fewer than 30 years)
}
