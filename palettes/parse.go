package palettes

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// Load reads a palette file; the format follows the extension (.json or
// .csv).
func Load(path string) (*Palette, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("palette: %w", err)
	}
	return Parse(path, data)
}

// Parse reads a palette from data. name is the file name used in problems;
// its extension chooses the format (.csv, otherwise JSON if the data starts
// with '{', otherwise CSV).
func Parse(name string, data []byte) (*Palette, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return ParseCSV(name, data)
	case ".json":
		return ParseJSON(name, data)
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return ParseJSON(name, data)
	}
	return ParseCSV(name, data)
}

// lineIndex finds the line of a byte offset in O(log n): counting
// newlines from the start for every pigment made checking a palette
// quadratic in its size (250k pigments took over a minute).
type lineIndex []int // offsets of the '\n' bytes

func newLineIndex(data []byte) lineIndex {
	li := make(lineIndex, 0, bytes.Count(data, []byte{'\n'}))
	for i, c := range data {
		if c == '\n' {
			li = append(li, i)
		}
	}
	return li
}

// at is the 1-based line of byte offset off.
func (li lineIndex) at(off int) int {
	return 1 + sort.SearchInts(li, off)
}

// skipSeparators moves off past whitespace and commas to the next token.
func skipSeparators(data []byte, off int) int {
	for off < len(data) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
		off++
	}
	return off
}

// pigmentJSON is a pigment as written in JSON; Lab is a plain slice so that
// a wrong number of components is reported, not silently padded.
type pigmentJSON struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Maker      string    `json:"maker"`
	Line       string    `json:"line"`
	Kind       string    `json:"kind"`
	Lab        []float64 `json:"lab"`
	Spectrum   *Spectrum `json:"spectrum"`
	DilutionOf string    `json:"dilution_of"`
	Dilution   float64   `json:"dilution"`
	Source     string    `json:"source"`
	Notes      string    `json:"notes"`
}

var unknownFieldRE = regexp.MustCompile(`unknown field "([^"]*)"`)

