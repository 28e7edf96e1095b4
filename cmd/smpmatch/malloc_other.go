//go:build !(linux && cgo)

package main

// mallocArenas is 0: the C library is not glibc's, and no cap is set.
func mallocArenas() int { return 0 }
