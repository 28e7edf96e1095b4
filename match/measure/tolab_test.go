package measure

import (
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/ccm"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/calibrate/photo/phototest"
	"gocv.io/x/gocv"
)

// BenchmarkToLab converts the 12-MP benchmark photo, reduced to the
// working side, to L*a*b* through the sRGB curve (one conversion per
// distinct colour):
//
//	go test -tags matprofile ./match/measure -run '^$' -bench ToLab
func BenchmarkToLab(b *testing.B) {
	path := phototest.JPEG(b, "scalp-12mp.jpg", scalp12MP)
	img, _, err := photo.Load(path, photo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer img.Close()
	work, _, err := reduce(img, DefaultWorkSide)
	if err != nil {
		b.Fatal(err)
	}
	defer work.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := toLab(work, srgb8Lab); err != nil {
			b.Fatal(err)
		}
	}
}

// Each colour added has one slot, found again by slot, however often it is
// added and however often the table grows; the table stays at most half
// full.
func TestColourTableHoldsEachColourOnce(t *testing.T) {
	var tab colourTable
	tab.init(4) // grows several times
	for round := 0; round < 2; round++ {
		for k := uint32(0); k < 1000; k++ {
			tab.add(k * 16777 % (1 << 24))
		}
	}
	seen := map[uint32]bool{}
	for _, key := range tab.keys {
		if key != 0 {
			if seen[key-1] {
				t.Fatalf("colour %06x holds two slots", key-1)
			}
			seen[key-1] = true
		}
	}
	for k := uint32(0); k < 1000; k++ {
		key := k * 16777 % (1 << 24)
		if i := tab.slot(key); tab.keys[i] != key+1 {
			t.Fatalf("colour %06x not found at its slot", key)
		}
	}
	if len(seen) != 1000 || tab.n != 1000 || 2*tab.n > len(tab.keys) {
		t.Errorf("%d colours held, %d counted, table of %d slots", len(seen), tab.n, len(tab.keys))
	}
}

// TestToLabEveryPixel checks the banded, tabulated conversion against
// converting every pixel directly, on a photo of many distinct colours
// whose rows repeat colours across the bands.
func TestToLabEveryPixel(t *testing.T) {
	const w, h = 97, 301 // several bands, rows not a multiple of them
	img := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	defer img.Close()
	pix, err := img.DataPtrUint8()
	if err != nil {
		t.Fatal(err)
	}
	for i := range pix {
		pix[i] = uint8((i*7919 + i/(3*w)*31) % 251)
	}
	conv := func(c ccm.CameraRGB) colour.LabD50 {
		return colour.SRGB{R: c.R, G: c.G, B: c.B}.LabD50()
	}
	lab, rgb, err := toLab(img, srgb8Lab)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < w*h; i++ {
		b, g, r := pix[3*i], pix[3*i+1], pix[3*i+2]
		want := conv(ccm.CameraRGB{R: float64(r) / 255, G: float64(g) / 255, B: float64(b) / 255})
		got := [3]float32{lab.Pix[3*i], lab.Pix[3*i+1], lab.Pix[3*i+2]}
		if got != [3]float32{float32(want.L), float32(want.A), float32(want.B)} {
			t.Fatalf("pixel %d,%d: L*a*b* %v, want %v", i%w, i/w, got, want)
		}
		s := want.SRGB8()
		if [4]uint8(rgb.Pix[4*i:4*i+4]) != [4]uint8{s[0], s[1], s[2], 255} {
			t.Fatalf("pixel %d,%d: sRGB %v, want %v", i%w, i/w, rgb.Pix[4*i:4*i+4], s)
		}
	}
}
