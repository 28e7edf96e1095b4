package measure

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"gocv.io/x/gocv"
)

// synthTruth is the part of ../shared/data/synthscalps/NNNN.json (format
// smpmatch-synth/2) the score needs.
type synthTruth struct {
	Photo string `json:"photo"`
	Hair  struct {
		Lab      [3]float64 `json:"lab"`
		Category string     `json:"category"`
		Style    string     `json:"style"`
		Coverage float64    `json:"coverage"`
		WidthPx  float64    `json:"base_width_px"`
	} `json:"hair"`
	Scalp struct {
		Lab    [3]float64 `json:"lab"`
		ITADeg float64    `json:"ita_deg"`
	} `json:"scalp"`
	Scene struct {
		Pipeline struct {
			BlurSigmaPx float64 `json:"blur_sigma_px"`
		} `json:"pipeline"`
	} `json:"scene"`
}

// unanswered is what a photo with no answer scores, as
// tools/score_synthscalps.py counts it.
const unanswered = 50.0

// itaGroup names the skin group as the python scorer does.
func itaGroup(ita float64) string {
	for _, g := range []struct {
		lim  float64
		name string
	}{{55, "very light"}, {41, "light"}, {28, "intermediate"}, {10, "tan"}, {-30, "brown"}} {
		if ita > g.lim {
			return g.name
		}
	}
	return "dark"
}

// synthScore is one photo's score.
type synthScore struct {
	truth        synthTruth
	hair, scalp  float64
	res          Result
	err          error
	noHairWarned bool
}

// scoreSynth scores one result as the python scorer does: not ok, or hair
// or scalp not found, counts as 50.
func scoreSynth(t synthTruth, res Result, err error) synthScore {
	s := synthScore{truth: t, res: res, err: err, hair: unanswered, scalp: unanswered}
	if err != nil || !res.OK {
		return s
	}
	lab := func(v [3]float64) colour.LabD50 { return colour.LabD50{L: v[0], A: v[1], B: v[2]} }
	if res.Hair.Found {
		s.hair = colour.DeltaE00(lab(t.Hair.Lab), res.Hair.Lab)
	}
	if res.Scalp.Found {
		s.scalp = colour.DeltaE00(lab(t.Scalp.Lab), res.Scalp.Lab)
	}
	return s
}

// TestSynthScalps measures the 24 photos of the independent spectral
// renderer through the whole measure path (the card in the photo corrects
// it), scores them as ../shared/tools/score_synthscalps.py does, logs every
// photo and category, and holds the figures the README gives.
func TestSynthScalps(t *testing.T) {
	if testing.Short() {
		t.Skip("measures 24 photos of 3 MP")
	}
	dir := "../../../shared/data/synthscalps"
	paths, _ := filepath.Glob(filepath.Join(dir, "[0-9]*.json"))
	if len(paths) == 0 {
		t.Skip("../shared/data/synthscalps is not available beside the repo: nothing to score")
	}
	sort.Strings(paths)
	scores := make([]synthScore, len(paths))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				scores[k] = measureSynth(paths[k])
			}
		}()
	}
	for k := range paths {
		next <- k
	}
	close(next)
	wg.Wait()

	cats := map[string][][2]float64{}
	var hs, ss []float64
	for _, s := range scores {
		tr := s.truth
		if s.err != nil {
			t.Errorf("%s: %v", tr.Photo, s.err)
		}
		line := fmt.Sprintf("%s %-10s %-7s cover %.2f width %.1fpx blur %.2f ITA %6.1f  hair ΔE00 %6.2f scalp ΔE00 %5.2f",
			tr.Photo, tr.Hair.Category, tr.Hair.Style, tr.Hair.Coverage, tr.Hair.WidthPx, tr.Scene.Pipeline.BlurSigmaPx, tr.Scalp.ITADeg, s.hair, s.scalp)
		if s.err == nil {
			r := s.res
			line += fmt.Sprintf("  | hair %.1f %.1f %.1f width %.1fpx blur %v conf %.2f", r.Hair.Lab.L, r.Hair.Lab.A, r.Hair.Lab.B, r.Hair.WidthPx, fmtBlur(r.BlurPx), r.Confidence)
			if len(r.Warnings) > 0 {
				line += " [" + strings.Join(r.Warnings, "; ") + "]"
			}
		}
		t.Log(line)
		hs = append(hs, s.hair)
		ss = append(ss, s.scalp)
		for _, k := range []string{tr.Hair.Category, tr.Hair.Style, "skin " + itaGroup(tr.Scalp.ITADeg)} {
			cats[k] = append(cats[k], [2]float64{s.hair, s.scalp})
		}
		if tr.Hair.Coverage >= 0.05 && (s.err != nil || !s.res.Hair.Found) {
			t.Errorf("%s: truth hair coverage %.2f but no hair found", tr.Photo, tr.Hair.Coverage)
		}
		if s.err == nil {
			for _, c := range []colour.LabD50{s.res.Hair.Lab, s.res.Scalp.Lab} {
				if c.L < 0 || c.L > 100 {
					t.Errorf("%s: L* %.1f outside 0–100", tr.Photo, c.L)
				}
			}
		}
	}
	keys := make([]string, 0, len(cats))
	for k := range cats {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var h, s float64
		for _, v := range cats[k] {
			h += v[0]
			s += v[1]
		}
		n := float64(len(cats[k]))
		t.Logf("  %-18s n=%2d hair %6.2f  scalp %6.2f", k, len(cats[k]), h/n, s/n)
	}
	hm, sm := mean(hs), mean(ss)
	med := median(hs)
	nUn := 0
	for _, h := range hs {
		if h >= unanswered {
			nUn++
		}
	}
	t.Logf("n=%d hair_mean=%.2f hair_median=%.2f scalp_mean=%.2f unanswered=%d", len(hs), hm, med, sm, nUn)
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"hair mean", hm, synthHairMean}, {"hair median", med, synthHairMedian}, {"scalp mean", sm, synthScalpMean}} {
		if c.got > c.want {
			t.Errorf("%s ΔE00 %.2f, want ≤ %.2f", c.name, c.got, c.want)
		}
	}
}

