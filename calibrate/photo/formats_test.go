package photo_test

import (
	"encoding/binary"
	"errors"
	"image"
	"strings"
	"testing"

	"github.com/smpmatch/smpmatch/calibrate/photo"
	"github.com/smpmatch/smpmatch/calibrate/photo/heiftest"
	"gocv.io/x/gocv"
)

// encodeCV writes img with OpenCV's encoder for ext (".bmp", ".webp",
// ".tiff"), which uses the same libraries its decoder does.
func encodeCV(t *testing.T, img *image.NRGBA, ext string, params ...int) []byte {
	t.Helper()
	m, err := gocv.ImageToMatRGB(img)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var buf *gocv.NativeByteBuffer
	if len(params) == 0 {
		buf, err = gocv.IMEncode(gocv.FileExt(ext), m) // WithParams panics on none
	} else {
		buf, err = gocv.IMEncodeWithParams(gocv.FileExt(ext), m, params)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...)
}

func heic(t *testing.T, img *image.NRGBA, orientation int, exif []byte) []byte {
	t.Helper()
	b, err := heiftest.EncodeHEIC(img, 90, orientation, exif)
	if errors.Is(err, heiftest.ErrNoEncoder) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// exifOrientation is an EXIF block (libheif's form: a 4-byte offset to
// the TIFF header, then the TIFF header and IFD0) with one Orientation tag.
func exifOrientation(o uint16) []byte {
	le := binary.LittleEndian
	b := []byte{0, 0, 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0}
	e := make([]byte, 12)
	le.PutUint16(e, 0x0112)
	le.PutUint16(e[2:], 3)
	le.PutUint32(e[4:], 1)
	le.PutUint16(e[8:], o)
	b = append(b, e...)
	return append(b, 0, 0, 0, 0)
}

// iPhones save HEIC; WebP, TIFF and BMP reach clinics too. Each loads as
// displayed with its colours; a cut file is refused before decoding.
// Before: HEIC, WebP and TIFF were refused ("not supported" or "not a
// photo"), BMP failed with "image: unknown format".
func TestUnusualFormatsLoadAsDisplayed(t *testing.T) {
	q := quadrants(64, 48)
	qpix := quadrantPixels(64, 48)
	cases := []loadCase{
		{name: "a HEIC loads with its colours", file: writeWith("iphone.heic", func(t *testing.T) []byte { return heic(t, q, 1, nil) }),
			size: [2]int{64, 48}, check: expectPixels(qpix, 12)},
		{name: "a HEIC turned a quarter (irot, EXIF orientation 6 as an iPhone writes both) loads as displayed, turned once",
			file: writeWith("portrait.heic", func(t *testing.T) []byte { return heic(t, q, 6, exifOrientation(6)) }),
			size: [2]int{48, 64}, check: expectPixels(map[image.Point][3]uint8{{12, 16}: blue, {36, 16}: red, {12, 48}: white, {36, 48}: green}, 12)},
		{name: "a HEIC with a .jpg name loads by its content", file: writeWith("renamed.jpg", func(t *testing.T) []byte { return heic(t, q, 1, nil) }),
			size: [2]int{64, 48}, check: expectPixels(qpix, 12)},
		{name: "a lossy WebP loads", file: writeWith("phone.webp", func(t *testing.T) []byte { return encodeCV(t, q, ".webp", gocv.IMWriteWebpQuality, 95) }),
			size: [2]int{64, 48}, check: expectPixels(qpix, 12)},
		{name: "a lossless WebP loads exactly", file: writeWith("lossless.webp", func(t *testing.T) []byte { return encodeCV(t, q, ".webp", gocv.IMWriteWebpQuality, 101) }),
			size: [2]int{64, 48}, check: expectPixels(qpix, 0)},
		{name: "a TIFF loads exactly", file: writeWith("scan.tif", func(t *testing.T) []byte { return encodeCV(t, q, ".tiff") }),
			size: [2]int{64, 48}, check: expectPixels(qpix, 0)},
		{name: "a BMP loads exactly", file: writeWith("old.bmp", func(t *testing.T) []byte { return encodeCV(t, q, ".bmp") }),
			size: [2]int{64, 48}, check: expectPixels(qpix, 0)},
	}
	runLoadCases(t, cases)
}

func TestBadFormatsAreRefusedWithTheReason(t *testing.T) {
	q := quadrants(64, 48)
	half := func(name string, enc func(t *testing.T) []byte) func(*testing.T, string) string {
		return writeWith(name, func(t *testing.T) []byte { b := enc(t); return b[:len(b)/2] })
	}
	cases := []loadCase{
		{name: "a HEIC cut in half is refused",
			file: half("cut.heic", func(t *testing.T) []byte { return heic(t, q, 1, nil) }), wantErr: "not a readable image"},
		{name: "a HEIC over the pixel limit is refused before decoding",
			file: writeWith("big.heic", func(t *testing.T) []byte { return heic(t, q, 1, nil) }), opt: photo.Options{MaxPixels: 1000},
			wantErr: "64x48 pixels is over the limit of 1000 pixels"},
		{name: "a WebP cut in half is refused as truncated",
			file: half("cut.webp", func(t *testing.T) []byte { return encodeCV(t, q, ".webp") }), wantErr: "WebP data is truncated"},
		{name: "a BMP cut in half is refused as truncated",
			file: half("cut.bmp", func(t *testing.T) []byte { return encodeCV(t, q, ".bmp") }), wantErr: "BMP data is truncated"},
		{name: "a TIFF cut in half is refused",
			file: half("cut.tif", func(t *testing.T) []byte { return encodeCV(t, q, ".tiff") }), wantErr: "not a readable image"},
		{name: "a BMP header claiming 60000×60000 pixels is refused before decoding",
			file: writeWith("bomb.bmp", func(t *testing.T) []byte {
				b := encodeCV(t, q, ".bmp")
				binary.LittleEndian.PutUint32(b[18:], 60000)
				binary.LittleEndian.PutUint32(b[22:], 60000)
				return b
			}), wantErr: "60000x60000 pixels is over the limit"},
		{name: "an animated WebP is refused with advice",
			file:    write("anim.webp", append([]byte("RIFF\x16\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x02\x00\x00\x00\x3f\x00\x00\x2f\x00\x00"), make([]byte, 0)...)),
			wantErr: "animated WebP"},
	}
	runLoadCases(t, cases)
}

// Every extension in photo.Extensions is a format Load reads; names are
// matched in any case.
func TestPhotoExtensions(t *testing.T) {
	for _, name := range []string{"a.JPG", "b.jpeg", "c.png", "IMG_0001.HEIC", "d.heif", "e.webp", "f.TIF", "g.tiff", "h.bmp"} {
		if !photo.HasPhotoExtension(name) {
			t.Errorf("%s is not collected", name)
		}
	}
	for _, name := range []string{"notes.txt", "clip.mov", "a.gif", "raw.dng", "x.jpg.part"} {
		if photo.HasPhotoExtension(name) {
			t.Errorf("%s is collected", name)
		}
	}
	for _, e := range photo.Extensions {
		if e != strings.ToLower(e) || !strings.HasPrefix(e, ".") {
			t.Errorf("extension %q: want lower case with a dot", e)
		}
	}
}
