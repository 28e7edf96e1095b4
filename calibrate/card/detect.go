package card

import (
	"errors"
	"fmt"
	"image"
	"math"
	"sort"
	"sync"

	"gocv.io/x/gocv"
)

// Detection is a ColorChecker found in a photo.
type Detection struct {
	// Corners of the chart model in photo pixels (EXIF orientation already
	// applied by the decoder), in smpmatch's corner order.
	Corners Corners
	// H maps chart units to photo pixels.
	H Homography
	// PitchPx is the mean distance between neighbouring patch centres.
	PitchPx float64
	// Mirrored is true when the card appears mirror-imaged (a selfie
	// camera's preview saved as shot).
	Mirrored bool
	// Score is the validation error: mean CIEDE2000 of the best-fitting
	// patches under a 3×3 correction fitted to them. Low for a real
	// ColorChecker, high for other charts.
	Score float64
	// Squares is how many patches were seen as squares by the detector.
	Squares int
}

// DetectOptions tune the search. The zero value is the default.
type DetectOptions struct {
	// WorkSide is the long side in pixels of the reduced image searched
	// first (default 1280). Larger photos are also searched at twice that
	// if the first pass finds nothing, for small charts.
	WorkSide int
	// Region restricts the search to part of the photo (pixels); the zero
	// rectangle means the whole photo.
	Region image.Rectangle
}

// ErrNoCard means no grid of square patches that could be a card was seen.
var ErrNoCard = errors.New("no colour card found")

// RejectedError means a grid of patches was found but it is not a
// ColorChecker Classic (another chart, a panel of a Passport, tiles).
type RejectedError struct {
	Reason string
	Score  float64
}

func (e *RejectedError) Error() string { return "card found but rejected: " + e.Reason }

// Detection thresholds. The validation score is the mean CIEDE2000 of the
// 18 best-fitting patches of the 24 under a 3×3 fit. DOMAIN.md measured RMS
// errors of 2.9–11.8 for correct detections on real photos and 19–37.5 for
// wrong ones; the acceptance limit sits in the gap, nearer the good side.
const (
	acceptScore = 14.0
	// keptForScore is how many of the 24 patches the validation score
	// keeps: it tolerates a few occluded or glared patches.
	keptForScore = 18
	// minSquares is the fewest patch squares a candidate grid needs.
	minSquares = 6
	// defaultWorkSide is the working resolution of the coarse search.
	defaultWorkSide = 1280
	// refinePitchPx is the patch pitch, in pixels, at which the fine
	// search looks at the chart.
	refinePitchPx = 48.0
)

// Detect finds a ColorChecker Classic (or Mini, or Passport classic page) in
// a BGR 8-bit photo.
func Detect(img gocv.Mat, opt DetectOptions) (Detection, error) {
	if img.Empty() {
		return Detection{}, errors.New("detect: empty image")
	}
	if img.Type() != gocv.MatTypeCV8UC3 {
		return Detection{}, fmt.Errorf("detect: want an 8-bit 3-channel image, have type %v", img.Type())
	}
	if opt.WorkSide <= 0 {
		opt.WorkSide = defaultWorkSide
	}
	full := image.Rect(0, 0, img.Cols(), img.Rows())
	region := full
	if !opt.Region.Empty() {
		region = opt.Region.Intersect(full)
		if region.Dx() < 16 || region.Dy() < 16 {
			return Detection{}, fmt.Errorf("detect: region %v is outside the %dx%d photo or too small", opt.Region, img.Cols(), img.Rows())
		}
	}
	src := img.Region(region)
	defer src.Close()

	long := math.Max(float64(region.Dx()), float64(region.Dy()))
	// Search coarse first; small charts get a second, finer pass: at twice
	// the working size (up to full resolution) in large photos, by
	// upsampling in small ones.
	first := math.Min(float64(opt.WorkSide)/long, 4)
	if first < 1 {
		// An integer reduction factor takes OpenCV's fast area-averaging
		// path (several times quicker on a 12-megapixel photo).
		first = 1 / math.Round(1/first)
	}
	scales := []float64{first}
	if long > 1.5*float64(opt.WorkSide) {
		scales = append(scales, math.Min(1, 2*float64(opt.WorkSide)/long))
	} else if first <= 2 {
		scales = append(scales, 2*first)
	}
	var bestReject *RejectedError
	for pass, s := range scales {
		d, rej, err := detectAtScale(src, s, pass > 0)
		if err != nil {
			return Detection{}, err
		}
		if d != nil {
			off := Point{float64(region.Min.X), float64(region.Min.Y)}
			d.H = translate(d.H, off)
			refined := refine(img, *d)
			return finish(refined), nil
		}
		if rej != nil && (bestReject == nil || rej.Score < bestReject.Score) {
			bestReject = rej
		}
	}
	if bestReject != nil {
		return Detection{}, bestReject
	}
	return Detection{}, ErrNoCard
}

