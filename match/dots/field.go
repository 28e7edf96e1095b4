package dots

import (
	"math"
	"sort"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/segment"
)

// Largest SMP dot (DOMAIN.md: dots are under 1 mm; the range is
// 0.3–1.2 mm): with a scale, the first pass's closing disc is sized for it.
const maxDotMM = 1.2

// firstPassCandidates is how many candidates the first pass measures.
const firstPassCandidates = 600

// measureField finds and measures the dots of a corrected image. pxPerMM
// is the scale in working pixels (0 when unknown).
func measureField(lab *segment.LabImage, reg Region, pxPerMM, chromaVar float64) (*field, error) {
	xyz := xyzOf(lab)
	short := float64(min(lab.W, lab.H))
	closePx := short / 12
	if pxPerMM > 0 {
		closePx = math.Min(closePx, 3*maxDotMM*pxPerMM)
	}
	// First pass: the dots' typical size, with an opening only thick
	// enough to remove one-pixel hair.
	m, err := makeMaps(lab, xyz, oddAtLeast(closePx, 5), 3)
	if err != nil {
		return nil, err
	}
	// The typical size needs a few hundred candidates, not every maximum
	// on every dot's plateau.
	var sizes []float64
	cands := candidates(m, 2)
	step := max(1, len(cands)/firstPassCandidates)
	for k := 0; k < len(cands); k += step {
		s := cands[k]
		cx, cy, rho, el, fill, ok := shape(m, s, int(short/8))
		if ok && el <= maxElongation && fill >= minFill && 2*rho >= minDiameterPx && roundOnRaw(m, cx, cy, rho) &&
			openedShare(m, cx, cy, 1.2*rho) >= minOpenedShare {
			sizes = append(sizes, 2*rho)
		}
	}
	f := &field{}
	if len(sizes) == 0 {
		return f, nil
	}
	d := median(sizes)
	// Second pass, sized by the dots: the closing's disc is three dots
	// wide, the opening's half a dot (thicker than stubble, thinner than a
	// dot).
	m, err = makeMaps(lab, xyz, oddAtLeast(3*d+6, 5), oddAtLeast(0.6*d, 3))
	if err != nil {
		return nil, err
	}
	win := int(math.Ceil(1.5*d)) + 2
	var dots []found
	for _, s := range candidates(m, 0.6*d) {
		cx, cy, rho, el, fill, ok := shape(m, s, win)
		if !ok || el > maxElongation || fill < minFill || 2*rho < minDiameterPx || !roundOnRaw(m, cx, cy, rho) {
			continue
		}
		// Hair clumps lose most of their darkness to the opening, dots
		// little of theirs.
		if openedShare(m, cx, cy, 1.2*rho) < minOpenedShare {
			continue
		}
		dots = append(dots, found{x: cx, y: cy, rho: [3]float64{0, rho, 0}, peak: float64(m.round[s])})
	}
	// Two maxima on one dot's plateau flood the same level set: one dot.
	dots = dedupe(dots, 0.5*d)
	if len(dots) == 0 {
		return f, nil
	}
	nn := nearest(dots)
	for k := range dots {
		lim := math.Min(nn[k]/2, 2*dots[k].rho[1]+3)
		levelsOf(m, &dots[k], lim, float32(0.1*dots[k].peak))
	}
	// Faint marks (pores, flakes, shadows) are not pigment: keep dots whose
	// peak is a good share of the typical dot's.
	var peaks []float64
	for _, dt := range dots {
		peaks = append(peaks, dt.peak)
	}
	pmed := median(peaks)
	kept := dots[:0]
	var keptNN []float64
	for k, dt := range dots {
		if dt.peak >= peakShare*pmed && dt.rho[2] > 0 {
			kept = append(kept, dt)
			keptNN = append(keptNN, nn[k])
		}
	}
	dots = kept
	if len(dots) == 0 {
		return f, nil
	}

	// The field's blur: one lens, one focus, one σ for all dots.
	f.sigma = fieldBlur(m, dots, keptNN, math.Max(3*smoothSigma, d))
	var radii []float64
	for k := range dots {
		dots[k].r, _ = radiusFromHalf(dots[k].rho[1], f.sigma)
		if s := supportOf(m, dots[k], math.Min(keptNN[k]/2, 2*dots[k].rho[1]+4)); len(s) >= 5 {
			dots[k].r, _ = bestRadius(s, dots[k].rho[1], f.sigma, m.noise)
		}
		radii = append(radii, dots[k].r)
	}
	rmed := median(radii)
	grow := int(math.Ceil(rmed))
	excl, err := polygonMask(reg.Exclude, grow, lab.W, lab.H)
	if err != nil {
		return nil, err
	}

	w, h := float64(lab.W), float64(lab.H)
	g := newGrid(dots, math.Max(2*rmed, 4))
	ch := chroma{extraVar: chromaVar}
	ch.kx, ch.kz = typicalChromaticity(m)
	var covs []float64
	for k := range dots {
		dt := &dots[k]
		skin, dotXYZ, resid, ok := unmix(m, dots, g, k, f.sigma, math.Max(dt.r+2*f.sigma+2, 0.75*keptNN[k]), ch)
		if !ok || skin.Y <= 0 {
			continue
		}
		dt.skin = skin
		dt.resid = resid
		cov := coreCoverage(dt.r, f.sigma)
		dt.lab = dotXYZ.LabD50()
		skinLab := skin.LabD50()
		if dt.x-dt.r < 0 || dt.y-dt.r < 0 || dt.x+dt.r > w || dt.y+dt.r > h {
			continue
		}
		if !inRegion(reg, dt.x, dt.y, dt.r) || excl[int(dt.y)*lab.W+int(dt.x)] || !skinLike(skinLab) {
			continue
		}
		dt.contrast = 1 - dotXYZ.Y/skin.Y
		dt.inside = true
		covs = append(covs, cov)
	}
	// A dot takes a good share of its own skin's light away. Broad faint
	// darkenings (where the blurred tails of many hairs overlap) pass the
	// shape tests but, fitted against the skin right around them, barely
	// differ from it.
	var cs []float64
	for _, dt := range dots {
		if dt.inside {
			cs = append(cs, dt.contrast)
		}
	}
	if len(cs) > 0 {
		lim := math.Max(minContrast, peakShare*median(cs))
		covs = covs[:0]
		for k := range dots {
			dt := &dots[k]
			if dt.inside && dt.contrast < lim {
				dt.inside = false
			}
			if dt.inside {
				covs = append(covs, coreCoverage(dt.r, f.sigma))
			}
		}
	}
	f.dots = dots
	for k, dt := range dots {
		if dt.inside {
			f.counted = append(f.counted, k)
		}
	}
	if len(f.counted) == 0 {
		return f, nil
	}
	// Light falls off over the curved head: each dot and its skin are
	// relit to the best-lit skin (the 90th percentile of the dots' local
	// skin), as match/segment reports the scalp.
	var ys []float64
	for _, k := range f.counted {
		ys = append(ys, dots[k].skin.Y)
	}
	sort.Float64s(ys)
	ref := ys[len(ys)*9/10]
	// Colours come from the dots the model explains best (half of them):
	// a stub of hair across a dot or a flake on it leaves more
	// unexplained.
	var rs []float64
	for _, k := range f.counted {
		rs = append(rs, dots[k].resid)
	}
	rlim := median(rs)
	var dl, sl []colour.LabD50
	var cr []float64
	for _, k := range f.counted {
		dt := &dots[k]
		g := ref / dt.skin.Y
		x := dt.lab.XYZ()
		dt.lab = colour.XYZ{X: g * x.X, Y: g * x.Y, Z: g * x.Z}.LabD50()
		cr = append(cr, dt.r)
		if dt.resid > rlim {
			continue
		}
		dl = append(dl, dt.lab)
		sl = append(sl, colour.XYZ{X: g * dt.skin.X, Y: g * dt.skin.Y, Z: g * dt.skin.Z}.LabD50())
	}
	f.dot = robustLab(dl)
	f.skin = robustLab(sl)
	f.diameter = 2 * median(cr)
	f.spacing = median(keptNN)
	f.coverage = median(covs)
	f.area = admissibleArea(reg, excl, lab.W, lab.H, median(cr))
	return f, nil
}

