// Package card knows the X-Rite/Calibrite ColorChecker Classic 24 (and its
// Mini and Passport "classic" page, which share the layout): its geometry,
// its reference colours, how to find it in a photo and how to read its
// patches.
//
// Chart coordinates. The chart is modelled as OpenCV's mcc module models it
// (opencv_contrib modules/mcc/src/checker_model.cpp): a 16.75 × 11.25 unit
// rectangle holding 6 × 4 square patches of 2.5 units on a 2.75 pitch, with a
// 0.25 margin around the grid. Physical cards have a wider black border; the
// model's outline is the grid's, which is what every size of card shares.
// Chart x runs from patch 1 (dark skin) to patch 6 (bluish green), chart y
// from the first row to the neutral row (19 white … 24 black).
//
// Corner order, used everywhere in smpmatch and in its JSON: the corner next
// to patch 1, next to patch 6, next to patch 24, next to patch 19; that is
// chart (0,0), (W,0), (W,H), (0,H).
package card

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// Chart geometry in chart units (mcc's model).
const (
	Cols        = 6
	Rows        = 4
	NumPatches  = Cols * Rows
	PatchSize   = 2.5
	PatchPitch  = 2.75
	GridMargin  = 0.25
	ChartWidth  = GridMargin*2 + (Cols-1)*PatchPitch + PatchSize // 16.75
	ChartHeight = GridMargin*2 + (Rows-1)*PatchPitch + PatchSize // 11.25
)

// Point is a position in pixels or chart units.
type Point struct{ X, Y float64 }

// Corners are the four chart corners in smpmatch's order: next to patch 1,
// patch 6, patch 24 and patch 19.
type Corners [4]Point

// ChartCorners are the corners in chart units.
var ChartCorners = Corners{{0, 0}, {ChartWidth, 0}, {ChartWidth, ChartHeight}, {0, ChartHeight}}

// PatchCentre is the centre of patch index i (0-based, 0 = dark skin) in chart
// units.
func PatchCentre(i int) Point {
	col, row := i%Cols, i/Cols
	return Point{
		X: GridMargin + PatchSize/2 + float64(col)*PatchPitch,
		Y: GridMargin + PatchSize/2 + float64(row)*PatchPitch,
	}
}

// Patch is one reference patch of the chart.
type Patch struct {
	Index int           // 1..24, the number printed in X-Rite's documentation
	Name  string        // X-Rite's name, e.g. "dark skin"
	Lab   colour.LabD50 // reference colour, X-Rite after November 2014
}

// Neutral reports whether the patch is in the grey row (19..24).
func (p Patch) Neutral() bool { return p.Index >= 19 }

//go:embed reference_lab_d50.csv
var referenceCSV string

// Reference holds the 24 patches with X-Rite's post-November-2014 L*a*b*
// (D50, 2°) values, in patch order.
var Reference = mustParseReference(referenceCSV)

func mustParseReference(s string) [NumPatches]Patch {
	r := csv.NewReader(strings.NewReader(s))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != NumPatches {
		panic(fmt.Sprintf("card: embedded reference table is broken: %v (%d rows)", err, len(recs)))
	}
	var out [NumPatches]Patch
	for i, rec := range recs {
		var v [3]float64
		for k := range v {
			f, err := strconv.ParseFloat(rec[2+k], 64)
			if err != nil {
				panic(fmt.Sprintf("card: embedded reference row %d: %v", i+1, err))
			}
			v[k] = f
		}
		idx, _ := strconv.Atoi(rec[0])
		out[i] = Patch{Index: idx, Name: rec[1], Lab: colour.LabD50{L: v[0], A: v[1], B: v[2]}}
	}
	return out
}
