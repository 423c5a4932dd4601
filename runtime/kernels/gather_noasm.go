//go:build !amd64 || purego

package kernels

import "unsafe"

// prefetchLines is a hint that has no portable form; it does nothing.
func prefetchLines(p unsafe.Pointer, n int) {}
