//go:build !amd64 || purego

package kernels

// prefetchLines is a hint that has no portable form; it does nothing.
func prefetchLines(p *float32, n int) {}
