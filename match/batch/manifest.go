package batch

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/smpmatch/smpmatch/match/measure"
	"github.com/smpmatch/smpmatch/match/recipe"
)

// Manifest columns. client_id and photo are required; the others may be
// absent or empty.
var manifestColumns = []string{"client_id", "photo", "profile", "roi", "target"}

// ManifestError is a problem at a place in a manifest.
type ManifestError struct {
	File   string
	Line   int // 1-based
	Column string
	Err    error
}

func (e *ManifestError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("manifest %s: %v", e.File, e.Err)
	case e.Column == "":
		return fmt.Sprintf("manifest %s line %d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("manifest %s line %d column %s: %v", e.File, e.Line, e.Column, e.Err)
}

func (e *ManifestError) Unwrap() error { return e.Err }

// ManifestOptions control ParseManifest.
type ManifestOptions struct {
	// Dir is the folder paths are relative to (the manifest's folder).
	Dir string
	// AllowOutside admits absolute paths and paths that climb out of Dir.
	AllowOutside bool
	// Refused, if not nil, hears of each row whose client_id or photo
	// contains control or bidirectional formatting characters (CheckText),
	// and the row is left out; if nil, such a row is an error.
	Refused func(*ManifestError)
}

// ParseManifest reads a manifest CSV: a header row naming the columns
// client_id, photo and optionally profile, roi ("x,y,w,h" in photo pixels,
// quoted) and target (lighter, match or darker), in any order; then one row
// per photo. A UTF-8 byte-order mark and CRLF line ends are accepted.
// Photo and profile paths are relative to opt.Dir and may not be absolute
// or climb out of it unless opt.AllowOutside. name is the manifest's name
// in errors. Clients keep the order of their first row; photos, their row
// order.
func ParseManifest(r io.Reader, name string, opt ManifestOptions) ([]Client, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &ManifestError{File: name, Err: err}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	fail := func(line int, col string, err error) error {
		return &ManifestError{File: name, Line: line, Column: col, Err: err}
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fail(0, "", errors.New("empty: want a header row naming client_id, photo[, profile, roi, target]"))
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		known := false
		for _, k := range manifestColumns {
			known = known || h == k
		}
		if !known {
			return nil, fail(1, strconv.Itoa(i+1), fmt.Errorf("unknown column %q: want %s", h, strings.Join(manifestColumns, ", ")))
		}
		if _, dup := col[h]; dup {
			return nil, fail(1, strconv.Itoa(i+1), fmt.Errorf("column %q appears twice", h))
		}
		col[h] = i
	}
	for _, req := range manifestColumns[:2] {
		if _, ok := col[req]; !ok {
			return nil, fail(1, "", fmt.Errorf("no %s column: the header must name client_id and photo", req))
		}
	}
	var clients []Client
	index := map[string]int{}
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		field := func(c string) string {
			i, ok := col[c]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		if len(rec) > len(header) {
			return nil, fail(line, strconv.Itoa(len(header)+1), fmt.Errorf("%d fields, the header has %d", len(rec), len(header)))
		}
		id := field("client_id")
		if id == "" {
			return nil, fail(line, "client_id", errors.New("empty client_id"))
		}
		ph := field("photo")
		if ph == "" {
			return nil, fail(line, "photo", errors.New("empty photo path"))
		}
		if bad := badText(line, id, ph); bad != nil {
			bad.File = name
			if opt.Refused == nil {
				return nil, bad
			}
			opt.Refused(bad)
			continue
		}
		path, err := manifestPath(ph, opt)
		if err != nil {
			return nil, fail(line, "photo", err)
		}
		p := Photo{Path: path, Name: filepath.ToSlash(filepath.Clean(ph)), Role: RoleOf(ph)}
		if !opt.AllowOutside {
			p.Within = opt.Dir
			if p.Within == "" {
				p.Within = "."
			}
		}
		if pr := field("profile"); pr != "" {
			if p.Profile, err = manifestPath(pr, opt); err != nil {
				return nil, fail(line, "profile", err)
			}
		}
		if roi := field("roi"); roi != "" {
			if p.ROI, err = measure.ParseRect(roi); err != nil {
				return nil, fail(line, "roi", err)
			}
		}
		var target recipe.TargetMode
		if t := field("target"); t != "" {
			if target, err = recipe.ParseTargetMode(t); err != nil {
				return nil, fail(line, "target", err)
			}
		}
		key := id + "\x00" + p.Name
		if prev, ok := seen[key]; ok {
			return nil, fail(line, "photo", fmt.Errorf("client %q already lists %s on line %d", id, p.Name, prev))
		}
		seen[key] = line
		ci, ok := index[id]
		if !ok {
			ci = len(clients)
			index[id] = ci
			clients = append(clients, Client{ID: id})
		}
		c := &clients[ci]
		if target != "" {
			if c.Target != "" && c.Target != target {
				return nil, fail(line, "target", fmt.Errorf("client %q has target %s on an earlier row: one target per client", id, c.Target))
			}
			c.Target = target
		}
		c.Photos = append(c.Photos, p)
	}
	if len(clients) == 0 {
		return nil, fail(0, "", errors.New("no rows after the header"))
	}
	return clients, nil
}

// manifestPath resolves a path from a manifest.
func manifestPath(p string, opt ManifestOptions) (string, error) {
	if strings.ContainsRune(p, 0) {
		return "", errors.New("path contains a NUL byte")
	}
	if !opt.AllowOutside {
		if filepath.IsAbs(p) || !filepath.IsLocal(p) {
			return "", fmt.Errorf("path %q is absolute or climbs out of the manifest's folder (allow with --allow-outside)", p)
		}
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p), nil
	}
	return filepath.Join(opt.Dir, p), nil
}

// badText checks a row's client ID and photo path with CheckText.
func badText(line int, id, photo string) *ManifestError {
	for _, f := range []struct{ col, s string }{{"client_id", id}, {"photo", photo}} {
		if err := CheckText(f.col, f.s); err != nil {
			return &ManifestError{Line: line, Column: f.col, Err: err}
		}
	}
	return nil
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ManifestError{File: name, Line: pe.Line, Column: strconv.Itoa(pe.Column), Err: pe.Err}
	}
	return &ManifestError{File: name, Err: err}
}
