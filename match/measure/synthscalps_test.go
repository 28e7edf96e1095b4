package measure

import (
	"encoding/json"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/smpmatch/smpmatch/calibrate"
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
			Overexposed bool    `json:"overexposed"`
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
	scores := scoreEach(paths, func(path string) synthScore { return measureSynth(path, "", nil) })

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
		// Overexposure is warned about where the renderer overexposed,
		// and on 0017 (a clipped red on 37% of its skin) at least.
		if s.err == nil {
			warned := false
			for _, w := range s.res.Warnings {
				warned = warned || strings.Contains(w, "overexposed")
			}
			if warned && !tr.Scene.Pipeline.Overexposed || !warned && tr.Photo == "0017.jpg" {
				t.Errorf("%s: overexposure warned %v, rendered overexposed %v", tr.Photo, warned, tr.Scene.Pipeline.Overexposed)
			}
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
// undone (or in the middle of clumps, beyond the smear), surfaces kept out
// of the cores, achieves today (hair mean 2.21, median 1.96, scalp 1.21),
// with a little room. All three meet the targets (2.5, 2.0, 1.5); the
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

// scoreEach scores every truth file in paths with score, two at a time,
// and returns the scores in paths' order.
func scoreEach(paths []string, score func(path string) synthScore) []synthScore {
	scores := make([]synthScore, len(paths))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				scores[k] = score(paths[k])
			}
		}()
	}
	for k := range paths {
		next <- k
	}
	close(next)
	wg.Wait()
	return scores
}

// measureSynth scores the photo of the truth file at path through the whole
// measure path; with f, the photo is first perturbed by f and written to
// the folder tmp.
func measureSynth(path, tmp string, f perturbation) synthScore {
	var tr synthTruth
	raw, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(raw, &tr)
	}
	if err != nil {
		return synthScore{truth: synthTruth{Photo: filepath.Base(path)}, err: err, hair: unanswered, scalp: unanswered}
	}
	jp := filepath.Join(filepath.Dir(path), tr.Photo)
	if f != nil {
		src := jp
		jp = filepath.Join(tmp, tr.Photo)
		labels := strings.TrimSuffix(path, ".json") + "_mask.png"
		if err := perturb(src, labels, jp, f); err != nil {
			return scoreSynth(tr, Result{}, err)
		}
	}
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

// The perturbed photos must keep hair within maxPerturbedHairDE and scalp
// within maxPerturbedScalpDE of the truth (they read 1.5–3.4 and 0.6–1.4).
const (
	maxPerturbedHairDE  = 5.0
	maxPerturbedScalpDE = 3.0
)

// perturbations change a decoded photo (BGR, 8 bits) the way the
// independent renderer's own settings range does, and give the JPEG
// quality to write it at.
// perturbation changes a decoded photo and returns the JPEG quality to
// write it at, or asPNG.
type perturbation func(p perturbed) int

// asPNG, returned by a perturbation, writes the photo as PNG.
const asPNG = -1

// perturbed is a decoded photo (BGR, 8 bits) with its truth labels (the
// renderer's NNNN_mask.png: 1 bare skin, 2 hair).
type perturbed struct {
	px     []byte
	w, h   int
	labels []byte
	// img is the decoded photo that is written; a perturbation that
	// changes its size replaces it (and closes the one it replaces).
	img *gocv.Mat
}

