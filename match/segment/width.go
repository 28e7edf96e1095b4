package segment

import (
	"image"

	"gocv.io/x/gocv"
)

// maskWidth returns the mean width of the strands of a mask, in pixels, and
// the mask's area. For a strip W pixels wide the Euclidean distance to the
// nearest pixel off it averages W/4 + ½ over the strip (1, 1 for W = 2;
// 1, 2, 2, 1 for W = 4), so W = 4·(mean distance − ½). The distance
// transform is OpenCV's (distanceToEdge: its 5 × 5 mask, within 2% of
// Euclidean).
func maskWidth(mask []bool, w, h int) (float64, int) {
	area := 0
	for _, v := range mask {
		if v {
			area++
		}
	}
	if area == 0 {
		return 0, 0
	}
	d := distanceToEdge(mask, w, h)
	var sum float64
	for i, v := range mask {
		if v {
			sum += float64(d[i])
		}
	}
	return 4 * (sum/float64(area) - 0.5), area
}

// dilateMask grows a mask by r pixels (an ellipse of radius r): OpenCV's
// dilation.
func dilateMask(mask []bool, w, h, r int) []bool {
	return morphMask(mask, w, h, r, gocv.MorphDilate)
}

// morphMask applies OpenCV's morphological operation op to a mask with an
// ellipse of radius r.
func morphMask(mask []bool, w, h, r int, op gocv.MorphType) []bool {
	out := make([]bool, w*h)
	src, err := maskMat(mask, w, h)
	if err != nil {
		return out
	}
	defer src.Close()
	k := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(2*r+1, 2*r+1))
	defer k.Close()
	dst := gocv.NewMat()
	defer dst.Close()
	gocv.MorphologyEx(src, &dst, op, k)
	d, err := dst.DataPtrUint8()
	if err != nil {
		return out
	}
	for i, v := range d {
		out[i] = v != 0
	}
	return out
}
