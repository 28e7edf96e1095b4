//go:build unix

package recipe

import (
	"syscall"
	"time"
)

// processCPUTime is the CPU time this process has used, so that benchmarks
// can report CPU per operation, which other load on the machine inflates far
// less than wall time.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
