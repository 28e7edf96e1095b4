package batch

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/measure"
)

// Pictures in the report.
const (
	// ThumbSide is the long side of the report's thumbnails: enough to see
	// the head and the masks, small enough for a page of many clients.
	ThumbSide = 480
	// zoomW, zoomH are the size of the 1:1 crop of the working image the
	// simulated dots are drawn on: at the working resolution individual
	// hairs and dots are visible.
	zoomW, zoomH = 480, 320
	// assumedFrameMM is the real size of a scalp close-up's long side when
	// the photo has no scale: about 10 cm, a phone held 15–20 cm from the
	// head. ESTIMATE; it only sets the dot spacing of the simulation.
	assumedFrameMM = 100.0
	// dotSpacingMM is the mean distance between simulated SMP dots: about
	// 1 mm, as a shaved scalp of 80–100 follicular units per cm² shows
	// (Jimenez & Ruifernández 1999 count 65–85 FU/cm² in the occiput).
	dotSpacingMM = 1.0
	// dotDiameterMM is a healed dot's apparent diameter: about 0.4 mm,
	// the size of a stubble hair seen from conversational distance.
	// ESTIMATE from practitioners' descriptions.
	dotDiameterMM = 0.4
	// dotEdge is the soft rim of a dot as a fraction of its radius, and
	// dotSkip the share of grid places left empty, so that the stipple
	// reads as random rather than as a lattice. Chosen by eye.
	dotEdge      = 0.45
	dotSkip      = 0.12
	thumbQuality = 85
)

// shrink reduces img by area averaging so that its long side is at most
// side (a copy; never enlarged).
func shrink(img *image.NRGBA, side int) *image.NRGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	long := max(w, h)
	if long <= side {
		out := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			copy(out.Pix[y*out.Stride:y*out.Stride+4*w], img.Pix[(y)*img.Stride:(y)*img.Stride+4*w])
		}
		return out
	}
	nw, nh := max(1, w*side/long), max(1, h*side/long)
	out := image.NewNRGBA(image.Rect(0, 0, nw, nh))
	for y := 0; y < nh; y++ {
		y0, y1 := y*h/nh, max((y+1)*h/nh, y*h/nh+1)
		for x := 0; x < nw; x++ {
			x0, x1 := x*w/nw, max((x+1)*w/nw, x*w/nw+1)
			var s [3]int
			n := 0
			for yy := y0; yy < y1; yy++ {
				row := img.Pix[(yy)*img.Stride:]
				for xx := x0; xx < x1; xx++ {
					s[0] += int(row[4*xx])
					s[1] += int(row[4*xx+1])
					s[2] += int(row[4*xx+2])
					n++
				}
			}
			o := out.Pix[y*out.Stride+4*x:]
			o[0], o[1], o[2], o[3] = uint8(s[0]/n), uint8(s[1]/n), uint8(s[2]/n), 255
		}
	}
	return out
}

