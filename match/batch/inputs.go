package batch

import (
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/smpmatch/smpmatch/match/recipe"
)

// Photo is one input photo of a client.
type Photo struct {
	// Path is the file opened.
	Path string
	// Name is what results call it: the path relative to the input folder
	// or manifest, with forward slashes, so that results do not depend on
	// where the inputs sit on a machine.
	Name string
	// Role is RoleCard for a card shot (file name containing "card"),
	// otherwise RoleScalp.
	Role string
	// Profile is a session profile file for this photo only (manifest
	// column profile); empty means the run's.
	Profile string
	// Within, if not empty, is a folder the photo (and its profile) must
	// resolve into, symbolic links followed: the manifest's folder unless
	// outside paths are allowed.
	Within string
	// ROI restricts the scalp search to a rectangle of the photo (manifest
	// column roi); empty means the run's.
	ROI image.Rectangle
}

// Client is one client's photos.
type Client struct {
	// ID is the client's identifier as the user gave it (sub-folder name
	// or manifest client_id). Logs and outputs use nothing else.
	ID string
	// Target is the client's target mode (manifest column target); empty
	// means the run's.
	Target recipe.TargetMode
	Photos []Photo
}

// Skipped is a file a folder scan did not take, and why.
type Skipped struct {
	Path, Reason string
	// Refused is true for a client ID or photo name refused by CheckText
	// (an input left out, not a file that is not a photo).
	Refused bool
}

// imageExts are the extensions taken as photos in folders; anything else
// is skipped with a note. Broken files with these extensions are processed
// and fail with their own error.
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".tif": true, ".tiff": true, ".webp": true, ".bmp": true}

// RoleOf says whether a file is a card shot: its base name contains "card"
// in any case.
func RoleOf(name string) string {
	if strings.Contains(strings.ToLower(filepath.Base(name)), "card") {
		return RoleCard
	}
	return RoleScalp
}

// ScanFolders lists the clients in folders. Each immediate sub-folder of a
// root is one client (ID: the sub-folder's name; its photos are collected
// recursively); each photo directly in a root is its own client (ID: the
// file name without extension). Clients are sorted by ID; two with the same
// ID are an error. Hidden files and folders are skipped silently, other
// non-photos with a note.
func ScanFolders(roots []string) ([]Client, []Skipped, error) {
	byID := map[string]*Client{}
	from := map[string]string{}
	var skipped []Skipped
	add := func(id, where string, p Photo) error {
		if prev, ok := from[id]; ok && prev != where {
			return fmt.Errorf("client %q is both %s and %s: client IDs must be unique", id, prev, where)
		}
		from[id] = where
		c := byID[id]
		if c == nil {
			c = &Client{ID: id}
			byID[id] = c
		}
		c.Photos = append(c.Photos, p)
		return nil
	}
	for _, root := range roots {
		entries, err := os.ReadDir(root)
		if err != nil {
			return nil, nil, fmt.Errorf("input folder: %w", err)
		}
		for _, e := range entries {
			name := e.Name()
			full := filepath.Join(root, name)
			if strings.HasPrefix(name, ".") {
				continue
			}
			if !e.IsDir() {
				if !imageExts[strings.ToLower(filepath.Ext(name))] {
					skipped = append(skipped, Skipped{Path: full, Reason: "not a photo (extension)"})
					continue
				}
				id := strings.TrimSuffix(name, filepath.Ext(name))
				if err := CheckText("client ID", id); err != nil {
					skipped = append(skipped, Skipped{full, err.Error() + ": rename the file", true})
					continue
				}
				if err := add(id, full, Photo{Path: full, Name: name, Role: RoleOf(name)}); err != nil {
					return nil, nil, err
				}
				continue
			}
			if err := CheckText("client ID", name); err != nil {
				skipped = append(skipped, Skipped{full, err.Error() + ": rename the folder", true})
				continue
			}
			err := filepath.WalkDir(full, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if strings.HasPrefix(d.Name(), ".") && p != full {
					if d.IsDir() {
						return filepath.SkipDir
					}
					return nil
				}
				if d.IsDir() {
					return nil
				}
				// A file of another type with a photo's extension (a
				// symbolic link, a named pipe, a device) is kept: reading
				// it checks its type first and says why it is refused.
				if !imageExts[strings.ToLower(filepath.Ext(p))] {
					skipped = append(skipped, Skipped{Path: p, Reason: "not a photo (extension)"})
					return nil
				}
				rel, err := filepath.Rel(root, p)
				if err != nil {
					return err
				}
				if err := CheckText("photo name", rel); err != nil {
					skipped = append(skipped, Skipped{p, err.Error() + ": rename the file", true})
					return nil
				}
				return add(name, full, Photo{Path: p, Name: filepath.ToSlash(rel), Role: RoleOf(p)})
			})
			if err != nil {
				return nil, nil, fmt.Errorf("input folder %s: %w", full, err)
			}
		}
	}
	out := make([]Client, 0, len(byID))
	for _, c := range byID {
		sort.Slice(c.Photos, func(i, j int) bool { return c.Photos[i].Name < c.Photos[j].Name })
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if len(out) == 0 {
		return nil, skipped, errors.New("no photos in the input folders")
	}
	return out, skipped, nil
}

// CheckText refuses text that would reach a terminal, a spreadsheet or the
// report as something else than what it shows: invalid UTF-8, control
// characters (C0 such as ESC, DEL, C1), bidirectional formatting characters
// (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069: they reorder the
// text around them) and line or paragraph separators. what names the text
// in the error, which shows it escaped.
func CheckText(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s %+q is not valid UTF-8", what, s)
	}
	for i, r := range s {
		bad := ""
		switch {
		case unicode.IsControl(r):
			bad = "a control character"
		case r == 0x061C || r == 0x200E || r == 0x200F || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069):
			bad = "a bidirectional formatting character"
		case r == 0x2028 || r == 0x2029:
			bad = "a line separator"
		}
		if bad != "" {
			return fmt.Errorf("%s %+q contains %s (U+%04X at byte %d)", what, s, bad, r, i)
		}
	}
	return nil
}

// Shard keeps the clients of shard k of n (k in 1..n): those whose ID
// hashes (FNV-1a) to k−1 modulo n. A client's photos stay together, since
// they are combined; every machine computes the same split from the same
// inputs, whatever their order.
func Shard(clients []Client, k, n int) ([]Client, error) {
	if n < 1 || k < 1 || k > n {
		return nil, fmt.Errorf("shard %d/%d: want K/N with 1 ≤ K ≤ N", k, n)
	}
	var out []Client
	for _, c := range clients {
		h := fnv.New32a()
		h.Write([]byte(c.ID))
		if int(h.Sum32()%uint32(n)) == k-1 {
			out = append(out, c)
		}
	}
	return out, nil
}

// ParseShard reads "K/N".
func ParseShard(s string) (k, n int, err error) {
	if _, err := fmt.Sscanf(s, "%d/%d", &k, &n); err != nil || fmt.Sprintf("%d/%d", k, n) != strings.TrimSpace(s) {
		return 0, 0, fmt.Errorf("shard %q: want K/N, e.g. 2/4", s)
	}
	if n < 1 || k < 1 || k > n {
		return 0, 0, fmt.Errorf("shard %q: want 1 ≤ K ≤ N", s)
	}
	return k, n, nil
}
