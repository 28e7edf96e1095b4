package dots

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/smpmatch/smpmatch/match/segment"
	"gocv.io/x/gocv"
)

// This file is the package's only boundary with OpenCV: it turns the
// corrected image into the few float maps the rest works on, in plain Go
// slices.

// smoothSigma is the Gaussian (pixels) that every map is smoothed with
// before dots are read: it averages sensor noise over a dot's core, and the
// blur model counts it in (σ measured = √(lens σ² + smoothSigma²)).
const smoothSigma = 1.0

// maps are the working images, row-major, W × H.
type maps struct {
	w, h int
	// xyz is the corrected photo in linear light (CIE XYZ D50, Y of white
	// = 1), smoothed by smoothSigma; 3 per pixel.
	xyz []float32
	// dark is the dot contrast 1 − Y/Y_skin against the local skin (the
	// closing of Y, which removes anything darker and smaller than the
	// closing's disc); 0 where lighter.
	dark []float32
	// round is dark after a grey opening with a disc a little thinner than
	// the dots: hair stubble, thinner than the disc, is gone; dots keep
	// their shape.
	round []float32
	// seen is scratch for flood fills (all false between uses).
	seen []bool
	// noise is the standard deviation of dark's noise on plain skin.
	noise float64
}

// xyzOf converts the L*a*b* image to linear XYZ D50 (Y of white 1).
func xyzOf(lab *segment.LabImage) []float32 {
	out := make([]float32, len(lab.Pix))
	for i := 0; i < len(lab.Pix); i += 3 {
		l, a, b := float64(lab.Pix[i]), float64(lab.Pix[i+1]), float64(lab.Pix[i+2])
		fy := (l + 16) / 116
		fx, fz := fy+a/500, fy-b/200
		out[i] = float32(0.9642 * labFInv(fx))
		out[i+1] = float32(labFInv(fy))
		out[i+2] = float32(0.8251 * labFInv(fz))
	}
	return out
}

func labFInv(f float64) float64 {
	const d = 6.0 / 29
	if f > d {
		return f * f * f
	}
	return 3 * d * d * (f - 4.0/29)
}

func oddAtLeast(v float64, lo int) int {
	k := int(math.Round(v))
	if k < lo {
		k = lo
	}
	if k%2 == 0 {
		k++
	}
	return k
}

// makeMaps builds the maps. closePx is the diameter of the closing's disc
// (larger than any dot), openPx that of the opening's (thinner than the
// dots, thicker than hair).
func makeMaps(lab *segment.LabImage, xyz []float32, closePx, openPx int) (*maps, error) {
	w, h := lab.W, lab.H
	raw, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV32FC3, f32bytes(xyz))
	if err != nil {
		return nil, fmt.Errorf("dots: image to OpenCV: %w", err)
	}
	defer raw.Close()
	sm := gocv.NewMat()
	defer sm.Close()
	gocv.GaussianBlur(raw, &sm, image.Pt(0, 0), smoothSigma, smoothSigma, gocv.BorderReflect101)
	ch := gocv.Split(sm)
	for _, c := range ch {
		defer c.Close()
	}
	y := ch[1]
	skin := gocv.NewMat()
	defer skin.Close()
	closing(y, &skin, closePx)
	// The closing is a running maximum of the smoothed skin: smooth it
	// once more so that its noise does not print into the contrast.
	gocv.GaussianBlur(skin, &skin, image.Pt(0, 0), float64(closePx)/6, 0, gocv.BorderReflect101)
	ratio := gocv.NewMat()
	defer ratio.Close()
	gocv.Divide(y, skin, &ratio)
	ratio.MultiplyFloat(-1)
	ratio.AddFloat(1)
	dark := gocv.NewMat()
	defer dark.Close()
	gocv.Threshold(ratio, &dark, 0, 0, gocv.ThresholdToZero)
	openK := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(openPx, openPx))
	defer openK.Close()
	round := gocv.NewMat()
	defer round.Close()
	gocv.MorphologyEx(dark, &round, gocv.MorphOpen, openK)

	m := &maps{w: w, h: h}
	if m.xyz, err = floats(sm); err != nil {
		return nil, err
	}
	if m.dark, err = floats(dark); err != nil {
		return nil, err
	}
	if m.round, err = floats(round); err != nil {
		return nil, err
	}
	m.noise = noiseOf(xyz, m.xyz, w, h)
	return m, nil
}

