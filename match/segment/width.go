package segment

import (
	"image"

	"gocv.io/x/gocv"
)

// maskWidth returns the mean width of the strands of a mask, in pixels, and
// the mask's area. For a strip W pixels wide the Euclidean distance to the
// nearest pixel off it averages W/4 + ½ over the strip (1, 1 for W = 2;
// 1, 2, 2, 1 for W = 4), so W = 4·(mean distance − ½). The distance
// transform is OpenCV's (exact Euclidean).
func maskWidth(mask []bool, w, h int) (float64, int) {
	buf := make([]byte, w*h)
	area := 0
	for i, v := range mask {
		if v {
			buf[i] = 255
			area++
		}
	}
	if area == 0 {
		return 0, 0
	}
	src, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC1, buf)
	if err != nil {
		return 0, area
	}
	defer src.Close()
	dist := gocv.NewMat()
	defer dist.Close()
	labels := gocv.NewMat()
	defer labels.Close()
	gocv.DistanceTransform(src, &dist, &labels, gocv.DistL2, gocv.DistanceMaskPrecise, gocv.DistanceLabelCComp)
	d, err := dist.DataPtrFloat32()
	if err != nil {
		return 0, area
	}
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
	buf := make([]byte, w*h)
	for i, v := range mask {
		if v {
			buf[i] = 255
		}
	}
	out := make([]bool, w*h)
	src, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC1, buf)
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
