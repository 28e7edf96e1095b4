package batch

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"io"
	"os"
	"time"

	"github.com/smpmatch/smpmatch/calibrate/photo"
	"gocv.io/x/gocv"
)

// photoDate is the day a photo was taken, for the report: the EXIF
// DateTimeOriginal of a JPEG when it has one ("exif"), else the file's
// modification time ("file"). Only the day is kept: no time, no other
// metadata, and it goes into the report only.
func photoDate(path string) (day, from string) {
	if d, err := exifDateTimeOriginal(path); err == nil {
		return d.Format("2006-01-02"), "exif"
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", ""
	}
	return st.ModTime().Format("2006-01-02"), "file"
}

// exifDateTimeOriginal reads tag 0x9003 (DateTimeOriginal) from a JPEG's
// APP1 Exif segment, looking no further than the segments before the image
// data.
func exifDateTimeOriginal(path string) (time.Time, error) {
	f, _, _, err := openRegular(path, "")
	if err != nil {
		return time.Time{}, err
	}
	defer f.Close()
	head := make([]byte, 256<<10)
	n, _ := io.ReadFull(f, head)
	b := head[:n]
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return time.Time{}, fmt.Errorf("not a JPEG")
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			break
		}
		marker := b[i+1]
		if marker == 0xDA || marker == 0xD9 { // image data: no Exif before it
			break
		}
		size := int(binary.BigEndian.Uint16(b[i+2:]))
		if size < 2 || i+2+size > len(b) {
			break
		}
		seg := b[i+4 : i+2+size]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffDateTimeOriginal(seg[6:])
		}
		i += 2 + size
	}
	return time.Time{}, fmt.Errorf("no Exif DateTimeOriginal")
}

func tiffDateTimeOriginal(t []byte) (time.Time, error) {
	bad := fmt.Errorf("no Exif DateTimeOriginal")
	if len(t) < 8 {
		return time.Time{}, bad
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return time.Time{}, bad
	}
	// find returns the entry of tag in the IFD at off.
	find := func(off uint32, tag uint16) ([]byte, bool) {
		if int(off)+2 > len(t) {
			return nil, false
		}
		n := int(bo.Uint16(t[off:]))
		for k := 0; k < n; k++ {
			e := int(off) + 2 + 12*k
			if e+12 > len(t) {
				return nil, false
			}
			if bo.Uint16(t[e:]) == tag {
				return t[e : e+12], true
			}
		}
		return nil, false
	}
	e, ok := find(bo.Uint32(t[4:]), 0x8769) // Exif sub-IFD
	if !ok {
		return time.Time{}, bad
	}
	e, ok = find(bo.Uint32(e[8:]), 0x9003)
	if !ok || bo.Uint16(e[2:]) != 2 { // ASCII
		return time.Time{}, bad
	}
	cnt, off := int(bo.Uint32(e[4:])), int(bo.Uint32(e[8:]))
	if cnt < 19 || off+19 > len(t) {
		return time.Time{}, bad
	}
	d, err := time.Parse("2006:01:02 15:04:05", string(t[off:off+19]))
	if err != nil || d.Year() < 1990 {
		return time.Time{}, bad
	}
	return d, nil
}

// writeRawThumb stores the photo as taken (not colour-corrected), shrunk
// to ThumbSide and re-encoded without metadata, as the thumbnail of a
// photo that could not be measured.
func writeRawThumb(st store, key, path string, maxPixels int) error {
	img, _, err := photo.Load(path, photo.Options{MaxPixels: maxPixels})
	if err != nil {
		return err
	}
	defer img.Close()
	long := max(img.Cols(), img.Rows())
	small := gocv.NewMat()
	defer small.Close()
	if long > ThumbSide {
		sc := float64(ThumbSide) / float64(long)
		gocv.Resize(img, &small, image.Point{X: max(1, int(float64(img.Cols())*sc)), Y: max(1, int(float64(img.Rows())*sc))}, 0, 0, gocv.InterpolationArea)
	} else {
		img.CopyTo(&small)
	}
	im, err := small.ToImage()
	if err != nil {
		return err
	}
	b, err := encodeJPEG(im, thumbQuality)
	if err != nil {
		return err
	}
	return st.write(st.path(key, thumbCorrected), b)
}
