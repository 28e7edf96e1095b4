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
