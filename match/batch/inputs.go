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

	"github.com/smpmatch/smpmatch/calibrate/photo"
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
// file name without extension). A root that holds photos and no
// sub-folders is one client's folder given directly: one client, its name
// the ID, card shots included. Clients are sorted by ID; two with the same
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
		if id, ok := singleClient(root, entries); ok {
			// One client's folder given directly: its photos (card shots
			// included) are that client's, named as if its parent had
			// been given.
			if err := CheckText("client ID", id); err != nil {
				skipped = append(skipped, Skipped{root, err.Error() + ": rename the folder", true})
				continue
			}
			for _, e := range entries {
				name := e.Name()
				full := filepath.Join(root, name)
				if strings.HasPrefix(name, ".") {
					continue
				}
				// As below: a link or a pipe with a photo's extension is
				// kept, and reading it says why it is refused.
				if !photo.HasPhotoExtension(name) {
					skipped = append(skipped, Skipped{Path: full, Reason: "not a photo (extension)"})
					continue
				}
				if err := CheckText("photo name", name); err != nil {
					skipped = append(skipped, Skipped{full, err.Error() + ": rename the file", true})
					continue
				}
				if err := add(id, root, Photo{Path: full, Name: id + "/" + name, Role: RoleOf(name)}); err != nil {
					return nil, nil, err
				}
			}
			continue
		}
		for _, e := range entries {
			name := e.Name()
			full := filepath.Join(root, name)
			if strings.HasPrefix(name, ".") {
				continue
			}
			if !e.IsDir() {
				if !photo.HasPhotoExtension(name) {
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
				if !photo.HasPhotoExtension(p) {
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

// singleClient reports whether a root's entries are one client's photos:
// at least one photo and no (visible) sub-folder. The ID is the folder's
// name.
func singleClient(root string, entries []os.DirEntry) (string, bool) {
	photos := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if e.IsDir() {
			return "", false
		}
		if photo.HasPhotoExtension(e.Name()) {
			photos++
		}
	}
	if photos == 0 {
		return "", false
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", false
	}
	id := filepath.Base(abs)
	if id == string(filepath.Separator) || id == "." {
		return "", false
	}
	return id, true
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

// ShardFromEnv reads this process's shard from a job runner's environment,
// for when --shard is not given; getenv is os.Getenv in use. shards is the
// run's --shards N (0: not given). It returns n = 0 when no job runner's
// variables are set and shards is 0 (no sharding), and source names the
// variables used.
//
//   - Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based) is shard
//     index+1 of shards, which must be given (the Job's completions are not
//     in the environment).
//   - Slurm job array: SLURM_ARRAY_TASK_ID among SLURM_ARRAY_TASK_COUNT
//     tasks from SLURM_ARRAY_TASK_MIN in steps of SLURM_ARRAY_TASK_STEP
//     (default 1): shard (id−min)/step+1 of count. --array=0-9, 1-10 and
//     0-18:2 all give shards 1..10 of 10. shards, if given, must agree.
func ShardFromEnv(getenv func(string) string, shards int) (k, n int, source string, err error) {
	num := func(name string) (int, bool, error) {
		s := strings.TrimSpace(getenv(name))
		if s == "" {
			return 0, false, nil
		}
		var v int
		if _, err := fmt.Sscanf(s, "%d", &v); err != nil || fmt.Sprint(v) != s || v < 0 {
			return 0, true, fmt.Errorf("%s=%q is not a whole number ≥ 0", name, s)
		}
		return v, true, nil
	}
	if shards < 0 {
		return 0, 0, "", fmt.Errorf("--shards %d: want a number of shards ≥ 1", shards)
	}
	idx, k8s, err := num("JOB_COMPLETION_INDEX")
	if err != nil {
		return 0, 0, "", err
	}
	id, slurm, err := num("SLURM_ARRAY_TASK_ID")
	if err != nil {
		return 0, 0, "", err
	}
	switch {
	case k8s && slurm:
		return 0, 0, "", errors.New("both JOB_COMPLETION_INDEX (Kubernetes) and SLURM_ARRAY_TASK_ID (Slurm) are set: give --shard K/N")
	case k8s:
		source = "JOB_COMPLETION_INDEX"
		if shards == 0 {
			return 0, 0, source, errors.New("JOB_COMPLETION_INDEX is set (Kubernetes Indexed Job) but not --shards N: give the Job's completions as --shards")
		}
		if idx >= shards {
			return 0, 0, source, fmt.Errorf("JOB_COMPLETION_INDEX=%d is outside 0..%d for --shards %d", idx, shards-1, shards)
		}
		return idx + 1, shards, source, nil
	case slurm:
		source = "SLURM_ARRAY_TASK_ID"
		count, ok, err := num("SLURM_ARRAY_TASK_COUNT")
		if err != nil {
			return 0, 0, source, err
		}
		if !ok || count < 1 {
			if shards == 0 {
				return 0, 0, source, errors.New("SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT: give --shards N")
			}
			count = shards
		}
		min, _, err := num("SLURM_ARRAY_TASK_MIN")
		if err != nil {
			return 0, 0, source, err
		}
		step, ok, err := num("SLURM_ARRAY_TASK_STEP")
		if err != nil {
			return 0, 0, source, err
		}
		if !ok || step < 1 {
			step = 1
		}
		if max, ok, err := num("SLURM_ARRAY_TASK_MAX"); err == nil && ok && (max-min)/step+1 != count {
			return 0, 0, source, fmt.Errorf("the Slurm array %d-%d:%d has %d tasks, not one per index: use a range such as --array=1-%d (or give --shard K/N)", min, max, step, count, count)
		}
		if id < min || (id-min)%step != 0 || (id-min)/step >= count {
			return 0, 0, source, fmt.Errorf("SLURM_ARRAY_TASK_ID=%d is not one of the %d tasks from %d in steps of %d", id, count, min, step)
		}
		if shards != 0 && shards != count {
			return 0, 0, source, fmt.Errorf("--shards %d disagrees with SLURM_ARRAY_TASK_COUNT=%d", shards, count)
		}
		return (id-min)/step + 1, count, source, nil
	case shards != 0:
		return 0, 0, "", fmt.Errorf("--shards %d without a shard index: give --shard K/N, or run as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or a Slurm array (SLURM_ARRAY_TASK_ID)", shards)
	}
	return 0, 0, "", nil
}
