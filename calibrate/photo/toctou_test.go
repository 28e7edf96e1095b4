package photo

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func tinyPNG(t *testing.T, w, h int, c color.NRGBA) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bombHeaderPNG claims w×h pixels in a few bytes.
func bombHeaderPNG(w, h uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		var b bytes.Buffer
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
		return b.Bytes()
	}
	var ihdr bytes.Buffer
	binary.Write(&ihdr, binary.BigEndian, w)
	binary.Write(&ihdr, binary.BigEndian, h)
	ihdr.Write([]byte{8, 2, 0, 0, 0})
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, chunk("IHDR", ihdr.Bytes())...)
	b = append(b, chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01})...)
	return append(b, chunk("IEND", nil)...)
}

// The file checked is the file decoded: whatever replaces the path after
// Load has read it (another photo, a decompression bomb, a named pipe)
// cannot reach the decoder. Before the fix Load checked one open of the
// file and had OpenCV read the path again.
func TestRobustLoadDecodesTheBytesItChecked(t *testing.T) {
	green := color.NRGBA{20, 200, 40, 255}
	swaps := []struct {
		name string
		swap func(t *testing.T, path string)
	}{
		{"another photo", func(t *testing.T, p string) {
			if err := os.WriteFile(p+".new", tinyPNG(t, 40, 30, color.NRGBA{250, 0, 250, 255}), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(p+".new", p); err != nil {
				t.Fatal(err)
			}
		}},
		{"a bomb over the pixel limit", func(t *testing.T, p string) {
			if err := os.WriteFile(p, bombHeaderPNG(30000, 30000), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"a named pipe", func(t *testing.T, p string) {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
		}},
	}
	for _, sw := range swaps {
		t.Run(sw.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "photo.png")
			if err := os.WriteFile(p, tinyPNG(t, 16, 12, green), 0o644); err != nil {
				t.Fatal(err)
			}
			swapped := false
			afterRead = func(path string) {
				if path == p {
					sw.swap(t, p)
					swapped = true
				}
			}
			defer func() { afterRead = nil }()
			m, info, err := Load(p, Options{})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			defer m.Close()
			if !swapped {
				t.Fatal("the swap did not run")
			}
			if m.Cols() != 16 || m.Rows() != 12 || info.Width != 16 || info.Height != 12 {
				t.Fatalf("decoded %dx%d (Info %dx%d), want the 16x12 photo that was checked", m.Cols(), m.Rows(), info.Width, info.Height)
			}
			if v := m.GetVecbAt(5, 5); v[0] != 40 || v[1] != 200 || v[2] != 20 {
				t.Fatalf("pixel BGR %v, want the checked photo's [40 200 20]", v)
			}
		})
	}
}

// Load reads at most the byte limit; a file over it is refused before it
// is read.
func TestRobustLoadRefusesAFileOverTheByteLimit(t *testing.T) {
	opt := Options{MaxPixels: 100}
	p := filepath.Join(t.TempDir(), "big.png")
	data := append(tinyPNG(t, 4, 4, color.NRGBA{1, 2, 3, 255}), make([]byte, opt.maxBytes())...)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	m, _, err := Load(p, opt)
	if err == nil {
		m.Close()
		t.Fatal("loaded a file over the byte limit")
	}
	t.Log(err)
}
