// Package healed reads a practitioner's observations of healed SMP work and
// refits the healed-in-skin model of match/optics to them.
//
// An observations file is CSV, one healed area per row, with a header row
// (column names are case-insensitive, in any order; lines starting with #
// are comments):
//
//	client_id       who (any text without personal data: a code); required
//	scalp_L, scalp_a, scalp_b   the bare scalp next to the area, L*a*b* D50
//	before_photo    or: a photo of the scalp, measured as `smpmatch measure` does
//	recipe          the ink implanted: as match prints it ("2 SMP Black Shade 4 (1:4) + 1 distilled water")
//	                or pigment IDs with parts ("black:1 water:8"); the palette is --palette
//	weeks           weeks since the session (≥ 8 for a healed result; fewer is refused)
//	healed_L, healed_a, healed_b   the healed dots' colour, L*a*b* D50
//	followup_photo  or: a follow-up photo of the healed dots, measured by the
//	                dot measurer (`smpmatch measure --dots`)
//	notes           optional, ignored
//
// Photo paths are relative to the CSV's folder and may not climb out of it
// (no absolute paths, no ".."). Every problem is reported with its line and
// column, as the palette parser does, and parsing never stops at the first.
package healed

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// MinWeeks is the youngest healed result accepted: the epidermis renews in
// about four weeks and SMP practitioners judge healed colour from six to
// eight weeks (DOMAIN.md, 'Pigment in skin'); younger dots are still
// settling and would bias the fit dark.
const MinWeeks = 8

// Row is one observation as read from the file.
type Row struct {
	// Line is the row's line in the file (1-based).
	Line   int
	Client string
	// Scalp is the scalp colour when given as numbers; BeforePhoto the
	// photo's path (relative to the file's folder) otherwise.
	Scalp       *colour.LabD50
	BeforePhoto string
	Recipe      string
	Weeks       float64
	// Healed is the healed colour when given as numbers; FollowupPhoto the
	// photo's path otherwise.
	Healed        *colour.LabD50
	FollowupPhoto string
}

// Problem is one thing wrong with an observations file.
type Problem struct {
	File string
	// Line is the 1-based line, 0 for the whole file.
	Line int
	// Column is the CSV column concerned, if any.
	Column string
	Msg    string
}

func (p Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "observations %s", p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, " line %d", p.Line)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, " %s", p.Column)
	}
	return b.String() + ": " + p.Msg
}

// ParseError lists every problem found in a file.
type ParseError struct {
	Problems []Problem
}

func (e *ParseError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].Error()
	}
	return fmt.Sprintf("%s (and %d more problems)", e.Problems[0].Error(), len(e.Problems)-1)
}

// Columns are the known columns, in the documented order.
var Columns = []string{"client_id", "scalp_l", "scalp_a", "scalp_b", "before_photo", "recipe", "weeks", "healed_l", "healed_a", "healed_b", "followup_photo", "notes"}

// MaxRows bounds a file: far more than any practice records, small enough
// that a wrong file cannot exhaust memory.
const MaxRows = 100000