// noiseOf estimates the noise of the smoothed contrast map from the raw
// luminance's difference to its smoothed copy (median absolute deviation on
// a sparse grid), scaled by how much smoothing averages white noise
// (1/(2√π σ) for a Gaussian of σ pixels).
func noiseOf(raw, sm []float32, w, h int) float64 {
	var d []float64
	for y := 2; y < h-2; y += 3 {
		for x := 2; x < w-2; x += 3 {
			i := 3*(y*w+x) + 1
			if sm[i] > 0 {
				d = append(d, math.Abs(float64(raw[i]-sm[i]))/float64(sm[i]))
			}
		}
	}
	if len(d) == 0 {
		return 0
	}
	return 1.4826 * median(d) / (2 * math.Sqrt(math.Pi) * smoothSigma)
}

func floats(m gocv.Mat) ([]float32, error) {
	p, err := m.DataPtrFloat32()
	if err != nil {
		return nil, fmt.Errorf("dots: reading a map: %w", err)
	}
	return append([]float32(nil), p...), nil
}

func f32bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		u := math.Float32bits(f)
		b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
	}
	return b
}

// polygonMask rasterises polygons (working pixels) grown by growPx into a
// w × h mask, true inside.
func polygonMask(polys []segment.Polygon, growPx, w, h int) ([]bool, error) {
	out := make([]bool, w*h)
	if len(polys) == 0 {
		return out, nil
	}
	m := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8U)
	defer m.Close()
	pv := gocv.NewPointsVector()
	defer pv.Close()
	for _, p := range polys {
		v := gocv.NewPointVectorFromPoints(p)
		pv.Append(v)
		v.Close()
	}
	gocv.FillPoly(&m, pv, color.RGBA{255, 255, 255, 255})
	if growPx > 0 {
		k := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(2*growPx+1, 2*growPx+1))
		defer k.Close()
		gocv.Dilate(m, &m, k)
	}
	b, err := m.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("dots: reading the card mask: %w", err)
	}
	for i, v := range b {
		out[i] = v > 0
	}
	return out, nil
}

// maxClosePx is the largest closing disc applied at full resolution: a
// larger one is applied to a copy reduced by max-pooling (each reduced
// pixel the brightest of its block, so the skin between dots survives the
// reduction), then brought back by linear interpolation. The closing is
// the skin's smooth light, so nothing finer is lost.
const maxClosePx = 25

// closing sets dst to the grey closing of src (CV32F) with a disc of
// diameter px.
func closing(src gocv.Mat, dst *gocv.Mat, px int) {
	f := (px + maxClosePx - 1) / maxClosePx
	if f <= 1 {
		k := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(px, px))
		defer k.Close()
		gocv.MorphologyEx(src, dst, gocv.MorphClose, k)
		return
	}
	w, h := src.Cols(), src.Rows()
	pool := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(f, f))
	defer pool.Close()
	pooled := gocv.NewMat()
	defer pooled.Close()
	gocv.Dilate(src, &pooled, pool)
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(pooled, &small, image.Pt(max(1, w/f), max(1, h/f)), 0, 0, gocv.InterpolationNearestNeighbor)
	kp := oddAtLeast(float64(px)/float64(f), 3)
	k := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(kp, kp))
	defer k.Close()
	closed := gocv.NewMat()
	defer closed.Close()
	gocv.MorphologyEx(small, &closed, gocv.MorphClose, k)
	gocv.Resize(closed, dst, image.Pt(w, h), 0, 0, gocv.InterpolationLinear)
}