func translate(h Homography, off Point) Homography {
	// [1 0 ox; 0 1 oy; 0 0 1] · H
	h[0] += off.X * h[6]
	h[1] += off.X * h[7]
	h[2] += off.X * h[8]
	h[3] += off.Y * h[6]
	h[4] += off.Y * h[7]
	h[5] += off.Y * h[8]
	return h
}

func finish(d Detection) Detection {
	for k, c := range ChartCorners {
		d.Corners[k] = d.H.Apply(c)
	}
	d.Mirrored = d.H.jacobianDet(Point{ChartWidth / 2, ChartHeight / 2}) < 0
	d.PitchPx = MeanPitch(d.H)
	return d
}

// MeanPitch is the mean distance in pixels between neighbouring patch
// centres under h.
func MeanPitch(h Homography) float64 {
	var sum float64
	var n int
	for i := 0; i < NumPatches; i++ {
		c := h.Apply(PatchCentre(i))
		if i%Cols < Cols-1 {
			r := h.Apply(PatchCentre(i + 1))
			sum += math.Hypot(r.X-c.X, r.Y-c.Y)
			n++
		}
		if i/Cols < Rows-1 {
			b := h.Apply(PatchCentre(i + Cols))
			sum += math.Hypot(b.X-c.X, b.Y-c.Y)
			n++
		}
	}
	return sum / float64(n)
}

// detectAtScale searches src resized by s. It returns a detection in src
// pixels, or the best rejection, or neither when no grid was seen.
func detectAtScale(src gocv.Mat, s float64, fine bool) (*Detection, *RejectedError, error) {
	work := gocv.NewMat()
	defer work.Close()
	size := image.Pt(int(math.Round(float64(src.Cols())*s)), int(math.Round(float64(src.Rows())*s)))
	if size.X < 16 || size.Y < 16 {
		return nil, nil, nil
	}
	interp := gocv.InterpolationArea
	if s > 1 {
		interp = gocv.InterpolationCubic
	}
	gocv.Resize(src, &work, size, 0, 0, interp)
	pix, err := newBGR(work)
	if err != nil {
		return nil, nil, err
	}
	gray := gocv.NewMat()
	defer gray.Close()
	gocv.CvtColor(work, &gray, gocv.ColorBGRToGray)

	// Each binarisation gives its own set of squares and its own grids:
	// fragments from a window too small for the patches must not break up
	// the grid another window sees whole.
	type binarisation struct {
		block int
		c     float32
	}
	var bins []binarisation
	for _, b := range coarseBlocks {
		bins = append(bins, binarisation{b, adaptiveC})
	}
	if fine {
		// Small, soft charts: their gaps are a pixel or two of faint
		// contrast after blur and JPEG.
		for _, b := range fineBlocks {
			bins = append(bins, binarisation{b, fineAdaptiveC})
		}
	}
	// The binarisations are independent (most of their time is the
	// contours' per-blob calls): they run side by side, and their grids
	// are gathered in the order above.
	perBin := make([][]grid, len(bins))
	var wg sync.WaitGroup
	for k, b := range bins {
		wg.Add(1)
		go func(k int, b binarisation) {
			defer wg.Done()
			perBin[k] = buildGrids(findQuads(gray, []int{b.block}, b.c))
		}(k, b)
	}
	wg.Wait()
	var grids []grid
	for _, g := range perBin {
		grids = append(grids, g...)
	}
	sort.SliceStable(grids, func(a, b int) bool { return len(grids[a].cells) > len(grids[b].cells) })
	if len(grids) > maxGrids {
		grids = grids[:maxGrids]
	}
	// The same chart is usually seen whole by several thresholds: score
	// each distinct reading (same corners within a tenth of a pitch) once.
	var hyps []hypothesis
	for _, g := range grids {
		for _, h := range g.hypotheses() {
			if seenReading(hyps, h.H) {
				continue
			}
			h.score = validationScore(pix, h.H)
			hyps = append(hyps, h)
		}
	}
	if len(hyps) == 0 {
		return nil, nil, nil
	}
	sort.SliceStable(hyps, func(a, b int) bool { return hyps[a].score < hyps[b].score })
	// The best few readings get their geometry polished on the working
	// image before the final verdict: a grid of a few squares extrapolates
	// poorly, and misplaced samples would score a real chart as a stranger.
	// Each is polished on its own, side by side; the best is chosen in
	// their order.
	polished := make([]hypothesis, min(len(hyps), polishedHypotheses))
	var pwg sync.WaitGroup
	for k := range polished {
		pwg.Add(1)
		go func(k int) {
			defer pwg.Done()
			h := hyps[k]
			for it := 0; it < 2; it++ {
				nh, ok := refineOnce(pix, h.H)
				if !ok {
					break
				}
				h.H = nh
			}
			if sc := validationScore(pix, h.H); sc < h.score {
				h.score = sc
			}
			polished[k] = h
		}(k)
	}
	pwg.Wait()
	best := hypothesis{score: math.Inf(1)}
	for _, h := range polished {
		if h.score < best.score {
			best = h
		}
	}
	if math.IsInf(best.score, 1) || math.IsNaN(best.score) {
		// No reading could be scored at all (a grid of greys cannot be
		// fitted): nothing that looks like a card.
		return nil, nil, nil
	}
	if best.score > acceptScore {
		return nil, &RejectedError{
			Score:  best.score,
			Reason: fmt.Sprintf("a grid of %d square patches was found, but its colours do not match a ColorChecker Classic 24 in any orientation (best fit ΔE00 %.1f, limit %.0f)", best.squares, best.score, acceptScore),
		}, nil
	}
	// Working pixel (x, y) has its centre at ((x+0.5)/s − 0.5, …) in the
	// source: scale, then shift by the half-pixel difference.
	o := 0.5/s - 0.5
	d := &Detection{H: translate(best.H.Scale(1/s), Point{o, o}), Score: best.score, Squares: best.squares}
	return d, nil, nil
}

