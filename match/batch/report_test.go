package batch

import (
	"fmt"
	stdhtml "html"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/smpmatch/smpmatch/match/optics"
	"github.com/smpmatch/smpmatch/match/recipe"
	"github.com/smpmatch/smpmatch/match/segment"
)

// fakeBatch writes the state and index of a finished two-client batch
// without running the pipeline (pictures drawn here), and builds the
// outputs.
func fakeBatch(t *testing.T) (out string, clients []ClientResult) {
	t.Helper()
	out = t.TempDir()
	st := store{dir: filepath.Join(out, stateDir)}
	if err := os.MkdirAll(st.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	o := testOptions(t, out)
	// A run with --healed-model models/my-healed.json --volume 2 --drop-ml
	// 0.04, whose kept results were sized for the default cup (the cup is
	// not in the settings fingerprint: the outputs resize the bottles).
	model := optics.DefaultHealedModel()
	model.Version += "+fit"
	ropt := recipe.Options{Model: &model, ModelSource: &recipe.ModelSource{Path: "models/my-healed.json", SHA256: strings.Repeat("0123456789abcdef", 4)}}
	idx := Index{Schema: "smpmatch.batch-index/1", Version: "test", Palette: "smp-reference 1.0", Profile: "session.json",
		HealedModel: model.Version, HealedModelFile: ropt.ModelSource, VolumeML: 2, DropML: 0.04,
		// A fixed day: without it the report is dated today, and a test
		// that compares two publishes failed on a run that crossed midnight.
		Created: "2026-12-06"}
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
			res, err := o.Settings.Recommender.Recommend(p.hair, p.skin, ropt)
			if err != nil {
				t.Fatal(err)
			}
			pm := PhotoMatch{ClientID: p.id, Photo: name, Role: RoleScalp, OK: true, Measurement: m, Result: &res}
			mm, pics, err := writeThumbs(st, key, &measure.Artifacts{Corrected: img, Overlay: img}, m, image.Rectangle{})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.save(key, photoRecord{Schema: stateSchema, Key: key, Result: pm, Thumbs: true, Pictures: pics, ZoomMMPerPx: mm}); err != nil {
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
		cr := Combine(p.id, results, keys, o.Settings.Recommender, ropt)
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
	// The page is as tall as three clients' sheets: the window shows them
	// all, so every client's swatches are in the screenshot.
	cmd := exec.Command(bin, append(chromiumArgs(t), "--screenshot="+shot, "--window-size=1280,3400", "file://"+filepath.Join(out, reportName))...)
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

// addFailedClient adds to a fake batch a client whose only photo could not
// be measured, with its photo as taken kept as a thumbnail, and rebuilds
// the outputs.
func addFailedClient(t *testing.T, out string) (id string, photo colour.LabD50) {
	t.Helper()
	st := store{dir: filepath.Join(out, stateDir)}
	idx, err := readIndex(out)
	if err != nil {
		t.Fatal(err)
	}
	id, photo = "C-09", colour.LabD50{L: 70, A: 30, B: -20}
	img, _ := fakeScalp(photo, colour.LabD50{L: 20, A: 0, B: 0}, 99)
	b, err := encodeJPEG(shrink(img, ThumbSide), 95)
	if err != nil {
		t.Fatal(err)
	}
	key := strings.Repeat("f", 64)
	if err := os.WriteFile(st.path(key, thumbCorrected), b, 0o644); err != nil {
		t.Fatal(err)
	}
	name := id + "/crown.jpg"
	msg := name + ": " + "no colour calibration: give --profile, include the card in the photo, or pass --uncalibrated"
	pm := PhotoMatch{ClientID: id, Photo: name, Role: RoleScalp, Error: msg, Measurement: &measure.Result{Photo: name, Error: msg}}
	if err := st.save(key, photoRecord{Schema: stateSchema, Key: key, Result: pm, RawThumb: true, Taken: "2026-11-30", TakenFrom: "exif"}); err != nil {
		t.Fatal(err)
	}
	cr := Combine(id, []PhotoMatch{pm}, []string{key}, nil, recipe.Options{})
	ck := strings.Repeat("e", 64)
	if err := st.save(ck, clientRecord{Schema: stateSchema, Key: ck, Client: cr}); err != nil {
		t.Fatal(err)
	}
	idx.Clients = append(idx.Clients, IndexClient{ID: id, ClientKey: ck, Photos: []IndexPhoto{{Name: name, Role: RoleScalp, Key: key}}})
	idx.Created = "2026-12-06"
	if err := writeIndex(out, idx); err != nil {
		t.Fatal(err)
	}
	if err := WriteOutputs(out); err != nil {
		t.Fatal(err)
	}
	checkSchemas(t, out)
	return id, photo
}

func chromium(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install chromium; make deps does it): the report is not rendered")
	}
	return bin
}

func chromiumArgs(t *testing.T) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
		"--force-color-profile=srgb", "--user-data-dir=" + t.TempDir(),
		// Wait for layout and the inline pictures however loaded the
		// machine is, before the screenshot or the PDF is taken.
		"--virtual-time-budget=10000"}
}

