package photo_test

import (
	"bytes"
	"errors"
	"image"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/match/scene"
	"gocv.io/x/gocv"
)

var (
	scalpOnce           sync.Once
	scalpImg, fuzzScalp *image.NRGBA
)

// scalpPhoto renders, once, a small scalp photo with a ColorChecker held in
// the frame (match/scene).
func scalpPhoto() *image.NRGBA {
	scalpOnce.Do(func() {
		scalpImg, _, _ = scene.RenderWithCard(scene.Scene{W: 480, H: 360, Skin: colour.LabD50{L: 62, A: 11, B: 17},
			Hair: colour.LabD50{L: 22, A: 2, B: 4}, Noise: 0.01, Seed: 7}, scene.CardPlacement{})
		// match/measure's FuzzMeasureDamagedJPEG photo.
		fuzzScalp, _, _ = scene.RenderWithCard(scene.Scene{W: 480, H: 360, Skin: colour.LabD50{L: 60, A: 12, B: 18},
			Hair: colour.LabD50{L: 22, A: 2, B: 4}, Noise: 0.01, Seed: 11}, scene.CardPlacement{})
	})
	return scalpImg
}

// scalpJPEG encodes the rendered photo with OpenCV (libjpeg): progressive
// and a restart interval on request.
func scalpJPEG(t *testing.T, progressive bool, restart int) []byte {
	t.Helper()
	return encodeLibjpeg(t, scalpPhoto(), progressive, restart)
}

func encodeLibjpeg(t *testing.T, img *image.NRGBA, progressive bool, restart int) []byte {
	t.Helper()
	params := []int{gocv.IMWriteJpegQuality, 92}
	if progressive {
		params = append(params, gocv.IMWriteJpegProgressive, 1)
	}
	if restart > 0 {
		params = append(params, gocv.IMWriteJpegRstInterval, restart)
	}
	m, err := gocv.ImageToMatRGB(img)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, m, params)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...)
}

// scanData returns the start and end offsets of the first scan's
// entropy-coded data (after the SOS header, up to the next marker that is
// not a restart marker).
func scanData(t *testing.T, b []byte) (int, int) {
	t.Helper()
	s := sos(t, b)
	start := s + 2 + (int(b[s+2])<<8 | int(b[s+3]))
	for i := start; i+1 < len(b); i++ {
		if b[i] == 0xFF && b[i+1] != 0 && (b[i+1] < 0xD0 || b[i+1] > 0xD7) {
			return start, i
		}
	}
	t.Fatal("scan data does not end")
	return 0, 0
}

var eoi = []byte{0xFF, 0xD9}

// Damaged JPEGs decode in libjpeg with only a warning, the rest of the
// photo grey or garbage; Load refuses them as damaged, while unusual but
// intact JPEGs still load.
func TestDamagedJPEGsAreRefused(t *testing.T) {
	base := scalpJPEG(t, false, 0)
	rst := scalpJPEG(t, false, 4)
	prog := scalpJPEG(t, true, 0)
	if !bytes.Contains(rst, []byte{0xFF, 0xD0}) {
		t.Fatal("OpenCV wrote no restart markers")
	}
	cases := []struct {
		name string
		data func() []byte
		// damaged: want the damaged refusal; otherwise it must load.
		damaged bool
	}{
		{"intact baseline", func() []byte { return base }, false},
		{"intact with restart markers", func() []byte { return rst }, false},
		{"intact progressive", func() []byte { return prog }, false},
		{"intact with a trailer after EOI", func() []byte {
			return append(append([]byte(nil), base...), bytes.Repeat([]byte{0x5A}, 3000)...)
		}, false},
		{"scan cut at half, EOI added back", func() []byte {
			s, e := scanData(t, base)
			return append(append([]byte(nil), base[:s+(e-s)/2]...), eoi...)
		}, true},
		{"second half of the scan zeroed", func() []byte {
			s, e := scanData(t, base)
			b := append([]byte(nil), base...)
			for i := s + (e-s)/2; i < e; i++ {
				b[i] = 0
			}
			return b
		}, true},
		{"a stretch of 64 bytes zeroed in the middle of the scan", func() []byte {
			s, e := scanData(t, base)
			b := append([]byte(nil), base...)
			m := s + (e-s)/2
			for i := m; i < m+64; i++ {
				b[i] = 0
			}
			return b
		}, true},
		{"restart-marked scan cut at a third, EOI added back", func() []byte {
			s, e := scanData(t, rst)
			return append(append([]byte(nil), rst[:s+(e-s)/3]...), eoi...)
		}, true},
		{"a DC difference changed: the photo below a block 21 levels darker (found by FuzzMeasureDamagedJPEG; libjpeg sees nothing)", func() []byte {
			scalpPhoto()
			b := encodeLibjpeg(t, fuzzScalp, false, 0)
			s, e := scanData(t, b)
			b[s+11910%(e-s)] ^= 0x07
			b[s+14] ^= 0x5d
			return b
		}, true},
		{"progressive cut after its first scan, EOI added back", func() []byte {
			_, e := scanData(t, prog)
			return append(append([]byte(nil), prog[:e]...), eoi...)
		}, true},
	}
	dir := t.TempDir()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data()
			if tc.damaged {
				// The bug: OpenCV decodes it to a full-size photo.
				m, err := gocv.IMDecode(data, gocv.IMReadColor)
				if err != nil || m.Empty() {
					t.Fatalf("OpenCV refuses this input itself (%v): not the damage this test is about", err)
				}
				m.Close()
			}
			p := filepath.Join(dir, string(rune('a'+i))+".jpg")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			m, _, err := photo.Load(p, photo.Options{})
			if !tc.damaged {
				if err != nil {
					t.Fatalf("an intact photo is refused: %v", err)
				}
				m.Close()
				return
			}
			if err == nil {
				m.Close()
				t.Fatal("a damaged JPEG loaded as if it were fine")
			}
			if !errors.Is(err, photo.ErrDamaged) || !strings.Contains(err.Error(), "the photo is damaged (") || !strings.Contains(err.Error(), p) {
				t.Errorf("error %q: want %q naming the file", err, "the photo is damaged (…)")
			}
			t.Logf("%v", err)
		})
	}
}

// Load turns a JPEG by its EXIF orientation exactly as OpenCV's own decoder
// does, for all eight orientations (Load decodes unturned to check the
// block grid, then turns).
func TestUnusualEXIFOrientationsMatchOpenCV(t *testing.T) {
	q := encodeJPEG(t, quadrants(64, 48))
	for o := uint16(1); o <= 8; o++ {
		data := withEXIFOrientation(q, o)
		want, err := gocv.IMDecode(data, gocv.IMReadColor)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := photo.Decode(data, photo.Options{})
		if err != nil {
			want.Close()
			t.Fatalf("orientation %d: %v", o, err)
		}
		diff := gocv.NewMat()
		if got.Cols() != want.Cols() || got.Rows() != want.Rows() {
			t.Errorf("orientation %d: %dx%d, OpenCV %dx%d", o, got.Cols(), got.Rows(), want.Cols(), want.Rows())
		} else {
			gocv.AbsDiff(got, want, &diff)
			flat := diff.Reshape(1, 0)
			n := gocv.CountNonZero(flat)
			flat.Close()
			if n != 0 {
				t.Errorf("orientation %d: %d values differ from OpenCV's", o, n)
			}
		}
		diff.Close()
		got.Close()
		want.Close()
	}
}
