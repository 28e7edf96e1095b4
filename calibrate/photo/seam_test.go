package photo

import (
	"math"
	"math/rand/v2"
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

// mayStep only skips rows that cannot hold a seam: wherever it says no,
// no split x0 gives a staircase median of ±thr or beyond. Checked on
// residual rows drawn around zero (content) and shifted (a seam), against
// the median the seam test itself takes.
func TestMayStepSkipsOnlyRowsWithoutASeam(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var hist histogram
	skipped, seams := 0, 0
	for trial := 0; trial < 400; trial++ {
		w := 20 + rng.IntN(80)
		a, b := make([]int32, w), make([]int32, w)
		shift := int32(0)
		if trial%3 == 0 {
			shift = int32(rng.IntN(21) - 10)
		}
		spread := 1 + rng.IntN(12)
		for x := range a {
			a[x] = int32(rng.IntN(2*spread+1)-spread) + shift
			b[x] = int32(rng.IntN(2*spread+1)-spread) + shift
		}
		thr := 4 + 4*rng.Float64()
		worst := 0.0
		for x0 := 0; x0 <= w; x0++ {
			worst = math.Max(worst, math.Abs(hist.median(a[:x0], b[x0:])))
		}
		if worst >= thr {
			seams++
		}
		if !mayStep(a, b, thr) {
			skipped++
			if worst >= thr {
				t.Fatalf("trial %d: a split reaches %.1f ≥ %.1f, but mayStep skips the row", trial, worst, thr)
			}
		}
	}
	t.Logf("%d of 400 rows skipped, %d hold a staircase of thr or more", skipped, seams)
	if skipped == 0 || seams == 0 {
		t.Fatalf("the draw tests nothing: %d skipped, %d with a staircase", skipped, seams)
	}
}
