package scene_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/calibrate/synth"
	"github.com/smpmatch/smpmatch/match/scene"
)

func TestDotFieldTruthMatchesItsLattice(t *testing.T) {
	f := scene.DotField{W: 400, H: 300, Skin: colour.LabD50{L: 62, A: 12, B: 16}, Dot: colour.LabD50{L: 32, A: 0, B: -3},
		PxPerMM: 10, DiameterMM: 0.8, SpacingMM: 1.5, Camera: synth.Camera{CCT: 6500, WhiteBalance: 1}, Seed: 2}
	img, tr := scene.RenderDots(f)
	b, _ := scene.RenderDots(f)
	if !bytes.Equal(img.Pix, b.Pix) {
		t.Errorf("two renders of one field differ")
	}
	// 40 × 30 mm at 1.5 mm hexagonal pitch: 1200 mm² × 51.3 dots/cm².
	want := 1200 * tr.DensityPerCM2 / 100
	if math.Abs(float64(tr.Inside)-want) > 0.1*want {
		t.Errorf("%d dots wholly inside, expected about %.0f", tr.Inside, want)
	}
	for _, d := range tr.Dots {
		if math.Abs(d.R-4) > 1e-9 {
			t.Fatalf("dot radius %.2f px, want 4", d.R)
		}
	}
	// A dot's centre pixel is the dot's colour, the skin far from dots is
	// the skin's (no blur, no noise).
	lab := scene.ToLab(img, f.Camera)
	d := tr.Dots[len(tr.Dots)/2]
	if de := colour.DeltaE00(lab.At(int(d.X), int(d.Y)), f.Dot); de > 1 {
		t.Errorf("dot centre reads %v, want %v", lab.At(int(d.X), int(d.Y)), f.Dot)
	}
}
