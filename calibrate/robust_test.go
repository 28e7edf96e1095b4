package calibrate_test

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate"
	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/ccm"
	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"gocv.io/x/gocv"
)

// Robustness of calibration to what goes wrong when a card is
// photographed: exposure, glare, shadow, the wrong chart, two charts, no
// chart, a photo too small to hold one. Scenes are built by hand so that
// each case shows one difficulty; a case passes when smpmatch either fits
// a correction that is right or refuses with a reason, never when it fits
// a wrong one quietly.

const sceneW, sceneH = 1280, 960

// placed returns the corners of a chart whose top-left model corner is at
// (x, y), scale pixels per chart unit, turned by deg degrees.
func placed(x, y, scale, deg float64) card.Corners {
	s, c := math.Sincos(deg * math.Pi / 180)
	var out card.Corners
	for k, p := range card.ChartCorners {
		out[k] = card.Point{X: x + scale*(c*p.X-s*p.Y), Y: y + scale*(s*p.X+c*p.Y)}
	}
	return out
}

// baseScene is a well-lit Classic filling about half of a 1280×960 frame
// (patch pitch 50 px), under daylight, on a neutral background: a phone
// JPEG with mild noise, blur and light fall-off.
func baseScene() synth.Scene {
	return synth.Scene{
		Width: sceneW, Height: sceneH,
		Corners: placed(300, 230, 18, 4),
		Kind:    synth.KindClassic,
		Border:  1,
		Camera:  synth.Camera{CCT: 5500, WhiteBalance: 0.9, Exposure: 0.85, Curve: synth.CurveSRGB},
		Light:   synth.Lighting{Level: 1, Gradient: 0.1, GradientAngle: 0.5, Vignette: 0.1},
		Background: synth.Background{Kind: synth.BackgroundGradient,
			Colour: colour.LabD50{L: 62, A: 2, B: 8}, Colour2: colour.LabD50{L: 48, A: 1, B: 4}, Angle: 1},
		BlurSigma: 0.6, NoiseSigma: 0.004, JPEGQuality: 90, Seed: 1,
	}
}

// scene is baseScene changed by f.
func scene(f func(s *synth.Scene)) synth.Scene {
	s := baseScene()
	f(&s)
	return s
}

// outcome is what calibration made of one photo.
type outcome struct {
	truth   synth.Truth
	reading calibrate.Reading
	readErr error
	session *calibrate.Session
	fitErr  error
}

// calibrateImage runs detection, sampling and the fit on a photo.
func calibrateImage(t *testing.T, img image.Image) outcome {
	t.Helper()
	m, err := gocv.ImageToMatRGB(img)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var o outcome
	o.reading, o.readErr = calibrate.Read("scene.jpg", m, calibrate.ReadOptions{})
	if o.readErr == nil {
		o.session, o.fitErr = calibrate.Fit([]calibrate.Reading{o.reading})
	}
	return o
}

// cornerError is the largest distance in pixels from the detected corners
// to corners (synth's pixel convention, centre of pixel (0,0) at (0.5,0.5)).
func (o outcome) cornerError(corners card.Corners) float64 {
	worst := 0.0
	for k, c := range corners {
		d := o.reading.Detection.Corners[k]
		worst = math.Max(worst, math.Hypot(d.X-(c.X-0.5), d.Y-(c.Y-0.5)))
	}
	return worst
}

// flagged lists the 1-based patches read with flag.
func (o outcome) flagged(flag string) []int {
	var out []int
	for i, s := range o.reading.Samples {
		for _, f := range s.Flags {
			if f == flag {
				out = append(out, i+1)
			}
		}
	}
	return out
}

// result is the fitted photo's result (the test fails without one).
func (o outcome) result(t *testing.T) calibrate.PhotoResult {
	t.Helper()
	if o.readErr != nil || o.fitErr != nil {
		t.Fatalf("no calibration: read: %v, fit: %v", o.readErr, o.fitErr)
	}
	return o.session.Results[0]
}