// Parse reads an observations file. name is the file's name for messages.
// It returns every row that parsed and, if anything was wrong, a
// *ParseError listing every problem.
func Parse(r io.Reader, name string) ([]Row, error) {
	var probs []Problem
	add := func(line int, col, format string, a ...any) {
		probs = append(probs, Problem{File: name, Line: line, Column: col, Msg: fmt.Sprintf(format, a...)})
	}
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var rows []Row
	col := map[string]int{}
	headerSeen := false
	width := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				add(pe.Line, "", "%v", pe.Err)
			} else {
				add(0, "", "%v", err)
			}
			return nil, &ParseError{probs}
		}
		line, _ := cr.FieldPos(0)
		if !headerSeen {
			headerSeen = true
			width = len(rec)
			for i, h := range rec {
				h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
				known := false
				for _, c := range Columns {
					known = known || c == h
				}
				switch {
				case h == "":
					add(line, fmt.Sprintf("column %d", i+1), "empty column name")
				case !known:
					add(line, h, "unknown column (want %s)", strings.Join(Columns, ", "))
				case col[h] > 0:
					add(line, h, "column named twice")
				default:
					col[h] = i + 1
				}
			}
			for _, need := range []string{"client_id", "recipe", "weeks"} {
				if col[need] == 0 {
					add(line, need, "missing column (the header needs client_id, scalp_L/a/b or before_photo, recipe, weeks, healed_L/a/b or followup_photo)")
				}
			}
			for _, g := range []struct{ prefix, photo string }{{"scalp", "before_photo"}, {"healed", "followup_photo"}} {
				n := 0
				for _, c := range []string{"_l", "_a", "_b"} {
					if col[g.prefix+c] > 0 {
						n++
					}
				}
				if n != 0 && n != 3 {
					add(line, g.prefix+"_L", "give all three of %s_L, %s_a, %s_b", g.prefix, g.prefix, g.prefix)
				}
				if n == 0 && col[g.photo] == 0 {
					add(line, g.prefix+"_L", "missing columns: give %s_L, %s_a, %s_b or %s", g.prefix, g.prefix, g.prefix, g.photo)
				}
			}
			if len(probs) > 0 {
				return nil, &ParseError{probs}
			}
			continue
		}
		if len(rows) >= MaxRows {
			add(line, "", "more than %d rows", MaxRows)
			break
		}
		get := func(c string) string {
			i := col[c]
			if i == 0 || i > len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i-1])
		}
		blank := true
		for _, f := range rec {
			blank = blank && strings.TrimSpace(f) == ""
		}
		if blank {
			continue
		}
		// Extra cells beyond the header are only an error if filled.
		for i := width; i < len(rec); i++ {
			if strings.TrimSpace(rec[i]) != "" {
				add(line, fmt.Sprintf("column %d", i+1), "a value %q beyond the header's %d columns", rec[i], width)
				break
			}
		}
		row := Row{Line: line, Client: get("client_id"), Recipe: get("recipe")}
		if row.Client == "" {
			add(line, "client_id", "missing")
		}
		if row.Recipe == "" {
			add(line, "recipe", "missing")
		}
		if w := get("weeks"); w == "" {
			add(line, "weeks", "missing")
		} else if v, err := strconv.ParseFloat(w, 64); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			add(line, "weeks", "%q is not a number", w)
		} else if v < MinWeeks || v > 52*30 {
			add(line, "weeks", "%g weeks: a healed result needs at least %d weeks after the session (and fewer than 30 years)", v, MinWeeks)
		} else {
			row.Weeks = v
		}
		lab := func(prefix, photoCol string) (*colour.LabD50, string) {
			photo := get(photoCol)
			var vals [3]string
			n := 0
			for i, c := range []string{"_l", "_a", "_b"} {
				vals[i] = get(prefix + c)
				if vals[i] != "" {
					n++
				}
			}
			switch {
			case n > 0 && photo != "":
				add(line, photoCol, "give either %s_L/a/b or %s, not both", prefix, photoCol)
				return nil, ""
			case n == 0 && photo == "":
				add(line, prefix+"_L", "missing: give %s_L, %s_a, %s_b or %s", prefix, prefix, prefix, photoCol)
				return nil, ""
			case photo != "":
				if err := localPath(photo); err != nil {
					add(line, photoCol, "%v", err)
					return nil, ""
				}
				return nil, filepath.FromSlash(photo)
			}
			var v [3]float64
			ok := true
			for i, c := range []string{"_L", "_a", "_b"} {
				if vals[i] == "" {
					add(line, prefix+c, "missing")
					ok = false
					continue
				}
				f, err := strconv.ParseFloat(vals[i], 64)
				if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
					add(line, prefix+c, "%q is not a number", vals[i])
					ok = false
					continue
				}
				lo, hi := -128.0, 128.0
				if i == 0 {
					lo, hi = 0, 100
				}
				if f < lo || f > hi {
					add(line, prefix+c, "%g is outside %g..%g", f, lo, hi)
					ok = false
					continue
				}
				v[i] = f
			}
			if !ok {
				return nil, ""
			}
			return &colour.LabD50{L: v[0], A: v[1], B: v[2]}, ""
		}
		row.Scalp, row.BeforePhoto = lab("scalp", "before_photo")
		row.Healed, row.FollowupPhoto = lab("healed", "followup_photo")
		rows = append(rows, row)
	}
	if !headerSeen {
		add(0, "", "empty file: the header row is required (%s)", strings.Join(Columns[:11], ","))
	} else if len(rows) == 0 && len(probs) == 0 {
		add(0, "", "no observations after the header")
	}
	if len(probs) > 0 {
		return rows, &ParseError{probs}
	}
	return rows, nil
}

// localPath refuses photo paths that are absolute or climb out of the
// observations file's folder.
func localPath(p string) error {
	if filepath.IsAbs(p) || strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || filepath.VolumeName(p) != "" {
		return fmt.Errorf("%q: photo paths must be relative to the observations file's folder", p)
	}
	if !filepath.IsLocal(filepath.FromSlash(p)) {
		return fmt.Errorf("%q climbs out of the observations file's folder", p)
	}
	return nil
}
