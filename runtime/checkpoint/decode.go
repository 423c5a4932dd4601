package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Decode reads a safetensors file held in b and returns its tensors in the order of their data
// in the file, and its "__metadata__" map (nil if the file has none). It checks the whole file
// and returns an error wrapping ErrFormat, naming the first problem, if the file is truncated,
// the header size is beyond the file or MaxHeader, the header is not a JSON object of valid
// UTF-8, a name appears twice, a dtype is not F32, I64, I32 or U8, a shape is invalid, an entry's
// data_offsets do not match its shape and dtype, or the offsets leave a gap, overlap, or do not
// end at the end of the file. The returned tensors do not share memory with b.
func Decode(b []byte) ([]Tensor, map[string]string, error) {
	header, data, err := split(b)
	if err != nil {
		return nil, nil, err
	}
	entries, metadata, err := parseHeader(header)
	if err != nil {
		return nil, nil, err
	}
	if err := checkOffsets(entries, uint64(len(data))); err != nil {
		return nil, nil, err
	}
	tensors := make([]Tensor, len(entries))
	for i, e := range entries {
		tensors[i] = e.tensor(data)
	}
	return tensors, metadata, nil
}

// split returns the JSON header and the data buffer of file b.
func split(b []byte) (header, data []byte, err error) {
	if len(b) < 8 {
		return nil, nil, formatError("file is truncated: %d bytes, fewer than the 8 of the header size", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	rest := uint64(len(b) - 8)
	switch {
	case n > MaxHeader:
		return nil, nil, formatError("header size %d is larger than the limit of %d bytes", n, MaxHeader)
	case n > rest:
		return nil, nil, formatError("header size %d is larger than the file: truncated? (%d bytes after the header size)", n, rest)
	}
	header = b[8 : 8+n]
	if !utf8.Valid(header) {
		return nil, nil, formatError("header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return nil, nil, formatError("header does not start with '{'")
	}
	return header, b[8+n:], nil
}

// entry is one tensor's header entry.
type entry struct {
	name       string
	dtype      DType
	shape      []int
	begin, end uint64
}

// parseHeader parses the JSON header: the tensor entries, in header order, and the metadata.
func parseHeader(header []byte) ([]entry, map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(header))
	dec.UseNumber()
	var entries []entry
	var metadata map[string]string
	err := walkObject(dec, "header", func(key string) error {
		if key == metadataKey {
			var err error
			metadata, err = parseMetadata(dec)
			return err
		}
		e, err := parseEntry(dec, key)
		entries = append(entries, e)
		return err
	})
	if err == nil {
		err = expectEnd(dec)
	}
	return entries, metadata, err
}

// expectEnd checks that only white space follows the header object.
func expectEnd(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		return formatError("bad JSON in header: more data after the header object")
	}
	return nil
}

// walkObject reads a JSON object from dec, calling fn for each key with dec positioned at the
// key's value, which fn must read. A key that appears twice is an error.
func walkObject(dec *json.Decoder, what string, fn func(key string) error) error {
	if err := expectDelim(dec, '{', what); err != nil {
		return err
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err)
		}
		key := tok.(string) // the decoder only returns strings as object keys
		if seen[key] {
			return formatError("duplicate key %q in %s", key, what)
		}
		seen[key] = true
		if err := fn(key); err != nil {
			return err
		}
	}
	return expectDelim(dec, '}', what)
}

// expectDelim reads the delimiter d from dec.
func expectDelim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	if tok != d {
		return formatError("bad JSON in header: %s: expected '%v', found %s", what, d, describe(tok))
	}
	return nil
}

// describe returns a JSON token as it appears in the header.
func describe(tok json.Token) string {
	switch tok := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return "'" + tok.String() + "'"
	case string:
		return strconv.Quote(tok)
	}
	return fmt.Sprint(tok)
}

// jsonError wraps a JSON syntax error from the decoder.
func jsonError(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return formatError("bad JSON in header: %v", err)
}

// parseMetadata reads the "__metadata__" object, whose values must be strings.
func parseMetadata(dec *json.Decoder) (map[string]string, error) {
	metadata := map[string]string{}
	err := walkObject(dec, metadataKey, func(key string) error {
		tok, err := dec.Token()
		if err != nil {
			return jsonError(err)
		}
		s, ok := tok.(string)
		if !ok {
			return formatError("%s: value of %q is not a string", metadataKey, key)
		}
		metadata[key] = s
		return nil
	})
	return metadata, err
}

// parseEntry reads the entry of tensor name: dtype, shape and data_offsets, all required.
// Other fields are skipped.
func parseEntry(dec *json.Decoder, name string) (entry, error) {
	e := entry{name: name}
	var have [3]bool
	err := walkObject(dec, "tensor "+strconv.Quote(name), func(key string) error {
		switch key {
		case "dtype":
			have[0] = true
			return e.parseDType(dec)
		case "shape":
			have[1] = true
			return e.parseShape(dec)
		case "data_offsets":
			have[2] = true
			return e.parseOffsets(dec)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return jsonError(err)
		}
		return nil
	})
	if err == nil && !(have[0] && have[1] && have[2]) {
		err = formatError("tensor %q: dtype, shape and data_offsets are all required", name)
	}
	return e, err
}