func encodeJPEG(img image.Image, q int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// zoomRect is the crop shown with simulated dots: of the windows that stay
// clear of avoid (the card's box; empty for none), the one holding the
// most scalp skin, nearest the skin's centroid among equals. It returns an
// empty rectangle when every window overlaps avoid.
func zoomRect(w, h int, scalp *image.Gray, avoid image.Rectangle) image.Rectangle {
	zw, zh := min(zoomW, w), min(zoomH, h)
	hasMask := scalp != nil && scalp.Bounds().Dx() == w && scalp.Bounds().Dy() == h
	// Integral image of the skin mask on a grid of zoomStep pixels.
	const step = 8
	gw, gh := w/step+1, h/step+1
	sum := make([]int, (gw+1)*(gh+1))
	cx, cy, n := 0, 0, 0
	for gy := 0; gy < gh; gy++ {
		for gx := 0; gx < gw; gx++ {
			v := 0
			x, y := gx*step, gy*step
			if x < w && y < h && (!hasMask || scalp.Pix[y*scalp.Stride+x] > 0) {
				v = 1
				cx, cy, n = cx+x, cy+y, n+1
			}
			sum[(gy+1)*(gw+1)+gx+1] = v + sum[gy*(gw+1)+gx+1] + sum[(gy+1)*(gw+1)+gx] - sum[gy*(gw+1)+gx]
		}
	}
	if n > 0 {
		cx, cy = cx/n, cy/n
	} else {
		cx, cy = w/2, h/2
	}
	count := func(r image.Rectangle) int {
		x0, y0 := (r.Min.X+step-1)/step, (r.Min.Y+step-1)/step
		x1, y1 := min((r.Max.X+step-1)/step, gw), min((r.Max.Y+step-1)/step, gh)
		return sum[y1*(gw+1)+x1] - sum[y0*(gw+1)+x1] - sum[y1*(gw+1)+x0] + sum[y0*(gw+1)+x0]
	}
	best, bestN, bestD := image.Rectangle{}, -1, 0
	for y0 := 0; ; y0 = min(y0+step, h-zh) {
		for x0 := 0; ; x0 = min(x0+step, w-zw) {
			r := image.Rect(x0, y0, x0+zw, y0+zh)
			if avoid.Empty() || !r.Overlaps(avoid) {
				c := count(r)
				dx, dy := x0+zw/2-cx, y0+zh/2-cy
				d := dx*dx + dy*dy
				if c > bestN || (c == bestN && d < bestD) {
					best, bestN, bestD = r, c, d
				}
			}
			if x0 == w-zw {
				break
			}
		}
		if y0 == h-zh {
			break
		}
	}
	return best
}

// writeThumbs stores a photo's pictures in the state: corrected and
// overlay thumbnails and the zoom crop with its scalp mask, all re-encoded
// from the working image (no metadata of the input survives). The zoom
// crop stays clear of card, the card's box in the working image. It returns
// the zoom crop's estimated millimetres per pixel.
func writeThumbs(st store, key string, art *measure.Artifacts, m *measure.Result, card image.Rectangle) (float64, []string, error) {
	if art == nil || art.Corrected == nil {
		return 0, nil, fmt.Errorf("no pictures")
	}
	var names []string
	for _, t := range []struct {
		name string
		img  *image.NRGBA
	}{{thumbCorrected, art.Corrected}, {thumbOverlay, art.Overlay}} {
		if t.img == nil {
			continue
		}
		b, err := encodeJPEG(shrink(t.img, ThumbSide), thumbQuality)
		if err != nil {
			return 0, nil, fmt.Errorf("thumbnail %s: %w", t.name, err)
		}
		if err := st.write(st.path(key, t.name), b); err != nil {
			return 0, nil, err
		}
		names = append(names, t.name)
	}
	w, h := art.Corrected.Bounds().Dx(), art.Corrected.Bounds().Dy()
	var scalp *image.Gray
	if m != nil {
		scalp = m.ScalpMask
	}
	zr := zoomRect(w, h, scalp, card)
	if zr.Empty() {
		// No window clear of the card: no close-up (the report shows none).
		return assumedFrameMM / float64(max(w, h)), names, nil
	}
	crop := art.Corrected.SubImage(zr.Add(art.Corrected.Bounds().Min))
	b, err := encodeJPEG(crop, 90)
	if err != nil {
		return 0, nil, fmt.Errorf("zoom crop: %w", err)
	}
	if err := st.write(st.path(key, thumbZoom), b); err != nil {
		return 0, nil, err
	}
	mask := image.NewGray(image.Rect(0, 0, zr.Dx(), zr.Dy()))
	if scalp != nil && scalp.Bounds().Dx() == w && scalp.Bounds().Dy() == h {
		for y := 0; y < zr.Dy(); y++ {
			copy(mask.Pix[y*mask.Stride:y*mask.Stride+zr.Dx()], scalp.Pix[(zr.Min.Y+y)*scalp.Stride+zr.Min.X:])
		}
	}
	var pb bytes.Buffer
	if err := png.Encode(&pb, mask); err != nil {
		return 0, nil, fmt.Errorf("zoom mask: %w", err)
	}
	if err := st.write(st.path(key, thumbZoomMask), pb.Bytes()); err != nil {
		return 0, nil, err
	}
	return assumedFrameMM / float64(max(w, h)), append(names, thumbZoom, thumbZoomMask), nil
}

func readImage(path string) (image.Image, error) {
	b, err := readBounded(path, maxStateBytes)
	if err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}

// SimulateDots draws healed SMP dots of colour ink over the scalp skin of
// img (where mask > 0; everywhere if mask is nil): soft round dots of
// dotDiameterMM on a jittered grid of dotSpacingMM, at mmPerPx millimetres
// per pixel. Dots are mixed with the skin in linear light, as pigment seen
// through the epidermis is. seed makes the layout reproducible.
func SimulateDots(img image.Image, mask *image.Gray, ink colour.LabD50, mmPerPx float64, seed uint64) *image.NRGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Set(x, y, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	if mmPerPx <= 0 {
		mmPerPx = assumedFrameMM / 1600
	}
	lut, enc := srgbToLinear(), linearToSRGB8()
	inkLin := ink.SRGB().Linear()
	il := [3]float64{clamp01(inkLin.R), clamp01(inkLin.G), clamp01(inkLin.B)}
	spacing := dotSpacingMM / mmPerPx
	rng := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	for gy := spacing / 2; gy < float64(h); gy += spacing {
		for gx := spacing / 2; gx < float64(w); gx += spacing {
			// A jittered grid: even coverage without a visible lattice,
			// as a practitioner stipples.
			cx := gx + (rng.Float64()-0.5)*0.7*spacing
			cy := gy + (rng.Float64()-0.5)*0.7*spacing
			r := dotDiameterMM / mmPerPx / 2 * (0.8 + 0.4*rng.Float64())
			strength := 0.8 + 0.15*rng.Float64()
			if rng.Float64() < dotSkip {
				continue
			}
			ix, iy := int(cx), int(cy)
			if ix < 0 || iy < 0 || ix >= w || iy >= h || (mask != nil && mask.GrayAt(ix, iy).Y == 0) {
				continue
			}
			// A disc with a soft rim: healed pigment spreads a little
			// in the dermis and is seen through the epidermis.
			edge := math.Max(0.7, dotEdge*r)
			rad := int(math.Ceil(r + edge))
			for y := max(0, iy-rad); y <= min(h-1, iy+rad); y++ {
				for x := max(0, ix-rad); x <= min(w-1, ix+rad); x++ {
					d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
					a := strength * smoothstep(r+edge, r-edge, d)
					if a <= 0 {
						continue
					}
					p := out.Pix[y*out.Stride+4*x:]
					for c := 0; c < 3; c++ {
						v := (1-a)*lut[p[c]] + a*il[c]
						p[c] = enc[int(clamp01(v)*(encSize-1)+0.5)]
					}
				}
			}
		}
	}
	return out
}

// smoothstep is 0 at e0, 1 at e1, smooth in between (e0 > e1 allowed).
func smoothstep(e0, e1, x float64) float64 {
	t := clamp01((x - e0) / (e1 - e0))
	return t * t * (3 - 2*t)
}

func clamp01(v float64) float64 { return math.Max(0, math.Min(1, v)) }

// encSize is the size of the linear → 8-bit sRGB table: fine enough that
// no two adjacent entries skip an 8-bit code in the shadows.
const encSize = 8192

func linearToSRGB8() []uint8 {
	t := make([]uint8, encSize)
	for i := range t {
		t[i] = uint8(math.Round(255 * clamp01(colour.LinearRGB{R: float64(i) / (encSize - 1)}.Encode().R)))
	}
	return t
}

func srgbToLinear() [256]float64 {
	var t [256]float64
	for i := range t {
		t[i] = colour.SRGB{R: float64(i) / 255}.Linear().R
	}
	return t
}
