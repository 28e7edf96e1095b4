package segment

import "testing"

// The hair stage: the strands are found and the skin between them is not;
// the broad shadow band, darker along the same direction, is not hair (it
// is wider than a fibre).
func TestHairStageFindsStrandsNotShadow(t *testing.T) {
	img, _, _, isStrand, inShadow := stageScene()
	m := stageMeasurer(img)
	if !m.skinPass(func(i int) bool { return m.reg[i] }) {
		t.Fatal("no local skin")
	}
	m.findHair(false)
	var strands, strandsFound, between, betweenFound, shadow, shadowFound int
	for y := 70; y < 230; y++ {
		for x := 0; x < img.W; x++ {
			i := y*img.W + x
			switch {
			case isStrand(x, y):
				strands++
				if m.hair[i] {
					strandsFound++
				}
			case inShadow(x, y) && x > 342 && x < 362:
				shadow++
				if m.hair[i] {
					shadowFound++
				}
			case x < 300 && x%6 == 4: // two pixels from a strand each side
				between++
				if m.hair[i] {
					betweenFound++
				}
			}
		}
	}
	t.Logf("strands found %d/%d, skin between %d/%d, shadow %d/%d", strandsFound, strands, betweenFound, between, shadowFound, shadow)
	if strandsFound*10 < 9*strands {
		t.Errorf("only %d of %d strand pixels found", strandsFound, strands)
	}
	if betweenFound*50 > between {
		t.Errorf("%d of %d skin pixels between strands taken for hair", betweenFound, between)
	}
	if shadowFound*50 > shadow {
		t.Errorf("%d of %d pixels of a broad shadow taken for hair", shadowFound, shadow)
	}
}
