package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Extensions are the file name extensions (lower case, with the dot) of
// the photo formats Load reads: JPEG, PNG, HEIC/HEIF (iPhones), WebP,
// TIFF and BMP. Folder walks (match/batch) collect files with these
// extensions; the format itself is always taken from the content.
var Extensions = []string{".jpg", ".jpeg", ".png", ".heic", ".heif", ".hif", ".webp", ".tif", ".tiff", ".bmp"}

// HasPhotoExtension says whether name ends in one of Extensions, in any
// case.
func HasPhotoExtension(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, e := range Extensions {
		if ext == e {
			return true
		}
	}
	return false
}

func isTIFF(b []byte) bool {
	return len(b) > 8 && (bytes.HasPrefix(b, []byte("II*\x00")) || bytes.HasPrefix(b, []byte("MM\x00*")))
}

func isWebP(b []byte) bool {
	return len(b) > 12 && bytes.HasPrefix(b, []byte("RIFF")) && string(b[8:12]) == "WEBP"
}

func isBMP(b []byte) bool { return len(b) > 14 && b[0] == 'B' && b[1] == 'M' }

var errShort = errors.New("the file is truncated (it ends inside the image header)")

// otherHeader reads the size of a BMP, WebP or TIFF from its header and
// checks that the file holds what the header promises, as far as that can
// be known without decoding. OpenCV (libwebp, libtiff, its own BMP reader)
// decodes them.
func otherHeader(b []byte) (Info, error) {
	switch {
	case isBMP(b):
		return bmpHeader(b)
	case isWebP(b):
		return webpHeader(b)
	default:
		return tiffHeader(b)
	}
}

func bmpHeader(b []byte) (Info, error) {
	info := Info{Format: "bmp"}
	le := binary.LittleEndian
	if len(b) < 26 {
		return info, errShort
	}
	dataOff := int64(le.Uint32(b[10:]))
	hs := le.Uint32(b[14:])
	var bpp, comp uint32
	switch {
	case hs == 12: // OS/2 BITMAPCOREHEADER
		info.Width, info.Height = int(le.Uint16(b[18:])), int(le.Uint16(b[20:]))
		if len(b) < 26 {
			return info, errShort
		}
		bpp = uint32(le.Uint16(b[24:]))
	case hs >= 40 && hs <= 124:
		if len(b) < 34 {
			return info, errShort
		}
		info.Width, info.Height = int(int32(le.Uint32(b[18:]))), int(int32(le.Uint32(b[22:])))
		if info.Height < 0 { // top-down rows
			info.Height = -info.Height
		}
		bpp, comp = uint32(le.Uint16(b[28:])), le.Uint32(b[30:])
	default:
		return info, fmt.Errorf("BMP header of %d bytes is not one smpmatch knows", hs)
	}
	if info.Width <= 0 || info.Height <= 0 {
		return info, fmt.Errorf("the header gives a size of %dx%d pixels", info.Width, info.Height)
	}
	if comp == 0 || comp == 3 { // uncompressed (BI_RGB, BI_BITFIELDS): the size is known
		row := (int64(bpp)*int64(info.Width) + 31) / 32 * 4
		if need := dataOff + row*int64(info.Height); int64(len(b)) < need {
			return info, fmt.Errorf("the BMP data is truncated (the file has %d bytes, its pixels need %d)", len(b), need)
		}
	}
	return info, nil
}

func webpHeader(b []byte) (Info, error) {
	info := Info{Format: "webp"}
	le := binary.LittleEndian
	if size := int64(le.Uint32(b[4:])) + 8; int64(len(b)) < size {
		return info, fmt.Errorf("the WebP data is truncated (the file has %d bytes, its header says %d)", len(b), size)
	}
	if len(b) < 30 {
		return info, errShort
	}
	switch string(b[12:16]) {
	case "VP8 ": // lossy: frame tag, start code 9D 01 2A, 14-bit sizes
		if !bytes.Equal(b[23:26], []byte{0x9d, 0x01, 0x2a}) {
			return info, errors.New("the WebP data is corrupt (no VP8 start code)")
		}
		info.Width, info.Height = int(le.Uint16(b[26:])&0x3fff), int(le.Uint16(b[28:])&0x3fff)
	case "VP8L": // lossless: signature 0x2F, then 14-bit width−1 and height−1
		if b[20] != 0x2f {
			return info, errors.New("the WebP data is corrupt (no VP8L signature)")
		}
		v := le.Uint32(b[21:])
		info.Width, info.Height = int(v&0x3fff)+1, int(v>>14&0x3fff)+1
	case "VP8X": // extended: flags, then 24-bit canvas width−1 and height−1
		if b[20]&0x02 != 0 {
			return info, errors.New("animated WebP is not a photo; export one frame as JPEG or PNG")
		}
		info.Width = int(uint32(b[24])|uint32(b[25])<<8|uint32(b[26])<<16) + 1
		info.Height = int(uint32(b[27])|uint32(b[28])<<8|uint32(b[29])<<16) + 1
	default:
		return info, fmt.Errorf("the WebP data is corrupt (unknown first chunk %q)", b[12:16])
	}
	return info, nil
}

// tiffHeader reads the first image's size from the first IFD. Strips are
// checked by libtiff, which refuses a strip that runs past the end.
func tiffHeader(b []byte) (Info, error) {
	info := Info{Format: "tiff"}
	var bo binary.ByteOrder = binary.LittleEndian
	if b[0] == 'M' {
		bo = binary.BigEndian
	}
	off := int64(bo.Uint32(b[4:]))
	if off < 8 || off+2 > int64(len(b)) {
		return info, errors.New("the TIFF data is truncated or corrupt (its first directory is outside the file)")
	}
	n := int64(bo.Uint16(b[off:]))
	if off+2+12*n > int64(len(b)) {
		return info, errors.New("the TIFF data is truncated (it ends inside the first directory)")
	}
	for i := int64(0); i < n; i++ {
		e := b[off+2+12*i:]
		tag, typ := bo.Uint16(e), bo.Uint16(e[2:])
		var v int
		switch typ {
		case 3: // SHORT
			v = int(bo.Uint16(e[8:]))
		case 4: // LONG
			v = int(bo.Uint32(e[8:]))
		default:
			continue
		}
		switch tag {
		case 256:
			info.Width = v
		case 257:
			info.Height = v
		}
	}
	if info.Width <= 0 || info.Height <= 0 {
		return info, fmt.Errorf("the TIFF's first directory gives a size of %dx%d pixels", info.Width, info.Height)
	}
	return info, nil
}
