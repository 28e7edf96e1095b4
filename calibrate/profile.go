package calibrate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/smpmatch/smpmatch/calibrate/ccm"
	"github.com/smpmatch/smpmatch/calibrate/colour"
)

// Profile identification. A profile is versioned JSON; a reader refuses
// versions it does not know rather than guess.
const (
	ProfileSchema  = "smpmatch.profile"
	ProfileVersion = 1
	// ReferenceName names the reference values the profile was fitted to.
	ReferenceName = "xrite-colorchecker24-after-2014-lab-d50"
)

// Profile is a session's colour correction: camera RGB as encoded in the
// photo → L*a*b* D50. It is what `calibrate --profile-out` writes and
// `measure --profile` reads.
type Profile struct {
	Schema    string       `json:"schema"`
	Version   int          `json:"version"`
	Software  string       `json:"software,omitempty"`
	Created   string       `json:"created,omitempty"`
	Reference string       `json:"reference"`
	Encoding  ccm.Encoding `json:"encoding"`
	Model     ccm.Model    `json:"model"`
	Fit       FitStats     `json:"fit"`
	// Candidates are the model families tried, with their LOO errors.
	Candidates []Candidate `json:"candidates,omitempty"`
	// Photos are the base names of the card photos (no folders: a profile
	// may travel, the clinic's folder layout need not).
	Photos []string `json:"photos"`
}

// Lab corrects one encoded camera colour (R, G, B in 0..1).
func (p *Profile) Lab(rgb ccm.CameraRGB) colour.LabD50 {
	return p.Model.Lab(p.Encoding.Linearize(rgb))
}

// Validate checks that a profile can be used.
func (p *Profile) Validate() error {
	if p.Schema == "" {
		return fmt.Errorf("schema: missing (want %q: is this an smpmatch profile?)", ProfileSchema)
	}
	if p.Schema != ProfileSchema {
		return fmt.Errorf("schema is %q, want %q (is this an smpmatch profile?)", p.Schema, ProfileSchema)
	}
	if p.Version != ProfileVersion {
		return fmt.Errorf("version %d is not supported (this smpmatch reads version %d)", p.Version, ProfileVersion)
	}
	switch p.Encoding {
	case ccm.EncodingSRGB, ccm.EncodingLinear:
	case "":
		return fmt.Errorf("encoding: missing (want %q or %q)", ccm.EncodingSRGB, ccm.EncodingLinear)
	default:
		return fmt.Errorf("encoding %q is not one of %q, %q", p.Encoding, ccm.EncodingSRGB, ccm.EncodingLinear)
	}
	if p.Model.Kind == "" {
		return fmt.Errorf("model.kind: missing (want one of %v)", ccm.Kinds)
	}
	if err := p.Model.Validate(); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	// A profile must map a mid grey to something sane.
	if lab := p.Lab(ccm.CameraRGB{R: 0.5, G: 0.5, B: 0.5}); !lab.IsFinite() || lab.L < 0 || lab.L > 100 {
		return fmt.Errorf("model maps mid grey to %v: not a usable correction", lab)
	}
	return nil
}

// maxProfileBytes bounds what is read as a profile: real ones are about
// 2 kB; a photo or a log passed by mistake is refused without reading it
// all.
const maxProfileBytes = 1 << 20

// LoadProfile reads and validates a profile file.
func LoadProfile(path string) (*Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxProfileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", path, err)
	}
	if len(b) > maxProfileBytes {
		return nil, fmt.Errorf("profile %s: larger than %d bytes: not a profile", path, maxProfileBytes)
	}
	return ParseProfile(path, b)
}

// ParseProfile reads and validates a profile from its bytes; name (the
// file's path) is used in errors. A UTF-8 byte-order mark and Windows line
// endings are accepted.
func ParseProfile(name string, b []byte) (*Profile, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fmt.Errorf("profile %s: the file is empty", name)
	}
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&p); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("profile %s line %d: not valid JSON: %w", name, lineOf(b, se.Offset), err)
		case errors.As(err, &te) && te.Field == "":
			return nil, fmt.Errorf("profile %s line %d: want one JSON object, have %s", name, lineOf(b, te.Offset), te.Value)
		case errors.As(err, &te):
			return nil, fmt.Errorf("profile %s line %d: %s: want %s, have %s", name, lineOf(b, te.Offset), te.Field, te.Type, te.Value)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("profile %s line %d: not valid JSON: the file ends inside the object (truncated?)", name, lineOf(b, int64(len(b))))
		}
		return nil, fmt.Errorf("profile %s: %w", name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("profile %s line %d: not valid JSON: more data after the profile's closing brace", name, lineOf(b, dec.InputOffset()))
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("profile %s: %w", name, err)
	}
	return &p, nil
}

// lineOf is the 1-based line of byte offset off.
func lineOf(b []byte, off int64) int {
	off = min(max(off, 0), int64(len(b)))
	return 1 + bytes.Count(b[:off], []byte("\n"))
}

// Save writes the profile atomically: to a temporary file in the same
// folder, then renamed, so a reader never sees half a profile.
func (p *Profile) Save(path string) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("profile %s: %w", path, err)
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// WriteFileAtomic writes data to path through a temporary file and a rename.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}

func baseName(p string) string { return filepath.Base(p) }