// ParseJSON reads a palette in the JSON format (see the package README):
//
//	{"name": "...", "version": "...", "description": "...",
//	 "diluent": {"id": "water", "name": "distilled water"},
//	 "pigments": [{"id": "...", "name": "...", "kind": "carbon black",
//	               "lab": [22, 0.2, -0.8], "source": "..."}, ...]}
func ParseJSON(name string, data []byte) (*Palette, error) {
	data = trimBOM(data)
	lines := newLineIndex(data)
	lineAt := func(_ []byte, off int) int { return lines.at(off) }
	ps := &problems{file: name}
	p := &Palette{File: name, Diluent: DefaultDiluent}
	// Per pigment, the line of each field, for problems.
	var starts []int
	var raws []json.RawMessage

	dec := json.NewDecoder(bytes.NewReader(data))
	syntax := func(err error) (*Palette, error) {
		line := lineAt(data, int(dec.InputOffset()))
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line = lineAt(data, int(se.Offset))
		}
		ps.add(line, "", "", "not valid JSON: %v", err)
		return nil, ps.err()
	}
	tok, err := dec.Token()
	if err != nil {
		return syntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		ps.add(1, "", "", "a JSON palette must be an object {\"name\": …, \"pigments\": […]}")
		return nil, ps.err()
	}
	seenKeys := map[string]int{}
	for dec.More() {
		keyOff := skipSeparators(data, int(dec.InputOffset()))
		tok, err := dec.Token()
		if err != nil {
			return syntax(err)
		}
		key, _ := tok.(string)
		line := lineAt(data, keyOff)
		if first, dup := seenKeys[key]; dup {
			// encoding/json would keep the last silently: two diluents,
			// or two pigment lists, are a mistake to show.
			ps.add(line, "", key, "%q is given twice (first on line %d)", key, first)
		} else {
			seenKeys[key] = line
		}
		var target any
		switch key {
		case "name":
			target = &p.Name
		case "version":
			target = &p.Version
		case "description":
			target = &p.Description
		case "diluent":
			target = &p.Diluent
		case "pigments":
			if t, err := dec.Token(); err != nil {
				return syntax(err)
			} else if d, ok := t.(json.Delim); !ok || d != '[' {
				ps.add(line, "", "pigments", "must be an array of pigments")
				return nil, ps.err()
			}
			for dec.More() {
				start := skipSeparators(data, int(dec.InputOffset()))
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return syntax(err)
				}
				starts = append(starts, start)
				raws = append(raws, raw)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return syntax(err)
			}
			continue
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return syntax(err)
			}
			ps.add(line, "", key, "unknown field (known: name, version, description, diluent, pigments)")
			continue
		}
		if err := dec.Decode(target); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				ps.add(line, "", key, "wrong type: %v", err)
				continue
			}
			return syntax(err)
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return syntax(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		ps.add(lineAt(data, int(dec.InputOffset())), "", "", "unexpected data after the palette object")
	}

	fieldLine := func(i int, field string) int {
		if i >= len(raws) {
			return 0
		}
		if k := bytes.Index(raws[i], []byte(`"`+field+`"`)); k >= 0 {
			return lineAt(data, starts[i]+k)
		}
		return lineAt(data, starts[i])
	}
	for i, raw := range raws {
		var pj pigmentJSON
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		line := lineAt(data, starts[i])
		if err := d.Decode(&pj); err != nil {
			line := line
			field := ""
			if m := unknownFieldRE.FindStringSubmatch(err.Error()); m != nil {
				field = m[1]
				line = fieldLine(i, field)
			}
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				field = te.Field
				line = fieldLine(i, te.Field)
			}
			ps.add(line, pj.ID, field, "%v", err)
			// Keep the pigment so its other problems and duplicates are
			// still reported.
		}
		pg := Pigment{
			ID: pj.ID, Name: pj.Name, Maker: pj.Maker, Line: pj.Line, Kind: pj.Kind,
			Spectrum: pj.Spectrum, DilutionOf: pj.DilutionOf, Dilution: pj.Dilution,
			Source: pj.Source, Notes: pj.Notes, SourceLine: line,
		}
		if pj.Lab != nil {
			if len(pj.Lab) != 3 {
				ps.add(fieldLine(i, "lab"), pj.ID, "lab", "must be [L*, a*, b*], got %d numbers", len(pj.Lab))
			} else {
				pg.Lab = &colour.LabD50{L: pj.Lab[0], A: pj.Lab[1], B: pj.Lab[2]}
			}
		}
		if pg.Kind == KindDiluent {
			ps.add(line, pg.ID, "kind", "the diluent goes in the palette's \"diluent\" field, not among the pigments")
			continue
		}
		p.Pigments = append(p.Pigments, pg)
	}
	// Lines of kept pigments: raws and Pigments differ only where a
	// diluent row was skipped, so map by SourceLine.
	byLine := map[int]int{}
	for i := range raws {
		byLine[lineAt(data, starts[i])] = i
	}
	p.validate(ps, func(i int, field string) int {
		if j, ok := byLine[p.Pigments[i].SourceLine]; ok {
			return fieldLine(j, field)
		}
		return 0
	})
	if err := ps.err(); err != nil {
		return nil, err
	}
	return p, nil
}

// CSV columns. Column names are matched case-insensitively; "L*", "a*",
// "b*" are accepted for L, a, b. Spectrum columns are named r<nm>, e.g.
// r400, r410, ….
var (
	csvRequired = []string{"id", "name", "kind", "source"}
	csvKnown    = map[string]bool{
		"id": true, "name": true, "maker": true, "line": true, "kind": true,
		"l": true, "a": true, "b": true, "dilution_of": true, "dilution": true,
		"source": true, "notes": true,
	}
	spectrumColumnRE = regexp.MustCompile(`^r([0-9]+(?:\.[0-9]+)?)$`)
	metaRE           = regexp.MustCompile(`^#\s*(name|version|description)\s*:\s*(.*)$`)
)

