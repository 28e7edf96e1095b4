package measure

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// clipLevel: an 8-bit channel at or above this value is at the encoding's
// limit, or within JPEG's ringing of it (a plateau of 255 decodes as
// 250–255). Such a pixel's colour is not the surface's: the clipped
// channel lost its share of it, and a* and b* are pulled towards the
// others (0017 of the synthscalps, overexposed as rendered, has a clipped
// red on 37% of its skin, which reads a* 10 where the skin's is 15).
// segment.Options.Clipped says why the confidence falls with their share
// of the head rather than leaving them out.
const clipLevel = 250

// clippedMask marks, at the working size w × h, the pixels of the BGR photo
// img that are at or near the encoding's upper limit in any channel (255 =
// clipped). A working pixel is clipped when any photo pixel under it is.
// The mask is nil when nothing is clipped.
func clippedMask(img gocv.Mat, w, h int) (*image.Gray, error) {
	if img.Channels() != 3 {
		return nil, fmt.Errorf("measure: clipped pixels: want 3 channels, have %d", img.Channels())
	}
	// Clipped in some channel: not every channel below clipLevel. One
	// pass over the photo (no split into channels).
	top := gocv.NewMat()
	defer top.Close()
	gocv.InRangeWithScalar(img, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(clipLevel-1, clipLevel-1, clipLevel-1, 0), &top)
	gocv.BitwiseNot(top, &top)
	if gocv.CountNonZero(top) == 0 {
		return nil, nil
	}
	if top.Cols() != w || top.Rows() != h {
		gocv.Resize(top, &top, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
		gocv.Threshold(top, &top, 0, 255, gocv.ThresholdBinary)
	}
	g, err := top.ToImage()
	if err != nil {
		return nil, fmt.Errorf("measure: clipped pixels: %w", err)
	}
	out, ok := g.(*image.Gray)
	if !ok {
		return nil, fmt.Errorf("measure: clipped pixels came back as %T", g)
	}
	return out, nil
}
