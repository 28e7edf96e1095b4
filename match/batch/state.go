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
	// Thumbs is true when the thumbnail files were written before it;
	// Pictures names them. A measured photo's record without all its
	// pictures on disk is incomplete and redone (complete).
	Thumbs   bool     `json:"thumbs,omitempty"`
	Pictures []string `json:"pictures,omitempty"`
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
type store struct {
	dir   string
	fault faults
}

func (s store) path(key, suffix string) string { return filepath.Join(s.dir, key+"."+suffix) }

func (s store) load(key string, v any) bool {
	b, err := readBounded(s.path(key, "json"), maxStateBytes)
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
	return s.write(s.path(key, "json"), append(b, '\n'))
}

// write writes a file of the state atomically.
func (s store) write(path string, b []byte) error {
	if err := s.fault.check(path); err != nil {
		return err
	}
	return calibrate.WriteFileAtomic(path, b)
}

// complete reports whether a photo's record has everything it promises:
// a measured photo's pictures are all on disk. A record is complete or
// treated as absent, so a photo whose pictures were lost (a full disk, a
// cleaned folder) is redone, not shown without them.
func (s store) complete(rec photoRecord) bool {
	if m := rec.Result.Measurement; m == nil || !m.OK {
		return true
	}
	if !rec.Thumbs || len(rec.Pictures) == 0 {
		return false
	}
	for _, n := range rec.Pictures {
		if st, err := os.Stat(s.path(rec.Key, n)); err != nil || !st.Mode().IsRegular() {
			return false
		}
	}
	return true
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

// file hashes a file's bytes (and returns its resolved path): a regular
// file only, checked before it is opened (openRegular), read to its size
// and no further. within is as for openRegular.
func (k *hasher) file(path, within string) (string, error) {
	f, size, real, err := openRegular(path, within)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fmt.Fprintf(k.h, "%d:", size)
	n, err := io.Copy(k.h, io.LimitReader(f, size+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, unwrapPath(err))
	}
	if n != size {
		return "", fmt.Errorf("read %s: the file changed while it was read", path)
	}
	return real, nil
}

// fileHash is the SHA-256 of a file's bytes, and its resolved path.
func fileHash(path, within string) (string, string, error) {
	k, sum := newKey()
	real, err := k.file(path, within)
	if err != nil {
		return "", "", err
	}
	return sum(), real, nil
}

// lock is an --out folder's lock: an exclusive flock(2) on out/batch.lock,
// held by the open file while a run writes, and released by the kernel when
// the process ends, however it ends (a kill, a crash, a power cut leaves no
// stale lock to take over). The file is never removed or replaced: a run
// that removed it would let the next two lock two different files.
type lock struct{ f *os.File }

// ErrLocked means another batch is writing to the same --out.
var ErrLocked = errors.New("another smpmatch batch is running on this --out")

// acquireLock takes out/batch.lock without waiting and writes who holds it
// (PID, host, start time) into it, for the message of a run it refuses.
func acquireLock(out string) (*lock, error) {
	p := filepath.Join(out, lockName)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s; lock file %s)", ErrLocked, lockHolder(p), p)
		}
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	host, _ := os.Hostname()
	who := fmt.Sprintf("pid %d\nhost %s\nstarted %s\n", os.Getpid(), host, time.Now().UTC().Format(time.RFC3339))
	// Best effort: the lock is the flock, this only names its holder.
	if f.Truncate(0) == nil {
		f.WriteAt([]byte(who), 0)
	}
	return &lock{f}, nil
}

// lockHolder describes the run named in a lock file (it may be empty while
// that run is starting).
func lockHolder(p string) string {
	b, err := readBounded(p, 4096)
	if err != nil {
		return "holder unknown"
	}
	kv := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
			kv[k] = v
		}
	}
	pid, err := strconv.Atoi(kv["pid"])
	if err != nil || pid <= 0 {
		return "holder unknown"
	}
	d := fmt.Sprintf("PID %d", pid)
	if h := kv["host"]; h != "" && CheckText("", h) == nil {
		d += " on " + h
	}
	if t, err := time.Parse(time.RFC3339, kv["started"]); err == nil {
		d += ", started " + t.Format(time.RFC3339)
	}
	return d
}

// readBounded reads at most limit bytes of a regular file.
func readBounded(path string, limit int64) ([]byte, error) {
	f, _, _, err := openRegular(path, "")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// maxStateBytes bounds the read of a file of --out (a record, a picture,
// the index): far above what a run writes.
const maxStateBytes = 256 << 20

// ReadInput reads a whole input file of at most limit bytes (a manifest):
// a regular file only, its type checked before it is opened (a named pipe
// or a device is refused, never read).
func ReadInput(path string, limit int64) ([]byte, error) {
	f, size, _, err := openRegular(path, "")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > limit {
		return nil, fmt.Errorf("%s: %d bytes is larger than the limit of %d bytes", path, size, limit)
	}
	return io.ReadAll(io.LimitReader(f, limit))
}

// release unlocks (closing the file is what releases the flock); the file
// stays.
func (l *lock) release() {
	if l != nil && l.f != nil {
		l.f.Truncate(0)
		l.f.Close()
		l.f = nil
	}
}

func writeAtomic(path string, b []byte) error { return calibrate.WriteFileAtomic(path, b) }
