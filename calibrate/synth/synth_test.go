package synth

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// frontal is a noise-free, unblurred, frontal scene of kind with the chart
// model scaled by px pixels per chart unit and its corner at (x0, y0).
func frontal(kind Kind, px, x0, y0 float64) Scene {
	var c card.Corners
	for k, p := range card.ChartCorners {
		c[k] = card.Point{X: x0 + px*p.X, Y: y0 + px*p.Y}
	}
	return Scene{
		Width: 800, Height: 600, Corners: c, Kind: kind, Border: 1, Seed: 1,
		Camera:     Camera{CCT: 5000, WhiteBalance: 0.8, Exposure: 0.9},
		Background: Background{Colour: lab(60, 2, 5)},
	}
}

// projective is an explicit perspective map, independent of the renderer's
// homography solver.
func projective(p card.Point) card.Point {
	m := [9]float64{38, 9, 120, -6, 31, 90, 0.012, 0.018, 1}
	w := m[6]*p.X + m[7]*p.Y + m[8]
	return card.Point{X: (m[0]*p.X + m[1]*p.Y + m[2]) / w, Y: (m[3]*p.X + m[4]*p.Y + m[5]) / w}
}

func at8(img *image.NRGBA, p card.Point) [3]float64 {
	o := img.PixOffset(int(p.X), int(p.Y))
	return [3]float64{float64(img.Pix[o]), float64(img.Pix[o+1]), float64(img.Pix[o+2])}
}

func TestTruthCentresAreTheHomographyOfTheChartGrid(t *testing.T) {
	tests := []struct {
		name string
		pose func(card.Point) card.Point
	}{
		{"a frontal card scaled and shifted", func(p card.Point) card.Point { return card.Point{X: 50 + 30*p.X, Y: 40 + 30*p.Y} }},
		{"a card rotated by 30 degrees", func(p card.Point) card.Point {
			s, c := math.Sin(math.Pi/6), math.Cos(math.Pi/6)
			return card.Point{X: 300 + 20*(c*p.X-s*p.Y), Y: 100 + 20*(s*p.X+c*p.Y)}
		}},
		{"a card in strong perspective", projective},
		{"a mirrored card in perspective", func(p card.Point) card.Point { q := projective(p); return card.Point{X: 800 - q.X, Y: q.Y} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := frontal(KindClassic, 1, 0, 0)
			for k, p := range card.ChartCorners {
				s.Corners[k] = tc.pose(p)
			}
			_, truth := Render(s)
			if truth.Corners != s.Corners {
				t.Errorf("truth corners %v, scene corners %v", truth.Corners, s.Corners)
			}
			var sum float64
			for i, got := range truth.PatchCentres {
				want := tc.pose(card.PatchCentre(i))
				if d := dist(got, want); d > 1e-6 {
					t.Errorf("patch %d centre %v, want %v (off by %g px)", i+1, got, want, d)
				}
				if i%card.Cols < card.Cols-1 {
					sum += dist(want, tc.pose(card.PatchCentre(i+1)))
				}
				if i+card.Cols < card.NumPatches {
					sum += dist(want, tc.pose(card.PatchCentre(i+card.Cols)))
				}
			}
			if want := sum / 38; math.Abs(truth.PatchPitchPx-want) > 1e-6 {
				t.Errorf("pitch %g px, want %g", truth.PatchPitchPx, want)
			}
		})
	}
}