func (o outcome) String() string {
	s := fmt.Sprintf("read: %v", o.readErr)
	if o.readErr == nil {
		s += fmt.Sprintf(", detect score %.2f, fit: %v", o.reading.Detection.Score, o.fitErr)
	}
	if o.session != nil {
		f := o.session.Results[0].Fit
		s += fmt.Sprintf(", %d patches used, LOO mean %.2f max %.2f ΔE00", f.UsedPatches, f.LooMeanDE00, f.LooMaxDE00)
	}
	if o.readErr == nil {
		var fl []string
		for i := range o.reading.Samples {
			var flags []string
			if o.session != nil {
				flags = o.session.Results[0].Patches[i].Flags
			} else {
				flags = o.reading.Samples[i].Flags
			}
			if len(flags) > 0 {
				fl = append(fl, fmt.Sprintf("%d:%s", i+1, strings.Join(flags, "+")))
			}
		}
		s += fmt.Sprintf(", flags %v", fl)
	}
	return s
}

// truthMax is the largest noise-free encoded channel of patch i (1-based).
func (o outcome) truthMax(i int) float64 {
	c := o.truth.Patches[i-1].RGB
	return math.Max(c.R, math.Max(c.G, c.B))
}

// truthMin is the smallest.
func (o outcome) truthMin(i int) float64 {
	c := o.truth.Patches[i-1].RGB
	return math.Min(c.R, math.Min(c.G, c.B))
}

// wantFit checks a calibration that must succeed: the card where it is,
// and a cross-validated error good enough to match shades with.
func wantFit(maxCornerPx, maxLOO float64, minUsed int) func(*testing.T, outcome) {
	return func(t *testing.T, o outcome) {
		t.Helper()
		r := o.result(t)
		if e := o.cornerError(o.truth.Corners); e > maxCornerPx {
			t.Errorf("a corner is %.1f px from the truth, want ≤ %.1f", e, maxCornerPx)
		}
		if r.Fit.LooMeanDE00 > maxLOO {
			t.Errorf("cross-validated mean ΔE00 %.2f, want ≤ %.2f", r.Fit.LooMeanDE00, maxLOO)
		}
		if r.Fit.UsedPatches < minUsed {
			t.Errorf("%d patches used, want ≥ %d", r.Fit.UsedPatches, minUsed)
		}
	}
}

// wantTooFew checks a card that is found where it is but refused because
// too few of its patches can be trusted.
func wantTooFew(maxCornerPx float64) func(*testing.T, outcome) {
	return func(t *testing.T, o outcome) {
		t.Helper()
		if o.readErr != nil {
			t.Fatalf("card not read: %v", o.readErr)
		}
		if e := o.cornerError(o.truth.Corners); e > maxCornerPx {
			t.Errorf("a corner is %.1f px from the truth, want ≤ %.1f", e, maxCornerPx)
		}
		if !errors.Is(o.fitErr, calibrate.ErrTooFewPatches) {
			t.Fatalf("fit error %v, want %v", o.fitErr, calibrate.ErrTooFewPatches)
		}
		for _, w := range []string{"patches are usable (flagged: ", "need 12", "re-take the card photo"} {
			if !strings.Contains(o.fitErr.Error(), w) {
				t.Errorf("error %q does not say %q", o.fitErr, w)
			}
		}
	}
}

// wantRejected checks that a chart other than the Classic is refused as
// such, not as "no card".
func wantRejected(t *testing.T, o outcome) {
	t.Helper()
	var rej *card.RejectedError
	if !errors.As(o.readErr, &rej) {
		t.Fatalf("error %v, want a *card.RejectedError", o.readErr)
	}
	if !strings.Contains(o.readErr.Error(), "card found but rejected") || !strings.Contains(o.readErr.Error(), "do not match a ColorChecker Classic") {
		t.Errorf("message %q does not say the card was found and rejected", o.readErr)
	}
}

