package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
)

// Encode writes img as "png" or "jpeg" (also "jpg"); quality (1..100) only
// matters for JPEG, where 0 means 90.
func Encode(img image.Image, format string, quality int) ([]byte, error) {
	var buf bytes.Buffer
	switch strings.ToLower(format) {
	case "png":
		if err := png.Encode(&buf, img); err != nil {
			return nil, fmt.Errorf("synth: encode png: %w", err)
		}
	case "jpeg", "jpg":
		if quality == 0 {
			quality = 90
		}
		if quality < 1 || quality > 100 {
			return nil, fmt.Errorf("synth: JPEG quality %d is outside 1..100", quality)
		}
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
			return nil, fmt.Errorf("synth: encode jpeg: %w", err)
		}
	default:
		return nil, fmt.Errorf("synth: image format %q: want \"png\" or \"jpeg\"", format)
	}
	return buf.Bytes(), nil
}
