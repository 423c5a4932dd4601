//go:build !amd64 || purego

package kernels

// expVec is false: this build has no vector exponential.
const expVec = false

func expAVX512(x *float64, n int) { panic("kernels: no assembly") }
