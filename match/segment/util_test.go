package segment

import (
	"math"
	"math/rand/v2"
	"sort"
	"sync/atomic"
	"testing"
	"time"
)

func TestMinFilterMatchesTheNaiveWindow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// Windows shorter and longer than the image: the window is cut short
	// at the image's border.
	for _, c := range [][3]int{{23, 17, 5}, {40, 31, 9}, {7, 30, 11}, {30, 6, 13}, {5, 4, 15}} {
		w, h, k := c[0], c[1], c[2]
		v := make([]float32, w*h)
		for i := range v {
			v[i] = rng.Float32()
		}
		for _, neg := range []bool{false, true} {
			got := minFilter(v, w, h, k, neg)
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					want := v[y*w+x]
					for dy := -k / 2; dy <= k/2; dy++ {
						for dx := -k / 2; dx <= k/2; dx++ {
							xx, yy := x+dx, y+dy
							if xx < 0 || yy < 0 || xx >= w || yy >= h {
								continue
							}
							if u := v[yy*w+xx]; (!neg && u < want) || (neg && u > want) {
								want = u
							}
						}
					}
					if got[y*w+x] != want {
						t.Fatalf("%d×%d k=%d max=%v at (%d,%d): %v, want %v", w, h, k, neg, x, y, got[y*w+x], want)
					}
				}
			}
		}
	}
}

func TestLabelsFindsEightConnectedComponents(t *testing.T) {
	const pic = `
#..#...#
.#.#..#.
..##.#..
.....#.#
##.....#`
	var mask []bool
	w := 8
	for _, ch := range pic {
		if ch == '#' || ch == '.' {
			mask = append(mask, ch == '#')
		}
	}
	h := len(mask) / w
	lab, n := labels(mask, w, h)
	// The first three strokes meet diagonally: one component; the
	// second joins through (5,2)–(6,1); then the bottom-left pair and the
	// right pair.
	want := []int32{
		1, 0, 0, 1, 0, 0, 0, 2,
		0, 1, 0, 1, 0, 0, 2, 0,
		0, 0, 1, 1, 0, 2, 0, 0,
		0, 0, 0, 0, 0, 2, 0, 3,
		4, 4, 0, 0, 0, 0, 0, 3,
	}
	if n != 4 {
		t.Errorf("%d components, want 4", n)
	}
	// The numbering is OpenCV's: compare the partitions.
	to := map[int32]int32{}
	for i := range want {
		if (lab[i] == 0) != (want[i] == 0) || lab[i] < 0 || int(lab[i]) > n {
			t.Fatalf("labels\n%v\nwant (up to numbering)\n%v", lab, want)
		}
		if want[i] == 0 {
			continue
		}
		if got, ok := to[want[i]]; ok && got != lab[i] {
			t.Fatalf("labels\n%v\nwant (up to numbering)\n%v", lab, want)
		}
		to[want[i]] = lab[i]
	}
	if len(to) != 4 {
		t.Fatalf("labels\n%v\nwant (up to numbering)\n%v", lab, want)
	}
}

func TestQuantileSelectsTheKthValue(t *testing.T) {
	v := []float32{5, 1, 4, 2, 3}
	for q, want := range map[float64]float64{0: 1, 0.5: 3, 1: 5, 0.25: 2} {
		if got := quantile(append([]float32(nil), v...), q); got != want {
			t.Errorf("quantile %v = %v, want %v", q, got, want)
		}
	}
}

func TestSelectKBySortOrBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := map[string]func(i int) float32{
		"spread":      func(int) float32 { return float32(rng.NormFloat64() * 40) },
		"clustered":   func(int) float32 { return 50 + float32(rng.Float64())*1e-3 },
		"repeats":     func(i int) float32 { return float32(i%7) - 3 },
		"signed zero": func(i int) float32 { return float32(math.Copysign(0, float64(i%2)-0.5)) },
		"tiny":        func(int) float32 { return float32(rng.NormFloat64()) * 1e-30 },
	}
	for name, gen := range cases {
		for _, n := range []int{1, 5, radixSelectMin - 1, radixSelectMin, 3*radixSelectMin + 7} {
			v := make([]float32, n)
			for i := range v {
				v[i] = gen(i)
			}
			sorted := append([]float32(nil), v...)
			sort.Slice(sorted, func(a, b int) bool { return sorted[a] < sorted[b] })
			for _, k := range []int{0, n / 3, n / 2, n - 1} {
				if got := selectK(append([]float32(nil), v...), k); got != sorted[k] {
					t.Errorf("%s, n %d: k %d gives %v, want %v", name, n, k, got, sorted[k])
				}
			}
		}
	}
	if _, ok := radixSelect([]float32{1, float32(math.NaN()), 2}, 1); ok {
		t.Error("radixSelect took a NaN")
	}
}

