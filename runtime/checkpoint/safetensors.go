package checkpoint

import (
	"errors"
	"fmt"
	"math/bits"
)

// ErrFormat is wrapped by every error Decode returns for a malformed file, and by the errors
// Encode returns for tensors it cannot write.
var ErrFormat = errors.New("safetensors")

// MaxHeader is the largest JSON header Encode writes and Decode accepts, in bytes: the limit
// of the reference implementation.
const MaxHeader = 100_000_000

// metadataKey is the header key of the free-form string map; no tensor may have this name.
const metadataKey = "__metadata__"

// DType is the element type of a tensor. The zero value is F32.
type DType uint8

// The element types roux reads and writes. Other safetensors dtypes (F16, BF16, F64, ...) are
// rejected by Decode.
const (
	F32 DType = iota // float32, held in Tensor.Data
	I64              // int64, held in Tensor.Ints
	I32              // int32, held in Tensor.Ints
	U8               // uint8, held in Tensor.Ints
)

var dtypeNames = [...]string{F32: "F32", I64: "I64", I32: "I32", U8: "U8"}
var dtypeSizes = [...]int{F32: 4, I64: 8, I32: 4, U8: 1}

// String returns the dtype's name in the safetensors header, such as "F32".
func (d DType) String() string {
	if int(d) < len(dtypeNames) {
		return dtypeNames[d]
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// Size returns the number of bytes of one element, or 0 for an unknown dtype.
func (d DType) Size() int {
	if int(d) < len(dtypeSizes) {
		return dtypeSizes[d]
	}
	return 0
}

// parseDType returns the dtype named s in a header.
func parseDType(s string) (DType, bool) {
	for d, name := range dtypeNames {
		if name == s {
			return DType(d), true
		}
	}
	return 0, false
}

// Tensor is one named tensor of a safetensors file: a row-major array of Shape. A tensor with
// no dimensions is a scalar with one element; a dimension of 0 gives an empty tensor.
type Tensor struct {
	Name  string
	DType DType     // F32 unless set
	Shape []int     // dimensions, outermost first
	Data  []float32 // the elements of an F32 tensor
	Ints  []int64   // the elements of an I64, I32 or U8 tensor
}

// Len returns the number of elements the tensor's shape holds, or 0 if a dimension is
// negative or the product overflows.
func (t *Tensor) Len() int {
	n, _ := numel(t.Shape)
	return n
}

// numel returns the number of elements of shape, and false if a dimension is negative or
// the product overflows.
func numel(shape []int) (int, bool) {
	n := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, false
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > uint64(maxInt) {
			return 0, false
		}
		n = lo
	}
	return int(n), true
}

const maxInt = int(^uint(0) >> 1)

// formatError returns an error wrapping ErrFormat.
func formatError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}
