//go:build unix

package main

import "syscall"

// peakRSS is the process's peak resident memory in bytes, or 0 if unknown.
func peakRSS() int64 {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return int64(u.Maxrss) * 1024 // kilobytes on Linux
}