func TestDistanceToEdgeIsEuclideanAndTheFrameIsNoEdge(t *testing.T) {
	w, h := 9, 9
	in := make([]bool, w*h)
	for y := 2; y < 7; y++ {
		for x := 2; x < 7; x++ {
			in[y*w+x] = true
		}
	}
	in[2*w+2] = false // a corner cut out: (4,4) is 2√2 from it, 3 from the edge
	d := distanceToEdge(in, w, h)
	// Exact Euclidean (OpenCV's precise transform).
	for _, c := range []struct {
		x, y int
		want float64
	}{{4, 4, 2 * math.Sqrt2}, {4, 2, 1}, {0, 0, 0}, {3, 3, math.Sqrt2}, {4, 3, 2}, {5, 5, 2}} {
		if got := float64(d[c.y*w+c.x]); math.Abs(got-c.want) > 1e-4 {
			t.Errorf("(%d,%d): %v, want %v", c.x, c.y, got, c.want)
		}
	}
	// A band along the frame's top: the frame does not end it.
	band := make([]bool, w*h)
	for i := 0; i < 3*w; i++ {
		band[i] = true
	}
	if got := distanceToEdge(band, w, h)[4]; got != 3 {
		t.Errorf("top row of a band 3 rows deep: %v, want 3 (to the band's lower edge)", got)
	}
	// No edge at all.
	full := make([]bool, w*h)
	for i := range full {
		full[i] = true
	}
	if got := distanceToEdge(full, w, h)[40]; got != float32(w+h) {
		t.Errorf("a mask with no edge: %v, want %v", got, w+h)
	}
}

func TestNearHairIsWithinTwoAndAHalfPixels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	w, h := 37, 23
	m := &measurer{w: w, h: h, hair: make([]bool, w*h)}
	for i := range m.hair {
		m.hair[i] = rng.Float64() < 0.02
	}
	m.hair[0], m.hair[w*h-1] = true, true // at the frame's corners
	got := m.nearHair()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			want := false
			for yy := 0; yy < h; yy++ {
				for xx := 0; xx < w; xx++ {
					dx, dy := math.Abs(float64(xx-x)), math.Abs(float64(yy-y))
					// Chamfer distance with steps 1 and √2.
					d := math.Max(dx, dy) + (math.Sqrt2-1)*math.Min(dx, dy)
					if m.hair[yy*w+xx] && d <= 2.5 {
						want = true
					}
				}
			}
			if got[y*w+x] != want {
				t.Fatalf("(%d,%d): near %v, want %v", x, y, got[y*w+x], want)
			}
		}
	}
}

func TestUpsampleTilesIsBilinearBetweenTileCentres(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range [][3]int{{40, 30, 8}, {33, 17, 5}, {12, 12, 12}} {
		w, h, ts := c[0], c[1], c[2]
		tw, th := (w+ts-1)/ts, (h+ts-1)/ts
		grid := make([]float32, 3*tw*th)
		for i := range grid {
			grid[i] = 100 * rng.Float32()
		}
		got := upsampleTiles(grid, tw, th, ts, w, h)
		at := func(tx, ty, ch int) float64 {
			tx, ty = max(0, min(tw-1, tx)), max(0, min(th-1, ty))
			return float64(grid[3*(ty*tw+tx)+ch])
		}
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				fx := (float64(x)+0.5)/float64(ts) - 0.5
				fy := (float64(y)+0.5)/float64(ts) - 0.5
				x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
				wx, wy := fx-float64(x0), fy-float64(y0)
				for ch := 0; ch < 3; ch++ {
					want := (1-wy)*((1-wx)*at(x0, y0, ch)+wx*at(x0+1, y0, ch)) +
						wy*((1-wx)*at(x0, y0+1, ch)+wx*at(x0+1, y0+1, ch))
					if g := float64(got[3*(y*w+x)+ch]); math.Abs(g-want) > 1e-3 {
						t.Fatalf("%dx%d tiles of %d, (%d,%d) channel %d: %v, want %v", w, h, ts, x, y, ch, g, want)
					}
				}
			}
		}
	}
}

// TestParallelForCoversEachIndexOnce checks that the chunks handed out
// cover [0, n) exactly once, for sizes around the chunking's edges.
func TestParallelForCoversEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 63, 64, 65, 1000, 100003} {
		seen := make([]int32, n)
		parallelFor(n, func(lo, hi int) {
			if lo < 0 || hi > n || lo >= hi {
				t.Errorf("n %d: chunk [%d, %d)", n, lo, hi)
				return
			}
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&seen[i], 1)
			}
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n %d: index %d visited %d times", n, i, c)
			}
		}
	}
}

// TestBesideReturnsWhatTheStepMade: the waiting function hands back the
// step's own result, made once, on another goroutine.
func TestBesideReturnsWhatTheStepMade(t *testing.T) {
	var calls atomic.Int32
	started := make(chan struct{})
	wait := beside(func() []int {
		close(started)
		calls.Add(1)
		return []int{3, 1, 4}
	})
	select { // it runs without anyone waiting
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the step had not started 5 s after beside returned")
	}
	if got := wait(); len(got) != 3 || got[0] != 3 || got[2] != 4 {
		t.Errorf("got %v, want [3 1 4]", got)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the step ran %d times", n)
	}
}
