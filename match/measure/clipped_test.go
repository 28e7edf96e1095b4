package measure

import (
	"image"
	"testing"

	"gocv.io/x/gocv"
)

// A channel at or near 255 marks its pixel, and the working pixel it falls
// in when the photo is reduced; a photo with none gives no mask.
func TestClippedMaskMarksChannelsAtTheLimit(t *testing.T) {
	for _, c := range []struct {
		name   string
		value  uint8 // the red of photo pixel (5, 2); the rest is 128
		w, h   int
		marked []image.Point // working pixels marked
	}{
		{"none", 128, 8, 8, nil},
		{"just under the limit", clipLevel - 1, 8, 8, nil},
		{"clipped, full size", 255, 8, 8, []image.Point{{5, 2}}},
		{"JPEG's ringing below 255, full size", clipLevel, 8, 8, []image.Point{{5, 2}}},
		{"clipped, reduced to a quarter", 255, 4, 4, []image.Point{{2, 1}}},
	} {
		img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(128, 128, 128, 0), 8, 8, gocv.MatTypeCV8UC3)
		img.SetUCharAt(2, 5*3+2, c.value)
		m, err := clippedMask(img, c.w, c.h)
		img.Close()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.marked == nil {
			if m != nil {
				t.Errorf("%s: a mask came back", c.name)
			}
			continue
		}
		if m == nil || m.Bounds().Dx() != c.w || m.Bounds().Dy() != c.h {
			t.Fatalf("%s: mask %v, want %d×%d", c.name, m, c.w, c.h)
		}
		n := 0
		for _, v := range m.Pix {
			if v != 0 {
				n++
			}
		}
		if n != len(c.marked) || m.GrayAt(c.marked[0].X, c.marked[0].Y).Y == 0 {
			t.Errorf("%s: %d pixels marked, want only %v", c.name, n, c.marked)
		}
	}
}
