package photo

/*
#cgo pkg-config: libjpeg
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

// A libjpeg error manager that records the first warning meaning damaged
// data instead of printing it, and turns errors into a return code.
struct scan_err {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	int in_scan;  // warnings before the first scan (header padding) are not damage
	int damaged;
	char msg[JMSG_LENGTH_MAX];
};

static void scan_error_exit(j_common_ptr c) {
	struct scan_err *e = (struct scan_err *)c->err;
	(*c->err->format_message)(c, e->msg);
	longjmp(e->jump, 1);
}

static void scan_emit(j_common_ptr c, int level) {
	struct scan_err *e = (struct scan_err *)c->err;
	if (level >= 0) return; // trace messages
	c->err->num_warnings++;
	switch (c->err->msg_code) {
	case JWRN_HIT_MARKER:      // premature end of data segment
	case JWRN_HUFF_BAD_CODE:   // bad Huffman code
	case JWRN_ARITH_BAD_CODE:
	case JWRN_JPEG_EOF:        // premature end of JPEG file
	case JWRN_MUST_RESYNC:     // restart marker missing or out of place
	case JWRN_NOT_SEQUENTIAL:  // invalid SOS parameters for sequential JPEG
	case JWRN_BOGUS_PROGRESSION:
		break;
	case JWRN_EXTRANEOUS_DATA: // bytes left over after a scan's data
		if (!e->in_scan) return;
		break;
	default:                   // unknown JFIF revision, Adobe transform: harmless
		return;
	}
	if (!e->damaged) {
		e->damaged = 1;
		(*c->err->format_message)(c, e->msg);
	}
}

// smp_err_init clears cinfo and err and installs err as cinfo's error
// manager (the caller sets err.jump).
static void smp_err_init(struct jpeg_decompress_struct *cinfo, struct scan_err *err) {
	memset(cinfo, 0, sizeof *cinfo);
	memset(err, 0, sizeof *err);
	cinfo->err = jpeg_std_error(&err->pub);
	err->pub.error_exit = scan_error_exit;
	err->pub.emit_message = scan_emit;
}

// smp_finish ends a decode whose scanlines were all read, and destroys
// cinfo: 3 if a progressive image's scans never sent some coefficients
// (cut, EOI added back), 1 if libjpeg warned of damage, else 0; msg says
// how. An error in it longjmps to the caller's err.jump.
static int smp_finish(struct jpeg_decompress_struct *cinfo, struct scan_err *err, char *msg, int msglen) {
	int rc = 0;
	if (cinfo->progressive_mode && cinfo->coef_bits != NULL && !err->damaged) {
		for (int c = 0; c < cinfo->num_components && !rc; c++) {
			for (int k = 0; k < DCTSIZE2; k++) {
				if (cinfo->coef_bits[c][k] < 0) {
					snprintf(msg, msglen, "component %d never received coefficient %d: scans are missing", c + 1, k);
					rc = 3;
					break;
				}
			}
		}
	}
	jpeg_finish_decompress(cinfo);
	if (err->damaged) {
		snprintf(msg, msglen, "%s", err->msg);
		rc = 1;
	}
	jpeg_destroy_decompress(cinfo);
	return rc;
}

// smp_jpeg_scan decodes every scan of a JPEG held in memory at 1/8 scale
// (the entropy-coded data is read in full; only DC values are transformed)
// and says whether libjpeg found it damaged: 0 intact, 1 damaged (msg
// says how), 2 libjpeg refused it (msg says why), 3 a progressive image
// whose scans never sent some coefficients (cut, EOI added back).
// mcuw and mcuh receive the size of an MCU in pixels.
static int smp_jpeg_scan(const unsigned char *data, unsigned long n, char *msg, int msglen, int *mcuw, int *mcuh) {
	struct jpeg_decompress_struct cinfo;
	struct scan_err err;
	smp_err_init(&cinfo, &err);
	if (setjmp(err.jump)) {
		snprintf(msg, msglen, "%s", err.msg);
		jpeg_destroy_decompress(&cinfo);
		return 2;
	}
	jpeg_create_decompress(&cinfo);
	jpeg_mem_src(&cinfo, (unsigned char *)data, n);
	jpeg_read_header(&cinfo, TRUE);
	err.in_scan = 1;
	*mcuw = cinfo.num_components == 1 ? DCTSIZE : cinfo.max_h_samp_factor * DCTSIZE;
	*mcuh = cinfo.num_components == 1 ? DCTSIZE : cinfo.max_v_samp_factor * DCTSIZE;
	cinfo.scale_num = 1;
	cinfo.scale_denom = 8;
	cinfo.dct_method = JDCT_IFAST;
	cinfo.do_fancy_upsampling = FALSE;
	jpeg_start_decompress(&cinfo);
	JSAMPARRAY row = (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE,
		cinfo.output_width * cinfo.output_components, 1);
	while (cinfo.output_scanline < cinfo.output_height) {
		jpeg_read_scanlines(&cinfo, row, 1);
	}
	return smp_finish(&cinfo, &err, msg, msglen);
}

// smp_jpeg_decode is smp_jpeg_scan and the decode in one pass: where the
// JPEG is three-component YCbCr (every camera's) and libjpeg-turbo can
// write blue-green-red, it decodes at full size, as OpenCV's own JPEG
// reader does (the same library and settings: accurate integer IDCT,
// fancy upsampling, BGR out), into out (outw × outh × 3, rows packed) and
// sets *decoded; the checks and return codes are smp_jpeg_scan's. Any
// other JPEG (greyscale, CMYK, a size that differs from the one given) is
// left to smp_jpeg_scan and OpenCV (*decoded stays 0).
static int smp_jpeg_decode(const unsigned char *data, unsigned long n, char *msg, int msglen, int *mcuw, int *mcuh,
		unsigned char *out, int outw, int outh, int *decoded) {
	struct jpeg_decompress_struct cinfo;
	struct scan_err err;
	volatile int rc = 0;
	*decoded = 0;
#ifndef JCS_EXTENSIONS
	return smp_jpeg_scan(data, n, msg, msglen, mcuw, mcuh);
#else
	smp_err_init(&cinfo, &err);
	if (setjmp(err.jump)) {
		snprintf(msg, msglen, "%s", err.msg);
		jpeg_destroy_decompress(&cinfo);
		return 2;
	}
	jpeg_create_decompress(&cinfo);
	jpeg_mem_src(&cinfo, (unsigned char *)data, n);
	jpeg_read_header(&cinfo, TRUE);
	if (cinfo.num_components != 3 || cinfo.jpeg_color_space != JCS_YCbCr ||
			(int)cinfo.image_width != outw || (int)cinfo.image_height != outh || out == NULL) {
		jpeg_destroy_decompress(&cinfo);
		return smp_jpeg_scan(data, n, msg, msglen, mcuw, mcuh);
	}
	err.in_scan = 1;
	*mcuw = cinfo.max_h_samp_factor * DCTSIZE;
	*mcuh = cinfo.max_v_samp_factor * DCTSIZE;
	cinfo.out_color_space = JCS_EXT_BGR;
	jpeg_start_decompress(&cinfo);
	if ((int)cinfo.output_width != outw || (int)cinfo.output_height != outh || cinfo.output_components != 3) {
		jpeg_destroy_decompress(&cinfo);
		return smp_jpeg_scan(data, n, msg, msglen, mcuw, mcuh);
	}
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW row = out + (size_t)cinfo.output_scanline * (size_t)outw * 3;
		jpeg_read_scanlines(&cinfo, &row, 1);
	}
	rc = smp_finish(&cinfo, &err, msg, msglen);
	*decoded = rc == 0;
	return rc;
#endif
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"gocv.io/x/gocv"
)

// ErrDamaged means the photo's compressed data is damaged: the decoder
// would fill what it cannot read with grey or garbage, which must never be
// measured.
var ErrDamaged = errors.New("the photo is damaged")

// jpegDecode reads a JPEG's entropy-coded data with libjpeg (the library
// OpenCV decodes with) and refuses it when libjpeg reports damage: a scan
// that ends early (cut, EOI added back), a bad Huffman code, data left over
// after a scan (a desynchronised decoder), restart markers out of sequence,
// or a progressive image missing scans. Where the JPEG allows
// (smp_jpeg_decode), that same pass decodes it, so the entropy-coded data
// is read once instead of twice. It returns the MCU's size in pixels, for
// blockSeam. decoded is false where it left the decode to OpenCV;
// m is then closed and empty. m has the JPEG header's size, w × h.
func jpegDecode(data []byte, w, h int) (m gocv.Mat, mcuW, mcuH int, decoded bool, err error) {
	if len(data) == 0 {
		return gocv.Mat{}, 0, 0, false, damagedError{"the file is empty"}
	}
	m = gocv.NewMatWithSize(h, w, gocv.MatTypeCV8UC3)
	var out *C.uchar
	if px, perr := m.DataPtrUint8(); perr == nil && len(px) == w*h*3 && m.IsContinuous() {
		out = (*C.uchar)(unsafe.Pointer(&px[0]))
	}
	msg := make([]byte, C.JMSG_LENGTH_MAX)
	var mw, mh, dec C.int
	rc := C.smp_jpeg_decode((*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), (*C.char)(unsafe.Pointer(&msg[0])), C.int(len(msg)), &mw, &mh,
		out, C.int(w), C.int(h), &dec)
	text := C.GoString((*C.char)(unsafe.Pointer(&msg[0])))
	if rc != 0 || dec == 0 {
		m.Close()
		m = gocv.Mat{}
	}
	switch rc {
	case 0:
		return m, int(mw), int(mh), dec != 0, nil
	case 2:
		return m, 0, 0, false, fmt.Errorf("%w: libjpeg cannot decode it: %s", ErrNotImage, text)
	default:
		return m, 0, 0, false, damagedError{text}
	}
}

// damagedError says how a photo is damaged; it is both ErrDamaged and
// ErrNotImage.
type damagedError struct{ how string }

func (e damagedError) Error() string { return "the photo is damaged (" + e.how + ")" }

func (e damagedError) Is(target error) bool { return target == ErrDamaged || target == ErrNotImage }