// wantNoCard checks a photo without a card: ErrNoCard or, for a grid of
// tiles, a rejection.
func wantNoCard(t *testing.T, o outcome) {
	t.Helper()
	var rej *card.RejectedError
	if !errors.Is(o.readErr, card.ErrNoCard) && !errors.As(o.readErr, &rej) {
		t.Fatalf("error %v, want %v or a rejection", o.readErr, card.ErrNoCard)
	}
}

func TestRobustCalibrationOfDifficultCards(t *testing.T) {
	if testing.Short() {
		t.Skip("renders photos")
	}
	cases := []struct {
		name  string
		scene synth.Scene
		check func(*testing.T, outcome)
	}{
		{"a well-lit card is found within a pixel and nearly every patch is used", baseScene(), wantFit(1, 1.5, 20)},
		{"an over-exposed card leaves exactly its clipped patches out and still fits",
			scene(func(s *synth.Scene) { s.Camera.Exposure = 1.6 }),
			func(t *testing.T, o outcome) {
				wantFit(1, 1.5, 12)(t, o)
				clipped := o.flagged(card.FlagClipped)
				for i := 1; i <= card.NumPatches; i++ {
					isFlagged := contains(clipped, i)
					switch {
					case o.truthMax(i) >= 0.999 && !isFlagged:
						t.Errorf("patch %d is clipped (truth %.3f) but not flagged", i, o.truthMax(i))
					case o.truthMax(i) < 0.93 && isFlagged:
						t.Errorf("patch %d is flagged clipped but peaks at %.3f", i, o.truthMax(i))
					}
				}
				if len(clipped) < 3 {
					t.Errorf("only %v flagged clipped: the exposure should clip the light patches", clipped)
				}
			}},
		{"a badly over-exposed card is refused with too few unclipped patches",
			scene(func(s *synth.Scene) { s.Camera.Exposure = 2.5 }),
			func(t *testing.T, o outcome) {
				wantTooFew(1.5)(t, o)
				if n := len(o.flagged(card.FlagClipped)); n < 8 {
					t.Errorf("%d patches flagged clipped, want ≥ 8", n)
				}
			}},
		{"an under-exposed card leaves out its patches at black and fits the rest",
			scene(func(s *synth.Scene) { s.Camera.Exposure = 0.05 }),
			func(t *testing.T, o outcome) {
				wantFit(1.5, 2, 12)(t, o)
				for _, i := range o.flagged(card.FlagClipped) {
					if o.truthMin(i) > 0.1 {
						t.Errorf("patch %d is flagged clipped but its darkest channel is %.3f", i, o.truthMin(i))
					}
				}
				if !contains(o.flagged(card.FlagClipped), 24) {
					t.Error("the black patch (24) at exposure 0.05 is not flagged clipped")
				}
			}},
		{"glare on a third of the card is flagged, left out, and the rest fits",
			scene(func(s *synth.Scene) { s.Glare = &synth.Glare{Centre: card.Point{X: 12, Y: 5}, Radius: 2, Strength: 1} }),
			func(t *testing.T, o outcome) {
				wantFit(1.5, 2.5, 12)(t, o)
				r := o.result(t)
				for _, i := range []int{11, 12, 16, 17} { // nearest the highlight
					if r.Patches[i-1].Used {
						t.Errorf("patch %d under the highlight is used (flags %v)", i, r.Patches[i-1].Flags)
					}
				}
			}},
		{"glare over half the card is refused, with the card still located",
			scene(func(s *synth.Scene) {
				s.Glare = &synth.Glare{Centre: card.Point{X: 12, Y: 5}, Radius: 3, Strength: 0.6}
			}),
			wantTooFew(5)},
		{"a shadow across a third of the card is flagged, left out, and the lit rest fits",
			scene(func(s *synth.Scene) {
				s.Light.Shadow = &synth.Shadow{Through: card.Point{X: 11.2, Y: 5.6}, Angle: math.Pi / 2, Level: 0.35, Penumbra: 0.2}
			}),
			func(t *testing.T, o outcome) {
				wantFit(1, 1.5, 12)(t, o)
				r := o.result(t)
				for i, p := range r.Patches {
					if o.truth.Patches[i].Shadowed && p.Used {
						t.Errorf("patch %d is in the shadow but used (flags %v)", i+1, p.Flags)
					}
				}
			}},
		{"a card half in shadow is refused, saying how many patches are shadowed",
			scene(func(s *synth.Scene) {
				s.Light.Shadow = &synth.Shadow{Through: card.Point{X: 8.4, Y: 5.6}, Angle: math.Pi / 2, Level: 0.35, Penumbra: 0.2}
			}),
			func(t *testing.T, o outcome) {
				wantTooFew(1)(t, o)
				if !strings.Contains(o.fitErr.Error(), "shadowed") {
					t.Errorf("error %q does not mention the shadow", o.fitErr)
				}
			}},
		{"a SpyderCheckr 24 is found and rejected, not read as a Classic",
			scene(func(s *synth.Scene) { s.Kind = synth.KindSpyderCheckr24 }), wantRejected},
		{"the Classic's grid printed with other colours is rejected",
			scene(func(s *synth.Scene) { s.Kind = synth.KindRandomTiles }), wantRejected},
		{"of two Classic cards the better-fitting one is read, and read right",
			scene(func(s *synth.Scene) {
				s.Corners = placed(80, 150, 14, 3)
				s.Decoys = []synth.Decoy{{Kind: synth.KindClassic, Corners: placed(760, 420, 11, -6), Border: 1}}
			}),
			func(t *testing.T, o outcome) {
				r := o.result(t)
				main, other := o.cornerError(o.truth.Corners), o.cornerError(o.truth.Decoys[0].Corners)
				if math.Min(main, other) > 1.5 {
					t.Errorf("corners are %.1f px from one card and %.1f from the other", main, other)
				}
				if r.Fit.LooMeanDE00 > 1.5 {
					t.Errorf("LOO mean ΔE00 %.2f", r.Fit.LooMeanDE00)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			img, truth := synth.Render(tc.scene)
			o := calibrateImage(t, img)
			o.truth = truth
			t.Log(o)
			tc.check(t, o)
		})
	}
}

// Photos with no card at all: each gets a clear answer, none a panic.
func TestRobustPhotosWithoutACard(t *testing.T) {
	for _, tc := range []struct {
		name string
		img  image.Image
	}{
		{"a plain grey wall has no card", greyWall(640, 480)},
		{"a grid of grey tiles on black is not a card", greyTiles(640, 480)},
		{"a 1×1 photo has no card", greyWall(1, 1)},
		{"an 8×8 photo has no card", greyTiles(8, 8)},
		{"a 40×30 photo has no card", greyTiles(40, 30)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := calibrateImage(t, tc.img)
			t.Log(o)
			wantNoCard(t, o)
		})
	}
}

