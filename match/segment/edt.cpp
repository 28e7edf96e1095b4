#include "edt.h"
#include <opencv2/imgproc.hpp>

int smp_edt(const unsigned char *src, float *dst, int w, int h) {
	try {
		cv::Mat s(h, w, CV_8UC1, const_cast<unsigned char *>(src));
		cv::Mat d(h, w, CV_32FC1, dst);
		cv::distanceTransform(s, d, cv::DIST_L2, cv::DIST_MASK_PRECISE, CV_32F);
		return 0;
	} catch (...) {
		return -1;
	}
}