// Adaptive-threshold window sizes (pixels of the working image): patches
// from about 8 to 250 pixels wide all find a window that sees their gaps.
var (
	coarseBlocks = []int{15, 31, 63}
	fineBlocks   = []int{7, 15, 31}
)

// quad is a convex four-sided blob: a patch candidate.
type quad struct {
	c    Point    // centroid
	area float64  // pixels²
	v    [4]Point // vertices in contour order
}

func (q quad) side() float64 { return math.Sqrt(q.area) }

// edges returns the quad's two mean edge vectors (v0→v1 with v3→v2, and
// v0→v3 with v1→v2).
func (q quad) edges() (Point, Point) {
	e1 := Point{(q.v[1].X - q.v[0].X + q.v[2].X - q.v[3].X) / 2, (q.v[1].Y - q.v[0].Y + q.v[2].Y - q.v[3].Y) / 2}
	e2 := Point{(q.v[3].X - q.v[0].X + q.v[2].X - q.v[1].X) / 2, (q.v[3].Y - q.v[0].Y + q.v[2].Y - q.v[1].Y) / 2}
	return e1, e2
}

// findQuads thresholds the grey image against its local mean at several
// window sizes and keeps the blobs that are convex quadrilaterals. Patches
// are lighter than the card's black gaps around them, so each becomes a
// blob of its own.
func findQuads(gray gocv.Mat, blocks []int, c float32) []quad {
	var out []quad
	bw := gocv.NewMat()
	defer bw.Close()
	imgArea := float64(gray.Rows() * gray.Cols())
	for _, b := range blocks {
		if b%2 == 0 {
			b++
		}
		if b < 3 {
			b = 3
		}
		gocv.AdaptiveThreshold(gray, &bw, 255, gocv.AdaptiveThresholdMean, gocv.ThresholdBinary, b, c)
		out = appendQuads(out, bw, imgArea)
	}
	return dedupe(out)
}

// Patch blobs smaller than this (pixels² at working scale) are noise.
const minQuadArea = 30.0

// Blobs up to smallBlobArea pixels² that are not quadrilaterals are read by
// their minimum-area rectangle if they fill at least minRectFill of it.
const (
	smallBlobArea = 900.0
	minRectFill   = 0.7
)

