package calibrate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
	if p.Schema != ProfileSchema {
		return fmt.Errorf("schema is %q, want %q (is this an smpmatch profile?)", p.Schema, ProfileSchema)
	}
	if p.Version != ProfileVersion {
		return fmt.Errorf("version %d is not supported (this smpmatch reads version %d)", p.Version, ProfileVersion)
	}
	switch p.Encoding {
	case ccm.EncodingSRGB, ccm.EncodingLinear:
	default:
		return fmt.Errorf("encoding %q is not one of %q, %q", p.Encoding, ccm.EncodingSRGB, ccm.EncodingLinear)
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

// LoadProfile reads and validates a profile file.
func LoadProfile(path string) (*Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", path, err)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&p); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(b[:se.Offset], []byte("\n"))
			return nil, fmt.Errorf("profile %s line %d: not valid JSON: %w", path, line, err)
		}
		return nil, fmt.Errorf("profile %s: %w", path, err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("profile %s: %w", path, err)
	}
	return &p, nil
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
