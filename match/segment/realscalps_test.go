package segment_test

import (
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/segment"
)

// realscalpsDir holds real whole-head intake photos (../shared beside the
// repository; README there).
const realscalpsDir = "../../../shared/data/realscalps"

// loadRealScalp decodes one intake photo as sRGB into L*a*b* D50, as
// `measure --uncalibrated` takes it. It skips the test when the photos are
// not available.
func loadRealScalp(t *testing.T, name string) *segment.LabImage {
	t.Helper()
	f, err := os.Open(filepath.Join(realscalpsDir, name))
	if os.IsNotExist(err) {
		t.Skipf("real intake photos not available: they live in %s beside the repo", realscalpsDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b := img.Bounds()
	lab := segment.NewLabImage(b.Dx(), b.Dy())
	cache := map[[3]uint8]colour.LabD50{}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, g, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			k := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bb >> 8)}
			c, ok := cache[k]
			if !ok {
				c = colour.SRGB{R: float64(k[0]) / 255, G: float64(k[1]) / 255, B: float64(k[2]) / 255}.LabD50()
				cache[k] = c
			}
			lab.Set(x, y, c)
		}
	}
	return lab
}


// Hair lighter than white came out of these photos before: L* 101–124
// (issue 10). Whatever the segmentation finds, no L* leaves 0–100, and a
// clamped value is flagged.
func TestRealScalpsLStarWithinRange(t *testing.T) {
	if testing.Short() {
		t.Skip("measures real photos")
	}
	for _, name := range []string{"1-Left.jpg", "3-Right.jpg", "30-Right.jpg", "55-Right.jpg"} {
		lab := loadRealScalp(t, name)
		r, err := segment.Measure(lab, segment.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, c := range []struct {
			what  string
			found bool
			l     float64
		}{{"hair", r.Hair.Found, r.Hair.Lab.L}, {"scalp", r.Scalp.Found, r.Scalp.Lab.L}} {
			if c.found && (c.l < 0 || c.l > 100) {
				t.Errorf("%s: %s L* %.1f outside 0–100", name, c.what, c.l)
			}
		}
		t.Logf("%s: hair found %v L* %.1f, scalp L* %.1f, confidence %.2f, %q", name, r.Hair.Found, r.Hair.Lab.L, r.Scalp.Lab.L, r.Confidence, r.Warnings)
	}
}
