package card

import (
	"math"
	"sort"

	"gocv.io/x/gocv"
)

// Refinement constants.
const (
	// refineIterations: each pass re-centres the measurement windows on the
	// previous pass's chart; three passes converge from a coarse result a
	// tenth of a pitch off.
	refineIterations = 3
	// windowMargin is how far (chart units) beyond a patch's edge its
	// measurement window reaches: less than half the 0.25 gap, so the
	// window holds the patch and its own gap ring but no neighbour.
	windowMargin = 0.11
	// ringInner and ringOuter bound the gap ring (chart units beyond the
	// patch edge) whose colour is the "not patch" reference.
	ringInner = 0.03
	// minPatchContrast is the smallest patch-to-gap colour difference (0..1
	// encoded RGB) at which a patch's outline can be located; the black
	// patch on the black card body is often below it and is skipped.
	minPatchContrast = 0.05
	// maxWindowSide: larger windows are read on a sub-grid, for speed on
	// charts that fill a 12-megapixel photo.
	maxWindowSide = 80
	// convergedPx: refinement stops when no chart corner moves more.
	convergedPx = 0.05
	// minResidualPitch: centroid residuals below this fraction of the pitch
	// are never outliers (sub-pixel noise on small charts).
	minResidualPitch = 0.01
	// glaredGapLift: a patch whose gap ring is lighter than the chart's
	// lower-quartile gap by more than this (0..1 encoded, about 15 levels in
	// 8 bits) is under glare. Light gradients and vignetting across a card
	// change the black gaps by a few levels; glare a sixth as strong as
	// the white patch lifts them by 25 or more.
	glaredGapLift = 0.06
)

// refine locates each patch at the photo's full resolution and refits the
// homography to their centres. The coarse search works on a reduced image;
// this step gives back the photo's precision (sub-pixel corners).
//
// Each patch's centre is measured as the centroid of its "patchness": every
// pixel in a window around the predicted patch is projected on the line from
// the gap colour to the patch colour, so an edge pixel that is 30% patch
// counts 0.3 (a partial-volume estimate, unbiased whatever the threshold).
// Under perspective the area centroid is not the image of the centre: that
// bias is predicted from the current homography and removed.
func refine(img gocv.Mat, d Detection) Detection {
	pix, err := newBGR(img)
	if err != nil {
		return d
	}
	for iter := 0; iter < refineIterations; iter++ {
		h, ok := refineOnce(pix, d.H)
		if !ok {
			break
		}
		moved := 0.0
		for _, c := range ChartCorners {
			a, b := d.H.Apply(c), h.Apply(c)
			moved = math.Max(moved, math.Hypot(a.X-b.X, a.Y-b.Y))
		}
		d.H = h
		if moved < convergedPx {
			break
		}
	}
	return d
}

func refineOnce(img bgr, h Homography) (Homography, bool) {
	pitch := MeanPitch(h)
	if pitch <= 0 || math.IsNaN(pitch) {
		return h, false
	}
	inv, err := h.Inverse()
	if err != nil {
		return h, false
	}
	var src, dst []Point
	var gaps []float64
	for i := 0; i < NumPatches; i++ {
		c, gap, ok := patchCentroid(img, h, inv, i)
		if !ok {
			continue
		}
		bias := centroidBias(h, i)
		src = append(src, PatchCentre(i))
		dst = append(dst, Point{c.X - bias.X, c.Y - bias.Y})
		gaps = append(gaps, gap)
	}
	// Glare lifts the black gaps around the patches it falls on, unevenly:
	// the centroids there lean towards the highlight, and a third of the
	// chart under glare bends the whole homography. Such patches are left
	// out of the fit.
	if len(gaps) >= 8 {
		// Glare only adds light: the darker gaps are the unglared ones.
		sorted := append([]float64(nil), gaps...)
		sort.Float64s(sorted)
		typical := sorted[len(sorted)/4]
		var s2, d2 []Point
		for k := range src {
			if gaps[k] <= typical+glaredGapLift {
				s2 = append(s2, src[k])
				d2 = append(d2, dst[k])
			}
		}
		src, dst = s2, d2
	}
	if len(src) < 8 {
		return h, false
	}
	nh, err := FitHomography(src, dst)
	if err != nil {
		return h, false
	}
	// Drop outliers (a patch half covered, glare on an edge) and refit,
	// twice, keeping centroids within 3 median residuals.
	for round := 0; round < 2; round++ {
		res := make([]float64, len(src))
		for k := range src {
			q := nh.Apply(src[k])
			res[k] = math.Hypot(q.X-dst[k].X, q.Y-dst[k].Y)
		}
		sorted := append([]float64(nil), res...)
		sort.Float64s(sorted)
		lim := math.Max(3*sorted[len(sorted)/2], minResidualPitch*pitch)
		var s2, d2 []Point
		for k := range src {
			if res[k] <= lim {
				s2 = append(s2, src[k])
				d2 = append(d2, dst[k])
			}
		}
		if len(s2) < 8 || len(s2) == len(src) {
			break
		}
		h2, err := FitHomography(s2, d2)
		if err != nil {
			break
		}
		nh, src, dst = h2, s2, d2
	}
	// The refined chart must stay where the coarse one was.
	for _, c := range ChartCorners {
		a, b := h.Apply(c), nh.Apply(c)
		if math.Hypot(a.X-b.X, a.Y-b.Y) > 0.5*pitch {
			return h, false
		}
	}
	return nh, true
}

