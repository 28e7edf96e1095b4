package measure

import (
	"image"
	"strings"
	"testing"

	"gocv.io/x/gocv"
)

// A region of interest outside the photo is refused with the region and
// the photo's size, before any work. Before: "segment: no pixels to
// measure".
func TestBadROIOutsideThePhotoSaysWhere(t *testing.T) {
	img := gocv.NewMatWithSize(300, 400, gocv.MatTypeCV8UC3)
	defer img.Close()
	for _, tc := range []struct {
		roi  image.Rectangle
		want string
	}{
		{image.Rect(500, 10, 600, 110), "the region of interest 500,10,100,100 (x,y,w,h) lies outside the photo, which is 400x300 pixels"},
		{image.Rect(0, 300, 50, 350), "the region of interest 0,300,50,50 (x,y,w,h) lies outside the photo, which is 400x300 pixels"},
	} {
		_, _, err := Photo("p.jpg", img, Options{ROI: tc.roi, Uncalibrated: true})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ROI %v: error %v, want %q", tc.roi, err, tc.want)
		}
	}
}
