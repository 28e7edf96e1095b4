package photo

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"sync"

	"gocv.io/x/gocv"
)

// blockSeam looks for damage a JPEG's syntax cannot reveal: a changed bit
// in a block's DC difference. A block's mean is coded as the difference from
// the previous block's, so one wrong difference shifts every later block
// of that component (up to the next restart marker) by the same amount;
// libjpeg decodes on without a warning (FuzzMeasureDamagedJPEG found one:
// the lower four fifths of a photo 21 levels darker, measured 7 ΔE00 off as
// if fine).
//
// The shift starts at one MCU (row r, column k) and runs to the end, so
// it is a seam exactly on the MCU grid across the whole width: between MCU
// rows r−1 and r from column k on, between rows r and r+1 before it, and a
// vertical step at column k. Across a grid line, the seam's residual — the
// step between the two pixel rows at the line less the mean of the steps
// one pixel away on either side — is the shift; for a photo's content it
// is as often positive as negative, because content does not line up with
// the block grid. The median residual over the whole width along the
// staircase must stand 6 robust standard deviations above how the
// full-width median residuals of this photo's grid lines vary, and at least
// 2 levels, with both halves agreeing, the other halves not stepping and
// the vertical step at column k the same; and, since the JPEG codes Y, Cb
// and Cr, each with its own DC chain, the staircase must be the shift of
// one of those components (oneComponentShifts). Rows where no split can
// reach the threshold are not searched (mayStep; 12-MP decode with the
// checks 1.78 → 1.6× OpenCV's plain decode). Not found: seams starting
// in the first or last MCU row, or within 2 MCUs of the left or right
// edge.
//
// m is the decoded photo as stored (before EXIF orientation), mw × mh the
// MCU's size in pixels. It returns how the photo is damaged, or "".
func blockSeam(m gocv.Mat, mw, mh int) string {
	w, h := m.Cols(), m.Rows()
	if mw <= 0 || mh <= 0 || w < 6*mw || h < 5*mh || m.Type() != gocv.MatTypeCV8UC3 || !m.IsContinuous() {
		return ""
	}
	pix, err := m.DataPtrUint8()
	if err != nil {
		return ""
	}
	rows := (h - 2) / mh // grid lines y = r·mh, r = 1..rows−1, with a pixel row on either side
	// The three components are independent (each has its own DC chain):
	// they are checked side by side, and the first one damaged, in
	// channel order, is reported whatever finishes first.
	var found [3]string
	var wg sync.WaitGroup
	for c := 0; c < 3; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			found[c] = channelSeam(pix, c, w, rows, mw, mh)
		}(c)
	}
	wg.Wait()
	for _, f := range found {
		if f != "" {
			return f
		}
	}
	return ""
}

// channelSeam is blockSeam for channel c of the BGR pixels pix, w wide,
// over MCU rows 1..rows−1.
func channelSeam(pix []uint8, c, w, rows, mw, mh int) string {
	names := [3]string{"blue", "green", "red"}
	var hist histogram
	g := make([][]int32, rows+1) // g[r][x]: twice the residual across line r
	for r := range g {
		g[r] = make([]int32, w)
	}
	at := func(x, y int) int32 { return int32(pix[(y*w+x)*3+c]) }
	for r := 1; r < rows; r++ {
		y := r * mh
		for x := 0; x < w; x++ {
			// 2·[(p_y − p_{y−1}) − ((p_{y−1} − p_{y−2}) + (p_{y+1} − p_y))/2]
			g[r][x] = 3*at(x, y) - 3*at(x, y-1) + at(x, y-2) - at(x, y+1)
		}
	}
	meds := make([]float64, 0, rows)
	for r := 1; r < rows; r++ {
		meds = append(meds, hist.median(g[r]))
	}
	mid := medianOf(meds)
	for i := range meds {
		meds[i] = math.Abs(meds[i] - mid)
	}
	thr := math.Max(2*2, 6*1.4826*medianOf(meds)) // half levels
	vals := make([]int32, mh)
	for r := 1; r+1 < rows; r++ {
		if !mayStep(g[r+1], g[r], thr) {
			continue
		}
		for _, sc := range seamColumns(pix, c, w, r*mh, mh, mw, 3, vals) {
			k := sc.k
			x0 := k * mw
			d := hist.median(g[r+1][:x0], g[r][x0:])
			ad := math.Abs(d)
			if ad < thr {
				continue
			}
			if math.Abs(sc.v-d) > 0.5*ad || math.Abs(hist.median(g[r+1][:x0])-d) > 0.5*ad || math.Abs(hist.median(g[r][x0:])-d) > 0.5*ad ||
				math.Abs(hist.median(g[r][:x0])) > 0.35*ad || math.Abs(hist.median(g[r+1][x0:])) > 0.35*ad {
				continue
			}
			if !oneComponentShifts(pix, w, r*mh, (r+1)*mh, x0) {
				continue
			}
			return fmt.Sprintf("every block from pixel %d,%d on is %+.0f levels off in %s, a seam on the block grid across the whole photo: a damaged DC difference in the scan data",
				x0, r*mh, d/2, names[c])
		}
	}
	return ""
}