// patchCentroid measures patch i's partial-volume centroid in photo pixels
// (OpenCV convention: pixel (x, y)'s centre is at (x, y)), and the mean of
// its gap ring's median channels (0..1 encoded).
func patchCentroid(img bgr, h, inv Homography, i int) (Point, float64, bool) {
	c := PatchCentre(i)
	half := PatchSize / 2
	reach := half + windowMargin
	// Bounding box of the window in pixels.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, off := range [4]Point{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		p := h.Apply(Point{c.X + off.X*reach, c.Y + off.Y*reach})
		minX, minY = math.Min(minX, p.X), math.Min(minY, p.Y)
		maxX, maxY = math.Max(maxX, p.X), math.Max(maxY, p.Y)
	}
	x0, y0 := int(math.Floor(minX)), int(math.Floor(minY))
	x1, y1 := int(math.Ceil(maxX)), int(math.Ceil(maxY))
	if x0 < 0 || y0 < 0 || x1 >= img.w || y1 >= img.h {
		return Point{}, 0, false
	}
	step := 1
	if side := max(x1-x0, y1-y0); side > maxWindowSide {
		step = (side + maxWindowSide - 1) / maxWindowSide
	}
	// where classifies a pixel by its chart position: 0 outside the
	// window, 1 in the patch's inner half, 2 in the gap ring, 3 elsewhere
	// inside. The homography is evaluated incrementally along each row.
	where := func(x, y int) int {
		fx, fy := float64(x), float64(y)
		w := inv[6]*fx + inv[7]*fy + inv[8]
		u := (inv[0]*fx+inv[1]*fy+inv[2])/w - c.X
		v := (inv[3]*fx+inv[4]*fy+inv[5])/w - c.Y
		du, dv := math.Abs(u), math.Abs(v)
		switch {
		case du > reach || dv > reach:
			return 0
		case du < 0.25*PatchSize && dv < 0.25*PatchSize:
			return 1
		case math.Max(du, dv) > half+ringInner:
			return 2
		default:
			return 3
		}
	}
	var in, ring [3][]float64
	for y := y0; y <= y1; y += step {
		for x := x0; x <= x1; x += step {
			k := where(x, y)
			if k != 1 && k != 2 {
				continue
			}
			r, g, b := img.rgbAt(x, y)
			dst := &in
			if k == 2 {
				dst = &ring
			}
			dst[0], dst[1], dst[2] = append(dst[0], r), append(dst[1], g), append(dst[2], b)
		}
	}
	if len(in[0]) < 4 || len(ring[0]) < 4 {
		return Point{}, 0, false
	}
	pr, pg, pb := median(in[0]), median(in[1]), median(in[2])
	gr, gg, gb := median(ring[0]), median(ring[1]), median(ring[2])
	dr, dg, db := pr-gr, pg-gg, pb-gb
	n2 := dr*dr + dg*dg + db*db
	if math.Sqrt(n2) < minPatchContrast {
		return Point{}, 0, false
	}
	var sw, sx, sy float64
	for y := y0; y <= y1; y += step {
		for x := x0; x <= x1; x += step {
			if where(x, y) == 0 {
				continue
			}
			r, g, b := img.rgbAt(x, y)
			f := ((r-gr)*dr + (g-gg)*dg + (b-gb)*db) / n2
			if f <= 0 {
				continue
			}
			f = math.Min(1, f)
			sw += f
			sx += f * float64(x)
			sy += f * float64(y)
		}
	}
	if sw == 0 {
		return Point{}, 0, false
	}
	return Point{sx / sw, sy / sw}, (gr + gg + gb) / 3, true
}

func median(v []float64) float64 {
	c := append([]float64(nil), v...)
	sort.Float64s(c)
	return c[len(c)/2]
}

// centroidBias is how far the area centroid of patch i's image lies from the
// image of its centre under h (pixels).
func centroidBias(h Homography, i int) Point {
	c := PatchCentre(i)
	half := PatchSize / 2
	corners := [4]Point{
		h.Apply(Point{c.X - half, c.Y - half}), h.Apply(Point{c.X + half, c.Y - half}),
		h.Apply(Point{c.X + half, c.Y + half}), h.Apply(Point{c.X - half, c.Y + half}),
	}
	var a, cx, cy float64
	for k := 0; k < 4; k++ {
		p, q := corners[k], corners[(k+1)%4]
		cr := p.X*q.Y - q.X*p.Y
		a += cr
		cx += (p.X + q.X) * cr
		cy += (p.Y + q.Y) * cr
	}
	if math.Abs(a) < 1e-12 {
		return Point{}
	}
	cen := Point{cx / (3 * a), cy / (3 * a)}
	img := h.Apply(c)
	return Point{cen.X - img.X, cen.Y - img.Y}
}
