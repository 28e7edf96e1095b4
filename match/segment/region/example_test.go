package region_test

import (
	"fmt"

	"github.com/smpmatch/smpmatch/match/segment/region"
)

// Find the head in a photo given as L*a*b* pixels: here a rendered head
// with dark hair in front of a pale wall, above a blue shirt.
func ExampleFind() {
	sc := base()
	pix, truth := sc.render(1)
	r, err := region.Find(pix, sc.w, sc.h, region.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("head region: %.0f%% of the frame, IoU with the true head ≥ 0.9: %v\n", 100*r.Share, iou(r.Mask, truth) >= 0.9)
	// Output: head region: 30% of the frame, IoU with the true head ≥ 0.9: true
}
