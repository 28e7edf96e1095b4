// Package photo opens photos for smpmatch: it refuses what cannot be
// measured before spending time on it (missing files, directories, files
// that are not images, truncated files, images too large to decode safely)
// and decodes the rest with OpenCV, EXIF orientation applied, so that every
// pixel coordinate smpmatch reports is in the photo as displayed.
package photo

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // DecodeConfig for GIF headers
	_ "image/jpeg"
	_ "image/png"
	"io"
	"io/fs"
	"os"
	"strconv"
	"syscall"

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
	// ChromaSubsampling is, for a JPEG, how many pixels across and down
	// share one sample of colour (2, 2 for 4:2:0, what phones and cameras
	// write; 1, 1 for 4:4:4), in the orientation of the decoded photo;
	// 0, 0 for other formats, which keep colour at full resolution.
	ChromaSubsampling [2]int
}

// Load reads the photo at path once, checks those bytes and decodes the
// same bytes into an 8-bit BGR Mat (the caller closes it). EXIF orientation
// is applied. Only a regular file is read (a symbolic link is followed to
// one): it is opened without blocking, so a named pipe or a device is
// refused without waiting, and at most MaxBytes of it are read. Nothing is
// read from the path again, so a file swapped after the check cannot be
// decoded in its place.
func Load(path string, opt Options) (gocv.Mat, Info, error) {
	data, err := readPhoto(path, opt.maxBytes())
	if err != nil {
		return gocv.Mat{}, Info{}, fmt.Errorf("open %s: %w", path, err)
	}
	if afterRead != nil {
		afterRead(path)
	}
	m, info, err := Decode(data, opt)
	if err != nil {
		return gocv.Mat{}, info, fmt.Errorf("open %s: %w", path, err)
	}
	return m, info, nil
}

// afterRead, when set by a test, runs between reading a photo's bytes and
// decoding them: the test swaps the file there.
var afterRead func(path string)

// maxPixels is the pixel limit in force.
func (o Options) maxPixels() int {
	if o.MaxPixels <= 0 {
		return DefaultMaxPixels
	}
	return o.MaxPixels
}

// maxBytes is the largest file read: an uncompressed 8-bit RGB image of
// the pixel limit, plus room for metadata and what phones append after the
// image (a motion photo's video, depth maps).
func (o Options) maxBytes() int64 {
	return 3*int64(o.maxPixels()) + 64<<20
}

// readPhoto reads a regular file whole, refusing anything else before
// reading it.
func readPhoto(path string, maxBytes int64) ([]byte, error) {
	// O_NONBLOCK: opening a named pipe must not wait for a writer. It has
	// no effect on regular files, the only kind read.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat() // of the file opened, not of the path
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, errors.New("is a directory, not a photo")
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file (%v)", ErrNotImage, st.Mode().Type())
	}
	if st.Size() == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotImage)
	}
	if st.Size() > maxBytes {
		size, limit := byteCount(st.Size()), byteCount(maxBytes)
		if size == limit {
			size, limit = strconv.FormatInt(st.Size(), 10)+" bytes", strconv.FormatInt(maxBytes, 10)+" bytes"
		}
		return nil, fmt.Errorf("%w: the file is %s, over the limit of %s for a photo within the pixel limit (raise it with --max-pixels)", ErrNotImage, size, limit)
	}
	// The size may change while reading: read at most one byte more than
	// allowed, whatever fstat said.
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("%w: the file grew past the limit of %s while it was read", ErrNotImage, byteCount(maxBytes))
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotImage)
	}
	return data, nil
}

