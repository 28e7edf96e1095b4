package batch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/smpmatch/smpmatch/calibrate"
)

// Layout of --out.
const (
	stateDir    = "state"
	lockName    = "batch.lock"
	indexName   = "index.json"
	resultsName = "results.jsonl"
	clientsName = "clients.csv"
	// clientsJSONName is clients.csv as JSON Lines: one ClientResult a line.
	clientsJSONName = "clients.jsonl"
	reportName      = "report.html"
	// stateSchema versions the state records; a record of another schema is
	// redone, not trusted.
	stateSchema = "smpmatch.batch-state/1"
)

// Thumbnail files stored next to a photo's state record.
const (
	thumbCorrected = "corrected.jpg"
	thumbOverlay   = "overlay.jpg"
	thumbZoom      = "zoom.jpg"
	thumbZoomMask  = "zoom-mask.png"
)

// photoRecord is the state of one finished photo: what results.jsonl and
// the report are rebuilt from. Writing it (last, atomically) is what marks
// the photo done.
type photoRecord struct {
	Schema string     `json:"schema"`
	Key    string     `json:"key"`
	Result PhotoMatch `json:"result"`
	// Thumbs is true when the thumbnail files were written before it.
	Thumbs bool `json:"thumbs,omitempty"`
	// ZoomMMPerPx is the estimated scale of the zoom crop, for the dots.
	ZoomMMPerPx float64 `json:"zoom_mm_per_px,omitempty"`
	// RawThumb is true when the photo could not be measured and its
	// thumbnail (thumbCorrected) is the photo as taken, not corrected.
	RawThumb bool `json:"raw_thumb,omitempty"`
	// Taken is the day the photo was taken (YYYY-MM-DD), for the report;
	// TakenFrom says where it was read: "exif" (DateTimeOriginal) or
	// "file" (modification time). Nothing else of the metadata is kept.
	Taken     string `json:"taken,omitempty"`
	TakenFrom string `json:"taken_from,omitempty"`
}

// cardRecord is the state of a client's card shots: their fit and the
// profile it gave (nil when they could not calibrate).
type cardRecord struct {
	Schema  string             `json:"schema"`
	Key     string             `json:"key"`
	Results []PhotoMatch       `json:"results"`
	Profile *calibrate.Profile `json:"profile,omitempty"`
	Error   string             `json:"error,omitempty"`
}

// store reads and writes state records under out/state.
type store struct{ dir string }

func (s store) path(key, suffix string) string { return filepath.Join(s.dir, key+"."+suffix) }

func (s store) load(key string, v any) bool {
	b, err := os.ReadFile(s.path(key, "json"))
	if err != nil {
		return false
	}
	var head struct{ Schema, Key string }
	if json.Unmarshal(b, &head) != nil || head.Schema != stateSchema || head.Key != key {
		return false
	}
	return json.Unmarshal(b, v) == nil
}

func (s store) save(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("state %s: %w", key, err)
	}
	return calibrate.WriteFileAtomic(s.path(key, "json"), append(b, '\n'))
}

// hasher builds a state key: SHA-256 of the version, the settings and the
// inputs' bytes, each part length-prefixed so that no two different inputs
// hash the same stream.
type hasher struct{ h io.Writer }

func newKey() (*hasher, func() string) {
	h := sha256.New()
	return &hasher{h}, func() string { return hex.EncodeToString(h.Sum(nil)) }
}

func (k *hasher) str(s string) {
	fmt.Fprintf(k.h, "%d:%s;", len(s), s)
}

func (k *hasher) file(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	fmt.Fprintf(k.h, "%d:", st.Size())
	n, err := io.Copy(k.h, f)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if n != st.Size() {
		return fmt.Errorf("read %s: the file changed while it was read", path)
	}
	return nil
}

// fileHash is the SHA-256 of a file's bytes.
func fileHash(path string) (string, error) {
	k, sum := newKey()
	if err := k.file(path); err != nil {
		return "", err
	}
	return sum(), nil
}

// freshLock: a lock file without a PID younger than this is taken as being
// written by a starting batch, not as left by a crash.
const freshLock = 10 * time.Second

// lock is the lock file of an --out folder.
type lock struct{ path string }

// ErrLocked means another batch is writing to the same --out.
var ErrLocked = errors.New("another smpmatch batch is running on this --out")

// acquireLock creates out/batch.lock holding our PID (O_EXCL). A lock
// whose PID is no longer running (a killed batch) is taken over.
func acquireLock(out string) (*lock, error) {
	p := filepath.Join(out, lockName)
	for attempt := 0; attempt < 3; attempt++ {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := fmt.Fprintf(f, "%d\n", os.Getpid())
			cerr := f.Close()
			if werr != nil || cerr != nil {
				os.Remove(p)
				return nil, fmt.Errorf("lock %s: %w", p, errors.Join(werr, cerr))
			}
			return &lock{p}, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", p, err)
		}
		b, rerr := os.ReadFile(p)
		if rerr != nil {
			continue // removed meanwhile: try again
		}
		pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
		if perr == nil && pid > 0 && processAlive(pid) {
			return nil, fmt.Errorf("%w (PID %d; lock file %s)", ErrLocked, pid, p)
		}
		if perr != nil {
			// No PID yet: a batch that has just created the lock is
			// writing it. Only an old one is a crash's leftover.
			if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) < freshLock {
				return nil, fmt.Errorf("%w (lock file %s is being written)", ErrLocked, p)
			}
		}
		// Stale: its batch died without removing it.
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("lock %s: removing a stale lock: %w", p, err)
		}
	}
	return nil, fmt.Errorf("lock %s: could not take it", p)
}

func (l *lock) release() {
	if l != nil {
		os.Remove(l.path)
	}
}

// processAlive reports whether a process with this PID exists. EPERM means
// it exists but belongs to someone else.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func writeAtomic(path string, b []byte) error { return calibrate.WriteFileAtomic(path, b) }