func TestFrontalPatchCentresShowTheExpectedColour(t *testing.T) {
	tests := []struct {
		name  string
		cam   Camera
		light Lighting
		blur  float64
	}{
		{"an sRGB camera in daylight", Camera{CCT: 6500, WhiteBalance: 1, Exposure: 0.9}, Lighting{}, 0},
		{"a linear camera under tungsten without white balance", Camera{CCT: 2700, Exposure: 1, Curve: CurveLinear}, Lighting{}, 0},
		{"a gamma 2.2 camera half white balanced", Camera{CCT: 4000, WhiteBalance: 0.5, Exposure: 0.7, Curve: CurveGamma22}, Lighting{}, 0},
		{"uneven light: gradient and vignetting", Camera{CCT: 5000, WhiteBalance: 0.8, Exposure: 0.9}, Lighting{Level: 0.9, Gradient: 0.4, GradientAngle: 0.7, Vignette: 0.3}, 0},
		{"a blurred photo", Camera{CCT: 5000, WhiteBalance: 0.8, Exposure: 0.9}, Lighting{}, 1.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := frontal(KindClassic, 40, 60, 50)
			s.Camera, s.Light, s.BlurSigma = tc.cam, tc.light, tc.blur
			img, truth := Render(s)
			for i, p := range truth.Patches {
				if p.Lab != card.Reference[i].Lab {
					t.Errorf("patch %d truth Lab %v, want the reference %v", i+1, p.Lab, card.Reference[i].Lab)
				}
				got := at8(img, truth.PatchCentres[i])
				want := [3]float64{p.RGB.R * 255, p.RGB.G * 255, p.RGB.B * 255}
				for k := range got {
					if math.Abs(got[k]-want[k]) > 2 {
						t.Errorf("patch %d channel %d = %v, want %.1f ± 2", i+1, k, got[k], want[k])
					}
				}
			}
			// The body between the patches is black.
			gap := card.Point{X: 60 + 40*(card.GridMargin+card.PatchSize+0.125), Y: 50 + 40*5}
			if v := at8(img, gap); v[1] > 40 {
				t.Errorf("gap between patches 1 and 2 shows %v, want the black body", v)
			}
		})
	}
}

func TestJPEGKeepsPatchCentresClose(t *testing.T) {
	s := frontal(KindClassic, 40, 60, 50)
	s.JPEGQuality = 75
	img, truth := Render(s)
	for i, p := range truth.Patches {
		got := at8(img, truth.PatchCentres[i])
		want := [3]float64{p.RGB.R * 255, p.RGB.G * 255, p.RGB.B * 255}
		for k := range got {
			// Chroma subsampling smears colour edges, not flat centres.
			if math.Abs(got[k]-want[k]) > 6 {
				t.Errorf("patch %d channel %d = %v after JPEG, want %.1f ± 6", i+1, k, got[k], want[k])
			}
		}
	}
}

func TestRenderIsAPureFunctionOfTheScene(t *testing.T) {
	s := RandomScene(rand.New(rand.NewSource(7)), RandomOptions{Width: 640, Height: 480})
	s.NoiseSigma = 0.01
	a, ta := Render(s)
	b, tb := Render(s)
	if !bytes.Equal(a.Pix, b.Pix) || ta.Corners != tb.Corners {
		t.Fatal("two renders of the same scene differ")
	}
	s2 := RandomScene(rand.New(rand.NewSource(7)), RandomOptions{Width: 640, Height: 480})
	s2.NoiseSigma = 0.01
	if c, _ := Render(s2); !bytes.Equal(a.Pix, c.Pix) {
		t.Error("the same seed drew a different scene")
	}
	s.Seed++
	if c, _ := Render(s); bytes.Equal(a.Pix, c.Pix) {
		t.Error("another noise seed gave identical pixels")
	}
}

func TestMirroredCardIsTheMirrorImage(t *testing.T) {
	s := frontal(KindClassic, 35, 80, 60)
	img, truth := Render(s)
	m := s
	for k, p := range s.Corners {
		m.Corners[k] = card.Point{X: float64(s.Width) - p.X, Y: p.Y}
	}
	mimg, mtruth := Render(m)
	if truth.Mirrored || !mtruth.Mirrored {
		t.Fatalf("Mirrored = %v for the plain card and %v for its mirror image", truth.Mirrored, mtruth.Mirrored)
	}
	var worst float64
	for y := 0; y < s.Height; y++ {
		for x := 0; x < s.Width; x++ {
			a, b := img.Pix[img.PixOffset(x, y):], mimg.Pix[mimg.PixOffset(s.Width-1-x, y):]
			for k := 0; k < 3; k++ {
				worst = math.Max(worst, math.Abs(float64(a[k])-float64(b[k])))
			}
		}
	}
	if worst > 1 {
		t.Errorf("mirrored render differs from the flipped render by up to %v levels", worst)
	}
	if mtruth.Patches[0].RGB != truth.Patches[0].RGB || dist(mtruth.PatchCentres[0], card.Point{X: 800 - truth.PatchCentres[0].X, Y: truth.PatchCentres[0].Y}) > 1e-9 {
		t.Error("patch 1's truth did not follow the mirror")
	}
}

