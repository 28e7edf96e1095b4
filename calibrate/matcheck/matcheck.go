// Package matcheck makes every test binary that touches OpenCV prove it
// closed every gocv.Mat: built with -tags matprofile (as `make test` does),
// Main fails the run when any Mat is still open after the tests.
package matcheck

import (
	"fmt"
	"os"
	"testing"
)

// Main runs the tests and then checks for leaked Mats. Use it as
//
//	func TestMain(m *testing.M) { matcheck.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if n, tracked := Count(); tracked && n != 0 {
		fmt.Fprintf(os.Stderr, "matcheck: %d gocv.Mat still open after the tests (leak)\n%s", n, Details())
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}
