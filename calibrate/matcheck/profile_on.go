//go:build matprofile

package matcheck

import (
	"bytes"

	"gocv.io/x/gocv"
)

// Count returns the number of open Mats, and true: Mats are tracked.
func Count() (int, bool) { return gocv.MatProfile.Count(), true }

// Details returns the stack traces of the open Mats' creation.
func Details() string {
	var b bytes.Buffer
	gocv.MatProfile.WriteTo(&b, 1)
	return b.String()
}