func TestDecoysDifferFromTheClassicInEveryOrientation(t *testing.T) {
	// The four symmetries of a 6 × 4 grid; a detector may see any of them.
	orient := []func(i int) int{
		func(i int) int { return i },
		func(i int) int { return card.NumPatches - 1 - i },                             // 180°
		func(i int) int { return i/card.Cols*card.Cols + card.Cols - 1 - i%card.Cols }, // mirrored left–right
		func(i int) int { return (card.Rows-1-i/card.Cols)*card.Cols + i%card.Cols },   // mirrored top–bottom
	}
	// matchDE00 is a colour difference a detector tolerates between a
	// corrected patch and its reference.
	const matchDE00 = 5
	for _, kind := range []Kind{KindSpyderCheckr24, KindPassportCreative, KindRandomTiles} {
		t.Run(kind.String(), func(t *testing.T) {
			_, truth := Render(frontal(kind, 30, 100, 100))
			if truth.Kind != kind {
				t.Errorf("truth kind %v", truth.Kind)
			}
			for o, f := range orient {
				matches := 0
				for i := range truth.Patches {
					if colour.DeltaE00(truth.Patches[f(i)].Lab, card.Reference[i].Lab) < matchDE00 {
						matches++
					}
				}
				// Half the SpyderCheckr's patches are the Classic's colours in
				// the Classic's rows: a detector must demand more than that.
				if matches > card.NumPatches/2 {
					t.Errorf("orientation %d: %d of 24 patches match the Classic within ΔE00 %d", o, matches, matchDE00)
				}
			}
		})
	}
}

func TestRandomScenesKeepEverythingInsideTheFrame(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	kinds := map[Kind]int{}
	mirrored := 0
	for n := range 300 {
		s := RandomScene(rng, RandomOptions{Width: 1200, Height: 900, Kinds: []Kind{KindClassic, KindSpyderCheckr24, KindPassportCreative, KindRandomTiles}})
		if err := s.Validate(); err != nil {
			t.Fatalf("scene %d: %v", n, err)
		}
		kinds[s.Kind]++
		b := outlineBox(s.Corners, s.Border)
		if b.x0 < 0 || b.y0 < 0 || b.x1 > 1200 || b.y1 > 900 {
			t.Errorf("scene %d: card body %v leaves the 1200×900 frame", n, b)
		}
		for _, d := range s.Decoys {
			db := outlineBox(d.Corners, d.Border)
			if db.x0 < 0 || db.y0 < 0 || db.x1 > 1200 || db.y1 > 900 || db.overlaps(b, 0) {
				t.Errorf("scene %d: decoy body %v leaves the frame or overlaps the card %v", n, db, b)
			}
		}
		hom, _ := homographyFrom(card.ChartCorners, s.Corners)
		pitch := dist(hom.point(card.PatchCentre(14)), hom.point(card.PatchCentre(15)))
		if pitch < 4 {
			t.Errorf("scene %d: pitch %.1f px near the centre, far below the 10 px minimum", n, pitch)
		}
		c := s.Corners
		if (c[1].X-c[0].X)*(c[3].Y-c[0].Y)-(c[1].Y-c[0].Y)*(c[3].X-c[0].X) < 0 {
			mirrored++
		}
		if s.Camera.CCT < minCCT || s.Camera.CCT > maxCCT || s.JPEGQuality < minJPEG || s.JPEGQuality > maxJPEG {
			t.Errorf("scene %d: CCT %v or JPEG quality %d out of range", n, s.Camera.CCT, s.JPEGQuality)
		}
	}
	if len(kinds) != 4 || mirrored == 0 {
		t.Errorf("300 scenes drew kinds %v and %d mirrored cards, want all four kinds and some mirrors", kinds, mirrored)
	}
}

func TestCleanScenesHaveNoDifficultiesAndNoClippedWhite(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for n := range 20 {
		s := RandomScene(rng, RandomOptions{Width: 400, Height: 300, Clean: true})
		if len(s.Occluders) > 0 || s.Glare != nil || s.Light.Shadow != nil || len(s.Decoys) > 0 {
			t.Fatalf("scene %d: clean scene has occluders, glare, shadow or decoys", n)
		}
		_, truth := Render(s)
		w := truth.Patches[18].RGB
		if math.Max(w.R, math.Max(w.G, w.B)) >= 1 {
			t.Errorf("scene %d: white patch clips: %+v", n, w)
		}
	}
}

