// Package plots draws roux's pictures: training curves from metrics files and mask
// density maps. It is the only package that imports gonum.org/v1/plot, so embedding
// roux does not drag a plotting library in.
package plots
