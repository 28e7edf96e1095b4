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

// smp_jpeg_scan decodes every scan of a JPEG held in memory at 1/8 scale
// (the entropy-coded data is read in full; only DC values are transformed)
// and says whether libjpeg found it damaged: 0 intact, 1 damaged (msg
// says how), 2 libjpeg refused it (msg says why), 3 a progressive image
// whose scans never sent some coefficients (cut, EOI added back).
// mcuw and mcuh receive the size of an MCU in pixels.
static int smp_jpeg_scan(const unsigned char *data, unsigned long n, char *msg, int msglen, int *mcuw, int *mcuh) {
	struct jpeg_decompress_struct cinfo;
	struct scan_err err;
	volatile int rc = 0;
	memset(&cinfo, 0, sizeof cinfo);
	memset(&err, 0, sizeof err);
	cinfo.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = scan_error_exit;
	err.pub.emit_message = scan_emit;
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
	if (cinfo.progressive_mode && cinfo.coef_bits != NULL && !err.damaged) {
		for (int c = 0; c < cinfo.num_components && !rc; c++) {
			for (int k = 0; k < DCTSIZE2; k++) {
				if (cinfo.coef_bits[c][k] < 0) {
					snprintf(msg, msglen, "component %d never received coefficient %d: scans are missing", c + 1, k);
					rc = 3;
					break;
				}
			}
		}
	}
	jpeg_finish_decompress(&cinfo);
	if (err.damaged) {
		snprintf(msg, msglen, "%s", err.msg);
		rc = 1;
	}
	jpeg_destroy_decompress(&cinfo);
	return rc;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// ErrDamaged means the photo's compressed data is damaged: the decoder
// would fill what it cannot read with grey or garbage, which must never be
// measured.
var ErrDamaged = errors.New("the photo is damaged")

// jpegScanCheck reads a JPEG's entropy-coded data with libjpeg (the
// library OpenCV decodes with) and refuses it when libjpeg reports damage:
// a scan that ends early (cut, EOI added back), a bad Huffman code, data
// left over after a scan (a desynchronised decoder), restart markers out of
// sequence, or a progressive image missing scans. It returns the MCU's size
// in pixels, for blockSeam.
func jpegScanCheck(data []byte) (mcuW, mcuH int, err error) {
	if len(data) == 0 {
		return 0, 0, damagedError{"the file is empty"}
	}
	msg := make([]byte, C.JMSG_LENGTH_MAX)
	var mw, mh C.int
	rc := C.smp_jpeg_scan((*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)), (*C.char)(unsafe.Pointer(&msg[0])), C.int(len(msg)), &mw, &mh)
	text := C.GoString((*C.char)(unsafe.Pointer(&msg[0])))
	switch rc {
	case 0:
		return int(mw), int(mh), nil
	case 2:
		return 0, 0, fmt.Errorf("%w: libjpeg cannot decode it: %s", ErrNotImage, text)
	default:
		return 0, 0, damagedError{text}
	}
}

// damagedError says how a photo is damaged; it is both ErrDamaged and
// ErrNotImage.
type damagedError struct{ how string }

func (e damagedError) Error() string { return "the photo is damaged (" + e.how + ")" }

func (e damagedError) Is(target error) bool { return target == ErrDamaged || target == ErrNotImage }
