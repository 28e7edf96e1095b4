#ifndef SMP_EDT_H
#define SMP_EDT_H
#ifdef __cplusplus
extern "C" {
#endif
/* smp_edt writes the exact Euclidean distance (OpenCV's
   DIST_L2, DIST_MASK_PRECISE) from each non-zero byte of src (h x w, one
   byte a pixel) to the nearest zero byte into dst (h x w floats).
   Returns 0, or -1 if OpenCV raised an exception. */
int smp_edt(const unsigned char *src, float *dst, int w, int h);
#ifdef __cplusplus
}
#endif
#endif