// nearest returns each dot's distance to its nearest neighbour.
func nearest(d []found) []float64 {
	out := make([]float64, len(d))
	if len(d) < 2 {
		for i := range out {
			out[i] = math.Inf(1)
		}
		return out
	}
	// Sort by x and sweep: dots are spread over the image, so the search
	// window stays small.
	idx := make([]int, len(d))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return d[idx[a]].x < d[idx[b]].x })
	for i := range out {
		out[i] = math.Inf(1)
	}
	for a := range idx {
		i := idx[a]
		for b := a + 1; b < len(idx); b++ {
			j := idx[b]
			dx := d[j].x - d[i].x
			if dx > out[i] && dx > out[j] {
				break
			}
			dd := math.Hypot(dx, d[j].y-d[i].y)
			out[i] = math.Min(out[i], dd)
			out[j] = math.Min(out[j], dd)
		}
	}
	return out
}

// inRegion reports whether the disc lies wholly inside the ROI and on
// mask pixels (its centre and eight points of its rim).
func inRegion(reg Region, x, y, r float64) bool {
	if !reg.ROI.Empty() {
		if x-r < float64(reg.ROI.Min.X) || y-r < float64(reg.ROI.Min.Y) || x+r > float64(reg.ROI.Max.X) || y+r > float64(reg.ROI.Max.Y) {
			return false
		}
	}
	if reg.Mask != nil {
		b := reg.Mask.Bounds()
		for k := -1; k < 8; k++ {
			px, py := x, y
			if k >= 0 {
				s, c := math.Sincos(float64(k) * math.Pi / 4)
				px, py = x+r*c, y+r*s
			}
			ix, iy := b.Min.X+int(px), b.Min.Y+int(py)
			if ix < b.Min.X || iy < b.Min.Y || ix >= b.Max.X || iy >= b.Max.Y || reg.Mask.GrayAt(ix, iy).Y == 0 {
				return false
			}
		}
	}
	return true
}

