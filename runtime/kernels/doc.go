// Package kernels holds roux's numeric kernels: plain loops over preallocated
// float32 slices, destination first, in the style of gonum/floats.
//
// Every kernel writes all of dst and never allocates. dst may not overlap an input
// unless the kernel says so. Reductions over one axis see their input as a
// row-major [outer, n, inner] array and reduce the middle dimension n.
//
// Gemm drives gonum's BLAS (gonum.org/v1/gonum/blas) over tiles shared by a small
// pool of persistent goroutines, so repeated products do not allocate.
package kernels