// parseDType reads the entry's dtype.
func (e *entry) parseDType(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonError(err)
	}
	s, ok := tok.(string)
	if !ok {
		return formatError("tensor %q: dtype is not a string", e.name)
	}
	if e.dtype, ok = parseDType(s); !ok {
		return formatError("tensor %q: unsupported dtype %q (want F32, I64, I32 or U8)", e.name, s)
	}
	return nil
}

// parseShape reads the entry's shape.
func (e *entry) parseShape(dec *json.Decoder) error {
	dims, err := readUints(dec, e.name, "shape")
	if err != nil {
		return err
	}
	e.shape = make([]int, len(dims))
	for i, d := range dims {
		if d > math.MaxInt {
			return formatError("tensor %q: dimension %d is too large", e.name, d)
		}
		e.shape[i] = int(d)
	}
	return nil
}

// parseOffsets reads the entry's data_offsets.
func (e *entry) parseOffsets(dec *json.Decoder) error {
	offsets, err := readUints(dec, e.name, "data_offsets")
	if err != nil {
		return err
	}
	if len(offsets) != 2 {
		return formatError("tensor %q: data_offsets has %d numbers, want 2", e.name, len(offsets))
	}
	e.begin, e.end = offsets[0], offsets[1]
	return nil
}

// readUints reads a JSON array of non-negative integers.
func readUints(dec *json.Decoder, name, field string) ([]uint64, error) {
	if err := expectDelim(dec, '[', "tensor "+strconv.Quote(name)+" "+field); err != nil {
		return nil, err
	}
	var values []uint64
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(err)
		}
		num, _ := tok.(json.Number)
		v, err := strconv.ParseUint(string(num), 10, 64)
		if err != nil {
			return nil, formatError("tensor %q: %s: %s is not a non-negative integer", name, field, describe(tok))
		}
		values = append(values, v)
	}
	return values, expectDelim(dec, ']', field)
}

// checkOffsets checks each entry's byte range against its dtype and shape and against the
// data size, then sorts entries into data order and checks that they tile the data exactly.
func checkOffsets(entries []entry, size uint64) error {
	for i := range entries {
		if err := entries[i].check(size); err != nil {
			return err
		}
	}
	slices.SortFunc(entries, func(a, b entry) int {
		if a.begin != b.begin {
			return cmpUint(a.begin, b.begin)
		}
		if a.end != b.end {
			return cmpUint(a.end, b.end)
		}
		return strings.Compare(a.name, b.name)
	})
	return checkTiling(entries, size)
}

// check checks e's byte range against its dtype, its shape and the data size.
func (e *entry) check(size uint64) error {
	want, ok := byteSize(e.shape, e.dtype.Size())
	switch {
	case !ok:
		return formatError("tensor %q: shape %v is too large", e.name, e.shape)
	case e.end < e.begin:
		return formatError("tensor %q: data_offsets [%d, %d] end before they begin", e.name, e.begin, e.end)
	case e.end > size:
		return formatError("tensor %q: data_offsets [%d, %d] are out of range: the data has %d bytes", e.name, e.begin, e.end, size)
	case e.end-e.begin != want:
		return formatError("tensor %q: data_offsets [%d, %d] hold %d bytes, but %v shape %v needs %d",
			e.name, e.begin, e.end, e.end-e.begin, e.dtype, e.shape, want)
	}
	return nil
}

// byteSize returns the size in bytes of a tensor of shape with elements of size bytes, and false
// if it overflows.
func byteSize(shape []int, size int) (uint64, bool) {
	n := uint64(size)
	for _, d := range shape {
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// checkTiling checks that entries, in data order, cover [0, size) without gap or overlap.
func checkTiling(entries []entry, size uint64) error {
	pos, prev := uint64(0), ""
	for _, e := range entries {
		switch {
		case e.begin < pos:
			return formatError("tensors %q and %q overlap: data_offsets [%d, %d] begin before byte %d", prev, e.name, e.begin, e.end, pos)
		case e.begin > pos:
			return formatError("bytes %d to %d of the data belong to no tensor", pos, e.begin)
		}
		pos, prev = e.end, e.name
	}
	if pos != size {
		return formatError("bytes %d to %d of the data belong to no tensor", pos, size)
	}
	return nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// tensor returns e's tensor with its elements copied from data.
func (e *entry) tensor(data []byte) Tensor {
	t := Tensor{Name: e.name, DType: e.dtype, Shape: e.shape}
	b := data[e.begin:e.end]
	size := e.dtype.Size()
	n := len(b) / size
	if e.dtype == F32 {
		t.Data = make([]float32, n)
	} else {
		t.Ints = make([]int64, n)
	}
	for i := range n {
		setElem(&t, i, b[i*size:])
	}
	return t
}

// setElem sets element i of t from the little-endian bytes at the start of b.
func setElem(t *Tensor, i int, b []byte) {
	le := binary.LittleEndian
	switch t.DType {
	case F32:
		t.Data[i] = math.Float32frombits(le.Uint32(b))
	case I64:
		t.Ints[i] = int64(le.Uint64(b))
	case I32:
		t.Ints[i] = int64(int32(le.Uint32(b)))
	default:
		t.Ints[i] = int64(b[0])
	}
}
