//go:build amd64 && !purego

package kernels

//go:noescape
func prefetchLines(p *float32, n int)