// The figures TestSynthScalps holds: what the mixture-ends method with the
// card's tone curve undone, opaque fibres read at the far end of the cover
// distribution, the hair end read on the thin structures' own peak and the
// fibre's chroma read at the strands' cores with the JPEG's colour smear
// undone achieves today (hair mean 2.36, median 1.95, scalp 1.21), with a
// little room. All three meet the targets (2.5, 2.0, 1.5); the
// room is for changes elsewhere, not a second target.
const (
	synthHairMean   = 2.75
	synthHairMedian = 2.2
	synthScalpMean  = 1.35
)

func fmtBlur(b *float64) string {
	if b == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", *b)
}

func measureSynth(path string) synthScore {
	var tr synthTruth
	raw, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(raw, &tr)
	}
	if err != nil {
		return synthScore{truth: synthTruth{Photo: filepath.Base(path)}, err: err, hair: unanswered, scalp: unanswered}
	}
	jp := filepath.Join(filepath.Dir(path), tr.Photo)
	img, info, err := photo.Load(jp, photo.Options{})
	if err != nil {
		return scoreSynth(tr, Result{}, err)
	}
	defer img.Close()
	res, _, err := Photo(jp, img, Options{Source: info})
	return scoreSynth(tr, res, err)
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// recompressQuality is the harshest JPEG quality the independent renderer
// writes (its README: 70–95).
const recompressQuality = 70

// maxRecompressedHairDE is the hair ΔE00 these photos must keep when their
// JPEG is written once more at recompressQuality: they read 1.5–3 as
// shared and 1.9–3.4 recompressed.
const maxRecompressedHairDE = 5.0

// Hair close to the skin's lightness (brown on dark skin, blond on light) is where the histogram's two ends are least apart in units
// of the skin's noise; a harsher JPEG widens that noise. Written again at
// quality 70, 0022 (brown stubble over 20% of a dark scalp) came back "no
// hair found" while the hair stage saw thin structures on 10% of the
// region: the thin structures' own peak now counts (ends.go,
// minThinShare). Every photo here must still be answered and near truth.
func TestSynthScalpsSurviveRecompression(t *testing.T) {
	if testing.Short() {
		t.Skip("measures 3 photos of 3 MP")
	}
	dir := "../../../shared/data/synthscalps"
	tmp := t.TempDir()
	for _, n := range []string{"0022", "0019"} {
		raw, err := os.ReadFile(filepath.Join(dir, n+".json"))
		if os.IsNotExist(err) {
			t.Skip("../shared/data/synthscalps is not available beside the repo")
		}
		if err != nil {
			t.Fatal(err)
		}
		var tr synthTruth
		if err := json.Unmarshal(raw, &tr); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		src := gocv.IMRead(filepath.Join(dir, tr.Photo), gocv.IMReadColor)
		if src.Empty() {
			src.Close()
			t.Fatalf("%s: cannot decode", tr.Photo)
		}
		buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, src, []int{gocv.IMWriteJpegQuality, recompressQuality})
		src.Close()
		if err != nil {
			t.Fatalf("%s: %v", tr.Photo, err)
		}
		jp := filepath.Join(tmp, tr.Photo)
		err = os.WriteFile(jp, buf.GetBytes(), 0o644)
		buf.Close()
		if err != nil {
			t.Fatal(err)
		}
		img, info, err := photo.Load(jp, photo.Options{})
		if err != nil {
			t.Fatalf("%s: %v", jp, err)
		}
		res, _, err := Photo(jp, img, Options{Source: info})
		img.Close()
		s := scoreSynth(tr, res, err)
		t.Logf("%s at quality %d: hair %.2f ΔE00 (found %v), scalp %.2f", n, recompressQuality, s.hair, res.Hair.Found, s.scalp)
		if s.hair > maxRecompressedHairDE {
			t.Errorf("%s written again at quality %d: hair %.2f ΔE00 off (found %v, %q), more than %.1f", n, recompressQuality, s.hair, res.Hair.Found, res.Warnings, maxRecompressedHairDE)
		}
	}
}
