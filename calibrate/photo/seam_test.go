package photo

import (
	"math"
	"testing"

	"gocv.io/x/gocv"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/scene"
)

// A damaged DC difference shifts one coded component (Y, Cb or Cr) of
// every block from one MCU on; decoded, that is a fixed mix in B, G, R.
// blockSeam finds it in each component and either direction, and finds
// nothing in the same photo intact.
func TestBlockSeamFindsAShiftInEachComponent(t *testing.T) {
	img, _, _ := scene.RenderWithCard(scene.Scene{W: 480, H: 360, Skin: colour.LabD50{L: 62, A: 11, B: 17},
		Hair: colour.LabD50{L: 22, A: 2, B: 4}, Noise: 0.01, Seed: 7}, scene.CardPlacement{})
	src, err := gocv.ImageToMatRGB(img)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	// As a phone stores it: encoded and decoded once.
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, src, []int{gocv.IMWriteJpegQuality, 92})
	if err != nil {
		t.Fatal(err)
	}
	intact, err := gocv.IMDecode(buf.GetBytes(), gocv.IMReadColor)
	buf.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer intact.Close()
	if s := blockSeam(intact, 16, 16); s != "" {
		t.Fatalf("the intact photo reads as damaged: %s", s)
	}
	// The decoder's inverse transform: a component's shift in B, G, R.
	mix := map[string][3]float64{
		"Y":  {1, 1, 1},
		"Cb": {1.772, -0.344136, 0},
		"Cr": {0, -0.714136, 1.402},
	}
	const mr, mk = 9, 10 // the damaged MCU: row, column
	for _, comp := range []string{"Y", "Cb", "Cr"} {
		for _, delta := range []float64{-12, 8} {
			m := intact.Clone()
			px, err := m.DataPtrUint8()
			if err != nil {
				m.Close()
				t.Fatal(err)
			}
			w, h := m.Cols(), m.Rows()
			for y := mr * 16; y < h; y++ {
				x0 := 0
				if y < (mr+1)*16 {
					x0 = mk * 16
				}
				for x := x0; x < w; x++ {
					for c := 0; c < 3; c++ {
						i := (y*w+x)*3 + c
						px[i] = uint8(math.Max(0, math.Min(255, math.Round(float64(px[i])+delta*mix[comp][c]))))
					}
				}
			}
			s := blockSeam(m, 16, 16)
			m.Close()
			t.Logf("%s %+.0f: %q", comp, delta, s)
			if s == "" {
				t.Errorf("a shift of %+.0f in %s from MCU %d,%d on is not found", delta, comp, mr, mk)
			}
		}
	}
}
