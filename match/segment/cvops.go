package segment

import (
	"image"
	"unsafe"

	"gocv.io/x/gocv"
)

// Whole-image operations on the stages' masks and float maps, done by
// OpenCV: its implementations are vectorised and known-correct. The
// stages keep their data as Go slices; these wrap a slice in a Mat for the
// call (no copy in) and copy the result out.

// maskMat wraps mask as an 8-bit Mat sharing its memory: Go stores a bool
// as one byte, 0 or 1, and OpenCV's distance transform, components and
// morphology take any non-zero byte as set (morphology keeps the values,
// so its results are 0 or 1 too). The caller closes the Mat and keeps
// mask alive until then.
func maskMat(mask []bool, w, h int) (gocv.Mat, error) {
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(mask))), len(mask))
	return gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC1, b)
}

// floatMat wraps v (w × h pixels of ch 32-bit floats) as a Mat sharing its
// memory. The caller closes it and keeps v alive until then.
func floatMat(v []float32, w, h, ch int) (gocv.Mat, error) {
	t := gocv.MatTypeCV32F
	if ch == 3 {
		t = gocv.MatTypeCV32FC3
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), 4*len(v))
	return gocv.NewMatFromBytes(h, w, t, b)
}

// distanceToEdge returns, for every pixel of in, the Euclidean distance in
// pixels to the nearest pixel where in is false (1 next to one), and 0
// outside in. The image's border does not end a structure (a close-up's
// scalp goes on beyond the frame): a mask with no false pixel at all gets
// w + h everywhere, beyond any distance in the frame. OpenCV's exact
// distance transform (edt.go).
func distanceToEdge(in []bool, w, h int) []float32 {
	out := make([]float32, w*h)
	none := float32(w + h)
	all := true
	for _, v := range in {
		if !v {
			all = false
			break
		}
	}
	if all {
		for i := range out {
			out[i] = none
		}
		return out
	}
	if !exactDistance(in, out, w, h) {
		// OpenCV refuses only a malformed mask, never one of the
		// stages': should it, every pixel reads as at the edge, which
		// trims the region to nothing and fails safe ("too little skin
		// to measure"), never a colour from a wrong region.
		clear(out)
	}
	return out
}

// labels gives the 8-connected components of mask, numbered 1..n; 0 is the
// background. OpenCV's connected components.
func labels(mask []bool, w, h int) ([]int32, int) {
	lab := make([]int32, w*h)
	src, err := maskMat(mask, w, h)
	if err != nil {
		return lab, 0
	}
	defer src.Close()
	dst := gocv.NewMat()
	defer dst.Close()
	n := gocv.ConnectedComponentsWithParams(src, &dst, 8, gocv.MatTypeCV32S, gocv.CCL_DEFAULT)
	b, err := dst.DataPtrUint8() // CV_32S: 4 bytes a label
	if err != nil || len(b) != 4*len(lab) {
		return lab, 0
	}
	copy(lab, unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(b))), len(lab)))
	return lab, max(0, n-1)
}

// minFilter returns the k × k moving minimum of v (the maximum if negate),
// k odd; outside the image the window is cut short. OpenCV's erosion
// (dilation) by a k × k square: its default border value is neutral to
// the minimum (maximum).
func minFilter(v []float32, w, h, k int, negate bool) []float32 {
	out := make([]float32, len(v))
	src, err := floatMat(v, w, h, 1)
	if err != nil {
		copy(out, v)
		return out
	}
	defer src.Close()
	kern := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(k, k))
	defer kern.Close()
	dst := gocv.NewMat()
	defer dst.Close()
	if negate {
		gocv.Dilate(src, &dst, kern)
	} else {
		gocv.Erode(src, &dst, kern)
	}
	d, err := dst.DataPtrFloat32()
	if err != nil {
		copy(out, v)
		return out
	}
	copy(out, d)
	return out
}

// dilateMask grows a mask by r pixels (an ellipse of radius r): OpenCV's
// dilation.
func dilateMask(mask []bool, w, h, r int) []bool {
	return morphMask(mask, w, h, r, gocv.MorphDilate)
}

// morphMask applies OpenCV's morphological operation op to a mask with an
// ellipse of radius r.
func morphMask(mask []bool, w, h, r int, op gocv.MorphType) []bool {
	k := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(2*r+1, 2*r+1))
	defer k.Close()
	return morphWith(mask, w, h, k, op)
}

// dilateBy dilates mask by the structuring element k (rows of 0/1, odd
// sides, anchored at its centre); outside the image counts as false.
// OpenCV's dilation.
func dilateBy(mask []bool, w, h int, k [][]uint8) []bool {
	kb := make([]byte, 0, len(k)*len(k[0]))
	for _, row := range k {
		kb = append(kb, row...)
	}
	kern, err := gocv.NewMatFromBytes(len(k), len(k[0]), gocv.MatTypeCV8UC1, kb)
	if err != nil {
		return make([]bool, w*h)
	}
	defer kern.Close()
	return morphWith(mask, w, h, kern, gocv.MorphDilate)
}

// morphWith applies OpenCV's morphological operation op with the
// structuring element kern to a mask.
func morphWith(mask []bool, w, h int, kern gocv.Mat, op gocv.MorphType) []bool {
	out := make([]bool, w*h)
	src, err := maskMat(mask, w, h)
	if err != nil {
		return out
	}
	defer src.Close()
	dst := gocv.NewMat()
	defer dst.Close()
	gocv.MorphologyEx(src, &dst, op, kern)
	d, err := dst.DataPtrUint8()
	if err != nil {
		return out
	}
	for i, v := range d {
		out[i] = v != 0
	}
	return out
}

// upsampleTiles spreads a grid of tw × th tiles (3 channels, tile side ts
// pixels) bilinearly over a w × h image, tile values at tile centres and
// held constant beyond the outer centres: OpenCV's linear resize of the
// grid to tw·ts × th·ts (its pixel centres map to (x + ½)/ts − ½ in
// tiles), cut to w × h.
func upsampleTiles(grid []float32, tw, th, ts, w, h int) []float32 {
	out := make([]float32, 3*w*h)
	src, err := floatMat(grid, tw, th, 3)
	if err != nil {
		return out
	}
	defer src.Close()
	big := gocv.NewMat()
	defer big.Close()
	gocv.Resize(src, &big, image.Pt(tw*ts, th*ts), 0, 0, gocv.InterpolationLinear)
	d, err := big.DataPtrFloat32()
	if err != nil {
		return out
	}
	for y := 0; y < h; y++ {
		copy(out[3*y*w:3*(y+1)*w], d[3*y*tw*ts:3*y*tw*ts+3*w])
	}
	return out
}
