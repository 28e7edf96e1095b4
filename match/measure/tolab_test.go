package measure

import (
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/ccm"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/calibrate/photo/phototest"
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
	conv := func(c ccm.CameraRGB) colour.LabD50 { return colour.SRGB{R: c.R, G: c.G, B: c.B}.LabD50() }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := toLab(work, conv); err != nil {
			b.Fatal(err)
		}
	}
}

func TestColourTableConvertsEachColourOnce(t *testing.T) {
	var tab colourTable
	tab.init(4) // grows several times
	calls := map[uint32]int{}
	for round := 0; round < 2; round++ {
		for k := uint32(0); k < 1000; k++ {
			key := k * 16777 % (1 << 24)
			e := tab.get(key, func() colourEntry {
				calls[key]++
				return colourEntry{lab: [3]float32{float32(key), 0, 0}}
			})
			if e.lab[0] != float32(key) {
				t.Fatalf("colour %06x came back as the entry of %v", key, e.lab[0])
			}
		}
	}
	for key, n := range calls {
		if n != 1 {
			t.Errorf("colour %06x converted %d times", key, n)
		}
	}
	if len(calls) != 1000 || 2*tab.n > len(tab.keys) {
		t.Errorf("%d colours converted, table %d of %d slots", len(calls), tab.n, len(tab.keys))
	}
}