var perturbations = map[string]perturbation{
	// Its harshest JPEG quality (README: 70–95), on top of the first.
	"jpeg quality 70": func(perturbed) int { return 70 },
	// A white balance 20% off in linear light: the card corrects it,
	// up to a few tenths of chroma.
	"white balance off": func(p perturbed) int {
		px := p.px
		var lut [3][256]byte
		for c, k := range [3]float64{0.8, 1, 1.2} { // B, G, R
			for v := range lut[c] {
				x := float64(v) / 255
				lin := colour.SRGB{R: x, G: x, B: x}.Linear().R * k
				e := colour.LinearRGB{R: math.Min(1, lin)}.Encode().R
				lut[c][v] = byte(math.Round(255 * e))
			}
		}
		for i, v := range px {
			px[i] = lut[i%3][v]
		}
		return 90
	},
	// Noise of σ 6 in 8-bit values: the renderer's highest read noise
	// (0.0095 of full scale in linear light) with its smallest full well
	// (1,640 electrons) on a dark scalp (linear Y 0.06), where sRGB's
	// slope is about 2.3, comes to 0.011, or 6 values.
	"noise σ 6": func(p perturbed) int {
		px := p.px
		rng := rand.New(rand.NewPCG(1, 2))
		for i, v := range px {
			px[i] = byte(math.Max(0, math.Min(255, math.Round(float64(v)+6*rng.NormFloat64()))))
		}
		return 90
	},
	// A band of something else along the frame's edge, as the renderer
	// draws (flags.distractor_band, 4–10% of the frame) but of nearly the
	// hair's colour or the skin's: flat, so no strand's core, yet the
	// most covered pixels of all.
	"band like the hair": func(p perturbed) int { return band(p, 2, [3]float64{1.15, 1.15, 1.2}) },
	"band like the skin": func(p perturbed) int { return band(p, 1, [3]float64{0.8, 0.85, 0.95}) },
	// The light falling by a stop across the frame, corner to corner, in
	// linear light: the renderer's own gradient (flags.gradient, up to
	// 14%) taken much further, across the card and the scalp alike.
	"light falling a stop": func(p perturbed) int {
		var lin [256]float64
		for v := range lin {
			x := float64(v) / 255
			lin[v] = colour.SRGB{R: x, G: x, B: x}.Linear().R
		}
		for y := 0; y < p.h; y++ {
			for x := 0; x < p.w; x++ {
				k := 1 - 0.5*(float64(x)/float64(p.w)+float64(y)/float64(p.h))/2
				i := 3 * (y*p.w + x)
				for c := 0; c < 3; c++ {
					e := colour.LinearRGB{R: lin[p.px[i+c]] * k}.Encode().R
					p.px[i+c] = byte(math.Round(255 * e))
				}
			}
		}
		return 90
	},
	// Half a stop more light, evenly, in linear light and clipped at the
	// sensor's limit: the renderer's overexposed photos (flags.overexposed,
	// 5 of 24) taken further, so that the card's lighter patches clip and,
	// on the lightest scalps, the skin's highlights too.
	"light rising half a stop": func(p perturbed) int {
		var lut [256]byte
		for v := range lut {
			x := float64(v) / 255
			lin := math.Min(1, colour.SRGB{R: x, G: x, B: x}.Linear().R*math.Sqrt2)
			lut[v] = byte(math.Round(255 * colour.LinearRGB{R: lin}.Encode().R))
		}
		for i, v := range p.px {
			p.px[i] = lut[v]
		}
		return 90
	},
	// A lamp's reflection on the card: light added in linear light, a
	// Gaussian spot of 30% of full scale, σ a tenth of the card's size,
	// a quarter of the way in from one corner (the renderer glares 0–3
	// patches; flags.glare_patches): the patches under it read too light,
	// their gaps too bright, and those at its edge a little too light.
	// Twice as strong and 1.7× as wide (most of the card) it left 0004
	// unanswered, its card rejected at a validation score of 14.2 (limit
	// 14), and the rest at hair 5.07 / 2.84, scalp 4.14 ΔE00: the veiling
	// light the gaps show around each patch is not yet taken off it.
	"glare on the card": func(p perturbed) int {
		x0, y0, x1, y1 := p.w, p.h, -1, -1
		for i, l := range p.labels {
			if l == 3 {
				x, y := i%p.w, i/p.w
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			}
		}
		if x1 < 0 {
			return 90
		}
		cx, cy := float64(x0)+0.25*float64(x1-x0), float64(y0)+0.25*float64(y1-y0)
		sig := float64(max(x1-x0, y1-y0)) / 10
		var lin [256]float64
		for v := range lin {
			x := float64(v) / 255
			lin[v] = colour.SRGB{R: x, G: x, B: x}.Linear().R
		}
		for y := max(0, int(cy-4*sig)); y < min(p.h, int(cy+4*sig)); y++ {
			for x := max(0, int(cx-4*sig)); x < min(p.w, int(cx+4*sig)); x++ {
				d2 := ((float64(x)-cx)*(float64(x)-cx) + (float64(y)-cy)*(float64(y)-cy)) / (sig * sig)
				g := 0.3 * math.Exp(-d2/2)
				i := 3 * (y*p.w + x)
				for c := 0; c < 3; c++ {
					e := colour.LinearRGB{R: math.Min(1, lin[p.px[i+c]]+g)}.Encode().R
					p.px[i+c] = byte(math.Round(255 * e))
				}
			}
		}
		return 90
	},
	// A softer lens: a Gaussian blur of σ 0.8 px in linear light over the
	// whole photo, card included (so its edges measure it). On the
	// renderer's own 0.41–0.80 it gives 0.9–1.1 px, the top of the
	// issue's "lens blur σ 0.5–1.2 px" that its 24 photos leave out.
	"softer lens, σ 0.8": func(p perturbed) int {
		var lin [256]float32
		for v := range lin {
			x := float64(v) / 255
			lin[v] = float32(colour.SRGB{R: x, G: x, B: x}.Linear().R)
		}
		f := make([]float32, len(p.px))
		for i, v := range p.px {
			f[i] = lin[v]
		}
		b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(f))), 4*len(f))
		src, err := gocv.NewMatFromBytes(p.h, p.w, gocv.MatTypeCV32FC3, b)
		if err != nil {
			return 90
		}
		defer src.Close()
		dst := gocv.NewMat()
		defer dst.Close()
		gocv.GaussianBlur(src, &dst, image.Pt(0, 0), 0.8, 0.8, gocv.BorderReflect101)
		out, err := dst.DataPtrFloat32()
		if err != nil {
			return 90
		}
		for i, v := range out {
			e := colour.LinearRGB{R: math.Max(0, math.Min(1, float64(v)))}.Encode().R
			p.px[i] = byte(math.Round(255 * e))
		}
		return 90
	},
	// Saved as PNG by an intake system that converts what it receives:
	// the pixels are the JPEG's, its colour smear included, but the file
	// no longer says how its colour was stored (measure then unmixes the
	// cores' chroma with the smear the card's gaps show, without the
	// floor a 4:2:0 JPEG's header gives).
	"saved as PNG": func(perturbed) int { return asPNG },
	// A stop less light, evenly, in linear light: a dim room, or exposed
	// for a bright window. The dark end of the card and the hair come
	// nearer the 8-bit floor and the JPEG's coarser steps.
	"a stop darker": func(p perturbed) int {
		var lut [256]byte
		for v := range lut {
			x := float64(v) / 255
			lin := colour.SRGB{R: x, G: x, B: x}.Linear().R / 2
			lut[v] = byte(math.Round(255 * colour.LinearRGB{R: lin}.Encode().R))
		}
		for i, v := range p.px {
			p.px[i] = lut[v]
		}
		return 90
	},
	// The camera twice as far away (or a phone of half the resolution):
	// fibres half as wide, 0.8–1.9 px, below the renderer's own 1.5–3.8
	// and at the bottom of the "1.5–2.5 px", with the card half
	// the size (its patches about 20 px across).
	"further away, 0.5×": func(p perturbed) int {
		small := gocv.NewMat()
		gocv.Resize(*p.img, &small, image.Pt(p.img.Cols()/2, p.img.Rows()/2), 0, 0, gocv.InterpolationArea)
		p.img.Close()
		*p.img = small
		return 90
	},
	// The camera turned a quarter and a little further away: the card
	// and the strands at another angle, fibres 0.8 as wide (the renderer
	// draws 1.5–3.8 px fibres; at 0.8 they span 1.2–3).
	"turned, 0.8×": func(p perturbed) int {
		turned := gocv.NewMat()
		gocv.Rotate(*p.img, &turned, gocv.Rotate90CounterClockwise)
		small := gocv.NewMat()
		gocv.Resize(turned, &small, image.Pt(turned.Cols()*4/5, turned.Rows()*4/5), 0, 0, gocv.InterpolationArea)
		turned.Close()
		p.img.Close()
		*p.img = small
		return 92
	},
}

