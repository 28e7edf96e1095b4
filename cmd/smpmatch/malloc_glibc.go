//go:build linux && cgo

package main

/*
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

// smp_arenas is the cap smp_limit_arenas set (0: none set).
static int smp_arenas;

// smp_limit_arenas caps glibc's malloc arenas at one a processor (at
// least 2) before anything else runs: a constructor of the executable,
// run as it loads, before Go's runtime starts and before any thread
// allocates (glibc makes an arena when a thread first contends, and a
// cap set later leaves the arenas already made). An explicit
// MALLOC_ARENA_MAX in the environment is left to glibc.
static void __attribute__((constructor)) smp_limit_arenas(void) {
#ifdef M_ARENA_MAX
	if (getenv("MALLOC_ARENA_MAX") != NULL) {
		return;
	}
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 2) {
		n = 2;
	}
	if (mallopt(M_ARENA_MAX, (int)n) == 1) {
		smp_arenas = (int)n;
	}
#endif
}

static int smp_arenas_set(void) { return smp_arenas; }
*/
import "C"

// mallocArenas is the cap on the C library's malloc arenas set as the
// program loaded (0 when none was: not glibc, or MALLOC_ARENA_MAX given).
//
// Why: glibc gives each thread that allocates under contention an arena of
// its own, up to 8 a core, and keeps what is freed in it for reuse rather
// than returning it. OpenCV's worker threads and the threads Go runs C
// calls on allocate and free the photos' full-size buffers (tens of MB
// each) in turn, and a batch's resident memory grew with every arena: two
// workers on 12-MP photos peaked at 854 MiB, and at 704 MiB with one arena
// a core, for the same CPU time. One arena a core keeps the reuse and
// bounds what is kept.
func mallocArenas() int { return int(C.smp_arenas_set()) }