// mayStep tells whether some split x0 could give the residuals below
// (a, before x0) and above (b, from x0 on) a staircase at least thr high:
// the median of a[:x0] ∪ b[x0:] reaches ±thr only if half of those w values
// lie at or beyond it, on the same side. It counts, for every x0 at once,
// how many do; a row where no x0 has half cannot hold a seam, and its
// columns need not be searched (most rows of a photo: its content's
// residuals are as often positive as negative).
func mayStep(a, b []int32, thr float64) bool {
	// The residuals are integers: v ≥ thr is v ≥ ⌈thr⌉.
	t := int32(math.Ceil(thr))
	n := len(a)
	up, down := 0, 0 // at x0 = 0: all of b
	for _, v := range b {
		if v >= t {
			up++
		} else if v <= -t {
			down++
		}
	}
	bestUp, bestDown := up, down
	for x := 0; x < n; x++ {
		// x0 moves past x: a[x] joins, b[x] leaves.
		if v := a[x]; v >= t {
			up++
		} else if v <= -t {
			down++
		}
		if v := b[x]; v >= t {
			up--
		} else if v <= -t {
			down--
		}
		bestUp, bestDown = max(bestUp, up), max(bestDown, down)
	}
	return 2*max(bestUp, bestDown) >= n
}

// jfif is the JPEG colour transform: the rows give Y, Cb and Cr from the
// B, G, R of a decoded pixel (JFIF, ITU-R BT.601 full range).
var jfif = [3][3]float64{
	{0.114, 0.587, 0.299},
	{0.5, -0.331264, -0.168736},
	{-0.081312, -0.418688, 0.5},
}

// oneComponentShifts tells whether a staircase found in one of the decoded
// B, G, R channels — the residual across grid line y1 from pixel column x0
// on, and across line y2 before it — is the shift of one coded component,
// as a damaged DC difference is. The JPEG stores Y, Cb and Cr, each with
// its own DC chain, and the decoder mixes them into B, G, R: a shift of one
// component moves the three channels by fixed multiples of it (Y all
// alike; Cb blue, a little green, no red; Cr red, some green, no blue). So
// in Y, Cb, Cr the staircase stands in one component, its two halves
// agreeing (within half its height, as in B, G, R), and the other two do
// not step on either half (within 0.35 of it). Content does not do that
// across a photo's whole width: the half-size render of a head of long
// hair (synthscalps' 0007 at 1000 × 750) showed a staircase in all three
// channels whose halves differed in colour — a dark strand along one grid
// line over the left 160 px and a row of lighter skin along the next
// across the rest — read as "every block from pixel 160,544 on is −5
// levels off in blue".
func oneComponentShifts(pix []uint8, w, y1, y2, x0 int) bool {
	var left, right, both [3]float64
	line := make([]float64, 0, w)
	lineBoth := make([]float64, 0, w)
	for j := range jfif {
		// Component j's residual across the grid line at y, as in
		// channelSeam: 2·[(p_y − p_{y−1}) − ((p_{y−1} − p_{y−2}) + (p_{y+1} − p_y))/2].
		res := func(x, y int) float64 {
			var v float64
			for c := 0; c < 3; c++ {
				o, r := (y*w+x)*3+c, 3*w
				v += jfif[j][c] * float64(3*int(pix[o])-3*int(pix[o-r])+int(pix[o-2*r])-int(pix[o+r]))
			}
			return v
		}
		line, lineBoth = line[:0], lineBoth[:0]
		for x := 0; x < x0; x++ {
			line = append(line, res(x, y2))
		}
		lineBoth = append(lineBoth, line...)
		left[j] = medianOf(line)
		line = line[:0]
		for x := x0; x < w; x++ {
			line = append(line, res(x, y1))
		}
		lineBoth = append(lineBoth, line...)
		right[j] = medianOf(line)
		both[j] = medianOf(lineBoth)
	}
	k := 0
	for j := 1; j < 3; j++ {
		if math.Abs(both[j]) > math.Abs(both[k]) {
			k = j
		}
	}
	ad := math.Abs(both[k])
	if ad == 0 || math.Abs(left[k]-both[k]) > 0.5*ad || math.Abs(right[k]-both[k]) > 0.5*ad {
		return false
	}
	for j := 0; j < 3; j++ {
		if j != k && (math.Abs(left[j]) > 0.35*ad || math.Abs(right[j]) > 0.35*ad) {
			return false
		}
	}
	return true
}

