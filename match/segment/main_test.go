package segment_test

import (
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/matcheck"
)

func TestMain(m *testing.M) { matcheck.Main(m) }