// admissibleArea counts the pixels where the centre of a counted dot of
// radius r may lie: at least r inside the photo and the ROI, on the mask,
// clear of the grown exclusions. Dividing the count by it gives an
// unbiased density.
func admissibleArea(reg Region, excl []bool, w, h int, r float64) float64 {
	var n float64
	for y := 0; y < h; y++ {
		fy := float64(y) + 0.5
		if fy-r < 0 || fy+r > float64(h) {
			continue
		}
		for x := 0; x < w; x++ {
			fx := float64(x) + 0.5
			if fx-r < 0 || fx+r > float64(w) || excl[y*w+x] {
				continue
			}
			if !reg.ROI.Empty() && (fx-r < float64(reg.ROI.Min.X) || fy-r < float64(reg.ROI.Min.Y) || fx+r > float64(reg.ROI.Max.X) || fy+r > float64(reg.ROI.Max.Y)) {
				continue
			}
			if reg.Mask != nil {
				b := reg.Mask.Bounds()
				if reg.Mask.GrayAt(b.Min.X+x, b.Min.Y+y).Y == 0 {
					continue
				}
			}
			n++
		}
	}
	return n
}

// robustLab is the component-wise median of colours, with the median
// CIEDE2000 of the colours to it as spread.
func robustLab(c []colour.LabD50) segment.Colour {
	var l, a, b []float64
	for _, v := range c {
		l, a, b = append(l, v.L), append(a, v.A), append(b, v.B)
	}
	m := colour.LabD50{L: median(l), A: median(a), B: median(b)}
	var de []float64
	for _, v := range c {
		de = append(de, colour.DeltaE00(v, m))
	}
	return segment.Colour{Lab: m, Spread: median(de), Pixels: len(c)}
}

// dedupe drops dots whose centre is within sep of an earlier one.
func dedupe(d []found, sep float64) []found {
	g := &grid{cell: math.Max(sep, 1), cells: map[[2]int][]int{}}
	var out []found
	for _, dt := range d {
		if len(g.near(out, dt.x, dt.y, sep)) > 0 {
			continue
		}
		k := [2]int{int(dt.x / g.cell), int(dt.y / g.cell)}
		g.cells[k] = append(g.cells[k], len(out))
		out = append(out, dt)
	}
	return out
}

// typicalChromaticity is the median X/Y and Z/Y of the image's pixels (on a
// sparse grid): the skin's, on a scalp close-up.
func typicalChromaticity(m *maps) (kx, kz float64) {
	var xs, zs []float64
	for i := 0; i < m.w*m.h; i += 7 {
		if y := float64(m.xyz[3*i+1]); y > 0.01 {
			xs = append(xs, float64(m.xyz[3*i])/y)
			zs = append(zs, float64(m.xyz[3*i+2])/y)
		}
	}
	if len(xs) == 0 {
		return 0.9642, 0.8251
	}
	return median(xs), median(zs)
}

// openedShare is the share of the contrast within rad of (cx, cy) that
// the opening kept. Measured on renders: dots 0.6–0.9 (mostly 0.7–0.8,
// also with 12% stubble around them), clumps of crossing or parallel
// stubble 0.2–0.7 (mostly 0.3–0.5).
const minOpenedShare = 0.62

func openedShare(m *maps, cx, cy, rad float64) float64 {
	var o, r float64
	x0, x1 := max(0, int(cx-rad)), min(m.w-1, int(cx+rad))
	y0, y1 := max(0, int(cy-rad)), min(m.h-1, int(cy+rad))
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			if math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy) > rad {
				continue
			}
			i := y*m.w + x
			o += float64(m.round[i])
			r += float64(m.dark[i])
		}
	}
	if r <= 0 {
		return 0
	}
	return o / r
}
