package synth

import (
	"math/rand"

	"github.com/smpmatch/smpmatch/calibrate/card"
	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// A face is what is printed on a card: its body colour and its patches, in
// chart units within the model outline (0,0)–(card.ChartWidth,
// card.ChartHeight).
type face struct {
	body  colour.LabD50
	tiles []tile
}

// tile is one printed rectangle, in chart units.
type tile struct {
	x0, y0, x1, y1 float64
	lab            colour.LabD50
}

// Body colours. Eyeballed, not measured: the Classic's matte black frame is
// visibly darker than its black patch (L* 20.6); the SpyderCheckr 24's face
// sits in a dark grey frame; the Passport's case is black plastic.
var (
	classicBodyLab  = colour.LabD50{L: 12, A: 0.2, B: -0.6}
	spyderBodyLab   = colour.LabD50{L: 24, A: 0, B: -1}
	passportBodyLab = colour.LabD50{L: 10, A: 0, B: 0}
)

// spyderCheckr24Lab are the SpyderCheckr 24's patches, L*a*b* D50, in rows
// from the top of the card to the bottom and left to right, as darktable's
// src/common/colorchecker.h lists them (spyder_24, Datacolor's published
// values as entered by Aurélien Pierre, 2016; rows D, C, B, A with A, the
// grey ramp white → black, at the bottom).
var spyderCheckr24Lab = [card.NumPatches]colour.LabD50{
	lab(70.19, -31.90, 1.98), lab(54.38, 8.84, -25.71), lab(42.03, -15.80, 22.93), lab(48.82, -5.11, -23.08), lab(65.10, 18.14, 18.68), lab(36.13, 14.15, 15.78),
	lab(60.94, 38.21, 61.31), lab(37.80, 7.30, -43.04), lab(49.81, 48.50, 15.76), lab(28.88, 19.36, -24.48), lab(72.45, -23.60, 60.47), lab(71.65, 23.74, 72.28),
	lab(47.12, -32.50, -28.75), lab(50.49, 53.45, -13.55), lab(83.61, 3.36, 87.02), lab(41.05, 60.75, 31.17), lab(54.14, -40.80, 34.75), lab(24.75, 13.78, -49.48),
	lab(96.04, 2.16, 2.60), lab(80.44, 1.17, 2.05), lab(65.52, 0.69, 1.86), lab(49.62, 0.58, 1.56), lab(33.55, 0.35, 1.40), lab(16.91, 1.43, -0.81),
}

// SpyderCheckr 24 geometry (darktable's notes on the card: 26 mm patches,
// 5 mm gutters, so a 31 mm pitch), scaled so that its grid spans the same
// width as the Classic's model grid.
const (
	spyderPatchMM = 26.0
	spyderPitchMM = 31.0
)

func classicFace() face {
	f := face{body: classicBodyLab}
	for i := 0; i < card.NumPatches; i++ {
		c := card.PatchCentre(i)
		h := card.PatchSize / 2
		f.tiles = append(f.tiles, tile{c.X - h, c.Y - h, c.X + h, c.Y + h, card.Reference[i].Lab})
	}
	return f
}

func spyderFace() face {
	f := face{body: spyderBodyLab}
	gridMM := 5*spyderPitchMM + spyderPatchMM
	s := (card.ChartWidth - 2*card.GridMargin) / gridMM
	heightMM := 3*spyderPitchMM + spyderPatchMM
	top := (card.ChartHeight - heightMM*s) / 2
	for i, lab := range spyderCheckr24Lab {
		col, row := i%card.Cols, i/card.Cols
		x := card.GridMargin + float64(col)*spyderPitchMM*s
		y := top + float64(row)*spyderPitchMM*s
		f.tiles = append(f.tiles, tile{x, y, x + spyderPatchMM*s, y + spyderPatchMM*s, lab})
	}
	return f
}

// passportCreativeFace approximates the ColorChecker Passport's "creative
// enhancement" page from memory of its look, not from a specification: a row
// of large neutral patches above two rows of small warming/cooling
// near-neutrals and a row of skin tones and saturated colours. What matters
// for tests is that it is a colour target whose layout is not the Classic's.
func passportCreativeFace() face {
	f := face{body: passportBodyLab}
	const m = card.GridMargin
	// Three large neutrals across the top half.
	bigW := (card.ChartWidth - 2*m - 2*0.3) / 3
	for i, l := range []float64{95, 52, 14} {
		x := m + float64(i)*(bigW+0.3)
		f.tiles = append(f.tiles, tile{x, m, x + bigW, m + 4.2, colour.LabD50{L: l}})
	}
	// Three rows of eight small patches below.
	const n = 8
	pitch := (card.ChartWidth - 2*m + 0.25) / n
	size := pitch - 0.25
	rows := [3][n]colour.LabD50{
		// Cooling → warming near-neutrals, light.
		{lab(82, -2, -14), lab(82, -1, -10), lab(82, -1, -6), lab(82, 0, -2), lab(82, 1, 3), lab(82, 2, 7), lab(82, 3, 11), lab(82, 4, 15)},
		// The same, darker.
		{lab(55, -2, -12), lab(55, -1, -8), lab(55, -1, -4), lab(55, 0, 0), lab(55, 1, 4), lab(55, 2, 8), lab(55, 3, 12), lab(55, 4, 16)},
		// Skin tones light → dark, then saturated colours.
		{lab(78, 9, 17), lab(68, 13, 19), lab(58, 16, 22), lab(45, 17, 22), lab(33, 15, 18), lab(48, 62, 40), lab(55, -45, 30), lab(35, 20, -55)},
	}
	for r, row := range rows {
		y := m + 4.2 + 0.35 + float64(r)*(size+0.25)
		for c, lab := range row {
			x := m + float64(c)*pitch
			f.tiles = append(f.tiles, tile{x, y, x + size, y + size, lab})
		}
	}
	return f
}

// randomTilesFace is the Classic's grid with random colours drawn from seed:
// L* 25–92, a* and b* ±55, which covers the Classic's own range.
func randomTilesFace(seed int64) face {
	f := classicFace()
	rng := rand.New(rand.NewSource(seed))
	for i := range f.tiles {
		f.tiles[i].lab = colour.LabD50{L: 25 + 67*rng.Float64(), A: -55 + 110*rng.Float64(), B: -55 + 110*rng.Float64()}
	}
	return f
}

// faceOf returns the face of kind; seed only matters for KindRandomTiles.
func faceOf(k Kind, seed int64) face {
	switch k {
	case KindSpyderCheckr24:
		return spyderFace()
	case KindPassportCreative:
		return passportCreativeFace()
	case KindRandomTiles:
		return randomTilesFace(seed)
	default:
		return classicFace()
	}
}

// lab is a compact L*a*b* D50 literal for colour tables.
func lab(l, a, b float64) colour.LabD50 { return colour.LabD50{L: l, A: a, B: b} }
