package region_test

import (
	"errors"
	"image"
	"math"
	"math/rand"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/matcheck"
	"github.com/smpmatch/smpmatch/match/segment/region"
)

// lab is an L*a*b* triple.
type lab [3]float64

// headScene describes a rendered head photo: a head (ellipse of skin) with
// hair on part of it, in front of a wall, above a shirt.
type headScene struct {
	w, h          int
	cx, cy        float64 // head centre, share of w and h
	rx, ry        float64 // head radii, share of w
	skin          lab
	wall          lab
	shirt         lab     // below shirtY (share of h); zero L = no shirt
	shirtY        float64 //
	hair          lab     // zero L = bald
	hairTop       float64 // hair covers the head above cy + hairTop·ry
	hairDensity   float64 // fibres per 1000 px of hair area
	shadeStrength float64 // the head darkens by this share at its rim
}

// render returns interleaved L*a*b* pixels and the head's true mask.
func (s headScene) render(seed int64) ([]float32, []bool) {
	rng := rand.New(rand.NewSource(seed))
	pix := make([]float32, 3*s.w*s.h)
	truth := make([]bool, s.w*s.h)
	cx, cy := s.cx*float64(s.w), s.cy*float64(s.h)
	rx, ry := s.rx*float64(s.w), s.ry*float64(s.w)
	set := func(i int, c lab) {
		pix[3*i], pix[3*i+1], pix[3*i+2] = float32(c[0]), float32(c[1]), float32(c[2])
	}
	for y := 0; y < s.h; y++ {
		for x := 0; x < s.w; x++ {
			i := y*s.w + x
			dx, dy := (float64(x)+0.5-cx)/rx, (float64(y)+0.5-cy)/ry
			r2 := dx*dx + dy*dy
			switch {
			case r2 <= 1:
				truth[i] = true
				k := 1 - s.shadeStrength*r2
				c := s.skin
				set(i, lab{c[0] * k, c[1] * k, c[2] * k})
			case s.shirt[0] > 0 && float64(y) >= s.shirtY*float64(s.h):
				set(i, s.shirt)
			default:
				// A wall lit from one side: a smooth gradient.
				g := 1 - 0.1*float64(x)/float64(s.w)
				set(i, lab{s.wall[0] * g, s.wall[1], s.wall[2]})
			}
		}
	}
	if s.hair[0] > 0 {
		// Fibres: short straight strands 1 px wide, anywhere on the head
		// above the hairline.
		area := math.Pi * rx * ry
		n := int(s.hairDensity * area / 1000)
		for k := 0; k < n; k++ {
			a := rng.Float64() * 2 * math.Pi
			rr := math.Sqrt(rng.Float64())
			x0, y0 := cx+rr*rx*math.Cos(a), cy+rr*ry*math.Sin(a)
			if y0 > cy+s.hairTop*ry {
				continue
			}
			dir := rng.Float64() * 2 * math.Pi
			length := 4 + 6*rng.Float64()
			for t := 0.0; t < length; t += 0.5 {
				x, y := int(x0+t*math.Cos(dir)), int(y0+t*math.Sin(dir))
				if x < 0 || y < 0 || x >= s.w || y >= s.h {
					continue
				}
				i := y*s.w + x
				if !truth[i] {
					continue
				}
				set(i, s.hair)
			}
		}
	}
	// Sensor noise.
	for i := range pix {
		pix[i] += float32(rng.NormFloat64() * 0.8)
	}
	return pix, truth
}

func iou(mask *image.Gray, truth []bool) float64 {
	var inter, union int
	for i, t := range truth {
		m := mask.Pix[i] != 0
		if m && t {
			inter++
		}
		if m || t {
			union++
		}
	}
	if union == 0 {
		return 1
	}
	return float64(inter) / float64(union)
}

func base() headScene {
	return headScene{
		w: 480, h: 480, cx: 0.5, cy: 0.45, rx: 0.27, ry: 0.32,
		skin: lab{68, 14, 18}, wall: lab{86, 1, 6},
		shirt: lab{38, -3, -22}, shirtY: 0.82,
		hair: lab{22, 3, 6}, hairTop: 0.2, hairDensity: 60, shadeStrength: 0.25,
	}
}

