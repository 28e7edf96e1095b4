package batch

import (
	"html/template"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/match/segment"
)

// fakeBatch writes the state and index of a finished two-client batch
// without running the pipeline (pictures drawn here), and builds the
// outputs.
func fakeBatch(t *testing.T) (out string, clients []ClientResult) {
	t.Helper()
	out = t.TempDir()
	st := store{filepath.Join(out, stateDir)}
	if err := os.MkdirAll(st.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	o := testOptions(t, out)
	idx := Index{Schema: "smpmatch.batch-index/1", Version: "test", Palette: "smp-reference 1.0", Profile: "session.json"}
	people := []struct {
		id          string
		skin, hair  colour.LabD50
		nPhotos     int
		failedPhoto bool
	}{
		{"A-17", colour.LabD50{L: 66, A: 10, B: 16}, colour.LabD50{L: 22, A: 2, B: 3}, 2, false},
		{"B-02", colour.LabD50{L: 45, A: 14, B: 24}, colour.LabD50{L: 18, A: 1, B: 2}, 1, true},
	}
	for ci, p := range people {
		ic := IndexClient{ID: p.id}
		var results []PhotoMatch
		var keys []string
		for k := 0; k < p.nPhotos; k++ {
			name := p.id + "/view" + string(rune('1'+k)) + ".jpg"
			key := strings.Repeat(string(rune('a'+ci)), 63) + string(rune('0'+k))
			img, scalp := fakeScalp(p.skin, p.hair, uint64(ci*10+k))
			m := &measure.Result{Photo: name, OK: true, Calibrated: true, Correction: "profile"}
			m.Hair = segment.HairResult{Colour: segment.Colour{Lab: p.hair}, Found: true, Kind: "dark"}
			m.Scalp = segment.ScalpResult{Colour: segment.Colour{Lab: p.skin}, Found: true}
			m.Confidence = 0.9
			yh, ys := p.hair.XYZ().Y, p.skin.XYZ().Y
			m.Contrast = segment.Contrast{DE00: colour.DeltaE00(p.hair, p.skin), DL: p.hair.L - p.skin.L, Ratio: (max(yh, ys) + 0.05) / (min(yh, ys) + 0.05)}
			m.ScalpMask = scalp
			res, err := o.Settings.Recommender.Recommend(p.hair, p.skin, recipe.Options{})
			if err != nil {
				t.Fatal(err)
			}
			pm := PhotoMatch{ClientID: p.id, Photo: name, Role: RoleScalp, OK: true, Measurement: m, Result: &res}
			mm, err := writeThumbs(st, key, &measure.Artifacts{Corrected: img, Overlay: img}, m)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.save(key, photoRecord{Schema: stateSchema, Key: key, Result: pm, Thumbs: true, ZoomMMPerPx: mm}); err != nil {
				t.Fatal(err)
			}
			ic.Photos = append(ic.Photos, IndexPhoto{Name: name, Role: RoleScalp, Key: key})
			results = append(results, pm)
			keys = append(keys, key)
		}
		if p.failedPhoto {
			bad := PhotoMatch{ClientID: p.id, Photo: p.id + "/broken.jpg", Role: RoleScalp, Error: "open broken.jpg: not a readable image"}
			ic.Photos = append(ic.Photos, IndexPhoto{Name: bad.Photo, Role: RoleScalp, Inline: &bad})
			results = append(results, bad)
			keys = append(keys, "")
		}
		cr := Combine(p.id, results, keys, o.Settings.Recommender, recipe.Options{})
		ic.ClientKey = strings.Repeat("c", 63) + string(rune('0'+ci))
		if err := st.save(ic.ClientKey, clientRecord{Schema: stateSchema, Key: ic.ClientKey, Client: cr}); err != nil {
			t.Fatal(err)
		}
		clients = append(clients, cr)
		idx.Clients = append(idx.Clients, ic)
	}
	if err := writeIndex(out, idx); err != nil {
		t.Fatal(err)
	}
	if err := WriteOutputs(out); err != nil {
		t.Fatal(err)
	}
	checkSchemas(t, out)
	return out, clients
}

// fakeScalp draws skin with short dark strands, and its skin mask.
func fakeScalp(skin, hair colour.LabD50, seed uint64) (*image.NRGBA, *image.Gray) {
	const w, h = 800, 600
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	mask := image.NewGray(img.Bounds())
	s, hr := skin.SRGB8(), hair.SRGB8()
	for i := 0; i < w*h; i++ {
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = s[0], s[1], s[2], 255
		mask.Pix[i] = 255
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	for n := 0; n < 1500; n++ {
		x, y := rng.IntN(w-12), rng.IntN(h-3)
		for d := 0; d < 10; d++ {
			for k := 0; k < 2; k++ {
				img.SetNRGBA(x+d, y+k, color.NRGBA{hr[0], hr[1], hr[2], 255})
				mask.SetGray(x+d, y+k, color.Gray{})
			}
		}
	}
	return img, mask
}

func TestReportIsSelfContainedAndComplete(t *testing.T) {
	out, clients := fakeBatch(t)
	b, err := os.ReadFile(filepath.Join(out, reportName))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if n := strings.Count(s, "data:image/jpeg;base64,"); n != 8 {
		t.Errorf("%d inline pictures, want 4 per client (corrected, overlay, close-up, simulated dots)", n)
	}
	for _, c := range clients {
		top := c.Recommendation.Blends[0]
		for _, want := range []string{c.ClientID, c.Hair.Hex(), c.Scalp.Hex(), top.PredictedLab.Hex(), strings.ReplaceAll(template.HTMLEscapeString(top.Recipe), "+", "&#43;"), "ΔE00"} {
			if !strings.Contains(s, want) {
				t.Errorf("client %s: report has no %q", c.ClientID, want)
			}
		}
	}
	for _, want := range []string{"smp-reference 1.0", "session.json", "smpmatch test", "not a readable image"} {
		if !strings.Contains(s, want) {
			t.Errorf("report has no %q", want)
		}
	}
	if strings.Contains(s, "http:") || strings.Contains(s, "https:") || strings.Contains(s, "<script") {
		t.Error("report refers to the network or runs scripts")
	}
}

// The report as a person sees it: rendered by a real headless browser, the
// screenshot must show the pictures and the swatches' exact colours.
func TestReportRendersInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install chromium; make deps does it): the report is not rendered")
	}
	out, clients := fakeBatch(t)
	shot := filepath.Join(t.TempDir(), "report.png")
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
		"--force-color-profile=srgb", "--user-data-dir="+t.TempDir(),
		"--screenshot="+shot, "--window-size=1280,1600", "file://"+filepath.Join(out, reportName))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, b)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	count := map[[3]uint8]int{}
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			count[[3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}]++
		}
	}
	if len(count) < 2000 {
		t.Errorf("the screenshot has %d distinct colours: blank, or the pictures did not load", len(count))
	}
	near := func(c colour.LabD50) int {
		want := c.SRGB8()
		n := 0
		for k, v := range count {
			if absd(k[0], want[0]) <= 2 && absd(k[1], want[1]) <= 2 && absd(k[2], want[2]) <= 2 {
				n += v
			}
		}
		return n
	}
	// A swatch chip is 150×74 CSS pixels; a good part of one must show.
	const minPixels = 3000
	for _, c := range clients {
		top := c.Recommendation.Blends[0]
		for _, s := range []struct {
			what string
			lab  colour.LabD50
		}{{"hair", *c.Hair}, {"scalp", *c.Scalp}, {"top blend", top.PredictedLab}} {
			if n := near(s.lab); n < minPixels {
				t.Errorf("client %s: %s swatch %s covers %d pixels of the screenshot, want ≥ %d", c.ClientID, s.what, s.lab.Hex(), n, minPixels)
			}
		}
	}
}

func absd(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}
