//go:build !matprofile

package matcheck

// Count returns 0 and false: without -tags matprofile Mats are not tracked.
func Count() (int, bool) { return 0, false }

// Details is empty without -tags matprofile.
func Details() string { return "" }
