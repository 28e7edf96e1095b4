package region_test

import (
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/segment"
	"github.com/smpmatch/smpmatch/match/segment/region"
	"gocv.io/x/gocv"
)

// realscalpsDir is ../shared/data/realscalps beside the repository.
const realscalpsDir = "../../../../shared/data/realscalps"

// contactEnv names the folder the contact sheets go to; without it they go
// to a temporary folder that the test removes.
const contactEnv = "SMPMATCH_CONTACT_DIR"

// Thumbnail side and caption height of the contact sheet, pixels.
const (
	thumb    = 200
	caption  = 36
	perRow   = 4
	perSheet = 24
)

// sRGBLab converts a decoded BGR photo to L*a*b* D50, taking it as sRGB (as
// `measure --uncalibrated` does).
func sRGBLab(img gocv.Mat) ([]float32, error) {
	p, err := img.DataPtrUint8()
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(p))
	cache := make(map[uint32][3]float32, 1<<15)
	for i := 0; i+2 < len(p); i += 3 {
		b, g, r := p[i], p[i+1], p[i+2]
		k := uint32(r)<<16 | uint32(g)<<8 | uint32(b)
		v, ok := cache[k]
		if !ok {
			c := colour.SRGB{R: float64(r) / 255, G: float64(g) / 255, B: float64(b) / 255}.LabD50()
			v = [3]float32{float32(c.L), float32(c.A), float32(c.B)}
			cache[k] = v
		}
		copy(out[i:i+3], v[:])
	}
	return out, nil
}

type sheetTile struct {
	name string
	bgr  []byte // (3 thumbs wide) × (thumb + caption) BGR
}

// TestRealScalpsContactSheet runs region.Find and segment.Measure on every
// real intake photo, checks properties that hold for any head photo, and
// writes contact sheets (photo | head region | measured hair and scalp) for
// a person to look at.
func TestRealScalpsContactSheet(t *testing.T) {
	if testing.Short() {
		t.Skip("measures 178 photos")
	}
	paths, _ := filepath.Glob(filepath.Join(realscalpsDir, "*.jpg"))
	if len(paths) == 0 {
		t.Skipf("real intake photos not available: they live in %s beside the repo", realscalpsDir)
	}
	sort.Strings(paths)
	dir := os.Getenv(contactEnv)
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	tiles := make([]sheetTile, len(paths))
	var mu sync.Mutex
	var wg sync.WaitGroup
	jobs := make(chan int)
	var found, dark, light int
	for wkr := 0; wkr < 2; wkr++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				tile, res, ok := measureOne(t, paths[k])
				tiles[k] = tile
				if !ok {
					continue
				}
				mu.Lock()
				if res.Hair.Found {
					found++
					if res.Hair.Kind == "dark" {
						dark++
					} else {
						light++
					}
				}
				mu.Unlock()
			}
		}()
	}
	for k := range paths {
		jobs <- k
	}
	close(jobs)
	wg.Wait()
	t.Logf("%d photos: hair found on %d (%d darker than the skin, %d lighter)", len(paths), found, dark, light)

	for s := 0; s*perSheet < len(tiles); s++ {
		part := tiles[s*perSheet : min(len(tiles), (s+1)*perSheet)]
		rows := (len(part) + perRow - 1) / perRow
		tw, th := 3*thumb, thumb+caption
		sheet := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(40, 40, 40, 0), rows*th, perRow*tw, gocv.MatTypeCV8UC3)
		for k, tl := range part {
			if tl.bgr == nil {
				continue
			}
			m, err := gocv.NewMatFromBytes(th, tw, gocv.MatTypeCV8UC3, tl.bgr)
			if err != nil {
				t.Fatal(err)
			}
			roi := sheet.Region(image.Rect((k%perRow)*tw, (k/perRow)*th, (k%perRow+1)*tw, (k/perRow+1)*th))
			m.CopyTo(&roi)
			roi.Close()
			m.Close()
		}
		out := filepath.Join(dir, fmt.Sprintf("realscalps-%02d.png", s))
		if !gocv.IMWrite(out, sheet) {
			t.Errorf("writing %s failed", out)
		}
		sheet.Close()
	}
	t.Logf("contact sheets in %s (photo | head region: cyan skin, magenta hair, outside dimmed | measured: magenta hair, cyan scalp)", dir)
}

