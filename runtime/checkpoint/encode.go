package checkpoint

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Encode writes tensors and metadata to w in the safetensors format. The output depends only
// on the arguments: tensors are laid out by decreasing element size then by name, whatever
// their order in the slice, and metadata keys are sorted. Every name must be unique, valid
// UTF-8 and other than "__metadata__"; every tensor's element slice must have the length its
// shape gives, and integer elements must fit the dtype. An empty metadata map writes no
// "__metadata__" entry.
func Encode(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	order, err := layout(tensors)
	if err != nil {
		return err
	}
	header, err := encodeHeader(order, metadata)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(header))))
	bw.Write(header)
	for _, t := range order {
		writeData(bw, t)
	}
	return bw.Flush()
}

// layout checks the tensors and returns them in file order.
func layout(tensors []Tensor) ([]*Tensor, error) {
	order := make([]*Tensor, len(tensors))
	for i := range tensors {
		if err := checkTensor(&tensors[i]); err != nil {
			return nil, err
		}
		order[i] = &tensors[i]
	}
	slices.SortFunc(order, func(a, b *Tensor) int {
		if a.DType.Size() != b.DType.Size() {
			return b.DType.Size() - a.DType.Size()
		}
		return strings.Compare(a.Name, b.Name)
	})
	for i := 1; i < len(order); i++ {
		if order[i].Name == order[i-1].Name {
			return nil, formatError("duplicate tensor name %q", order[i].Name)
		}
	}
	return order, nil
}

// checkTensor reports why t cannot be written, if it cannot.
func checkTensor(t *Tensor) error {
	if err := checkName("tensor name", t.Name); err != nil {
		return err
	}
	if t.Name == metadataKey {
		return formatError("a tensor cannot be named %q", metadataKey)
	}
	if t.DType.Size() == 0 {
		return formatError("tensor %q: unknown dtype %v", t.Name, t.DType)
	}
	n, ok := numel(t.Shape)
	if !ok {
		return formatError("tensor %q: invalid shape %v", t.Name, t.Shape)
	}
	return checkElems(t, n)
}

// checkElems checks that t holds n elements in the slice of its dtype, and nothing in the
// other, and that integer elements fit the dtype.
func checkElems(t *Tensor, n int) error {
	have, other := len(t.Ints), len(t.Data)
	if t.DType == F32 {
		have, other = other, have
	}
	if other != 0 {
		return formatError("tensor %q: %v tensor has elements in the wrong slice (its elements go in %s)", t.Name, t.DType, elemField(t.DType))
	}
	if have != n {
		return formatError("tensor %q: shape %v holds %d elements, but %s has %d", t.Name, t.Shape, n, elemField(t.DType), have)
	}
	lo, hi := intRange(t.DType)
	for i, v := range t.Ints {
		if v < lo || v > hi {
			return formatError("tensor %q: element %d = %d does not fit %v", t.Name, i, v, t.DType)
		}
	}
	return nil
}

// elemField names the Tensor field that holds elements of dtype d.
func elemField(d DType) string {
	if d == F32 {
		return "Data"
	}
	return "Ints"
}

// intRange returns the range of values of an integer dtype.
func intRange(d DType) (lo, hi int64) {
	switch d {
	case I32:
		return math.MinInt32, math.MaxInt32
	case U8:
		return 0, math.MaxUint8
	}
	return math.MinInt64, math.MaxInt64
}

// checkName reports a string that is not valid UTF-8, which JSON cannot carry faithfully.
func checkName(what, s string) error {
	if !utf8.ValidString(s) {
		return formatError("%s %q is not valid UTF-8", what, s)
	}
	return nil
}

// encodeHeader returns the JSON header for tensors in file order, padded with spaces to a
// multiple of 8 bytes.
func encodeHeader(order []*Tensor, metadata map[string]string) ([]byte, error) {
	b := []byte{'{'}
	if len(metadata) > 0 {
		var err error
		if b, err = appendMetadata(b, metadata); err != nil {
			return nil, err
		}
	}
	offset := uint64(0)
	for _, t := range order {
		if len(b) > 1 {
			b = append(b, ',')
		}
		end := offset + uint64(t.Len()*t.DType.Size())
		b = appendEntry(b, t, offset, end)
		offset = end
	}
	b = append(b, '}')
	for len(b)%8 != 0 {
		b = append(b, ' ')
	}
	if len(b) > MaxHeader {
		return nil, formatError("header of %d bytes is larger than the limit of %d", len(b), MaxHeader)
	}
	return b, nil
}

// appendMetadata appends the "__metadata__" entry with sorted keys.
func appendMetadata(b []byte, metadata map[string]string) ([]byte, error) {
	keys := make([]string, 0, len(metadata))
	for k, v := range metadata {
		if err := checkName("metadata key", k); err != nil {
			return nil, err
		}
		if err := checkName("metadata value", v); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(appendString(b, metadataKey), ":{"...)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, k), ':')
		b = appendString(b, metadata[k])
	}
	return append(b, '}'), nil
}

// appendEntry appends one tensor's header entry.
func appendEntry(b []byte, t *Tensor, begin, end uint64) []byte {
	b = append(appendString(b, t.Name), `:{"dtype":"`...)
	b = append(b, t.DType.String()...)
	b = append(b, `","shape":[`...)
	for i, d := range t.Shape {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(d), 10)
	}
	b = append(b, `],"data_offsets":[`...)
	b = strconv.AppendUint(b, begin, 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, end, 10)
	return append(b, "]}"...)
}

// appendString appends s as a JSON string, without escaping HTML characters.
func appendString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a valid UTF-8 string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// writeData writes t's elements little-endian. Errors are kept by w and reported by Flush.
func writeData(w io.Writer, t *Tensor) {
	buf := make([]byte, 0, 1<<14)
	n := t.Len()
	for i := 0; i < n; i++ {
		buf = appendElem(buf, t, i)
		if len(buf)+8 > cap(buf) {
			w.Write(buf)
			buf = buf[:0]
		}
	}
	w.Write(buf)
}

// appendElem appends element i of t, little-endian.
func appendElem(b []byte, t *Tensor, i int) []byte {
	le := binary.LittleEndian
	switch t.DType {
	case F32:
		return le.AppendUint32(b, math.Float32bits(t.Data[i]))
	case I64:
		return le.AppendUint64(b, uint64(t.Ints[i]))
	case I32:
		return le.AppendUint32(b, uint32(t.Ints[i]))
	}
	return append(b, byte(t.Ints[i]))
}
