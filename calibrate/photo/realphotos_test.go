package photo_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/smpmatch/smpmatch/calibrate/photo"
)

// The damage checks never refuse a real photo: every JPEG of the shared
// data (real intake photos, real card photos, the independent renderer's
// scalps) loads. Skipped when ../shared/data is absent.
func TestRobustRealPhotosAreNotDamaged(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no shared data at %s: %v", root, err)
	}
	n := 0
	for _, set := range []string{"realscalps", "realcards", "synthscalps"} {
		paths, _ := filepath.Glob(filepath.Join(root, set, "*"))
		for _, p := range paths {
			ext := strings.ToLower(filepath.Ext(p))
			if ext != ".jpg" && ext != ".jpeg" {
				continue
			}
			n++
			m, _, err := photo.Load(p, photo.Options{})
			if errors.Is(err, photo.ErrDamaged) {
				t.Errorf("a real photo is refused: %v", err)
			} else if err != nil {
				t.Logf("%v", err)
			} else {
				m.Close()
			}
		}
	}
	if n == 0 {
		t.Skipf("no JPEGs under %s", root)
	}
	// The independent renderer's scalps as a phone of lower resolution
	// (or a camera further away) would store them: reduced by area and
	// encoded again. At half size, quality 90, 0007's long strands lined
	// up along two grid lines and read as a damaged DC difference.
	synth, _ := filepath.Glob(filepath.Join(root, "synthscalps", "*.jpg"))
	dir := t.TempDir()
	for _, p := range synth {
		for _, sc := range []struct{ num, den, q int }{{1, 2, 90}, {1, 2, 80}, {2, 3, 90}} {
			q := filepath.Join(dir, fmt.Sprintf("%d-%d-q%d-%s", sc.num, sc.den, sc.q, filepath.Base(p)))
			if err := rescaleJPEG(p, q, sc.num, sc.den, sc.q); err != nil {
				t.Fatal(err)
			}
			n++
			m, _, err := photo.Load(q, photo.Options{})
			if err != nil {
				t.Errorf("%s at %d/%d, quality %d, is refused: %v", filepath.Base(p), sc.num, sc.den, sc.q, err)
				continue
			}
			m.Close()
		}
	}
	t.Logf("%d JPEGs checked", n)
}

// rescaleJPEG writes the JPEG src reduced to num/den of its size (by area,
// as a camera's own downscaling averages) to dst at JPEG quality q.
func rescaleJPEG(src, dst string, num, den, q int) error {
	img := gocv.IMRead(src, gocv.IMReadColor)
	defer img.Close()
	if img.Empty() {
		return fmt.Errorf("%s: cannot decode", src)
	}
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(img, &small, image.Pt(img.Cols()*num/den, img.Rows()*num/den), 0, 0, gocv.InterpolationArea)
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, small, []int{gocv.IMWriteJpegQuality, q})
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	defer buf.Close()
	return os.WriteFile(dst, buf.GetBytes(), 0o644)
}

// Decode reads JPEG pixels with libjpeg itself (the scan check and the
// decode in one pass): they must be OpenCV's own, byte for byte, EXIF
// orientation applied, on every JPEG of the shared data (phones, cameras,
// other authors' encoders) and on the renderer's scalps re-encoded
// progressive, with restart markers and at quality 100.
func TestDecodeIsOpenCVsOwnDecode(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "data")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no shared data at %s: %v", root, err)
	}
	var datas [][]byte
	var names []string
	for _, set := range []string{"realscalps", "realcards/images", "synthscalps"} {
		paths, _ := filepath.Glob(filepath.Join(root, set, "*"))
		for _, p := range paths {
			if ext := strings.ToLower(filepath.Ext(p)); ext != ".jpg" && ext != ".jpeg" {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			datas, names = append(datas, b), append(names, filepath.Base(p))
		}
	}
	synth, _ := filepath.Glob(filepath.Join(root, "synthscalps", "000[0-3].jpg"))
	for _, p := range synth {
		img := gocv.IMRead(p, gocv.IMReadColor)
		for _, params := range [][]int{
			{gocv.IMWriteJpegProgressive, 1},
			{gocv.IMWriteJpegRstInterval, 3},
			{gocv.IMWriteJpegQuality, 100},
		} {
			buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, params)
			if err != nil {
				t.Fatal(err)
			}
			datas, names = append(datas, append([]byte(nil), buf.GetBytes()...)), append(names, fmt.Sprintf("%s %v", filepath.Base(p), params))
			buf.Close()
		}
		img.Close()
	}
	for k, data := range datas {
		ours, _, err := photo.Decode(data, photo.Options{})
		if err != nil {
			t.Errorf("%s: %v", names[k], err)
			continue
		}
		cv, err := gocv.IMDecode(data, gocv.IMReadColor)
		if err != nil {
			ours.Close()
			t.Fatalf("%s: OpenCV: %v", names[k], err)
		}
		a, _ := ours.DataPtrUint8()
		b, _ := cv.DataPtrUint8()
		if ours.Rows() != cv.Rows() || ours.Cols() != cv.Cols() || !bytes.Equal(a, b) {
			t.Errorf("%s: decoded %dx%d differs from OpenCV's %dx%d", names[k], ours.Cols(), ours.Rows(), cv.Cols(), cv.Rows())
		}
		ours.Close()
		cv.Close()
	}
	t.Logf("%d JPEGs decoded as OpenCV does", len(datas))
}
