package photo

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"
)

// fuzzMaxPixels keeps fuzzed decodes small.
const fuzzMaxPixels = 1 << 16

// fuzzSeeds are small valid photos; testdata/fuzz holds the crafted ones
// (truncated, a bomb header, CMYK, EXIF-rotated, data after the end).
func fuzzSeeds(f *testing.F) {
	img := image.NewNRGBA(image.Rect(0, 0, 24, 16))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	var p, j, g bytes.Buffer
	png.Encode(&p, img)
	jpeg.Encode(&j, img, &jpeg.Options{Quality: 80})
	grey := image.NewGray(image.Rect(0, 0, 9, 9))
	grey.SetGray(4, 4, color.Gray{200})
	png.Encode(&g, grey)
	f.Add(p.Bytes())
	f.Add(j.Bytes())
	f.Add(g.Bytes())
	// BMP, WebP and TIFF from OpenCV's encoders, for their header checks.
	if m, err := gocv.ImageToMatRGB(img); err == nil {
		for _, ext := range []gocv.FileExt{".bmp", ".webp", ".tiff"} {
			if buf, err := gocv.IMEncode(ext, m); err == nil {
				f.Add(append([]byte(nil), buf.GetBytes()...))
				buf.Close()
			}
		}
		m.Close()
	}
}

// Whatever the bytes, sniff answers without panicking or hanging, and
// never passes an image over the pixel limit.
func FuzzSniff(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := sniff(data, fuzzMaxPixels)
		if err != nil {
			return
		}
		if info.Width <= 0 || info.Height <= 0 || info.Width*info.Height > fuzzMaxPixels {
			t.Fatalf("accepted a %dx%d image (limit %d pixels)", info.Width, info.Height, fuzzMaxPixels)
		}
		if info.Format == "heif" {
			return // the size comes from libheif, in Load
		}
		if info.Format != "jpeg" && info.Format != "png" && info.Format != "bmp" && info.Format != "webp" && info.Format != "tiff" {
			t.Fatalf("accepted format %q", info.Format)
		}
	})
}

// Whatever the file holds, Load returns an error or an 8-bit BGR photo of
// the size its header declares (turned by EXIF at most a quarter turn),
// within the pixel limit; OpenCV never sees a file sniff refused.
func FuzzLoad(f *testing.F) {
	fuzzSeeds(f)
	dir, err := os.MkdirTemp("", "fuzzload")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "photo")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		m, info, err := Load(path, Options{MaxPixels: fuzzMaxPixels})
		if err != nil {
			if m.Ptr() != nil {
				t.Fatal("an error and a photo")
			}
			return
		}
		defer m.Close()
		if m.Type() != gocv.MatTypeCV8UC3 {
			t.Fatalf("type %v", m.Type())
		}
		if m.Cols() != info.Width || m.Rows() != info.Height || info.Width*info.Height > fuzzMaxPixels {
			t.Fatalf("Mat %dx%d, Info %dx%d (limit %d pixels)", m.Cols(), m.Rows(), info.Width, info.Height, fuzzMaxPixels)
		}
	})
}
