package photo_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

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
	t.Logf("%d JPEGs checked", n)
}