// greyWall is a mid-grey surface with sensor noise.
func greyWall(w, h int) *image.NRGBA {
	rng := rand.New(rand.NewSource(3))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := uint8(128 + rng.Intn(7) - 3)
			img.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
		}
	}
	return img
}

// greyTiles is a 6 × 4 grid of grey squares from near white to near black
// on a black board: a Classic's layout with none of its colours.
func greyTiles(w, h int) *image.NRGBA {
	img := greyWall(w, h)
	pitch := math.Min(float64(w)/8, float64(h)/6)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{20, 20, 20, 255})
			cx, cy := (float64(x)-pitch)/pitch, (float64(y)-pitch)/pitch
			col, row := int(math.Floor(cx)), int(math.Floor(cy))
			if col < 0 || col >= 6 || row < 0 || row >= 4 || cx-float64(col) > 0.9 || cy-float64(row) > 0.9 {
				continue
			}
			v := uint8(235 - (row*6+col)*9)
			img.SetNRGBA(x, y, color.NRGBA{v, v, v, 255})
		}
	}
	return img
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// A phone stores a portrait photo as landscape pixels and an EXIF
// orientation; everything smpmatch reports must be in the photo as
// displayed.
func TestRobustCardInEXIFRotatedPhotoIsReportedAsDisplayed(t *testing.T) {
	s := baseScene()
	s.JPEGQuality = 0 // encoded once, below
	img, truth := synth.Render(s)
	jpg, err := synth.Encode(img, "jpeg", 92)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "portrait.jpg")
	if err := os.WriteFile(path, withOrientation(jpg, 6), 0o644); err != nil {
		t.Fatal(err)
	}
	m, info, err := photo.Load(path, photo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if info.Width != sceneH || info.Height != sceneW {
		t.Fatalf("loaded %dx%d, want the displayed %dx%d", info.Width, info.Height, sceneH, sceneW)
	}
	r, err := calibrate.Read(path, m, calibrate.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Orientation 6 turns the stored image a quarter turn clockwise: stored
	// (x, y) is displayed at (H − y, x), in synth's pixel-centre convention.
	for k, c := range truth.Corners {
		want := card.Point{X: float64(sceneH) - c.Y - 0.5, Y: c.X - 0.5}
		got := r.Detection.Corners[k]
		if d := math.Hypot(got.X-want.X, got.Y-want.Y); d > 1.5 {
			t.Errorf("corner %d at (%.1f, %.1f), want (%.1f, %.1f) as displayed", k, got.X, got.Y, want.X, want.Y)
		}
	}
	if r.Detection.Mirrored {
		t.Error("a rotated card is reported mirrored")
	}
}

// withOrientation inserts an APP1 EXIF segment holding only the Orientation
// tag right after the JPEG's start-of-image marker.
func withOrientation(jpg []byte, orientation uint16) []byte {
	tiff := []byte{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, byte(orientation), byte(orientation >> 8), 0, 0, 0, 0, 0, 0}
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	out := append(append([]byte(nil), jpg[:2]...), seg...)
	return append(out, jpg[2:]...)
}

// A phone's contrast S-curve on top of sRGB: a colour matrix cannot undo
// it, the card's greys measure it. The fit must choose to undo a tone
// curve and do clearly better than without one, and the greys (what
// hair and skin mixtures are read along) must come out right.
func TestRobustPhoneToneCurveIsMeasuredOnTheGreys(t *testing.T) {
	s := scene(func(s *synth.Scene) { s.Camera.Curve = synth.CurvePhone })
	img, _ := synth.Render(s)
	m, err := gocv.ImageToMatRGB(img)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	r, err := calibrate.Read("phone.png", m, calibrate.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := calibrate.Fit([]calibrate.Reading{r})
	if err != nil {
		t.Fatal(err)
	}
	res := sess.Results[0]
	var without, with float64 = math.Inf(1), math.Inf(1)
	for _, c := range res.Candidates {
		if c.ToneCurve {
			with = math.Min(with, c.LooMeanDE00)
		} else {
			without = math.Min(without, c.LooMeanDE00)
		}
	}
	t.Logf("LOO mean ΔE00: best without a tone curve %.2f, with %.2f; chosen %s tone %v", without, with, res.Model, res.ToneCurve != nil)
	if res.ToneCurve == nil || sess.Profile.Tone == nil {
		t.Fatal("no tone curve chosen for a phone's S-curve")
	}
	// Lab8 tabulates the per-channel curves: the same colour as Lab, for
	// this profile's tone curve and for a linear photo's.
	lin := *sess.Profile
	lin.Encoding, lin.Tone = ccm.EncodingLinear, nil
	for _, p := range []*calibrate.Profile{sess.Profile, &lin} {
		lab8 := p.Lab8()
		for k := 0; k < 3000; k++ {
			r, g, b := uint8(k*37), uint8(k*101/3), uint8(k*7+k/256)
			want := p.Lab(ccm.CameraRGB{R: float64(r) / 255, G: float64(g) / 255, B: float64(b) / 255})
			if got := lab8(r, g, b); got != want {
				t.Fatalf("%s, tone %v: Lab8(%d, %d, %d) = %v, Lab %v", p.Encoding, p.Tone != nil, r, g, b, got, want)
			}
		}
	}
	if !(with < 0.7*without) {
		t.Errorf("a tone curve lowers the LOO error only from %.2f to %.2f", without, with)
	}
	for _, p := range res.Patches[18:] {
		if math.Abs(p.Lab.L-p.RefLab.L) > 1.5 {
			t.Errorf("%s: L* %.1f, reference %.1f", p.Name, p.Lab.L, p.RefLab.L)
		}
	}
}

// A card in the photo being measured cannot be re-taken once the client
// has left: FitWith lets it rest on as few as MinPatchesInFrame usable
// patches, where a session profile (Fit) needs MinSessionPatches. The
// over-exposed, half-glared and half-shadowed cards that Fit refuses above
// are fitted, with the error their own leave-one-out gives; a card left
// with fewer than 8 is still refused, and says it needs 8.
func TestFitWithTakesAnInFrameCardASessionRefuses(t *testing.T) {
	if testing.Short() {
		t.Skip("renders photos")
	}
	for _, tc := range []struct {
		name   string
		scene  synth.Scene
		fits   bool
		maxLOO float64
	}{
		{"a badly over-exposed card", scene(func(s *synth.Scene) { s.Camera.Exposure = 2.5 }), true, 1.5},
		{"glare over half the card", scene(func(s *synth.Scene) {
			s.Glare = &synth.Glare{Centre: card.Point{X: 12, Y: 5}, Radius: 3, Strength: 0.6}
		}), true, 2.5},
		{"a card half in shadow", scene(func(s *synth.Scene) {
			s.Light.Shadow = &synth.Shadow{Through: card.Point{X: 8.4, Y: 5.6}, Angle: math.Pi / 2, Level: 0.35, Penumbra: 0.2}
		}), true, 1.5},
		{"a card so over-exposed that under 8 patches remain", scene(func(s *synth.Scene) { s.Camera.Exposure = 6 }), false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, _ := synth.Render(tc.scene)
			o := calibrateImage(t, img)
			if o.readErr != nil {
				t.Fatalf("card not read: %v", o.readErr)
			}
			if !errors.Is(o.fitErr, calibrate.ErrTooFewPatches) {
				t.Fatalf("Fit: %v, want %v (a session profile needs %d patches)", o.fitErr, calibrate.ErrTooFewPatches, calibrate.MinSessionPatches)
			}
			sess, err := calibrate.FitWith([]calibrate.Reading{o.reading}, calibrate.FitOptions{MinUsedPatches: calibrate.MinPatchesInFrame})
			if !tc.fits {
				if !errors.Is(err, calibrate.ErrTooFewPatches) || !strings.Contains(err.Error(), fmt.Sprintf("need %d", calibrate.MinPatchesInFrame)) {
					t.Fatalf("FitWith: %v, want %v saying it needs %d", err, calibrate.ErrTooFewPatches, calibrate.MinPatchesInFrame)
				}
				return
			}
			if err != nil {
				t.Fatalf("FitWith: %v", err)
			}
			f := sess.Results[0].Fit
			t.Logf("%d patches used, LOO mean %.2f max %.2f ΔE00", f.UsedPatches, f.LooMeanDE00, f.LooMaxDE00)
			if f.UsedPatches < calibrate.MinPatchesInFrame || f.UsedPatches >= calibrate.MinSessionPatches {
				t.Errorf("%d patches used, want %d–%d", f.UsedPatches, calibrate.MinPatchesInFrame, calibrate.MinSessionPatches-1)
			}
			if f.LooMeanDE00 > tc.maxLOO {
				t.Errorf("cross-validated mean ΔE00 %.2f, want ≤ %.2f", f.LooMeanDE00, tc.maxLOO)
			}
		})
	}
}