// keepPictures copies a rendered picture to $SMPMATCH_REPORT_PICS, when
// set, for a person to look at.
func keepPictures(t *testing.T, files ...string) {
	dir := os.Getenv("SMPMATCH_REPORT_PICS")
	if dir == "" {
		return
	}
	os.MkdirAll(dir, 0o755)
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644)
		}
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// pixelsNear counts the pixels of img within 3 levels of c's sRGB.
func pixelsNear(img image.Image, c colour.LabD50) int {
	want := c.SRGB8()
	n := 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if absd(uint8(r>>8), want[0]) <= 3 && absd(uint8(g>>8), want[1]) <= 3 && absd(uint8(b>>8), want[2]) <= 3 {
				n++
			}
		}
	}
	return n
}

// The report printed: one client per A4 and per Letter page, nothing
// spilling onto a page of its own; each page shows its client's hair,
// target and top blend; a failed client's page shows its photo and the
// reason in words. Chromium prints to PDF, pdftoppm makes pictures of the
// pages.
func TestReportPrintsOneClientPerPage(t *testing.T) {
	bin := chromium(t)
	ppm, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Skip("pdftoppm is not installed (apt-get install poppler-utils; make deps does it)")
	}
	out, clients := fakeBatch(t)
	failedID, failedPhoto := addFailedClient(t, out)
	html, err := os.ReadFile(filepath.Join(out, reportName))
	if err != nil {
		t.Fatal(err)
	}
	model := "my-healed.json (" + optics.DefaultHealedModel().Version + "+fit, sha256 0123456789ab)"
	for _, want := range []string{"Hair–scalp contrast ΔE00", "Photos taken: 2026-11-30 (camera date)", "Run</dt><dd>2026-12-06", "Photo as taken (not colour-corrected", "no photo of this client could be measured: 1 photo(s): no colour calibration",
		"<h3>Mix 2 ml in your bottles</h3>", "Neat inks and water, parts by volume", "<dt>Healed model</dt><dd>" + model + "</dd>", "<dt>Cup</dt><dd>2 ml, 1 drop = 0.04 ml</dd>"} {
		if !strings.Contains(stdhtml.UnescapeString(string(html)), want) {
			t.Errorf("report has no %q", want)
		}
	}
	// Each client's top blend in its bottles, for the run's 2 ml cup and
	// 0.04 ml drop (the kept results were sized for 1 ml): the bottles a
	// fresh mix for that cup gives, line by line, and the shade number.
	pal := testOptions(t, "").Palette
	bottles := make([][]string, len(clients))
	for i, c := range clients {
		top := c.Recommendation.Blends[0]
		bt, err := recipe.MixInBottles(pal, top.Parts, top.DiluentParts, 2, 0.04)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range append(append([]recipe.BottlePart{}, bt.Inks...), bt.Diluent) {
			if p.Parts == 0 {
				continue
			}
			line := fmt.Sprintf(`<td class="amt">%d</td><td>%s</td><td>%s<div class="mld">%s · %s</div></td>`, p.Parts, partsUnit(p.Parts), p.Name, mlText(p.ML), dropsText(p.Drops))
			if !strings.Contains(string(html), line) {
				t.Errorf("client %s: the report has no line %s", c.ClientID, line)
			}
			bottles[i] = append(bottles[i], mlText(p.ML)+" · "+dropsText(p.Drops))
		}
		if bt.Shade != nil {
			shade := fmt.Sprintf("Shade %g: ", *bt.Shade)
			if !strings.Contains(string(html), shade) {
				t.Errorf("client %s: one ink and water, and no %q", c.ClientID, shade)
			}
		}
	}
	pdftotext, _ := exec.LookPath("pdftotext")
	if strings.Contains(string(html), "<th>ΔE00</th>") {
		t.Error("the photo table still has a bare ΔE00 column")
	}
	work := t.TempDir()
	// Screen.
	shot := filepath.Join(work, "report-screen.png")
	cmd := exec.Command(bin, append(chromiumArgs(t), "--screenshot="+shot, "--window-size=1280,3400", "file://"+filepath.Join(out, reportName))...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, b)
	}
	keepPictures(t, shot)
	screen := decodePNG(t, shot)
	if n := pixelsNear(screen, failedPhoto); n < 2000 {
		t.Errorf("the failed client's photo covers %d pixels of the screen, want ≥ 2000", n)
	}
	for _, paper := range []string{"A4", "Letter"} {
		t.Run(paper, func(t *testing.T) {
			page := filepath.Join(work, "report-"+paper+".html")
			b := strings.Replace(string(html), "<style>", "<style>@page{size:"+paper+"}", 1)
			if err := os.WriteFile(page, []byte(b), 0o644); err != nil {
				t.Fatal(err)
			}
			pdf := filepath.Join(work, "report-"+paper+".pdf")
			cmd := exec.Command(bin, append(chromiumArgs(t), "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+page)...)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("chromium: %v\n%s", err, b)
			}
			prefix := filepath.Join(work, "page-"+paper)
			if b, err := exec.Command(ppm, "-r", "60", "-png", pdf, prefix).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v\n%s", err, b)
			}
			pages, _ := filepath.Glob(prefix + "-*.png")
			sort.Strings(pages)
			keepPictures(t, pages...)
			if len(pages) != len(clients)+1 {
				t.Fatalf("%d printed pages, want one per client (%d): a client was cut across pages", len(pages), len(clients)+1)
			}
			for i, c := range clients {
				img := decodePNG(t, pages[i])
				top := c.Recommendation.Blends[0].PredictedLab
				for _, s := range []struct {
					what string
					lab  colour.LabD50
				}{{"hair", *c.Hair}, {"target", c.Recommendation.TargetLab}, {"top blend", top}} {
					// At 60 dpi a 38 × 26 mm chip is about 90 × 60 pixels.
					if n := pixelsNear(img, s.lab); n < 2500 {
						t.Errorf("page %d (client %s): the %s swatch covers %d pixels, want ≥ 2500", i+1, c.ClientID, s.what, n)
					}
				}
			}
			// What is printed on each page: the healed model in the
			// header of the first, each client's bottles on its own.
			if pdftotext != "" {
				for i := range clients {
					b, err := exec.Command(pdftotext, "-f", fmt.Sprint(i+1), "-l", fmt.Sprint(i+1), "-layout", pdf, "-").CombinedOutput()
					if err != nil {
						t.Fatalf("pdftotext: %v\n%s", err, b)
					}
					text := strings.Join(strings.Fields(string(b)), " ")
					want := append([]string{"Mix 2 ml"}, bottles[i]...)
					if i == 0 {
						want = append(want, "my-healed.json")
					}
					for _, w := range want {
						if !strings.Contains(text, w) {
							t.Errorf("printed page %d (client %s) has no %q:\n%s", i+1, clients[i].ClientID, w, text)
						}
					}
				}
			}
			last := decodePNG(t, pages[len(clients)])
			if n := pixelsNear(last, failedPhoto); n < 1000 {
				t.Errorf("client %s's page: its photo covers %d pixels, want ≥ 1000", failedID, n)
			}
		})
	}
}

func absd(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}