func appendQuads(out []quad, bw gocv.Mat, imgArea float64) []quad {
	contours := gocv.FindContours(bw, gocv.RetrievalList, gocv.ChainApproxSimple)
	defer contours.Close()
	for i := 0; i < contours.Size(); i++ {
		pv := contours.At(i)
		area := gocv.ContourArea(pv)
		if area < minQuadArea || area > imgArea/12 {
			continue
		}
		peri := gocv.ArcLength(pv, true)
		approx := gocv.ApproxPolyDP(pv, 0.06*peri, true)
		pts := points(approx)
		approx.Close()
		if len(pts) != 4 {
			// Small, soft patches come out as rounded blobs with 5–8
			// vertices: take their minimum-area rectangle when they fill it.
			if area > smallBlobArea {
				continue
			}
			rr := gocv.MinAreaRect(pv)
			if len(rr.Points) != 4 || float64(rr.Width*rr.Height) <= 0 || area/float64(rr.Width*rr.Height) < minRectFill {
				continue
			}
			pts = rr.Points
		}
		var q quad
		for k, p := range pts {
			q.v[k] = Point{float64(p.X), float64(p.Y)}
		}
		qa := polyArea(q.v[:])
		if qa <= 0 || !convex(q.v) || area/qa < 0.8 {
			continue
		}
		e1, e2 := q.edges()
		l1, l2 := math.Hypot(e1.X, e1.Y), math.Hypot(e2.X, e2.Y)
		if math.Min(l1, l2)/math.Max(l1, l2) < 0.3 {
			continue
		}
		// Centroid of the contour polygon itself: unbiased by which
		// vertices the approximation kept.
		q.c = polyCentroid(points(pv))
		q.area = area
		out = append(out, q)
	}
	return out
}

// points copies a contour's points out of OpenCV. gocv's ToPoints asks
// for the vector's size again at every point, one more call into C per
// point; on a 12-megapixel photo these copies were a third of the quad
// search.
func points(pv gocv.PointVector) []image.Point {
	p := make([]image.Point, pv.Size())
	for j := range p {
		p[j] = pv.At(j)
	}
	return p
}

func polyArea(v []Point) float64 {
	var a float64
	for i := range v {
		j := (i + 1) % len(v)
		a += v[i].X*v[j].Y - v[j].X*v[i].Y
	}
	return math.Abs(a) / 2
}

func polyCentroid(p []image.Point) Point {
	var a, cx, cy float64
	for i := range p {
		j := (i + 1) % len(p)
		x0, y0, x1, y1 := float64(p[i].X), float64(p[i].Y), float64(p[j].X), float64(p[j].Y)
		cr := x0*y1 - x1*y0
		a += cr
		cx += (x0 + x1) * cr
		cy += (y0 + y1) * cr
	}
	if math.Abs(a) < 1e-9 {
		var sx, sy float64
		for _, q := range p {
			sx += float64(q.X)
			sy += float64(q.Y)
		}
		return Point{sx / float64(len(p)), sy / float64(len(p))}
	}
	return Point{cx / (3 * a), cy / (3 * a)}
}

func convex(v [4]Point) bool {
	sign := 0.0
	for i := 0; i < 4; i++ {
		a, b, c := v[i], v[(i+1)%4], v[(i+2)%4]
		cr := (b.X-a.X)*(c.Y-b.Y) - (b.Y-a.Y)*(c.X-b.X)
		if cr == 0 {
			return false
		}
		if sign == 0 {
			sign = cr
		} else if sign*cr < 0 {
			return false
		}
	}
	return true
}

// dedupe merges quads found by several thresholds: same centre, same size.
func dedupe(qs []quad) []quad {
	sort.SliceStable(qs, func(i, j int) bool { return qs[i].c.X < qs[j].c.X })
	keep := make([]bool, len(qs))
	for i := range keep {
		keep[i] = true
	}
	for i := range qs {
		if !keep[i] {
			continue
		}
		si := qs[i].side()
		for j := i + 1; j < len(qs) && qs[j].c.X-qs[i].c.X < 0.25*si; j++ {
			if !keep[j] {
				continue
			}
			r := qs[j].area / qs[i].area
			if math.Hypot(qs[j].c.X-qs[i].c.X, qs[j].c.Y-qs[i].c.Y) < 0.25*si && r > 0.6 && r < 1.67 {
				keep[j] = false
			}
		}
	}
	var out []quad
	for i, q := range qs {
		if keep[i] {
			out = append(out, q)
		}
	}
	return out
}

// adaptiveC is how much darker than its neighbourhood's mean a pixel must be
// to count as a gap between patches (8-bit grey levels): above JPEG and
// sensor noise in flat patches, below the patch-to-gap contrast.
const adaptiveC = 4

// polishedHypotheses is how many of the best-scoring readings of the grids
// are refined and scored again.
const polishedHypotheses = 4

// maxGrids is how many candidate grids (largest first) are read as charts.
const maxGrids = 8

// fineAdaptiveC is the gap contrast the fine pass accepts.
const fineAdaptiveC = 2

// seenReading reports whether a hypothesis with the same chart corners (in
// the same order) is already in hyps.
func seenReading(hyps []hypothesis, h Homography) bool {
	tol := 0.1 * MeanPitch(h)
	for _, o := range hyps {
		same := true
		for _, c := range ChartCorners {
			a, b := o.H.Apply(c), h.Apply(c)
			if math.Hypot(a.X-b.X, a.Y-b.Y) > tol {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}
