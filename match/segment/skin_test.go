package segment

import (
	"math"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// The skin-and-light stage: the local skin is the skin (as lit there) even
// where a third of the pixels are dark strands, and is not pulled towards
// the strands' colour.
func TestSkinStageSeesTheSkinBetweenStrands(t *testing.T) {
	img, skin, _, _, inShadow := stageScene()
	m := stageMeasurer(img)
	if !m.skinPass(func(i int) bool { return m.reg[i] }) {
		t.Fatal("no local skin")
	}
	sx := skin.XYZ()
	worst := 0.0
	for y := 70; y < 230; y += 7 {
		for x := 10; x < 290; x += 7 {
			if inShadow(x, y) {
				continue
			}
			light := 1 - 0.33*float64(x)/float64(img.W)
			want := colour.XYZ{X: sx.X * light, Y: sx.Y * light, Z: sx.Z * light}.LabD50()
			i := 3 * (y*img.W + x)
			got := colour.LabD50{L: float64(m.bg[i]), A: float64(m.bg[i+1]), B: float64(m.bg[i+2])}
			worst = math.Max(worst, colour.DeltaE00(got, want))
		}
	}
	t.Logf("local skin among strands: worst ΔE00 %.2f", worst)
	if worst > 1.5 {
		t.Errorf("local skin among strands off by up to %.2f ΔE00", worst)
	}
}