// seamColumns returns the n MCU columns k (2 ≤ k ≤ cols−2) with the
// largest median residual across the vertical grid line x = k·mw, over the
// MCU row starting at pixel row y0, in channel c of the BGR pixels pix
// (w wide). vals is scratch of length mh. It runs for every MCU row and
// column of the photo, so it reads the pixels directly and sorts the
// column's mh residuals in place.
func seamColumns(pix []uint8, c, w, y0, mh, mw, n int, vals []int32) []seamCol {
	type cand = seamCol
	var best []cand
	for k := 2; (k+2)*mw <= w; k++ {
		x := k * mw
		for i := 0; i < mh; i++ {
			o := ((y0+i)*w+x)*3 + c
			vals[i] = 3*int32(pix[o]) - 3*int32(pix[o-3]) + int32(pix[o-6]) - int32(pix[o+3])
		}
		v := medianInt(vals)
		best = append(best, cand{k, v})
		for i := len(best) - 1; i > 0 && math.Abs(best[i].v) > math.Abs(best[i-1].v); i-- {
			best[i], best[i-1] = best[i-1], best[i]
		}
		if len(best) > n {
			best = best[:n]
		}
	}
	return best
}

// medianInt sorts the short slice t in place and returns its median.
func medianInt(t []int32) float64 {
	for i := 1; i < len(t); i++ {
		for j := i; j > 0 && t[j] < t[j-1]; j-- {
			t[j], t[j-1] = t[j-1], t[j]
		}
	}
	switch {
	case len(t) == 0:
		return 0
	case len(t)%2 == 1:
		return float64(t[len(t)/2])
	}
	return float64(t[len(t)/2-1]+t[len(t)/2]) / 2
}

// seamCol is an MCU column and twice the median residual across its left
// grid line.
type seamCol struct {
	k int
	v float64
}

// histogram finds medians of residuals (integers within ±2040) in linear
// time.
type histogram struct{ count [4097]int32 }

func (hg *histogram) median(parts ...[]int32) float64 {
	// The counts are all zero between calls: only the bins from the
	// least to the greatest value are walked, and cleared after.
	n := 0
	first, last := len(hg.count), -1
	for _, p := range parts {
		for _, v := range p {
			k := int(v) + 2048
			hg.count[k]++
			first, last = min(first, k), max(last, k)
		}
		n += len(p)
	}
	if n == 0 {
		return 0
	}
	lo, hi := (n-1)/2, n/2 // the ranks of the middle value(s)
	var a, b = -1, -1
	seen := 0
	for i := first; i <= last; i++ {
		c := hg.count[i]
		if c == 0 {
			continue
		}
		if a < 0 && seen+int(c) > lo {
			a = i
		}
		if seen+int(c) > hi {
			b = i
			break
		}
		seen += int(c)
	}
	clear(hg.count[first : last+1])
	return float64(a+b)/2 - 2048
}

// medianOf returns the median of s, which it leaves as it is: of a grid
// line's residuals, or of the lines' medians.
func medianOf(s []float64) float64 {
	if len(s) == 0 {
		return 0
	}
	t := append([]float64(nil), s...)
	sort.Float64s(t)
	if len(t)%2 == 1 {
		return t[len(t)/2]
	}
	return (t[len(t)/2-1] + t[len(t)/2]) / 2
}

// exifOrientation reads the EXIF orientation (1..8) of a JPEG from its
// first APP1 "Exif" segment, 1 when there is none or it is unreadable.
func exifOrientation(b []byte) int {
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return 1
		}
		marker := b[i+1]
		if marker == 0xDA || marker == 0xD9 {
			return 1 // the scan: no EXIF before it
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) > 14 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

func tiffOrientation(t []byte) int {
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[off:]))
	for i := 0; i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 {
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// orient turns the photo as its EXIF orientation says, exactly as
// OpenCV's imread does (ApplyExifOrientation, OpenCV 4.6).
func orient(m *gocv.Mat, o int) {
	if o >= 5 {
		gocv.Transpose(*m, m)
	}
	switch o {
	case 2, 6:
		gocv.Flip(*m, m, 1)
	case 3, 7:
		gocv.Flip(*m, m, -1)
	case 4, 8:
		gocv.Flip(*m, m, 0)
	}
}
