package main

import (
	"os"
	"runtime"
	"testing"
)

// The executable caps glibc's malloc arenas as it loads (malloc_glibc.go):
// the test binary is built from the same package, so the constructor ran
// for it too.
func TestMallocArenasAreCappedAtLoad(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the arena cap is glibc's")
	}
	if os.Getenv("MALLOC_ARENA_MAX") != "" {
		t.Skip("MALLOC_ARENA_MAX is set: the cap is left to glibc")
	}
	if n := mallocArenas(); n < 2 {
		t.Errorf("malloc arenas capped at %d, want one a processor online (at least 2)", n)
	}
}
