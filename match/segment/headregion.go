package segment

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"

	"github.com/smpmatch/smpmatch/match/segment/region"
)

// minClearSkin is the least share of the region's skin-coloured pixels
// that must be untextured for the local skin to come from those alone.
const minClearSkin = 0.05

// closeUpShare: where the head found by region.Find covers this share of
// the admitted frame, the photo is a close-up of the scalp, not a
// whole-head photo. Measured: the independent close-ups
// (../shared/data/synthscalps) give 0.91–1.00, the real whole-head intake
// photos (../shared/data/realscalps) 0.55–0.94 (two of the first 60 above
// 0.9: those are top-down views that fill the frame, and are close-ups).
const closeUpShare = 0.9

// headRegion marks the scalp region in m.reg — the head's skin and the hair
// on it, from match/segment/region — and returns its size.
func (m *measurer) headRegion() int {
	opts := region.Options{ROI: m.o.ROI, Mask: m.o.Mask}
	for _, p := range m.o.Exclude {
		opts.Exclude = append(opts.Exclude, []image.Point(p))
	}
	m.reg = make([]bool, m.w*m.h)
	r, err := region.Find(m.img.Pix, m.w, m.h, opts)
	if err != nil {
		// Only an image with nothing admitted fails, and Measure has
		// refused that already: an empty region says "not a scalp".
		return 0
	}
	m.textured = make([]bool, m.w*m.h)
	for i, v := range r.Textured.Pix {
		m.textured[i] = v != 0
	}
	if r.Share >= closeUpShare {
		// A close-up: the head is the frame, and there is no background
		// to tell it from. The blocks that are mostly skin-like then mark
		// the scalp better (they leave out a band of something else, the
		// surroundings of the card).
		m.closeUp = true
		return m.findRegion()
	}
	// Pixels at the head's outline mix it with what surrounds it (and the
	// rim is in deep shadow): measure from a margin inside, as the block
	// search before did (about one and a half blocks of long side / 80).
	inner, err := erode(r.Mask, max(4, max(m.w, m.h)/60))
	if err != nil {
		return 0
	}
	n := 0
	for i, v := range inner.Pix {
		if v != 0 && m.cand[i] {
			m.reg[i] = true
			n++
		}
	}
	// Skin seen through hair is mixed with fibres: the local skin comes
	// from the untextured skin, where there is enough of it (a close-up
	// of dense stubble is textured all over; then all of it is skin).
	clear, all := 0, 0
	for i, v := range m.reg {
		if v && m.skin[i] {
			all++
			if r.Textured.Pix[i] == 0 {
				clear++
			}
		}
	}
	if float64(clear) >= minClearSkin*float64(all) {
		for i, v := range r.Textured.Pix {
			if v != 0 {
				m.skin[i] = false
			}
		}
	}
	return n
}

// erode shrinks a mask by k pixels (an elliptical element of 2k + 1).
func erode(g *image.Gray, k int) (*image.Gray, error) {
	src, err := gocv.ImageGrayToMatGray(g)
	if err != nil {
		return nil, fmt.Errorf("segment: region mask: %w", err)
	}
	defer src.Close()
	el := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(2*k+1, 2*k+1))
	defer el.Close()
	dst := gocv.NewMat()
	defer dst.Close()
	gocv.Erode(src, &dst, el)
	img, err := dst.ToImage()
	if err != nil {
		return nil, fmt.Errorf("segment: region mask: %w", err)
	}
	out, ok := img.(*image.Gray)
	if !ok {
		return nil, fmt.Errorf("segment: region mask came back as %T", img)
	}
	return out, nil
}

// findRegion is the region of a close-up: the blocks of the image whose
// pixels are mostly skin-like, the largest 4-connected group with its holes
// filled, one block in from its edge.
func (m *measurer) findRegion() int {
	bs := m.o.BlockPx
	bw, bh := (m.w+bs-1)/bs, (m.h+bs-1)/bs
	head := make([]bool, bw*bh)
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			var nc, ns, area int
			for y := by * bs; y < min(m.h, (by+1)*bs); y++ {
				for x := bx * bs; x < min(m.w, (bx+1)*bs); x++ {
					area++
					i := y*m.w + x
					if m.cand[i] {
						nc++
						if m.skin[i] {
							ns++
						}
					}
				}
			}
			head[by*bw+bx] = nc*2 >= area && float64(ns) >= m.o.MinSkinShare*float64(nc)
		}
	}
	// Largest 4-connected group.
	lab := make([]int, bw*bh)
	best, bestN, n := 0, 0, 0
	for s := range head {
		if !head[s] || lab[s] != 0 {
			continue
		}
		n++
		cnt := 0
		stack := []int{s}
		lab[s] = n
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			cnt++
			x, y := i%bw, i/bw
			for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				xx, yy := x+d[0], y+d[1]
				if xx < 0 || yy < 0 || xx >= bw || yy >= bh {
					continue
				}
				j := yy*bw + xx
				if head[j] && lab[j] == 0 {
					lab[j] = n
					stack = append(stack, j)
				}
			}
		}
		if cnt > bestN {
			best, bestN = n, cnt
		}
	}
	if bestN == 0 {
		m.reg = make([]bool, m.w*m.h)
		return 0
	}
	comp := make([]bool, bw*bh)
	for i := range comp {
		comp[i] = lab[i] == best
	}
	// Fill holes: blocks not reachable from the border around the group.
	outside := make([]bool, bw*bh)
	var stack []int
	for i := range comp {
		x, y := i%bw, i/bw
		if !comp[i] && (x == 0 || y == 0 || x == bw-1 || y == bh-1) {
			outside[i] = true
			stack = append(stack, i)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%bw, i/bw
		for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			xx, yy := x+d[0], y+d[1]
			if xx < 0 || yy < 0 || xx >= bw || yy >= bh {
				continue
			}
			j := yy*bw + xx
			if !comp[j] && !outside[j] {
				outside[j] = true
				stack = append(stack, j)
			}
		}
	}
	filled := make([]bool, bw*bh)
	for i := range filled {
		filled[i] = !outside[i]
	}
	// One block in from the region's edge (not from the image's): edge
	// blocks mix scalp with what surrounds it.
	core := make([]bool, bw*bh)
	for i := range core {
		if !filled[i] {
			continue
		}
		x, y := i%bw, i/bw
		ok := true
		for dy := -1; dy <= 1 && ok; dy++ {
			for dx := -1; dx <= 1; dx++ {
				xx, yy := x+dx, y+dy
				if xx >= 0 && yy >= 0 && xx < bw && yy < bh && !filled[yy*bw+xx] {
					ok = false
					break
				}
			}
		}
		core[i] = ok
	}
	m.reg = make([]bool, m.w*m.h)
	cnt := 0
	for y := 0; y < m.h; y++ {
		for x := 0; x < m.w; x++ {
			i := y*m.w + x
			if m.cand[i] && core[(y/bs)*bw+x/bs] {
				m.reg[i] = true
				cnt++
			}
		}
	}
	return cnt
}