// ParseCSV reads a palette kept in a spreadsheet: one row per pigment under a
// header row, '#' comment lines, and optional metadata comments
// "# name: …", "# version: …", "# description: …" (the name defaults to the
// file name). A row of kind "diluent" names the diluent. Columns:
//
//	id, name, maker, line, kind, L, a, b, dilution_of, dilution, source, notes, r380 … r730
func ParseCSV(name string, data []byte) (*Palette, error) {
	data = trimBOM(data)
	ps := &problems{file: name}
	base := filepath.Base(name)
	p := &Palette{File: name, Diluent: DefaultDiluent, Name: strings.TrimSuffix(base, filepath.Ext(base))}
	diluentLine := 0 // the diluent row's line, once read
	for _, ln := range strings.Split(string(data), "\n") {
		if m := metaRE.FindStringSubmatch(strings.TrimSpace(ln)); m != nil {
			v := strings.TrimSpace(m[2])
			switch m[1] {
			case "name":
				p.Name = v
			case "version":
				p.Version = v
			case "description":
				p.Description = v
			}
		}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		ps.add(1, "", "", "no header row: %v", csvErr(err))
		return nil, ps.err()
	}
	headerLine, _ := r.FieldPos(0)
	col := map[string]int{}
	type specCol struct {
		nm  float64
		idx int
	}
	var spec []specCol
	for i, h := range header {
		key := strings.ToLower(strings.TrimSpace(h))
		key = strings.TrimSuffix(key, "*")
		if _, dup := col[key]; dup {
			ps.add(headerLine, "", h, "duplicate column")
			continue
		}
		switch {
		case csvKnown[key]:
			col[key] = i
		case spectrumColumnRE.MatchString(key):
			nm, _ := strconv.ParseFloat(spectrumColumnRE.FindStringSubmatch(key)[1], 64)
			col[key] = i
			spec = append(spec, specCol{nm, i})
		default:
			ps.add(headerLine, "", h, "unknown column (known: id, name, maker, line, kind, L, a, b, dilution_of, dilution, source, notes, r<nm>)")
		}
	}
	sort.Slice(spec, func(i, j int) bool { return spec[i].nm < spec[j].nm })
	for _, req := range csvRequired {
		if _, ok := col[req]; !ok {
			ps.add(headerLine, "", req, "missing column")
		}
	}
	_, hasL := col["l"]
	_, hasA := col["a"]
	_, hasB := col["b"]
	if (hasL || hasA || hasB) && !(hasL && hasA && hasB) {
		ps.add(headerLine, "", "L,a,b", "give all three columns L, a, b or none")
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// FieldPos is only defined after a successful Read.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			ps.add(line, "", "", "%v", csvErr(err))
			if pe == nil || pe.Err != csv.ErrFieldCount {
				break
			}
			continue
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			ps.add(line, "", "", "%d fields, the header has %d", len(rec), len(header))
			continue
		}
		get := func(k string) string {
			if i, ok := col[k]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		id := get("id")
		bad := false
		num := func(k, label string) (float64, bool) {
			s := get(k)
			if s == "" {
				return 0, false
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				ps.add(line, id, label, "%q is not a number", s)
				bad = true
				return 0, false
			}
			return v, true
		}
		pg := Pigment{
			ID: id, Name: get("name"), Maker: get("maker"), Line: get("line"),
			Kind: strings.ToLower(get("kind")), DilutionOf: get("dilution_of"),
			Source: get("source"), Notes: get("notes"), SourceLine: line,
		}
		if pg.Kind == KindDiluent {
			if diluentLine != 0 {
				ps.add(line, pg.ID, "kind", "a second diluent row: the diluent is %q on line %d (one diluent per palette)", p.Diluent.ID, diluentLine)
				continue
			}
			p.Diluent = Diluent{ID: pg.ID, Name: pg.Name, Source: pg.Source}
			diluentLine = line
			continue
		}
		l, okL := num("l", "L")
		a, okA := num("a", "a")
		b, okB := num("b", "b")
		switch {
		case okL && okA && okB:
			pg.Lab = &colour.LabD50{L: l, A: a, B: b}
		case (okL || okA || okB) && !bad:
			ps.add(line, id, "L,a,b", "give all of L, a, b or leave all three empty")
		}
		if d, ok := num("dilution", "dilution"); ok {
			pg.Dilution = d
		}
		if len(spec) > 0 {
			var s Spectrum
			for _, sc := range spec {
				v, ok := num(header[sc.idx], header[sc.idx])
				if ok {
					s.NM = append(s.NM, sc.nm)
					s.Reflectance = append(s.Reflectance, v)
				}
			}
			if len(s.NM) > 0 {
				pg.Spectrum = &s
			}
		}
		p.Pigments = append(p.Pigments, pg)
	}
	p.validate(ps, nil)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return p, nil
}

// csvErr strips encoding/csv's own position prefix; the problem carries the
// line.
func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// trimBOM drops a UTF-8 byte-order mark: spreadsheet programs (Excel's
// "CSV UTF-8") and Windows editors write one before the first column name.
func trimBOM(data []byte) []byte {
	return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
}
