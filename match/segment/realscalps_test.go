package segment_test

import (
	"encoding/csv"
	"fmt"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
// clamped value is flagged. Nor do a*, b* leave ±128, beyond any surface
// colour: 30-Back, 51-Top-Down, 29-Front and 57-Front read scalp a*, b*
// in the hundreds (once in the hundred thousands) when the light field,
// fitted where the skin shows, was carried far beyond it.
func TestRealScalpsLStarWithinRange(t *testing.T) {
	if testing.Short() {
		t.Skip("measures real photos")
	}
	for _, name := range []string{"1-Left.jpg", "3-Right.jpg", "30-Right.jpg", "55-Right.jpg", "13-Back.jpg", "29-Right.jpg", "30-Back.jpg", "51-Top-Down.jpg", "29-Front.jpg", "57-Front.jpg"} {
		lab := loadRealScalp(t, name)
		r, err := segment.Measure(lab, segment.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, c := range []struct {
			what  string
			found bool
			lab   colour.LabD50
		}{{"hair", r.Hair.Found, r.Hair.Lab}, {"scalp", r.Scalp.Found, r.Scalp.Lab}} {
			if c.found && (c.lab.L < 0 || c.lab.L > 100) {
				t.Errorf("%s: %s L* %.1f outside 0–100", name, c.what, c.lab.L)
			}
			if c.found && (math.Abs(c.lab.A) > 128 || math.Abs(c.lab.B) > 128) {
				t.Errorf("%s: %s a*, b* %.1f, %.1f beyond any surface colour", name, c.what, c.lab.A, c.lab.B)
			}
		}
		t.Logf("%s: hair found %v L* %.1f, scalp L* %.1f, confidence %.2f, %q", name, r.Hair.Found, r.Hair.Lab.L, r.Scalp.Lab.L, r.Confidence, r.Warnings)
		// A warning says what is wrong: fibres "too thin" only when the
		// strands read narrow (13-Back and 29-Right said fibres 188 and
		// 39 px wide were too thin when their two readings disagreed).
		for _, w := range r.Warnings {
			var px float64
			if i := strings.Index(w, "fibres are about "); i >= 0 {
				if _, err := fmt.Sscanf(w[i:], "fibres are about %f px wide", &px); err == nil && px >= 5 {
					t.Errorf("%s: %q", name, w)
				}
			}
		}
	}
}

// labelsCSV lists real intake photos labelled by eye (looking at each
// photo): "darker" (the hair is darker than the skin), "lighter" (white or
// grey hair lighter than the skin) or "bald" (no hair on the head in view).
// Only photos whose answer is plain to a person are labelled.
const labelsCSV = "testdata/realscalps_labels.csv"

// minSideAgreement is the share of labelled photos whose measured answer
// must agree with the label: the figure measured when the test was written
// (see the README), so that a change that makes it worse fails: 30/40 with
// the head region and the old colour stage, 25/40 with the mixture-ends
// colour stage of issue 10 (it reads white hair on 3 of the 4 "lighter"
// photos as darker than the skin), 28/40 with the fibre end told by
// texture where the ends' textures differ plainly (ends.go, texturedEnd),
// 29/40 with the fibre end plain only at three quarters (fibreEndShare),
// 31/40 with deep shadow dropped in the head's rim only (rimShare),
// 32/40 with a lighter end away from the fibres not taken for hair
// (fibrousShare: 5-Top-Down's lit bald crown);
// main before all of it read 19/40.
const minSideAgreement = 0.8

// measuredSide is Measure's answer to the label's question: "bald" when no
// hair is found, otherwise the sign of hair L* − scalp L*.
func measuredSide(r segment.Result) string {
	switch {
	case !r.Hair.Found:
		return "bald"
	case r.Hair.Lab.L < r.Scalp.Lab.L:
		return "darker"
	default:
		return "lighter"
	}
}

func TestRealScalpsHairSideAgreesWithLabels(t *testing.T) {
	if testing.Short() {
		t.Skip("measures 40 real photos")
	}
	if _, err := os.Stat(realscalpsDir); err != nil {
		t.Skipf("real intake photos not available: they live in %s beside the repo", realscalpsDir)
	}
	f, err := os.Open(labelsCSV)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatalf("%s: %v", labelsCSV, err)
	}
	rows = rows[1:]
	got := make([]string, len(rows))
	var wg sync.WaitGroup
	jobs := make(chan int)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				lab := loadRealScalp(t, rows[k][0])
				r, err := segment.Measure(lab, segment.Options{})
				if err != nil {
					t.Errorf("%s: %v", rows[k][0], err)
					continue
				}
				got[k] = measuredSide(r)
				// No fibre is wider than the widest strand a profile
				// is read across (2·8 + 1 px): a wider "fibre" is the
				// width of a mass of hair (26–292 px were reported).
				if r.Hair.WidthPx > 17 {
					t.Errorf("%s: hair.width_px %.1f is no fibre's width", rows[k][0], r.Hair.WidthPx)
				}
			}
		}()
	}
	for k := range rows {
		jobs <- k
	}
	close(jobs)
	wg.Wait()
	agree := 0
	perLabel := map[string][2]int{}
	for k, row := range rows {
		c := perLabel[row[1]]
		c[1]++
		if got[k] == row[1] {
			agree++
			c[0]++
		} else {
			t.Logf("%-18s labelled %-7s measured %s", row[0], row[1], got[k])
		}
		perLabel[row[1]] = c
	}
	share := float64(agree) / float64(len(rows))
	t.Logf("agreement %d/%d = %.0f%% (darker %d/%d, lighter %d/%d, bald %d/%d)", agree, len(rows), 100*share,
		perLabel["darker"][0], perLabel["darker"][1], perLabel["lighter"][0], perLabel["lighter"][1], perLabel["bald"][0], perLabel["bald"][1])
	if share < minSideAgreement {
		t.Errorf("hair darker/lighter/bald agrees with the labels on %.0f%% of the photos, below the %.0f%% reached before", 100*share, 100*minSideAgreement)
	}
}

// Read the older way (the direction of block means) these photos' hair
// came out with a* or b* of 88–110 (issue 10's chroma stage): measured as
// measure reads a 4:2:0 JPEG (the colour smear known, 2.5 px at 640 px),
// no hair is more chromatic than hair and skin can be.
func TestRealScalpsHairChromaStaysPlausible(t *testing.T) {
	if testing.Short() {
		t.Skip("measures real photos")
	}
	const maxChroma = 45.0
	for _, name := range []string{"14-Back.jpg", "35-Back.jpg", "1-Left.jpg", "38-Left.jpg", "55-Top-Down.jpg", "2-Right.jpg", "38-Top-Down.jpg", "25-Top-Down.jpg"} {
		lab := loadRealScalp(t, name)
		r, err := segment.Measure(lab, segment.Options{ChromaKnown: true, ChromaSmearPx: 2.5})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Logf("%s: hair found %v %.1f/%.1f/%.1f (C* %.1f), confidence %.2f", name, r.Hair.Found, r.Hair.Lab.L, r.Hair.Lab.A, r.Hair.Lab.B, r.Hair.Lab.Chroma(), r.Confidence)
		if r.Hair.Found && r.Hair.Lab.Chroma() > maxChroma {
			t.Errorf("%s: hair C*ab %.1f, more than %.0f", name, r.Hair.Lab.Chroma(), maxChroma)
		}
	}
}
