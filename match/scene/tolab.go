package scene

import (
	"image"
	"math"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"github.com/smpmatch/smpmatch/match/segment"
)

// ToLab converts a picture rendered with cam back to L*a*b* D50 by undoing
// the camera model exactly: the tone curve, exposure, white-balance gains,
// camera matrix and illuminant. It is the correction a perfect card fit
// would give, so that tests of the measurement core see only what the
// photo itself loses (noise, blur, 8-bit, JPEG, clipping).
func ToLab(img image.Image, cam synth.Camera) *segment.LabImage {
	b := img.Bounds()
	out := segment.NewLabImage(b.Dx(), b.Dy())
	inv := cameraInverse(cam)
	var lut [256]float64
	for v := range lut {
		e := float64(v) / 255
		switch cam.Curve {
		case synth.CurveLinear:
			lut[v] = e
		case synth.CurveGamma22:
			lut[v] = math.Pow(e, 2.2)
		default:
			lut[v] = colour.SRGB{R: e}.Linear().R
		}
	}
	nrgba, _ := img.(*image.NRGBA)
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			var r8, g8, b8 uint8
			if nrgba != nil {
				i := nrgba.PixOffset(b.Min.X+x, b.Min.Y+y)
				r8, g8, b8 = nrgba.Pix[i], nrgba.Pix[i+1], nrgba.Pix[i+2]
			} else {
				r, g, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				r8, g8, b8 = uint8(r>>8), uint8(g>>8), uint8(bb>>8)
			}
			l := [3]float64{lut[r8], lut[g8], lut[b8]}
			xyz := colour.XYZ{
				X: inv[0][0]*l[0] + inv[0][1]*l[1] + inv[0][2]*l[2],
				Y: inv[1][0]*l[0] + inv[1][1]*l[1] + inv[1][2]*l[2],
				Z: inv[2][0]*l[0] + inv[2][1]*l[1] + inv[2][2]*l[2],
			}
			out.Set(x, y, xyz.LabD50())
		}
	}
	return out
}

// cameraInverse returns the matrix from camera linear RGB back to XYZ D50.
// synth.Camera.Linear is linear in the surface's XYZ, so probing it with
// three XYZ vectors recovers its matrix.
func cameraInverse(cam synth.Camera) [3][3]float64 {
	var k [3][3]float64
	for j := 0; j < 3; j++ {
		var v [3]float64
		v[j] = 0.5
		lab := colour.XYZ{X: v[0], Y: v[1], Z: v[2]}.LabD50()
		rgb := cam.Linear(lab, 1)
		for i := 0; i < 3; i++ {
			k[i][j] = rgb[i] / 0.5
		}
	}
	return inv3(k)
}

func inv3(m [3][3]float64) [3][3]float64 {
	det := m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) -
		m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) +
		m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	var r [3][3]float64
	r[0][0] = (m[1][1]*m[2][2] - m[1][2]*m[2][1]) / det
	r[0][1] = (m[0][2]*m[2][1] - m[0][1]*m[2][2]) / det
	r[0][2] = (m[0][1]*m[1][2] - m[0][2]*m[1][1]) / det
	r[1][0] = (m[1][2]*m[2][0] - m[1][0]*m[2][2]) / det
	r[1][1] = (m[0][0]*m[2][2] - m[0][2]*m[2][0]) / det
	r[1][2] = (m[0][2]*m[1][0] - m[0][0]*m[1][2]) / det
	r[2][0] = (m[1][0]*m[2][1] - m[1][1]*m[2][0]) / det
	r[2][1] = (m[0][1]*m[2][0] - m[0][0]*m[2][1]) / det
	r[2][2] = (m[0][0]*m[1][1] - m[0][1]*m[1][0]) / det
	return r
}
