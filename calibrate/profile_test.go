package calibrate

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/ccm"
)

// testProfile is a usable profile: the sRGB (D50-adapted) matrix.
func testProfile() *Profile {
	return &Profile{
		Schema: ProfileSchema, Version: ProfileVersion, Reference: ReferenceName,
		Encoding: ccm.EncodingSRGB,
		Model: ccm.Model{Kind: ccm.Matrix3x3, Coef: []float64{
			0.4360747, 0.3850649, 0.1430804,
			0.2225045, 0.7168786, 0.0606169,
			0.0139322, 0.0971045, 0.7141733,
		}},
		Photos: []string{"card.jpg"},
	}
}

func testProfileJSON(t testing.TB) string {
	t.Helper()
	b, err := json.MarshalIndent(testProfile(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

func TestProfileSavedIsLoadedUnchanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.json")
	want := testProfile()
	if err := want.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if !bytes.Equal(a, b) {
		t.Errorf("round trip changed the profile:\n%s\n%s", a, b)
	}
}

// Profiles are edited, copied between machines and truncated by full
// disks: every problem is reported with the file, the line or field, and
// what is expected.
func TestBadProfilesAreRefusedWithWhereAndWhy(t *testing.T) {
	good := testProfileJSON(t)
	replace := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("test profile has no %q", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	coefs := `"coefficients": [
      0.4360747,`
	cases := []struct {
		name string
		data string
		// want are fragments of the error; none means it must load.
		want []string
	}{
		{name: "a profile as written loads", data: good},
		{name: "a byte-order mark and Windows line endings are accepted",
			data: "\xef\xbb\xbf" + strings.ReplaceAll(good, "\n", "\r\n")},
		{name: "an empty file is refused as empty", data: "", want: []string{"the file is empty"}},
		{name: "a file of blank lines is refused as empty", data: "\r\n\r\n", want: []string{"the file is empty"}},
		{name: "broken JSON is reported with its line",
			data: replace(`"version": 1,`, `"version": 1,,`), want: []string{"line 3: not valid JSON"}},
		{name: "broken JSON after Windows line endings is reported with its line",
			data: strings.ReplaceAll(replace(`"version": 1,`, `"version": 1,,`), "\n", "\r\n"), want: []string{"line 3: not valid JSON"}},
		{name: "a profile cut short is reported as truncated",
			data: good[:len(good)/2], want: []string{"not valid JSON", "truncated"}},
		{name: "a string where a number belongs names the field and its line",
			data: replace(`"version": 1,`, `"version": "1",`), want: []string{"line 3: version: want int, have string"}},
		{name: "NaN written as a string is refused with the field",
			data: replace(coefs, `"coefficients": [
      "NaN",`), want: []string{"line 9", "model.coefficients: want float64, have string"}},
		{name: "a number too large for a float (1e999, Inf) is refused with the field",
			data: replace(coefs, `"coefficients": [
      1e999,`), want: []string{"line 9", "model.coefficients", "have number 1e999"}},
		{name: "a bare NaN is refused as invalid JSON",
			data: replace(coefs, `"coefficients": [
      NaN,`), want: []string{"line 9: not valid JSON"}},
		{name: "an array instead of an object is refused",
			data: "[" + good + "]", want: []string{"line 1: want one JSON object, have array"}},
		{name: "a second object after the profile is refused",
			data: good + good, want: []string{"more data after the profile"}},
		{name: "a missing schema is reported as missing",
			data: replace(`"schema": "smpmatch.profile",`, ``), want: []string{"schema: missing", `want "smpmatch.profile"`}},
		{name: "another program's JSON is refused by its schema",
			data: replace(`"schema": "smpmatch.profile",`, `"schema": "darktable.style",`), want: []string{`schema is "darktable.style"`}},
		{name: "a newer version is refused with the version this build reads",
			data: replace(`"version": 1,`, `"version": 2,`), want: []string{"version 2 is not supported", "reads version 1"}},
		{name: "a missing version is refused",
			data: replace(`"version": 1,`, ``), want: []string{"version 0 is not supported"}},
		{name: "a missing encoding is reported as missing",
			data: replace(`"encoding": "srgb",`, ``), want: []string{"encoding: missing", `"srgb"`}},
		{name: "an unknown encoding lists the known ones",
			data: replace(`"encoding": "srgb",`, `"encoding": "rec709",`), want: []string{`encoding "rec709" is not one of "srgb", "linear"`}},
		{name: "a missing model is reported as missing",
			data: replace(`"kind": "matrix3x3",`, ``), want: []string{"model.kind: missing"}},
		{name: "an unknown model kind lists the known ones",
			data: replace(`"kind": "matrix3x3",`, `"kind": "lut3d",`), want: []string{`unknown model kind "lut3d"`, "matrix3x3"}},
		{name: "a wrong number of coefficients says how many are needed",
			data: replace(coefs, `"coefficients": [`), want: []string{"needs 9 coefficients, has 8"}},
		{name: "a model that maps mid grey below 0 L* is refused",
			data: replace(`0.2225045,`, `-40,`), want: []string{"maps mid grey", "not a usable correction"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "session.json")
			if err := os.WriteFile(path, []byte(tc.data), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := LoadProfile(path)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("LoadProfile: %v", err)
				}
				if p.Model.Coef[4] != 0.7168786 {
					t.Errorf("coefficient 4 is %v", p.Model.Coef[4])
				}
				return
			}
			if err == nil {
				t.Fatalf("loaded; want an error with %q", tc.want)
			}
			for _, w := range append(tc.want, "profile "+path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestProfileThatIsNotAFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "photo.jpg")
	if err := os.WriteFile(big, bytes.Repeat([]byte{0xFF}, maxProfileBytes+10), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, want string }{
		{"a missing profile is refused with the system's reason", filepath.Join(dir, "none.json"), "no such file"},
		{"a directory is refused", dir, "is a directory"},
		{"a file over 1 MiB is refused unread", big, "larger than 1048576 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadProfile(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %v, want one naming %s and containing %q", err, tc.path, tc.want)
			}
		})
	}
}

// Whatever the bytes, ParseProfile returns a usable profile or an error
// naming the file, and a profile it accepts survives a save and a load.
func FuzzLoadProfile(f *testing.F) {
	f.Add([]byte(testProfileJSON(f)))
	f.Add([]byte("\xef\xbb\xbf" + strings.ReplaceAll(testProfileJSON(f), "\n", "\r\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile("f.json", data)
		if err != nil {
			if p != nil {
				t.Fatal("both a profile and an error")
			}
			if !strings.HasPrefix(err.Error(), "profile f.json") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted profile does not validate: %v", err)
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("accepted profile cannot be written: %v", err)
		}
		if _, err := ParseProfile("again.json", b); err != nil {
			t.Fatalf("accepted profile, written again, is refused: %v", err)
		}
	})
}
