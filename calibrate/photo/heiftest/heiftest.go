// Package heiftest writes HEIC files for tests, with libheif's HEVC
// encoder (x265, built into Debian 12's libheif1). Go test files cannot
// use cgo, so the encoder lives here.
package heiftest

/*
#cgo pkg-config: libheif
#include <stdlib.h>
#include <string.h>
#include <libheif/heif.h>

struct smp_buf { unsigned char *data; size_t len, cap; };

static struct heif_error smp_write(struct heif_context *ctx, const void *data, size_t size, void *userdata) {
	struct smp_buf *b = (struct smp_buf *)userdata;
	struct heif_error ok = {heif_error_Ok, heif_suberror_Unspecified, "ok"};
	struct heif_error oom = {heif_error_Memory_allocation_error, heif_suberror_Unspecified, "out of memory"};
	if (b->len + size > b->cap) {
		size_t cap = (b->len + size) * 2;
		unsigned char *p = realloc(b->data, cap);
		if (!p) return oom;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, size);
	b->len += size;
	return ok;
}

// smp_heic_encode encodes interleaved 8-bit RGB as HEIC. orientation is an
// EXIF orientation (1..8) written as irot/imir boxes; exif, if not NULL,
// is added as the image's EXIF metadata block.
static int smp_heic_encode(const unsigned char *rgb, int w, int h, int quality, int orientation,
		const unsigned char *exif, int exiflen, struct smp_buf *out, const char **msg) {
	struct heif_context *ctx = heif_context_alloc();
	struct heif_encoder *enc = NULL;
	struct heif_image *img = NULL;
	struct heif_image_handle *handle = NULL;
	int rc = 1;
	struct heif_error e = heif_context_get_encoder_for_format(ctx, heif_compression_HEVC, &enc);
	if (e.code) { *msg = e.message; goto done; }
	heif_encoder_set_lossy_quality(enc, quality);
	e = heif_image_create(w, h, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &img);
	if (e.code) { *msg = e.message; goto done; }
	e = heif_image_add_plane(img, heif_channel_interleaved, w, h, 8);
	if (e.code) { *msg = e.message; goto done; }
	int stride;
	uint8_t *p = heif_image_get_plane(img, heif_channel_interleaved, &stride);
	for (int y = 0; y < h; y++) memcpy(p + y * stride, rgb + y * 3 * w, 3 * w);
	struct heif_encoding_options *opt = heif_encoding_options_alloc();
	opt->image_orientation = (enum heif_orientation)orientation;
	e = heif_context_encode_image(ctx, img, enc, opt, &handle);
	heif_encoding_options_free(opt);
	if (e.code) { *msg = e.message; goto done; }
	if (exif) {
		e = heif_context_add_exif_metadata(ctx, handle, exif, exiflen);
		if (e.code) { *msg = e.message; goto done; }
	}
	struct heif_writer wr = {1, smp_write};
	e = heif_context_write(ctx, &wr, out);
	if (e.code) { *msg = e.message; goto done; }
	rc = 0;
done:
	if (handle) heif_image_handle_release(handle);
	if (img) heif_image_release(img);
	if (enc) heif_encoder_release(enc);
	heif_context_free(ctx);
	return rc;
}

static int smp_have_hevc_encoder(void) { return heif_have_encoder_for_format(heif_compression_HEVC); }
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"unsafe"
)

// ErrNoEncoder means this libheif was built without an HEVC encoder.
var ErrNoEncoder = errors.New("libheif has no HEVC encoder (Debian 12's libheif1 has x265 built in)")

// EncodeHEIC writes img as a HEIC at quality (0..100). orientation (EXIF
// numbering, 1 = none) is stored as HEIF's irot/imir transforms, as a
// phone does; exif, if not nil, is stored as the EXIF block (TIFF header
// onwards, or with a 4-byte offset as libheif expects).
func EncodeHEIC(img *image.NRGBA, quality, orientation int, exif []byte) ([]byte, error) {
	if C.smp_have_hevc_encoder() == 0 {
		return nil, ErrNoEncoder
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	rgb := make([]byte, 3*w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := img.NRGBAAt(img.Bounds().Min.X+x, img.Bounds().Min.Y+y)
			rgb[3*(y*w+x)], rgb[3*(y*w+x)+1], rgb[3*(y*w+x)+2] = c.R, c.G, c.B
		}
	}
	var out C.struct_smp_buf
	defer C.free(unsafe.Pointer(out.data))
	var msg *C.char
	var ex *C.uchar
	if len(exif) > 0 {
		ex = (*C.uchar)(unsafe.Pointer(&exif[0]))
	}
	if C.smp_heic_encode((*C.uchar)(unsafe.Pointer(&rgb[0])), C.int(w), C.int(h), C.int(quality), C.int(orientation),
		ex, C.int(len(exif)), &out, &msg) != 0 {
		return nil, fmt.Errorf("heiftest: encoding HEIC: %s", C.GoString(msg))
	}
	return C.GoBytes(unsafe.Pointer(out.data), C.int(out.len)), nil
}
