// Package photo opens photos for smpmatch: it refuses what cannot be
// measured before spending time on it (missing files, directories, files
// that are not images, truncated files, images too large to decode safely)
// and decodes the rest with OpenCV, EXIF orientation applied, so that every
// pixel coordinate smpmatch reports is in the photo as displayed.
package photo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // DecodeConfig for GIF headers
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"

	"gocv.io/x/gocv"
)

// DefaultMaxPixels is the largest image decoded by default: 100 megapixels,
// four times a high-end phone's photo. A decompression bomb declares far
// more in a few bytes of header.
const DefaultMaxPixels = 100_000_000

// Options control loading.
type Options struct {
	// MaxPixels refuses images with more pixels (0 = DefaultMaxPixels).
	MaxPixels int
}

// ErrNotImage means the file is not a photo smpmatch can read.
var ErrNotImage = errors.New("not a readable image")

// Info describes a loaded photo.
type Info struct {
	Width, Height int
	Format        string // "jpeg", "png", … as sniffed from the content
}

// Load decodes the photo at path into an 8-bit BGR Mat (the caller closes
// it). EXIF orientation is applied.
func Load(path string, opt Options) (gocv.Mat, Info, error) {
	max := opt.MaxPixels
	if max <= 0 {
		max = DefaultMaxPixels
	}
	st, err := os.Stat(path)
	if err != nil {
		return gocv.Mat{}, Info{}, fmt.Errorf("open %s: %w", path, err)
	}
	if st.IsDir() {
		return gocv.Mat{}, Info{}, fmt.Errorf("open %s: is a directory, not a photo", path)
	}
	if st.Size() == 0 {
		return gocv.Mat{}, Info{}, fmt.Errorf("open %s: %w: the file is empty", path, ErrNotImage)
	}
	f, err := os.Open(path)
	if err != nil {
		return gocv.Mat{}, Info{}, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	info, err := sniff(head, f, st.Size())
	if err != nil {
		return gocv.Mat{}, Info{}, fmt.Errorf("open %s: %w", path, err)
	}
	if info.Width*info.Height > max || info.Width <= 0 || info.Height <= 0 {
		return gocv.Mat{}, info, fmt.Errorf("open %s: %dx%d pixels is over the limit of %d megapixels (raise it with --max-pixels)", path, info.Width, info.Height, max/1_000_000)
	}
	m := gocv.IMRead(path, gocv.IMReadColor)
	if m.Empty() {
		m.Close()
		return gocv.Mat{}, info, fmt.Errorf("open %s: %w: OpenCV could not decode the %s data", path, ErrNotImage, info.Format)
	}
	if m.Type() != gocv.MatTypeCV8UC3 {
		t := m.Type()
		m.Close()
		return gocv.Mat{}, info, fmt.Errorf("open %s: decoded to unexpected pixel type %v", path, t)
	}
	info.Width, info.Height = m.Cols(), m.Rows()
	return m, info, nil
}

// sniff reads the header for the format and size and checks that the file
// is complete: OpenCV decodes a truncated JPEG with only a warning and
// fills the rest grey, which would be measured as if it were the photo.
func sniff(head []byte, f *os.File, size int64) (Info, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Info{}, fmt.Errorf("reading the header: %w", err)
	}
	// DecodeConfig reads only up to the frame header, wherever large EXIF
	// or ICC blocks put it.
	cfg, format, err := image.DecodeConfig(bufio.NewReader(f))
	if err != nil {
		if isTIFF(head) || isWebP(head) {
			return Info{Format: "tiff/webp"}, fmt.Errorf("%w: TIFF and WebP are not supported; export the photo as JPEG or PNG", ErrNotImage)
		}
		return Info{}, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	info := Info{Width: cfg.Width, Height: cfg.Height, Format: format}
	tail := make([]byte, 16)
	if size >= int64(len(tail)) {
		if _, err := f.ReadAt(tail, size-int64(len(tail))); err != nil {
			return info, fmt.Errorf("reading the end of the file: %w", err)
		}
	}
	switch format {
	case "jpeg":
		// A complete JPEG ends with the EOI marker FF D9 (some writers pad
		// after it with zeros or a few bytes of junk).
		if !bytes.Contains(tail, []byte{0xFF, 0xD9}) {
			return info, fmt.Errorf("%w: the JPEG data is truncated (no end-of-image marker)", ErrNotImage)
		}
	case "png":
		if !bytes.Contains(tail, []byte("IEND")) {
			return info, fmt.Errorf("%w: the PNG data is truncated (no IEND chunk)", ErrNotImage)
		}
	}
	return info, nil
}

func isTIFF(b []byte) bool {
	return len(b) > 4 && (bytes.HasPrefix(b, []byte("II*\x00")) || bytes.HasPrefix(b, []byte("MM\x00*")))
}

func isWebP(b []byte) bool {
	return len(b) > 12 && bytes.HasPrefix(b, []byte("RIFF")) && string(b[8:12]) == "WEBP"
}