// byteCount writes a file size for people.
func byteCount(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// Decode checks a photo's bytes as Load does (format, size within the
// pixel limit, complete structure, undamaged JPEG scan data) and decodes
// those bytes into an 8-bit BGR Mat (the caller closes it), EXIF
// orientation applied. Errors do not name a file.
func Decode(data []byte, opt Options) (gocv.Mat, Info, error) {
	if len(data) == 0 {
		return gocv.Mat{}, Info{}, fmt.Errorf("%w: the file is empty", ErrNotImage)
	}
	info, err := sniff(data, opt.maxPixels())
	if err != nil {
		return gocv.Mat{}, info, err
	}
	if info.Format == "heif" {
		return decodeHEIF(data, opt.maxPixels())
	}
	flags := gocv.IMReadColor
	mcuW, mcuH := 0, 0
	var m gocv.Mat
	decoded := false
	if info.Format == "jpeg" {
		// libjpeg decodes damaged scan data with only a warning on stderr
		// and fills what it could not read with grey or garbage: the
		// scan data is checked as it is decoded (or checked, and then
		// decoded by OpenCV, for JPEGs other than YCbCr).
		if m, mcuW, mcuH, decoded, err = jpegDecode(data, info.Width, info.Height); err != nil {
			return gocv.Mat{}, info, err
		}
		// The seam check needs the blocks where the file has them: the
		// EXIF orientation is applied after it, as OpenCV would.
		flags |= gocv.IMReadIgnoreOrientation
	}
	if !decoded {
		m, err = gocv.IMDecode(data, flags)
	}
	if err != nil || m.Empty() {
		if err == nil {
			m.Close()
		}
		return gocv.Mat{}, info, fmt.Errorf("%w: OpenCV could not decode the %s data (corrupt file?)", ErrNotImage, info.Format)
	}
	if m.Type() != gocv.MatTypeCV8UC3 {
		t := m.Type()
		m.Close()
		return gocv.Mat{}, info, fmt.Errorf("decoded to unexpected pixel type %v", t)
	}
	if info.Format == "jpeg" {
		if how := blockSeam(m, mcuW, mcuH); how != "" {
			m.Close()
			return gocv.Mat{}, info, damagedError{how}
		}
		info.ChromaSubsampling = [2]int{mcuW / 8, mcuH / 8}
		orient(&m, exifOrientation(data))
		if m.Cols() != m.Rows() && m.Cols() == info.Height {
			s := info.ChromaSubsampling
			info.ChromaSubsampling = [2]int{s[1], s[0]}
		}
	}
	// The decoder must agree with the header (up to the EXIF rotation by a
	// quarter turn): anything else is a decoder reading something else.
	w, h := m.Cols(), m.Rows()
	if !(w == info.Width && h == info.Height) && !(w == info.Height && h == info.Width) {
		m.Close()
		return gocv.Mat{}, info, fmt.Errorf("%w: decoded %dx%d pixels but the header says %dx%d", ErrNotImage, w, h, info.Width, info.Height)
	}
	info.Width, info.Height = w, h
	return m, info, nil
}

// sniff reads the header for the format and size, refuses images over
// maxPixels before anything is decoded, and checks that the file is
// complete: OpenCV decodes a truncated JPEG with only a warning and fills
// the rest grey, which would be measured as if it were the photo.
func sniff(data []byte, maxPixels int) (Info, error) {
	r := bytes.NewReader(data)
	switch {
	case isHEIF(data):
		return Info{Format: "heif"}, nil // libheif reads the size (decodeHEIF)
	case isBMP(data), isWebP(data), isTIFF(data):
		info, err := otherHeader(data)
		if info.Width > 0 && info.Height > 0 {
			if serr := checkSize(info, maxPixels); serr != nil {
				return info, serr // a bomb is a bomb, whatever else is wrong
			}
		}
		if err != nil {
			return info, fmt.Errorf("%w: %v", ErrNotImage, err)
		}
		return info, checkSize(info, maxPixels)
	}
	// DecodeConfig reads only up to the frame header, wherever large EXIF
	// or ICC blocks put it.
	cfg, format, err := image.DecodeConfig(bufio.NewReader(r))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return Info{}, fmt.Errorf("%w: the file is truncated (it ends inside the image header)", ErrNotImage)
		}
		return Info{}, fmt.Errorf("%w: %v (smpmatch reads JPEG, PNG, HEIC/HEIF, WebP, TIFF and BMP)", ErrNotImage, err)
	}
	info := Info{Width: cfg.Width, Height: cfg.Height, Format: format}
	if info.Width <= 0 || info.Height <= 0 {
		return info, fmt.Errorf("%w: the header gives a size of %dx%d pixels", ErrNotImage, info.Width, info.Height)
	}
	if int64(info.Width)*int64(info.Height) > int64(maxPixels) {
		return info, fmt.Errorf("%dx%d pixels is over the limit of %s (raise it with --max-pixels)", info.Width, info.Height, pixelCount(maxPixels))
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return info, fmt.Errorf("reading the file: %w", err)
	}
	switch format {
	case "jpeg":
		err = jpegComplete(bufio.NewReaderSize(r, 64<<10))
	case "png":
		err = pngComplete(bufio.NewReaderSize(r, 64<<10))
	case "gif":
		err = errors.New("GIF is not supported; export the photo as JPEG or PNG")
	}
	if err != nil {
		return info, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	return info, nil
}

