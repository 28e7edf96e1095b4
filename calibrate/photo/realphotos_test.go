package photo_test

import (
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
