package calibrate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/smpmatch/smpmatch/calibrate/card"
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
	// Tone, when present, is the tone curve measured on the card's
	// neutral patches, undone after the Encoding's decoding and before
	// the Model (profiles without it decode with the Encoding alone).
	Tone  *ccm.Tone `json:"tone_curve,omitempty"`
	Model ccm.Model `json:"model"`
	Fit   FitStats  `json:"fit"`
	// Candidates are the model families tried, with their LOO errors.
	Candidates []Candidate `json:"candidates,omitempty"`
	// Photos are the base names of the card photos (no folders: a profile
	// may travel, the clinic's folder layout need not).
	Photos []string `json:"photos"`
}

// Lab corrects one encoded camera colour (R, G, B in 0..1).
func (p *Profile) Lab(rgb ccm.CameraRGB) colour.LabD50 { return p.Model.Lab(p.linear(rgb)) }

// linear is the per-channel part of the correction: the encoding's
// linearisation, then the tone curve if there is one.
func (p *Profile) linear(rgb ccm.CameraRGB) [3]float64 {
	lin := p.Encoding.Linearize(rgb)
	if p.Tone != nil {
		lin = p.Tone.Apply(lin)
	}
	return lin
}

// Lab8 returns Lab for 8-bit camera colours (each channel k/255), with the
// per-channel curves — the encoding's linearisation and the tone curve —
// tabulated once for the 256 levels: the same value as Lab, for less work
// where a photo's many distinct colours are corrected.
func (p *Profile) Lab8() func(r, g, b uint8) colour.LabD50 {
	var lin [256]float64
	for k := range lin {
		v := float64(k) / 255
		lin[k] = p.linear(ccm.CameraRGB{R: v, G: v, B: v})[0]
	}
	return func(r, g, b uint8) colour.LabD50 {
		return p.Model.Lab([3]float64{lin[r], lin[g], lin[b]})
	}
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
	if p.Tone != nil {
		if err := p.Tone.Validate(); err != nil {
			return fmt.Errorf("tone_curve: %w", err)
		}
	}
	if p.Model.Kind == "" {
		return fmt.Errorf("model.kind: missing (want one of %v)", ccm.Kinds)
	}
	if err := p.Model.Validate(); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	// A profile must map a mid grey to something sane. Above L* 100 is
	// allowed: for a dark photo in linear encoding, camera 0.5 is brighter
	// than the card's white.
	if lab := p.Lab(ccm.CameraRGB{R: 0.5, G: 0.5, B: 0.5}); !lab.IsFinite() || lab.L < 0 {
		return fmt.Errorf("model maps mid grey to %v: not a usable correction", lab)
	}
	return checkModelOnCard(p.Model)
}

// checkModelOnCard refuses a model that is not a colour correction: it is
// fed the camera values of the card's 24 reference patches as a
// white-balanced camera would record them (linear sRGB of the reference
// colours), and must
//   - give finite colours;
//   - keep the grey row in order, white at least 20 L* lighter than black
//     (a model mapping everything to black, or inverting, fails);
//   - keep grey grey: the six greys map to one chromaticity (within 0.06 in
//     CIE x, y: a linear or exposure-invariant model keeps an exact neutral
//     on one chromaticity, but the reference greys are not exactly neutral
//     and a real camera's correction amplifies that — 0.03 on one of the
//     real cards), no further than 0.2 from D50's white;
//   - be invertible where the card's colours are: the Jacobian of
//     camera RGB → XYZ, normalised by its own size, has a determinant of at
//     least 1e-3 (a singular matrix maps different colours to one).
func checkModelOnCard(m ccm.Model) error {
	var xyz [card.NumPatches]colour.XYZ
	var cam [card.NumPatches][3]float64
	for i, ref := range card.Reference {
		l := ref.Lab.XYZ().LinearRGB()
		cam[i] = [3]float64{clamp01(l.R), clamp01(l.G), clamp01(l.B)}
		xyz[i] = m.XYZ(cam[i])
		if lab := xyz[i].LabD50(); !lab.IsFinite() {
			return fmt.Errorf("model maps the card's patch %d (%s) to %v: not a usable correction", i+1, ref.Name, lab)
		}
	}
	// The grey row, white (19) to black (24).
	white, black := xyz[18].LabD50(), xyz[23].LabD50()
	if white.L-black.L < 20 {
		return fmt.Errorf("model maps the card's white to L* %.1f and its black to L* %.1f: white must be lighter than black (not a usable correction)", white.L, black.L)
	}
	for i := 19; i < 24; i++ {
		if xyz[i].Y >= xyz[i-1].Y {
			return fmt.Errorf("model maps the card's grey %d (%s) lighter than grey %d (%s): greys out of order (not a usable correction)", i+1, card.Reference[i].Name, i, card.Reference[i-1].Name)
		}
	}
	wx, wy := chromaticity(xyz[18])
	for i := 19; i < 24; i++ {
		if x, y := chromaticity(xyz[i]); math.Hypot(x-wx, y-wy) > 0.06 || math.IsNaN(x+y) {
			return fmt.Errorf("model maps the card's %s to chromaticity (%.3f, %.3f) and its white to (%.3f, %.3f): grey does not stay grey (not a usable correction)", card.Reference[i].Name, x, y, wx, wy)
		}
	}
	if dx, dy := chromaticity(colour.WhiteD50); math.Hypot(wx-dx, wy-dy) > 0.2 {
		return fmt.Errorf("model maps the card's white to chromaticity (%.3f, %.3f), far from white (%.3f, %.3f): not a usable correction", wx, wy, dx, dy)
	}
	for i := range cam {
		if d := normalisedJacobianDet(m, cam[i]); !(math.Abs(d) >= 1e-3) {
			return fmt.Errorf("model is singular at the card's patch %d (%s) (normalised Jacobian determinant %.2g): it maps different colours to one (not a usable correction)", i+1, card.Reference[i].Name, d)
		}
	}
	return nil
}

func clamp01(v float64) float64 { return math.Min(1, math.Max(0, v)) }

// chromaticity is CIE x, y.
func chromaticity(c colour.XYZ) (float64, float64) {
	s := c.X + c.Y + c.Z
	return c.X / s, c.Y / s
}

// normalisedJacobianDet is det(J) / (‖J‖_F/√3)³ for the Jacobian J of the
// model at rgb (central differences): 1 for a multiple of the identity,
// 0 for a singular map, independent of the model's overall gain.
func normalisedJacobianDet(m ccm.Model, rgb [3]float64) float64 {
	const h = 1e-4
	var j [3][3]float64
	for k := 0; k < 3; k++ {
		lo, hi := rgb, rgb
		lo[k] = math.Max(lo[k]-h, 1e-6) // root terms need positive values
		hi[k] += h
		a, b := m.XYZ(lo), m.XYZ(hi)
		d := hi[k] - lo[k]
		j[0][k], j[1][k], j[2][k] = (b.X-a.X)/d, (b.Y-a.Y)/d, (b.Z-a.Z)/d
	}
	det := j[0][0]*(j[1][1]*j[2][2]-j[1][2]*j[2][1]) - j[0][1]*(j[1][0]*j[2][2]-j[1][2]*j[2][0]) + j[0][2]*(j[1][0]*j[2][1]-j[1][1]*j[2][0])
	var f float64
	for _, row := range j {
		for _, v := range row {
			f += v * v
		}
	}
	n := math.Sqrt(f / 3)
	return det / (n * n * n)
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
