package segment

/*
#cgo pkg-config: opencv4
#cgo CXXFLAGS: --std=c++11
#include "edt.h"
*/
import "C"

import "unsafe"

// exactDistance writes into dst the exact Euclidean distance from each
// true pixel of in to the nearest false one (0 on false pixels): OpenCV's
// distanceTransform with DIST_MASK_PRECISE. gocv 0.32 only calls the
// labelling variant, for which OpenCV falls back to a 5 × 5 mask and which
// costs several times more. ok is false if OpenCV failed.
func exactDistance(in []bool, dst []float32, w, h int) bool {
	if len(in) != w*h || len(dst) != w*h || w*h == 0 {
		return false
	}
	// A Go bool is one byte, 0 or 1: OpenCV takes non-zero as set.
	src := (*C.uchar)(unsafe.Pointer(unsafe.SliceData(in)))
	return C.smp_edt(src, (*C.float)(unsafe.Pointer(unsafe.SliceData(dst))), C.int(w), C.int(h)) == 0
}
