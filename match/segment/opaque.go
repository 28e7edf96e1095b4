package segment

import "math"

// The far end of the cover distribution, for opaque fibres.
//
// The fibre colour is an extrapolation from the skin through the strands'
// cores, F = K + m·(H − K), where H is the hair end found along the
// mixture line and m says how much further the pure fibre lies. From the
// strands' profiles m = 1/α_peak, but that is ill-conditioned where it
// matters most: for a thin black fibre (2 px under σ 0.8 px) a width read
// 12% wide moves α_peak from 0.765 to 0.814 and the hair from L* 12 to 22.
//
// A melanin-rich fibre is opaque at its thickness: where two fibres cross
// or lie side by side, or across the core of a wide one, the pixel shows
// fibre and nothing else, and it cannot be darker than the fibre (an
// opaque fibre over another looks like one fibre). So the far end of the
// cover distribution over the hair pixels is the fibre, widened by the
// pixels' noise. It is read as a high quantile of the hair pixels' cover
// (tailQuantile) less tailNoiseK times the pixel noise, the noise measured
// on skin pixels as the spread of each one about its four neighbours; per
// tile, and the median over the tiles taken, because the far end also
// catches whatever darkens a fibre: hair in a shadow at the head's rim
// that the smooth light field does not follow reads darker than the fibre.
//
// This holds for opaque fibres only. A translucent fibre (blond, grey,
// white: little melanin) lets light through, and two of them are darker
// than one, so the far end overshoots the fibre; those keep m = 1/α_peak.
// Measured on the 24 independent renders (../shared/data/synthscalps, with
// their truth): the far end less the noise lies within 0.06 of the m the
// truth needs on black to brown hair whether the fibres are resolved (the
// end is a peak: m ≈ 1.02–1.05) or not (a long tail: m 1.14–1.25), where
// 1/α_peak gave 1.02–1.07 throughout.

// Opaque-fibre end constants.
const (
	// opaqueFibreL: fibres whose first estimate is at most this L* (black,
	// dark brown, brown) are taken as opaque; blond and grey fibres (L*
	// 45–70 on the renders, 60+ on tresses) are not.
	opaqueFibreL = 40.0
	// tailQuantile: the far end of the hair pixels' cover; with 10⁴–10⁵
	// hair pixels the top half percent is a few hundred pixels.
	tailQuantile = 0.995
	// tailNoiseK: a normal noise puts the 99.5th percentile of a sharp end
	// about 2.6 σ beyond it; the pixels just short of the end (partial
	// cover) pull it back, and 2 σ is what the renders' resolved fibres
	// (a sharp end) show.
	tailNoiseK = 2.0
	// lumaShare: the far end is read only where the skin-to-hair line is
	// mostly a change of luminance (|ΔY| at least this share of |ΔXYZ|):
	// JPEG keeps luminance at full resolution, and dark fibres are what
	// this is for.
	lumaShare = 0.5
	// noticeableDE00 and clearDE00 judge how far the far end lies beyond
	// a fibre not read there (segment.go's thin-fibre confidence): about
	// 1.5 CIEDE2000 is a just-noticeable difference side by side, 6 a
	// clearly different colour.
	noticeableDE00 = 1.5
	clearDE00      = 6.0
	// minTailPixels: fewer hair or skin pixels give no stable quantile.
	minTailPixels = 200
	// tailTiles: the far end is read per tile of this many light-fit
	// tiles a side (a few thousand hair pixels each), and minTailTiles of
	// them must have hair for a median.
	tailTiles    = 4
	minTailTiles = 3
)

// opaqueEnd returns how far beyond the hair end (in units of hair end −
// skin end, the cover map's units) the far end of the hair pixels' cover
// lies, less the pixel noise; ok is false where it cannot be read. cover
// is NaN off the region or off the mixture line; fibre, when not nil,
// marks the thin structures the hair pixels must lie on (a wide shadow
// lies on the line too); w is the image width.
func opaqueEnd(cover []float32, fibre []bool, w, tile int, skin, hair [3]float64) (float64, bool) {
	d := sub3(hair, skin)
	if math.Abs(d[1]) < lumaShare*math.Sqrt(dot3(d, d)) || tile <= 0 {
		return 0, false
	}
	tw := (w + tile - 1) / tile
	h := len(cover) / w
	tiles := make([][]float32, tw*((h+tile-1)/tile))
	var spread []float32
	for i := w + 1; i < len(cover)-w-1; i++ {
		c := cover[i]
		if !(c < 0.25) {
			if c >= 0.5 && (fibre == nil || fibre[i]) {
				t := (i/w/tile)*tw + (i%w)/tile
				tiles[t] = append(tiles[t], c)
			}
			continue
		}
		// Skin: its difference from the mean of its four neighbours
		// (all skin) has variance (1 + 1/4) σ² for independent noise.
		n4 := (cover[i-1] + cover[i+1] + cover[i-w] + cover[i+w]) / 4
		if !(n4 <= 0.25) {
			continue
		}
		spread = append(spread, float32(math.Abs(float64(c-n4))))
	}
	if len(spread) < minTailPixels {
		return 0, false
	}
	noise := 1.4826 * quantile(spread, 0.5) / math.Sqrt(1.25)
	// Each tile's far end; their median, so that hair in a shadow the
	// light field does not follow (the head's rim) or a tile of
	// something else does not set the answer.
	var ends []float32
	for _, tc := range tiles {
		if len(tc) >= minTailPixels {
			ends = append(ends, float32(quantile(tc, tailQuantile)-tailNoiseK*noise))
		}
	}
	if len(ends) < minTailTiles {
		return 0, false
	}
	return quantile(ends, 0.5), true
}