func TestFindHeadOnRenders(t *testing.T) {
	cases := []struct {
		name   string
		scene  func() headScene
		minIoU float64
	}{
		{"dark hair, plain wall, blue shirt", func() headScene { return base() }, 0.85},
		{"bald head", func() headScene { s := base(); s.hair = lab{}; return s }, 0.85},
		{"white hair lighter than the skin", func() headScene { s := base(); s.hair = lab{88, 0, 3}; return s }, 0.85},
		{"dark skin, black hair", func() headScene {
			s := base()
			s.skin, s.hair = lab{38, 12, 18}, lab{14, 1, 2}
			return s
		}, 0.85},
		{"warm beige wall close to skin", func() headScene { s := base(); s.wall = lab{80, 6, 16}; return s }, 0.8},
		{"head off centre, red shirt", func() headScene {
			s := base()
			s.cx, s.cy = 0.4, 0.42
			s.shirt = lab{45, 50, 30}
			return s
		}, 0.8},
		{"dense hair over the whole head", func() headScene { s := base(); s.hairTop, s.hairDensity = 1, 100; return s }, 0.8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := c.scene()
			pix, truth := sc.render(1)
			r, err := region.Find(pix, sc.w, sc.h, region.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := iou(r.Mask, truth)
			t.Logf("IoU %.3f, share %.2f, skin chromaticity %.3f %.3f ± %.3f", got, r.Share, r.SkinChroma[0], r.SkinChroma[1], r.SkinSpread)
			if got < c.minIoU {
				t.Errorf("IoU with the true head %.3f, want ≥ %.2f", got, c.minIoU)
			}
			if n, ok := matcheck.Count(); ok && n != 0 {
				t.Errorf("%d gocv.Mat left open", n)
			}
		})
	}
}

// A close-up of a scalp fills the frame: the region is (nearly) all of it.
func TestFindCloseUpIsWholeFrame(t *testing.T) {
	sc := base()
	sc.cx, sc.cy, sc.rx, sc.ry = 0.5, 0.5, 1.2, 1.2
	pix, _ := sc.render(2)
	r, err := region.Find(pix, sc.w, sc.h, region.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Share < 0.9 {
		t.Errorf("close-up: region is %.0f%% of the frame, want ≥ 90%%", 100*r.Share)
	}
}

// Excluded polygons, the ROI and the mask are never part of the region.
func TestFindHonoursExclusions(t *testing.T) {
	sc := base()
	pix, _ := sc.render(3)
	card := []image.Point{{200, 150}, {300, 150}, {300, 230}, {200, 230}}
	roi := image.Rect(0, 0, 400, 480)
	mask := image.NewGray(image.Rect(0, 0, sc.w, sc.h))
	for i := range mask.Pix {
		if i%sc.w >= 20 {
			mask.Pix[i] = 255
		}
	}
	r, err := region.Find(pix, sc.w, sc.h, region.Options{Exclude: [][]image.Point{card}, ROI: roi, Mask: mask})
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < sc.h; y++ {
		for x := 0; x < sc.w; x++ {
			in := r.Mask.Pix[y*sc.w+x] != 0
			if in && (x >= 400 || x < 20 || (x >= 201 && x < 299 && y >= 151 && y < 229)) {
				t.Fatalf("pixel (%d,%d) is in the region but excluded", x, y)
			}
		}
	}
	if r.Pixels == 0 {
		t.Error("the region is empty")
	}
}

func TestFindRejectsBadInput(t *testing.T) {
	if _, err := region.Find(nil, 0, 0, region.Options{}); !errors.Is(err, region.ErrEmpty) {
		t.Errorf("empty image: %v, want ErrEmpty", err)
	}
	if _, err := region.Find(make([]float32, 5), 2, 2, region.Options{}); err == nil {
		t.Error("short pixel slice accepted")
	}
	if _, err := region.Find(make([]float32, 12), 2, 2, region.Options{Mask: image.NewGray(image.Rect(0, 0, 3, 3))}); err == nil {
		t.Error("mask of the wrong size accepted")
	}
	all := image.NewGray(image.Rect(0, 0, 8, 8))
	if _, err := region.Find(make([]float32, 3*64), 8, 8, region.Options{Mask: all}); !errors.Is(err, region.ErrEmpty) {
		t.Errorf("all-masked image: %v, want ErrEmpty", err)
	}
}

// BenchmarkFind640 finds the head in a rendered 640 × 640 photo, the size of
// the real intake photos.
func BenchmarkFind640(b *testing.B) {
	sc := base()
	sc.w, sc.h = 640, 640
	pix, _ := sc.render(1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := region.Find(pix, sc.w, sc.h, region.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
