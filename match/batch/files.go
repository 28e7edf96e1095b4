package batch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// maxInputBytes bounds every read of an input file (a photo or a profile):
// far above any photo under the 100-megapixel limit (a 100-MP 16-bit PNG is
// 600 MB), small enough that a file never read to its end cannot exist.
const maxInputBytes = 1 << 30

// errOutside means a manifest's photo or profile resolves (through a
// symbolic link) to a file outside the manifest's folder.
var errOutside = errors.New("is a symbolic link to a file outside the manifest's folder (allow with --allow-outside)")

// openRegular opens an input for reading only if it is a regular file: the
// type is checked before any open (a named pipe would block the open, a
// device such as /dev/zero would never end), a symbolic link is followed
// only to a regular file, the open itself does not block (O_NONBLOCK) and
// does not follow a link swapped in meanwhile (O_NOFOLLOW on the resolved
// path), and the opened descriptor is checked again (fstat): same file,
// still regular, at most maxInputBytes. within, if not empty, is a folder
// the file must resolve into (symbolic links are resolved, not the path
// text). It returns the open file, its size and the resolved path, which
// callers open again (photo.Load) so that no link is followed twice.
// Errors do not name the resolved path (a machine's folders).
func openRegular(path, within string) (f *os.File, size int64, real string, err error) {
	lst, err := os.Lstat(path)
	if err != nil {
		return nil, 0, "", err
	}
	real, st := path, lst
	if lst.Mode()&fs.ModeSymlink != 0 {
		if real, err = filepath.EvalSymlinks(path); err != nil {
			return nil, 0, "", fmt.Errorf("%s: %w", path, unwrapPath(err))
		}
		if st, err = os.Stat(real); err != nil {
			return nil, 0, "", fmt.Errorf("%s: %w", path, unwrapPath(err))
		}
	}
	if !st.Mode().IsRegular() {
		return nil, 0, "", notRegular(path, st.Mode())
	}
	if within != "" {
		if err := inside(real, within); err != nil {
			return nil, 0, "", fmt.Errorf("%s %w", path, err)
		}
	}
	f, err = os.OpenFile(real, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW|syscall.O_NOCTTY, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, 0, "", fmt.Errorf("%s: the file changed while it was opened", path)
		}
		return nil, 0, "", fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	fst, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, "", fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	if !fst.Mode().IsRegular() {
		f.Close()
		return nil, 0, "", notRegular(path, fst.Mode())
	}
	if !os.SameFile(st, fst) {
		f.Close()
		return nil, 0, "", fmt.Errorf("%s: the file changed while it was opened", path)
	}
	if fst.Size() > maxInputBytes {
		f.Close()
		return nil, 0, "", fmt.Errorf("%s: %d bytes is larger than the limit of %d bytes for an input file", path, fst.Size(), int64(maxInputBytes))
	}
	return f, fst.Size(), real, nil
}

func notRegular(path string, m fs.FileMode) error {
	kind := "special file"
	switch {
	case m.IsDir():
		kind = "directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "named pipe"
	case m&fs.ModeSocket != 0:
		kind = "socket"
	case m&fs.ModeCharDevice != 0:
		kind = "character device"
	case m&fs.ModeDevice != 0:
		kind = "block device"
	}
	return fmt.Errorf("%s: not a regular file (%s): only photo files are read", path, kind)
}

// unwrapPath drops the path from a *fs.PathError (it may be a symbolic
// link's resolved target).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// inside checks that the resolved file real lies in the folder dir (both
// resolved through symbolic links).
func inside(real, dir string) error {
	r, err := filepath.Abs(real)
	if err != nil {
		return err
	}
	d, err := filepath.EvalSymlinks(dir)
	if err == nil {
		d, err = filepath.Abs(d)
	}
	if err != nil {
		return fmt.Errorf(": the manifest's folder: %w", unwrapPath(err))
	}
	rel, err := filepath.Rel(d, r)
	if err != nil || !filepath.IsLocal(rel) {
		return errOutside
	}
	return nil
}

// ErrOutput means an output could not be written because the file system
// refused to store it (IsDiskError): the run stopped at once and the
// previous outputs are kept.
var ErrOutput = errors.New("output could not be written")

// IsDiskError reports whether err is the file system refusing to store
// data: no space (ENOSPC), over quota (EDQUOT), an I/O error (EIO) or a
// read-only file system (EROFS). Going on would only fail again, photo
// after photo.
func IsDiskError(err error) bool {
	for _, e := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT, syscall.EIO, syscall.EROFS} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// outputError wraps a disk error of the run writing to out.
func outputError(out string, err error) error {
	return fmt.Errorf("%w: %w; the batch stopped, the previous outputs in %s are kept (make room or fix the disk, then run the same command again to continue)", ErrOutput, err, out)
}

// faults injects write errors in tests (a full disk without a tmpfs): it
// is called with each path about to be written under --out and its error,
// if any, is returned as the write's.
type faults func(path string) error

func (f faults) check(path string) error {
	if f == nil {
		return nil
	}
	if err := f(path); err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: err}
	}
	return nil
}