// measureOne measures one photo and draws its tile.
func measureOne(t *testing.T, path string) (sheetTile, segment.Result, bool) {
	name := filepath.Base(path)
	tile := sheetTile{name: name}
	img := gocv.IMRead(path, gocv.IMReadColor)
	defer img.Close()
	if img.Empty() {
		t.Errorf("%s: cannot decode", name)
		return tile, segment.Result{}, false
	}
	w, h := img.Cols(), img.Rows()
	lab, err := sRGBLab(img)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return tile, segment.Result{}, false
	}
	reg, err := region.Find(lab, w, h, region.Options{})
	if err != nil {
		t.Errorf("%s: region: %v", name, err)
		return tile, segment.Result{}, false
	}
	// Every one of these photos shows a head, and none is only a head: a
	// region that is empty, a speck, or the whole frame is wrong.
	if reg.Share < 0.08 || reg.Share > 0.995 {
		t.Errorf("%s: head region is %.0f%% of the frame: implausible for a photo of a head", name, 100*reg.Share)
	}
	res, err := measureFn(&segment.LabImage{W: w, H: h, Pix: lab}, segment.Options{})
	if err != nil {
		t.Errorf("%s: measure: %v", name, err)
		return tile, res, false
	}
	for _, c := range []struct {
		what  string
		found bool
		l     float64
	}{{"hair", res.Hair.Found, res.Hair.Lab.L}, {"scalp", res.Scalp.Found, res.Scalp.Lab.L}} {
		if c.found && (c.l < 0 || c.l > 100) {
			t.Errorf("%s: %s L* %.1f is outside 0–100", name, c.what, c.l)
		}
	}

	// The tile: photo | region picture | measurement overlay, with a
	// caption.
	pix, _ := img.DataPtrUint8()
	regPic := gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	defer regPic.Close()
	rp, _ := regPic.DataPtrUint8()
	for i := 0; i < w*h; i++ {
		b, g, r := float64(pix[3*i]), float64(pix[3*i+1]), float64(pix[3*i+2])
		switch {
		case reg.Hair.Pix[i] != 0:
			b, g, r = 0.5*b+0.5*200, 0.5*g, 0.5*r+0.5*255
		case reg.Skin.Pix[i] != 0:
			b, g, r = 0.5*b+0.5*255, 0.5*g+0.5*200, 0.5*r
		case reg.Mask.Pix[i] != 0:
			// filled hole: neither skin nor hair, left as it is
		default:
			b, g, r = 0.25*b, 0.25*g, 0.25*r
		}
		rp[3*i], rp[3*i+1], rp[3*i+2] = uint8(b), uint8(g), uint8(r)
	}
	nrgba := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		nrgba.Pix[4*i], nrgba.Pix[4*i+1], nrgba.Pix[4*i+2], nrgba.Pix[4*i+3] = pix[3*i+2], pix[3*i+1], pix[3*i], 255
	}
	ov, err := gocv.ImageToMatRGB(segment.Overlay(nrgba, res))
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return tile, res, false
	}
	defer ov.Close()

	tw, th := 3*thumb, thumb+caption
	tm := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(30, 30, 30, 0), th, tw, gocv.MatTypeCV8UC3)
	defer tm.Close()
	for k, src := range []gocv.Mat{img, regPic, ov} {
		roi := tm.Region(image.Rect(k*thumb, 0, (k+1)*thumb, thumb))
		gocv.Resize(src, &roi, image.Pt(thumb, thumb), 0, 0, gocv.InterpolationArea)
		roi.Close()
	}
	hair := "no hair"
	if res.Hair.Found {
		hair = fmt.Sprintf("hair L%.0f %s %.0f%%", res.Hair.Lab.L, res.Hair.Kind, 100*res.Hair.Fraction)
	}
	line1 := fmt.Sprintf("%s  region %.0f%%  conf %.2f", name, 100*reg.Share, res.Confidence)
	line2 := fmt.Sprintf("scalp L%.0f  %s  warn %d", res.Scalp.Lab.L, hair, len(res.Warnings))
	white := color.RGBA{R: 240, G: 240, B: 240}
	gocv.PutText(&tm, line1, image.Pt(4, thumb+15), gocv.FontHersheySimplex, 0.45, white, 1)
	gocv.PutText(&tm, line2, image.Pt(4, thumb+31), gocv.FontHersheySimplex, 0.45, white, 1)
	tile.bgr = append([]byte(nil), tm.ToBytes()...)
	return tile, res, true
}

// measureFn is segment.Measure; SMPMATCH_REGION_ONLY=1 skips it (for
// quick looks at the region alone).
var measureFn = func(img *segment.LabImage, o segment.Options) (segment.Result, error) {
	if os.Getenv("SMPMATCH_REGION_ONLY") != "" {
		return segment.Result{}, nil
	}
	return segment.Measure(img, o)
}
