package photo

/*
#cgo pkg-config: libheif
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <libheif/heif.h>

// A decoded HEIF primary image: interleaved 8-bit RGB, with the file's
// rotation and mirroring (irot, imir) applied, as displayed.
struct smp_heif {
	struct heif_context *ctx;
	struct heif_image_handle *handle;
	struct heif_image *img;
	const unsigned char *plane;
	int stride, width, height;
};

static void smp_heif_free(struct smp_heif *h) {
	if (h->img) heif_image_release(h->img);
	if (h->handle) heif_image_handle_release(h->handle);
	if (h->ctx) heif_context_free(h->ctx);
	memset(h, 0, sizeof *h);
}

static int smp_heif_fail(struct smp_heif *h, struct heif_error e, char *msg, int msglen) {
	snprintf(msg, msglen, "%s", e.message ? e.message : "unknown error");
	smp_heif_free(h);
	return 1;
}

// smp_heif_open reads the container from memory (without copying: data
// must outlive h) and the primary image's displayed size.
static int smp_heif_open(const void *data, size_t n, struct smp_heif *h, char *msg, int msglen) {
	memset(h, 0, sizeof *h);
	h->ctx = heif_context_alloc();
	if (!h->ctx) { snprintf(msg, msglen, "out of memory"); return 1; }
	struct heif_error e = heif_context_read_from_memory_without_copy(h->ctx, data, n, NULL);
	if (e.code != heif_error_Ok) return smp_heif_fail(h, e, msg, msglen);
	e = heif_context_get_primary_image_handle(h->ctx, &h->handle);
	if (e.code != heif_error_Ok) return smp_heif_fail(h, e, msg, msglen);
	h->width = heif_image_handle_get_width(h->handle);
	h->height = heif_image_handle_get_height(h->handle);
	return 0;
}

// smp_heif_decode decodes the opened primary image to interleaved RGB.
static int smp_heif_decode(struct smp_heif *h, char *msg, int msglen) {
	struct heif_error e = heif_decode_image(h->handle, &h->img, heif_colorspace_RGB, heif_chroma_interleaved_RGB, NULL);
	if (e.code != heif_error_Ok) return smp_heif_fail(h, e, msg, msglen);
	h->plane = heif_image_get_plane_readonly(h->img, heif_channel_interleaved, &h->stride);
	if (!h->plane) { snprintf(msg, msglen, "no RGB plane"); smp_heif_free(h); return 1; }
	h->width = heif_image_get_width(h->img, heif_channel_interleaved);
	h->height = heif_image_get_height(h->img, heif_channel_interleaved);
	return 0;
}
*/
import "C"

import (
	"bytes"
	"fmt"
	"runtime"
	"unsafe"

	"gocv.io/x/gocv"
)

// heifBrands are the ftyp brands of HEIF still images (HEVC-coded HEIC as
// iPhones write, and the generic HEIF brands). AVIF is HEIF too, and
// libheif reads it when built with an AV1 decoder, as Debian's is.
var heifBrands = []string{"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif"}

// isHEIF says whether b starts with an ISO-BMFF ftyp box of a HEIF brand.
func isHEIF(b []byte) bool {
	if len(b) < 12 || string(b[4:8]) != "ftyp" {
		return false
	}
	for _, br := range heifBrands {
		if string(b[8:12]) == br {
			return true
		}
	}
	return false
}

// decodeHEIF decodes the primary image of a HEIF file to an 8-bit BGR
// Mat, rotated and mirrored as the file says (libheif applies irot and
// imir; the EXIF orientation a phone also writes describes the same turn
// and is not applied again). Depth maps, thumbnails, other images and all
// metadata are left behind.
func decodeHEIF(data []byte, maxPixels int) (gocv.Mat, Info, error) {
	var h C.struct_smp_heif
	msg := make([]byte, 256)
	cmsg, clen := (*C.char)(unsafe.Pointer(&msg[0])), C.int(len(msg))
	defer runtime.KeepAlive(data)
	if C.smp_heif_open(unsafe.Pointer(&data[0]), C.size_t(len(data)), &h, cmsg, clen) != 0 {
		return gocv.Mat{}, Info{Format: "heif"}, fmt.Errorf("%w: libheif cannot read it: %s", ErrNotImage, cstr(msg))
	}
	defer C.smp_heif_free(&h)
	info := Info{Width: int(h.width), Height: int(h.height), Format: "heif"}
	if err := checkSize(info, maxPixels); err != nil {
		return gocv.Mat{}, info, err
	}
	if C.smp_heif_decode(&h, cmsg, clen) != 0 {
		return gocv.Mat{}, info, fmt.Errorf("%w: the photo is damaged or uses a HEIF feature libheif cannot decode (%s)", ErrNotImage, cstr(msg))
	}
	w, ht, stride := int(h.width), int(h.height), int(h.stride)
	if w != info.Width || ht != info.Height || w <= 0 || ht <= 0 || stride < 3*w {
		return gocv.Mat{}, info, fmt.Errorf("%w: decoded %dx%d pixels but the header says %dx%d", ErrNotImage, w, ht, info.Width, info.Height)
	}
	m := gocv.NewMatWithSize(ht, w, gocv.MatTypeCV8UC3)
	dst, err := m.DataPtrUint8()
	if err != nil {
		m.Close()
		return gocv.Mat{}, info, fmt.Errorf("decoding HEIF: %w", err)
	}
	src := unsafe.Slice((*byte)(unsafe.Pointer(h.plane)), stride*(ht-1)+3*w)
	for y := 0; y < ht; y++ {
		copy(dst[y*3*w:(y+1)*3*w], src[y*stride:y*stride+3*w])
	}
	gocv.CvtColor(m, &m, gocv.ColorBGRToRGB) // the same swap
	return m, info, nil
}

// checkSize refuses an image with no pixels or more than maxPixels.
func checkSize(info Info, maxPixels int) error {
	if info.Width <= 0 || info.Height <= 0 {
		return fmt.Errorf("%w: the header gives a size of %dx%d pixels", ErrNotImage, info.Width, info.Height)
	}
	if int64(info.Width)*int64(info.Height) > int64(maxPixels) {
		return fmt.Errorf("%dx%d pixels is over the limit of %s (raise it with --max-pixels)", info.Width, info.Height, pixelCount(maxPixels))
	}
	return nil
}

func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
