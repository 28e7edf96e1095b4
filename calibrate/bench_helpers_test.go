package calibrate_test

import "github.com/smpmatch/smpmatch/calibrate/colour"

func synthLab(l, a, b float64) colour.LabD50 { return colour.LabD50{L: l, A: a, B: b} }
