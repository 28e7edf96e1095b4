package photo_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smpmatch/smpmatch/calibrate/photo"
	"gocv.io/x/gocv"
)

// Quadrant colours of the test image, as R, G, B.
var (
	red   = [3]uint8{220, 30, 30}
	green = [3]uint8{30, 200, 40}
	blue  = [3]uint8{30, 40, 210}
	white = [3]uint8{240, 240, 240}
)

// quadrants is a w×h image: red top left, green top right, blue bottom left,
// white bottom right. Flat areas survive JPEG, and any rotation or mirror
// moves a colour to another corner.
func quadrants(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := red
			switch {
			case x >= w/2 && y < h/2:
				c = green
			case x < w/2 && y >= h/2:
				c = blue
			case x >= w/2 && y >= h/2:
				c = white
			}
			img.SetNRGBA(x, y, color.NRGBA{c[0], c[1], c[2], 255})
		}
	}
	return img
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// progressiveJPEG encodes with OpenCV, which (unlike image/jpeg) can write
// progressive JPEGs.
func progressiveJPEG(t *testing.T, img *image.NRGBA) []byte {
	t.Helper()
	m, err := gocv.ImageToMatRGB(img)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, m, []int{gocv.IMWriteJpegQuality, 95, gocv.IMWriteJpegProgressive, 1})
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	out := append([]byte(nil), buf.GetBytes()...)
	if !bytes.Contains(out, []byte{0xFF, 0xC2}) {
		t.Fatal("OpenCV did not write a progressive frame (SOF2)")
	}
	return out
}

// pngChunk is one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// pngChunkOffset finds the first chunk of a type: the offset of its length
// field and its data length.
func pngChunkOffset(t *testing.T, b []byte, typ string) (int, int) {
	t.Helper()
	for off := 8; off+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[off:]))
		if string(b[off+4:off+8]) == typ {
			return off, n
		}
		off += 12 + n
	}
	t.Fatalf("no %s chunk", typ)
	return 0, 0
}

// bombPNG is a valid PNG signature and header claiming w×h pixels, with one
// tiny IDAT and IEND: a decoder that trusts the header allocates w·h·3 bytes.
func bombPNG(w, h uint32) []byte {
	var ihdr bytes.Buffer
	binary.Write(&ihdr, binary.BigEndian, w)
	binary.Write(&ihdr, binary.BigEndian, h)
	ihdr.Write([]byte{8, 2, 0, 0, 0}) // 8-bit RGB
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, pngChunk("IHDR", ihdr.Bytes())...)
	b = append(b, pngChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01})...)
	return append(b, pngChunk("IEND", nil)...)
}

// sof0 returns the offset of the baseline frame header (FF C0) of a JPEG
// written by image/jpeg.
func sof0(t *testing.T, b []byte) int {
	t.Helper()
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0 marker")
	}
	return i
}

// sos returns the offset of the first start-of-scan marker.
func sos(t *testing.T, b []byte) int {
	t.Helper()
	i := bytes.Index(b, []byte{0xFF, 0xDA})
	if i < 0 {
		t.Fatal("no SOS marker")
	}
	return i
}

