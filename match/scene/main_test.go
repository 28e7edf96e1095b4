package scene_test

import (
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/matcheck"
)

// TestMain fails the run if a gocv.Mat (the lens blur's) is left open.
func TestMain(m *testing.M) { matcheck.Main(m) }
