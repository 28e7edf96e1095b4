package segment

// maskWidth returns the mean width of the strands of a mask, in pixels, and
// the mask's area. For a strip W pixels wide the Euclidean distance to the
// nearest pixel off it averages W/4 + ½ over the strip (1, 1 for W = 2;
// 1, 2, 2, 1 for W = 4), so W = 4·(mean distance − ½). The distance
// transform is OpenCV's exact one (distanceToEdge).
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