// pixelCount writes a pixel limit for people: "100 megapixels", "5000 pixels".
func pixelCount(n int) string {
	if n >= 1_000_000 {
		return strconv.FormatFloat(float64(n)/1e6, 'f', -1, 64) + " megapixels"
	}
	return strconv.Itoa(n) + " pixels"
}

// errTruncatedJPEG and errTruncatedPNG say why a file is incomplete.
var (
	errTruncatedJPEG = errors.New("the JPEG data is truncated (the file ends before the end-of-image marker)")
	errTruncatedPNG  = errors.New("the PNG data is truncated (the file ends before the IEND chunk)")
)

// jpegComplete walks the JPEG's marker segments and entropy-coded data up
// to the end-of-image marker of the main image. Segments are skipped by
// their length, so an EXIF thumbnail's own end marker does not count, and
// anything after the main image's end (phones append videos and depth
// maps) is ignored.
func jpegComplete(br *bufio.Reader) error {
	var soi [2]byte
	if _, err := io.ReadFull(br, soi[:]); err != nil || soi != [2]byte{0xFF, 0xD8} {
		return errors.New("not a JPEG (no start-of-image marker)")
	}
	marker, err := nextMarker(br)
	for {
		if err != nil {
			return errTruncatedJPEG
		}
		switch {
		case marker == 0xD9: // EOI
			return nil
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD7: // TEM, RST: no length
			marker, err = nextMarker(br)
			continue
		case marker == 0xD8:
			return errors.New("the JPEG data is corrupt (a second start-of-image marker)")
		}
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return errTruncatedJPEG
		}
		n := int(l[0])<<8 | int(l[1])
		if n < 2 {
			return fmt.Errorf("the JPEG data is corrupt (marker FF%02X has length %d)", marker, n)
		}
		if _, err := br.Discard(n - 2); err != nil {
			return errTruncatedJPEG
		}
		if marker == 0xDA { // SOS: entropy-coded data up to the next marker
			marker, err = scanEntropy(br)
			continue
		}
		marker, err = nextMarker(br)
	}
}

// nextMarker reads the next marker code, skipping fill bytes (and, as
// libjpeg does with a warning, stray bytes before the marker).
func nextMarker(br *bufio.Reader) (byte, error) {
	for {
		if _, err := br.ReadSlice(0xFF); err != nil {
			if err == bufio.ErrBufferFull {
				continue
			}
			return 0, err
		}
		for {
			b, err := br.ReadByte()
			if err != nil {
				return 0, err
			}
			if b != 0xFF {
				if b == 0 {
					break // a stuffed FF 00 is not a marker
				}
				return b, nil
			}
		}
	}
}

// scanEntropy skips entropy-coded data (where FF 00 is a data byte and
// FF D0–D7 are restart markers) and returns the marker that ends it.
func scanEntropy(br *bufio.Reader) (byte, error) {
	for {
		m, err := nextMarker(br)
		if err != nil || m < 0xD0 || m > 0xD7 {
			return m, err
		}
	}
}

// pngComplete walks the PNG's chunks by their lengths up to IEND; data
// after IEND is ignored. CRCs are left to libpng, which refuses a critical
// chunk with a bad one.
func pngComplete(br *bufio.Reader) error {
	if _, err := br.Discard(8); err != nil { // signature, checked by DecodeConfig
		return errTruncatedPNG
	}
	var h [8]byte
	for {
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return errTruncatedPNG
		}
		n := binary.BigEndian.Uint32(h[:4])
		if n > 1<<31-1 {
			return fmt.Errorf("the PNG data is corrupt (chunk %q has length %d)", h[4:], n)
		}
		if string(h[4:]) == "IEND" {
			return nil
		}
		if _, err := br.Discard(int(n) + 4); err != nil {
			return errTruncatedPNG
		}
	}
}