// withEXIFOrientation inserts an APP1 EXIF segment holding only the
// Orientation tag (0x0112) right after the JPEG's start-of-image marker.
func withEXIFOrientation(jpg []byte, orientation uint16) []byte {
	var tiff bytes.Buffer
	tiff.WriteString("II*\x00")
	le := binary.LittleEndian
	binary.Write(&tiff, le, uint32(8)) // offset of IFD0
	binary.Write(&tiff, le, uint16(1)) // one entry
	binary.Write(&tiff, le, uint16(0x0112))
	binary.Write(&tiff, le, uint16(3)) // SHORT
	binary.Write(&tiff, le, uint32(1))
	binary.Write(&tiff, le, orientation)
	binary.Write(&tiff, le, uint16(0))
	binary.Write(&tiff, le, uint32(0)) // no IFD1
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	seg = append(seg, payload...)
	out := append([]byte(nil), jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// cmykJPEG writes a baseline JPEG with four components as Photoshop does
// (an Adobe APP14 marker with transform 0 and inverted values: 255 means no
// ink). No Go or OpenCV encoder writes CMYK, so this one is by hand, with
// one flat colour per 8×8 block: only DC coefficients, quantised by 1, and
// Huffman tables made for that (every DC category a 4-bit code; the only AC
// symbol end-of-block, code "0"). blocks[by][bx] holds the four stored
// values of a block.
func cmykJPEG(blocks [][][4]uint8) []byte {
	h, w := 8*len(blocks), 8*len(blocks[0])
	var b bytes.Buffer
	seg := func(marker byte, data []byte) {
		b.Write([]byte{0xFF, marker, byte((len(data) + 2) >> 8), byte(len(data) + 2)})
		b.Write(data)
	}
	b.Write([]byte{0xFF, 0xD8})
	seg(0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x00")) // transform 0: no colour transform
	seg(0xDB, append([]byte{0x00}, bytes.Repeat([]byte{1}, 64)...))
	seg(0xC0, []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 4,
		1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0})
	dc := append([]byte{0x00, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
	seg(0xC4, dc)
	seg(0xC4, []byte{0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00})
	seg(0xDA, []byte{4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0})
	var acc uint32
	var nbits uint
	put := func(v uint32, n uint) {
		for i := int(n) - 1; i >= 0; i-- {
			acc = acc<<1 | (v>>uint(i))&1
			nbits++
			if nbits == 8 {
				b.WriteByte(byte(acc))
				if byte(acc) == 0xFF {
					b.WriteByte(0)
				}
				acc, nbits = 0, 0
			}
		}
	}
	var pred [4]int
	for _, row := range blocks {
		for _, blk := range row {
			for c := 0; c < 4; c++ {
				v := 8 * (int(blk[c]) - 128) // DC of a flat block
				diff := v - pred[c]
				pred[c] = v
				cat, mag := 0, diff
				if mag < 0 {
					mag = -mag
				}
				for mag>>cat != 0 {
					cat++
				}
				put(uint32(cat), 4)
				bits := diff
				if diff < 0 {
					bits = diff - 1
				}
				put(uint32(bits)&(1<<cat-1), uint(cat))
				put(0, 1) // end of block
			}
		}
	}
	if nbits > 0 {
		put(1<<(8-nbits)-1, 8-nbits)
	}
	b.Write([]byte{0xFF, 0xD9})
	return b.Bytes()
}

// rgbAt reads pixel (x, y) of a BGR Mat as R, G, B.
func rgbAt(m gocv.Mat, x, y int) [3]uint8 {
	v := m.GetVecbAt(y, x)
	return [3]uint8{v[2], v[1], v[0]}
}

func near(a, b [3]uint8, tol int) bool {
	for k := range a {
		if d := int(a[k]) - int(b[k]); d > tol || d < -tol {
			return false
		}
	}
	return true
}

// expectPixels checks colours at (x, y) points of a loaded photo.
func expectPixels(want map[image.Point][3]uint8, tol int) func(*testing.T, gocv.Mat, photo.Info) {
	return func(t *testing.T, m gocv.Mat, _ photo.Info) {
		t.Helper()
		for p, c := range want {
			if got := rgbAt(m, p.X, p.Y); !near(got, c, tol) {
				t.Errorf("pixel (%d, %d) is RGB %v, want %v ±%d", p.X, p.Y, got, c, tol)
			}
		}
	}
}

// quadrantPixels are the centres of the quadrants of a w×h quadrants image.
func quadrantPixels(w, h int) map[image.Point][3]uint8 {
	return map[image.Point][3]uint8{
		{w / 4, h / 4}: red, {3 * w / 4, h / 4}: green,
		{w / 4, 3 * h / 4}: blue, {3 * w / 4, 3 * h / 4}: white,
	}
}

type loadCase struct {
	name string
	// file makes the input in dir and returns the path to load.
	file func(t *testing.T, dir string) string
	opt  photo.Options
	// wantErr is a fragment of the expected error; "" means it must load.
	wantErr string
	// size is the expected [width, height] of a loaded photo.
	size [2]int
	// check inspects a loaded photo.
	check func(*testing.T, gocv.Mat, photo.Info)
}

func write(name string, data []byte) func(*testing.T, string) string {
	return func(t *testing.T, dir string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

// writeWith builds the file's bytes inside the test (they need t).
func writeWith(name string, data func(t *testing.T) []byte) func(*testing.T, string) string {
	return func(t *testing.T, dir string) string {
		t.Helper()
		return write(name, data(t))(t, dir)
	}
}

func runLoadCases(t *testing.T, cases []loadCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.file(t, t.TempDir())
			start := time.Now()
			m, info, err := photo.Load(path, tc.opt)
			elapsed := time.Since(start)
			if tc.wantErr != "" {
				if err == nil {
					m.Close()
					t.Fatalf("loaded a %dx%d %s, want an error containing %q", info.Width, info.Height, info.Format, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %q does not contain %q", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the file", err)
				}
				// Refusals read headers, never decode: a decompression bomb
				// must not cost its declared size in time or memory.
				if elapsed > time.Second {
					t.Errorf("took %v to refuse", elapsed)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			defer m.Close()
			if m.Type() != gocv.MatTypeCV8UC3 {
				t.Errorf("type %v, want 8-bit BGR", m.Type())
			}
			if got := [2]int{m.Cols(), m.Rows()}; got != tc.size || [2]int{info.Width, info.Height} != tc.size {
				t.Errorf("Mat %v, Info %dx%d, want %v", got, info.Width, info.Height, tc.size)
			}
			if tc.check != nil {
				tc.check(t, m, info)
			}
		})
	}
}

// Every kind of bad file a clinic's folder can hold is refused before it
// is measured, with the file's name and the reason.
func TestBadPhotosAreRefusedWithTheReason(t *testing.T) {
	q := quadrants(64, 48)
	cases := []loadCase{
		{name: "a missing file is refused with the system's reason",
			file: func(t *testing.T, dir string) string { return filepath.Join(dir, "missing.jpg") }, wantErr: "no such file"},
		{name: "an empty file is refused as empty", file: write("empty.jpg", nil), wantErr: "the file is empty"},
		{name: "a text file is refused as not an image", file: write("notes.jpg", []byte("client 12: scalp photo to follow\n")), wantErr: "not a readable image"},
		{name: "a JPEG cut in the middle of its scan is refused as truncated",
			file: writeWith("cut.jpg", func(t *testing.T) []byte {
				b := encodeJPEG(t, q)
				s := sos(t, b)
				return b[:s+(len(b)-s)/2]
			}), wantErr: "JPEG data is truncated"},
		{name: "a JPEG cut right after its headers is refused as truncated",
			file:    writeWith("headers.jpg", func(t *testing.T) []byte { b := encodeJPEG(t, q); return b[:sos(t, b)] }),
			wantErr: "truncated"},
		{name: "a PNG cut in the middle of its data is refused as truncated",
			file: writeWith("cut.png", func(t *testing.T) []byte { b := encodePNG(t, q); return b[:len(b)/2] }), wantErr: "PNG data is truncated"},
		{name: "a PNG whose image data fails its CRC is refused",
			file: writeWith("crc.png", func(t *testing.T) []byte {
				b := encodePNG(t, q)
				off, _ := pngChunkOffset(t, b, "IDAT")
				b[off+8+2] ^= 0x55 // a data byte; the stored CRC no longer matches
				return b
			}), wantErr: "could not decode"},
		{name: "a PNG with garbled image data under a valid CRC is refused",
			file: writeWith("garbled.png", func(t *testing.T) []byte {
				b := encodePNG(t, q)
				off, n := pngChunkOffset(t, b, "IDAT")
				data := append([]byte(nil), b[off+8:off+8+n]...)
				for i := 2; i < len(data); i++ {
					data[i] = byte(i * 37)
				}
				out := append([]byte(nil), b[:off]...)
				out = append(out, pngChunk("IDAT", data)...)
				return append(out, b[off+12+n:]...)
			}), wantErr: "could not decode"},
		{name: "a PNG header claiming 100000×100000 pixels is refused before decoding, with the limit",
			file: write("bomb.png", bombPNG(100000, 100000)), wantErr: "100000x100000 pixels is over the limit of 100 megapixels"},
		{name: "a JPEG header claiming 60000×60000 pixels is refused before decoding",
			file: writeWith("bomb.jpg", func(t *testing.T) []byte {
				b := encodeJPEG(t, q)
				i := sof0(t, b)
				binary.BigEndian.PutUint16(b[i+5:], 60000)
				binary.BigEndian.PutUint16(b[i+7:], 60000)
				return b
			}), wantErr: "60000x60000 pixels is over the limit"},
		{name: "a photo over a configured pixel limit is refused and the limit named",
			file: writeWith("big.png", func(t *testing.T) []byte { return encodePNG(t, q) }), opt: photo.Options{MaxPixels: 3000},
			wantErr: "64x48 pixels is over the limit of 3000 pixels"},
		{name: "a PNG header with zero width is refused",
			file: write("zero.png", bombPNG(0, 10)), wantErr: "not a readable image"},
		{name: "a directory given as a photo is refused",
			file: func(t *testing.T, dir string) string { return dir }, wantErr: "is a directory"},
		{name: "a symbolic link loop is refused",
			file: func(t *testing.T, dir string) string {
				a, b := filepath.Join(dir, "a.jpg"), filepath.Join(dir, "b.jpg")
				if err := os.Symlink(b, a); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(a, b); err != nil {
					t.Fatal(err)
				}
				return a
			}, wantErr: "too many levels of symbolic links"},
		{name: "a path through a regular file is refused",
			file: func(t *testing.T, dir string) string {
				p := write("file.jpg", []byte("x"))(t, dir)
				return filepath.Join(p, "photo.jpg")
			}, wantErr: "not a directory"},
		{name: "a named pipe is refused without waiting for data",
			file: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "pipe.jpg")
				if err := syscall.Mkfifo(p, 0o644); err != nil {
					t.Skipf("mkfifo: %v", err)
				}
				return p
			}, wantErr: "not a regular file"},
		{name: "a TIFF whose first directory has no size is refused",
			file: write("scan.tif", []byte("II*\x00\x08\x00\x00\x00\x00\x00")), wantErr: "gives a size of 0x0 pixels"},
		{name: "a WebP shorter than its header says is refused as truncated",
			file: write("phone.webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00")), wantErr: "WebP data is truncated"},
		{name: "a GIF is refused with advice",
			file: writeWith("anim.gif", func(t *testing.T) []byte {
				var b bytes.Buffer
				if err := gif.Encode(&b, q, nil); err != nil {
					t.Fatal(err)
				}
				return b.Bytes()
			}), wantErr: "GIF is not supported"},
	}
	runLoadCases(t, cases)
}

// Permission is checked by the kernel, which lets root read anything.
func TestUnreadablePhotoIsRefused(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which can read a file with mode 000; the unreadable-path cases are covered by a path through a file and a symlink loop")
	}
	runLoadCases(t, []loadCase{{name: "a file without read permission is refused",
		file: func(t *testing.T, dir string) string {
			p := write("locked.jpg", encodeJPEG(t, quadrants(16, 16)))(t, dir)
			if err := os.Chmod(p, 0); err != nil {
				t.Fatal(err)
			}
			return p
		}, wantErr: "permission denied"}})
}

// Unusual but valid photos load as 8-bit BGR of the photo as displayed.
// withSubsampling checks Info.ChromaSubsampling, then the rest.
func withSubsampling(want [2]int, then func(*testing.T, gocv.Mat, photo.Info)) func(*testing.T, gocv.Mat, photo.Info) {
	return func(t *testing.T, m gocv.Mat, info photo.Info) {
		t.Helper()
		if info.ChromaSubsampling != want {
			t.Errorf("chroma subsampling %v, want %v", info.ChromaSubsampling, want)
		}
		then(t, m, info)
	}
}

func TestUnusualPhotosLoadAsDisplayed(t *testing.T) {
	q := quadrants(64, 48)
	qpix := quadrantPixels(64, 48)
	deep := image.NewNRGBA64(image.Rect(0, 0, 16, 8))
	for y := 0; y < 8; y++ {
		for x := 0; x < 16; x++ {
			deep.SetNRGBA64(x, y, color.NRGBA64{0xC0FF, 0x4000, 0x20A0, 0xFFFF})
		}
	}
	grey := image.NewGray(image.Rect(0, 0, 32, 16))
	for i := range grey.Pix {
		grey.Pix[i] = uint8(40 + (i%32)*6)
	}
	alpha := quadrants(32, 32)
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			alpha.SetNRGBA(x, y, color.NRGBA{red[0], red[1], red[2], 0}) // transparent red
		}
	}
	// 16×16 CMYK, four flat 8×8 blocks, stored inverted as Adobe does.
	cmyk := [][][4]uint8{
		{{200, 100, 50, 255}, {255, 255, 255, 255}},
		{{0, 0, 0, 255}, {255, 255, 255, 128}},
	}
	cases := []loadCase{
		{name: "a baseline JPEG loads with its colours, and says its colour is stored at half resolution (4:2:0)", file: writeWith("plain.jpg", func(t *testing.T) []byte { return encodeJPEG(t, q) }),
			size: [2]int{64, 48}, check: withSubsampling([2]int{2, 2}, expectPixels(qpix, 6))},
		{name: "a progressive JPEG loads", file: writeWith("progressive.jpg", func(t *testing.T) []byte { return progressiveJPEG(t, q) }),
			size: [2]int{64, 48}, check: expectPixels(qpix, 6)},
		{name: "a JPEG followed by a phone's appended video loads",
			file: writeWith("motion.jpg", func(t *testing.T) []byte {
				return append(encodeJPEG(t, q), append([]byte("\x00\x00\x00\x18ftypmp42"), bytes.Repeat([]byte{0xAB}, 5000)...)...)
			}), size: [2]int{64, 48}, check: expectPixels(qpix, 6)},
		{name: "a PNG with a chunk after IEND loads, its colour at full resolution",
			file: writeWith("extra.png", func(t *testing.T) []byte {
				return append(encodePNG(t, q), pngChunk("tEXt", []byte("Comment\x00written after the end"))...)
			}), size: [2]int{64, 48}, check: withSubsampling([2]int{0, 0}, expectPixels(qpix, 0))},
		{name: "a 16-bit PNG loads as 8-bit with each channel's high byte",
			file: writeWith("deep.png", func(t *testing.T) []byte { return encodePNG(t, deep) }),
			size: [2]int{16, 8}, check: expectPixels(map[image.Point][3]uint8{{3, 3}: {0xC0, 0x40, 0x20}}, 1)},
		{name: "a greyscale PNG loads as three equal channels",
			file: writeWith("grey.png", func(t *testing.T) []byte { return encodePNG(t, grey) }),
			size: [2]int{32, 16}, check: expectPixels(map[image.Point][3]uint8{{0, 0}: {40, 40, 40}, {31, 5}: {226, 226, 226}}, 0)},
		{name: "a greyscale JPEG loads as three equal channels",
			file: writeWith("grey.jpg", func(t *testing.T) []byte { return encodeJPEG(t, grey) }),
			size: [2]int{32, 16}, check: func(t *testing.T, m gocv.Mat, _ photo.Info) {
				for x := 0; x < 32; x++ {
					if c := rgbAt(m, x, 8); c[0] != c[1] || c[1] != c[2] {
						t.Fatalf("pixel (%d, 8) is %v: not grey", x, c)
					}
				}
			}},
		{name: "a PNG with alpha loads with the alpha ignored (colours as stored)",
			file: writeWith("alpha.png", func(t *testing.T) []byte { return encodePNG(t, alpha) }),
			size: [2]int{32, 32}, check: expectPixels(quadrantPixels(32, 32), 0)},
		{name: "a CMYK JPEG loads as RGB the way Photoshop stores it",
			file: write("cmyk.jpg", cmykJPEG(cmyk)), size: [2]int{16, 16},
			check: func(t *testing.T, m gocv.Mat, _ photo.Info) {
				// Adobe's inverted CMYK: with no black ink stored values are
				// R, G, B; half black ink halves them.
				expectPixels(map[image.Point][3]uint8{{4, 4}: {200, 100, 50}, {12, 4}: {255, 255, 255}, {4, 12}: {0, 0, 0}, {12, 12}: {128, 128, 128}}, 2)(t, m, photo.Info{})
				// Go's own decoder reads the hand-made file the same way.
				img, err := jpeg.Decode(bytes.NewReader(cmykJPEG(cmyk)))
				if err != nil {
					t.Fatalf("image/jpeg cannot read the test's CMYK JPEG: %v", err)
				}
				r, g, b, _ := img.At(4, 4).RGBA()
				if got := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}; !near(got, rgbAt(m, 4, 4), 3) {
					t.Errorf("image/jpeg reads %v, OpenCV %v", got, rgbAt(m, 4, 4))
				}
			}},
		{name: "an EXIF orientation 6 JPEG loads rotated a quarter turn clockwise, as displayed",
			file: writeWith("rotated.jpg", func(t *testing.T) []byte { return withEXIFOrientation(encodeJPEG(t, q), 6) }),
			size: [2]int{48, 64}, check: func(t *testing.T, m gocv.Mat, info photo.Info) {
				// Stored top left (red) is displayed top right, stored bottom
				// left (blue) top left.
				expectPixels(map[image.Point][3]uint8{{12, 16}: blue, {36, 16}: red, {12, 48}: white, {36, 48}: green}, 6)(t, m, info)
			}},
		{name: "an EXIF orientation 3 JPEG loads upside down, as displayed",
			file: writeWith("upside.jpg", func(t *testing.T) []byte { return withEXIFOrientation(encodeJPEG(t, q), 3) }),
			size: [2]int{64, 48}, check: expectPixels(map[image.Point][3]uint8{{16, 12}: white, {48, 12}: blue, {16, 36}: green, {48, 36}: red}, 6)},
		{name: "a 1×1 PNG loads", file: writeWith("dot.png", func(t *testing.T) []byte { return encodePNG(t, quadrants(1, 1)) }),
			size: [2]int{1, 1}, check: expectPixels(map[image.Point][3]uint8{{0, 0}: white}, 0)},
		{name: "an 8×8 JPEG loads", file: writeWith("tiny.jpg", func(t *testing.T) []byte { return encodeJPEG(t, quadrants(8, 8)) }),
			size: [2]int{8, 8}},
	}
	runLoadCases(t, cases)
}