// band paints a band along the left edge of the photo, 36–180 px thick
// (a slow wave), of the median colour of the pixels labelled like, scaled
// per channel (B, G, R) by k, with a little noise; quality 90.
func band(p perturbed, like byte, k [3]float64) int {
	var ch [3][]int
	for i, l := range p.labels {
		if l == like {
			for c := range ch {
				ch[c] = append(ch[c], int(p.px[3*i+c]))
			}
		}
	}
	if len(ch[0]) == 0 {
		return 90
	}
	var col [3]float64
	for c := range ch {
		sort.Ints(ch[c])
		col[c] = k[c] * float64(ch[c][len(ch[c])/2])
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for y := 0; y < p.h; y++ {
		edge := 180 * (0.6 + 0.4*math.Sin(3*float64(y)/float64(p.h)+1))
		for x := 0; float64(x) <= edge && x < p.w; x++ {
			a := math.Min(1, edge-float64(x)+0.5)
			i := 3 * (y*p.w + x)
			for c := range col {
				v := (1-a)*float64(p.px[i+c]) + a*(col[c]+2*rng.NormFloat64())
				p.px[i+c] = byte(math.Max(0, math.Min(255, math.Round(v))))
			}
		}
	}
	return 90
}

// The photos the renderer's settings put nearest a wrong answer, taken
// further in the direction of those settings (no photo is committed: the
// test perturbs the shared ones). Each case failed before the rule it
// names (ends.go):
//   - 0022 at quality 70: brown stubble on a dark scalp, "no hair found"
//     (the thin structures' own peak, minThinShare).
//   - 0014 with the white balance off: brown hair as chromatic as the
//     skin, skin read at the hair's L* 34 (fibreEnd). 0017 turned round
//     the same way and no longer does, but its card, overexposed as
//     rendered, keeps 14 patches and the skin's a* reads 10 low: a
//     calibration limit, not this test's.
//   - 0012 with noise: dark brown on the darkest skin, "no hair found"
//     (the excess on the hair's side, minExcess).
//   - 0000 turned a quarter at 0.8×: dense long blond strands, whose
//     gaps the hair stage took for the thin structures (51% of the light
//     end); the ends turned round, 14.7 / 16.6 ΔE00 at confidence 1
//     (fibreEndShare: the fibre end's pixels are nearly all on thin
//     structures, 100% for 0014's).
//   - 0011, 0016, 0010 with a flat band of nearly the hair's colour along
//     the frame's edge: its pixels were the most covered of all and set
//     the fibre's chroma, 10.6, 5.7 and 8.5 ΔE00 off (segment: solid
//     areas of full cover are left out of the cores, thickCoreWidths).
//   - 0014 with such a band: the band read as the skin and the skin as
//     light hair, 23.8 ΔE00 off (at confidence 0, with the warning that
//     the scalp colour comes from one part of the region); the band's end
//     lies in 12% of the tiles, the skin's in 91% and off the fibres
//     (turnedRound).
//   - 0023 with half a stop more light: overexposed as rendered, its card
//     kept 10 usable patches, and "too few usable patches (need 12)" left
//     the photo unanswered (calibrate.MinPatchesInFrame: a card in the
//     photo may rest on 8, with a warning that says how many).
func TestSynthScalpsSurvivePerturbation(t *testing.T) {
	if testing.Short() {
		t.Skip("measures 10 photos of 3 MP")
	}
	dir := "../../../shared/data/synthscalps"
	for _, c := range []struct{ photo, how string }{
		{"0022", "jpeg quality 70"},
		{"0019", "jpeg quality 70"},
		{"0014", "white balance off"},
		{"0012", "noise σ 6"},
		{"0022", "noise σ 6"},
		{"0011", "band like the hair"},
		{"0016", "band like the hair"},
		{"0010", "band like the hair"},
		{"0014", "band like the hair"},
		{"0000", "turned, 0.8×"},
		{"0023", "light rising half a stop"},
	} {
		path := filepath.Join(dir, c.photo+".json")
		if _, err := os.Stat(path); os.IsNotExist(err) {
			t.Skip("../shared/data/synthscalps is not available beside the repo")
		}
		s := measureSynth(path, t.TempDir(), perturbations[c.how])
		if s.err != nil {
			t.Fatalf("%s, %s: %v", c.photo, c.how, s.err)
		}
		t.Logf("%s, %s: hair %.2f ΔE00 (found %v), scalp %.2f", c.photo, c.how, s.hair, s.res.Hair.Found, s.scalp)
		if s.hair > maxPerturbedHairDE || s.scalp > maxPerturbedScalpDE {
			t.Errorf("%s, %s: hair %.2f ΔE00 off (found %v), scalp %.2f: more than %.0f / %.0f (%q)", c.photo, c.how, s.hair, s.res.Hair.Found, s.scalp, maxPerturbedHairDE, maxPerturbedScalpDE, s.res.Warnings)
		}
		// A card that calibrates on fewer patches than a session
		// profile would need says so.
		if f := s.res.Calibration; f != nil && f.UsedPatches < calibrate.MinSessionPatches {
			said := false
			for _, w := range s.res.Warnings {
				said = said || strings.Contains(w, fmt.Sprintf("on only %d of its 24 patches", f.UsedPatches))
			}
			if !said {
				t.Errorf("%s, %s: calibrated on %d patches, but no warning says so: %q", c.photo, c.how, f.UsedPatches, s.res.Warnings)
			}
		}
	}
}

// perturb decodes the JPEG src, changes its pixels with f and writes the
// result to dst as a JPEG at the quality f returns.
func perturb(src, labels, dst string, f perturbation) error {
	img := gocv.IMRead(src, gocv.IMReadColor)
	defer img.Close()
	if img.Empty() {
		return fmt.Errorf("%s: cannot decode", src)
	}
	px, err := img.DataPtrUint8()
	if err != nil {
		return err
	}
	lab := gocv.IMRead(labels, gocv.IMReadGrayScale)
	defer lab.Close()
	if lab.Rows() != img.Rows() || lab.Cols() != img.Cols() {
		return fmt.Errorf("%s: cannot decode, or not the photo's size", labels)
	}
	lp, err := lab.DataPtrUint8()
	if err != nil {
		return err
	}
	q := f(perturbed{px: px, w: img.Cols(), h: img.Rows(), labels: lp, img: &img})
	ext, params := gocv.JPEGFileExt, []int{gocv.IMWriteJpegQuality, q}
	if q == asPNG {
		// Load takes the format from the content, not the name. (gocv
		// v0.32.0's IMEncodeWithParams indexes its first parameter, so
		// one is given.)
		ext, params = gocv.PNGFileExt, []int{gocv.IMWritePngCompression, 1}
	}
	buf, err := gocv.IMEncodeWithParams(ext, img, params)
	if err != nil {
		return err
	}
	defer buf.Close()
	return os.WriteFile(dst, buf.GetBytes(), 0o644)
}

// perturbEnv, set to 1, runs TestSynthScalpsPerturbedSets: every shared
// photo under every perturbation, about six minutes on 2 cores
// (perturbEnv_ONLY=text runs only the perturbations whose name holds it).
const perturbEnv = "SMPMATCH_PERTURB_SETS"

// TestSynthScalpsPerturbedSets scores all 24 photos under each of
// perturbations, as TestSynthScalps scores them as shared, and holds that
// none goes unanswered (a photo with hair covering 5% or more). The
// closing notes' perturbed-set figures come from it:
//
//	SMPMATCH_PERTURB_SETS=1 go test -tags matprofile ./match/measure -run PerturbedSets -v
func TestSynthScalpsPerturbedSets(t *testing.T) {
	if os.Getenv(perturbEnv) != "1" {
		t.Skipf("set %s=1 to score the 24 photos under each perturbation", perturbEnv)
	}
	dir := "../../../shared/data/synthscalps"
	paths, _ := filepath.Glob(filepath.Join(dir, "[0-9]*.json"))
	if len(paths) == 0 {
		t.Skip("../shared/data/synthscalps is not available beside the repo: nothing to score")
	}
	sort.Strings(paths)
	hows := make([]string, 0, len(perturbations))
	only := os.Getenv(perturbEnv + "_ONLY")
	for how := range perturbations {
		if only == "" || strings.Contains(how, only) {
			hows = append(hows, how)
		}
	}
	sort.Strings(hows)
	var all []synthScore
	for _, how := range hows {
		tmp := t.TempDir()
		scores := scoreEach(paths, func(path string) synthScore { return measureSynth(path, tmp, perturbations[how]) })
		all = append(all, scores...)
		var hs, ss []float64
		nUn := 0
		for _, s := range scores {
			hs = append(hs, s.hair)
			ss = append(ss, s.scalp)
			if s.hair > maxPerturbedHairDE || s.scalp > maxPerturbedScalpDE {
				t.Logf("  %s, %s: hair %.2f, scalp %.2f", s.truth.Photo, how, s.hair, s.scalp)
			}
			// Hair read more than 3 ΔE00 off says so: a warning and a
			// confidence below 0.9 (the issue: never a too-light hair
			// colour with full confidence).
			if s.hair > 3 && s.hair < unanswered && (len(s.res.Warnings) == 0 || s.res.Confidence >= 0.9) {
				t.Logf("  %s, %s: hair %.2f off with confidence %.2f and warnings %q", s.truth.Photo, how, s.hair, s.res.Confidence, s.res.Warnings)
			}
			if s.hair >= unanswered {
				nUn++
				if s.truth.Hair.Coverage >= 0.05 {
					t.Errorf("%s, %s: hair covers %.2f but is unanswered (%v)", s.truth.Photo, how, s.truth.Hair.Coverage, s.err)
				}
			}
		}
		t.Logf("%-18s n=%d hair_mean=%.2f hair_median=%.2f scalp_mean=%.2f unanswered=%d", how, len(hs), mean(hs), median(hs), mean(ss), nUn)
	}
	logConfidenceBins(t, all)
}

// logConfidenceBins logs what the reported confidence says about the hair
// colour's error over the answered photos: per band of confidence, how
// many, the median hair ΔE00 and the shares within 3 and 5 ΔE00 (the
// README's table "What confidence means" comes from it).
func logConfidenceBins(t *testing.T, scores []synthScore) {
	t.Helper()
	bands := []struct{ lo, hi float64 }{{0, 0.5}, {0.5, 0.75}, {0.75, 0.9}, {0.9, 1.01}}
	for _, b := range bands {
		var de []float64
		within3, within5 := 0, 0
		for _, s := range scores {
			if s.hair >= unanswered || s.res.Confidence < b.lo || s.res.Confidence >= b.hi {
				continue
			}
			de = append(de, s.hair)
			if s.hair <= 3 {
				within3++
			}
			if s.hair <= 5 {
				within5++
			}
		}
		if len(de) == 0 {
			t.Logf("confidence %.2f–%.2f: none", b.lo, math.Min(1, b.hi))
			continue
		}
		t.Logf("confidence %.2f–%.2f: n=%3d hair ΔE00 median %.2f, ≤ 3: %3.0f%%, ≤ 5: %3.0f%%", b.lo, math.Min(1, b.hi), len(de), median(de),
			100*float64(within3)/float64(len(de)), 100*float64(within5)/float64(len(de)))
	}
}

// A band of nearly the hair's colour along the edge of 0014 (brown stubble
// on intermediate skin) turns the colours stage's ends round: the band
// reads as the skin, the skin as light hair at 70% cover, 24 ΔE00 off.
// The region does not yet keep such a band out (README); until it does,
// the answer must not be confident: the skin end lies in one band of the
// region, not all over it as a close-up's skin does.
func TestSynthScalpsEndsTurnedRoundByABandAreNotConfident(t *testing.T) {
	if testing.Short() {
		t.Skip("measures a photo of 3 MP")
	}
	path := "../../../shared/data/synthscalps/0014.json"
	if _, err := os.Stat(path); os.IsNotExist(err) {
		t.Skip("../shared/data/synthscalps is not available beside the repo")
	}
	s := measureSynth(path, t.TempDir(), perturbations["band like the hair"])
	if s.err != nil {
		t.Fatal(s.err)
	}
	t.Logf("0014 with a band like the hair: hair %.2f ΔE00, scalp %.2f, confidence %.2f, %q", s.hair, s.scalp, s.res.Confidence, s.res.Warnings)
	if s.hair <= maxPerturbedHairDE && s.scalp <= maxPerturbedScalpDE {
		return // read right: nothing to flag (the region may have learnt to keep the band out)
	}
	if s.res.Confidence >= 0.5 {
		t.Errorf("hair %.2f, scalp %.2f ΔE00 off at confidence %.2f: a wrong answer this far off must not be confident", s.hair, s.scalp, s.res.Confidence)
	}
	said := false
	for _, w := range s.res.Warnings {
		said = said || strings.Contains(w, "one part of the region")
	}
	if !said {
		t.Errorf("no warning says the scalp colour comes from one part of the region: %q", s.res.Warnings)
	}
}