func TestFlagsMarkOccludedShadowedAndGlaredPatches(t *testing.T) {
	s := frontal(KindClassic, 40, 60, 50)
	// A finger from above reaching into patch 1; tape across the corner by
	// patch 24; a shadow over the left column; glare on patch 10.
	p10 := card.PatchCentre(9)
	s.Occluders = []Occluder{
		{Kind: OccluderFinger, From: card.Point{X: 1.5, Y: -6}, To: card.Point{X: 1.5, Y: 1.5}, Width: 1.2},
		{Kind: OccluderTape, From: card.Point{X: 14, Y: 12.5}, To: card.Point{X: 17.5, Y: 9}, Width: 1.2},
	}
	s.Light.Shadow = &Shadow{Through: card.Point{X: 2.9, Y: 0}, Angle: -math.Pi / 2, Level: 0.4}
	s.Glare = &Glare{Centre: p10, Radius: 0.5, Strength: 1}
	img, truth := Render(s)
	for i, p := range truth.Patches {
		wantOcc := i == 0 || i == 23
		wantShadow := i%card.Cols == 0
		wantGlare := i == 9
		if p.Occluded != wantOcc || p.Shadowed != wantShadow || p.Glared != wantGlare {
			t.Errorf("patch %d: occluded %v shadowed %v glared %v, want %v %v %v", i+1, p.Occluded, p.Shadowed, p.Glared, wantOcc, wantShadow, wantGlare)
		}
	}
	if math.Abs(truth.Patches[6].Light-0.4) > 1e-6 {
		t.Errorf("light in the shadow = %v, want the shadow level 0.4", truth.Patches[6].Light)
	}
	got := at8(img, truth.PatchCentres[9])
	want := truth.Patches[9].RGB
	if got[1] <= want.G*255+20 {
		t.Errorf("glared patch 10 reads %v, want well above its expected %v", got, want)
	}
}

func TestDrawCardMatchesRenderOnAPlainBackground(t *testing.T) {
	s := frontal(KindClassic, 30, 200, 150)
	s.Corners[2].X += 25 // some perspective
	s.Occluders = []Occluder{{Kind: OccluderLeaf, From: card.Point{X: 8, Y: 5}, To: card.Point{X: 13, Y: 8}, Width: 2}}
	want, wantTruth := Render(s)
	bg := s.Camera.Encode(s.Camera.Linear(s.Background.Colour, 1))
	dst := image.NewNRGBA(image.Rect(0, 0, s.Width, s.Height))
	for i := 0; i < len(dst.Pix); i += 4 {
		dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = to8(bg[0]), to8(bg[1]), to8(bg[2]), 255
	}
	truth := DrawCard(dst, s)
	if truth.PatchCentres != wantTruth.PatchCentres || truth.Patches != wantTruth.Patches {
		t.Error("DrawCard's truth differs from Render's")
	}
	var worst float64
	for i := range dst.Pix {
		worst = math.Max(worst, math.Abs(float64(dst.Pix[i])-float64(want.Pix[i])))
	}
	if worst > 2 {
		t.Errorf("DrawCard differs from Render by up to %v levels", worst)
	}
}

func TestEncodeWritesPNGAndJPEG(t *testing.T) {
	img, _ := Render(frontal(KindClassic, 10, 10, 10))
	for _, tc := range []struct {
		format string
		magic  []byte
	}{{"png", []byte("\x89PNG")}, {"jpeg", []byte{0xFF, 0xD8}}, {"JPG", []byte{0xFF, 0xD8}}} {
		b, err := Encode(img, tc.format, 85)
		if err != nil || !bytes.HasPrefix(b, tc.magic) {
			t.Errorf("Encode(%q) = %d bytes starting %x, %v", tc.format, len(b), b[:min(4, len(b))], err)
		}
	}
	if _, err := Encode(img, "gif", 0); err == nil {
		t.Error("Encode accepted gif")
	}
}

// TestWriteSamples renders a few random scenes to $SYNTH_SAMPLES (if set)
// for a person to look at.
func TestWriteSamples(t *testing.T) {
	dir := os.Getenv("SYNTH_SAMPLES")
	if dir == "" {
		t.Skip("set SYNTH_SAMPLES to a directory to write sample renders")
	}
	rng := rand.New(rand.NewSource(11))
	kinds := []Kind{KindClassic, KindClassic, KindSpyderCheckr24, KindPassportCreative, KindRandomTiles}
	for i, k := range kinds {
		s := RandomScene(rng, RandomOptions{Width: 1200, Height: 900, Kinds: []Kind{k}})
		img, _ := Render(s)
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, k.String()+"-"+string(rune('a'+i))+".png"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	s := RandomScene(rand.New(rand.NewSource(1)), RandomOptions{Width: 2000, Height: 1500})
	b.ResetTimer()
	for b.Loop() {
		Render(s)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/3, "ms/MP")
}
