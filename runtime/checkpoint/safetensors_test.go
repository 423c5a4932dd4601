package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// sample returns tensors of every dtype, including a scalar, an empty tensor and special
// float values, in an order that is not the file order.
func sample() []Tensor {
	return []Tensor{
		{Name: "net.h1.weight", Shape: []int{2, 3}, Data: []float32{1, -2, 3.5, float32(math.Inf(1)), float32(math.NaN()), float32(math.Copysign(0, -1))}},
		{Name: "mask/net.h1.weight", Shape: []int{2, 3}, Data: []float32{1, 0, 1, 1, 0, 1}},
		{Name: "optim/net.h1.weight/momentum", Shape: []int{6}, Data: []float32{0.5, 0.25, 0, 0, 1e-30, 7}},
		{Name: "lr", Shape: []int{}, Data: []float32{0.125}},
		{Name: "empty", Shape: []int{0, 4}, Data: []float32{}},
		{Name: "data/perm", DType: I64, Shape: []int{4}, Ints: []int64{3, 0, math.MaxInt64, math.MinInt64}},
		{Name: "count", DType: I32, Shape: []int{1}, Ints: []int64{-7}},
		{Name: "bits", DType: U8, Shape: []int{3}, Ints: []int64{0, 1, 255}},
		{Name: "<é & ü>", Shape: []int{1}, Data: []float32{2}},
	}
}

func encode(t testing.TB, tensors []Tensor, md map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, tensors, md); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sameTensors compares tensors by name, shape, dtype and element bits.
func sameTensors(t *testing.T, got, want []Tensor) {
	t.Helper()
	byName := func(a, b Tensor) int { return strings.Compare(a.Name, b.Name) }
	got, want = slices.Clone(got), slices.Clone(want)
	slices.SortFunc(got, byName)
	slices.SortFunc(want, byName)
	if len(got) != len(want) {
		t.Fatalf("got %d tensors, want %d", len(got), len(want))
	}
	for i := range got {
		if !sameTensor(&got[i], &want[i]) {
			t.Errorf("tensor %d:\ngot  %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func sameTensor(a, b *Tensor) bool {
	bits := func(xs []float32) []uint32 {
		out := make([]uint32, len(xs))
		for i, x := range xs {
			out[i] = math.Float32bits(x)
		}
		return out
	}
	return a.Name == b.Name && a.DType == b.DType && slices.Equal(a.Shape, b.Shape) &&
		slices.Equal(bits(a.Data), bits(b.Data)) && slices.Equal(a.Ints, b.Ints)
}

func TestRoundTrip(t *testing.T) {
	md := map[string]string{"format": "roux", "step": "12", "quote\"<&>": "line\nbreak é"}
	tensors, gotMD, err := Decode(encode(t, sample(), md))
	if err != nil {
		t.Fatal(err)
	}
	sameTensors(t, tensors, sample())
	if len(gotMD) != len(md) {
		t.Fatalf("metadata %v, want %v", gotMD, md)
	}
	for k, v := range md {
		if gotMD[k] != v {
			t.Errorf("metadata[%q] = %q, want %q", k, gotMD[k], v)
		}
	}
}

func TestDecodeOrder(t *testing.T) {
	tensors, md, err := Decode(encode(t, sample(), nil))
	if err != nil {
		t.Fatal(err)
	}
	if md != nil {
		t.Errorf("metadata = %v, want nil", md)
	}
	var names []string
	for _, x := range tensors {
		names = append(names, x.Name)
	}
	// By decreasing element size, then by name.
	want := []string{"data/perm", "<é & ü>", "count", "empty", "lr", "mask/net.h1.weight", "net.h1.weight", "optim/net.h1.weight/momentum", "bits"}
	if !slices.Equal(names, want) {
		t.Errorf("order\ngot  %q\nwant %q", names, want)
	}
}

func TestEncodeDeterministic(t *testing.T) {
	a := sample()
	b := sample()
	slices.Reverse(b)
	mdA := map[string]string{"a": "1", "b": "2", "c": "3"}
	mdB := map[string]string{"c": "3", "b": "2", "a": "1"}
	if !bytes.Equal(encode(t, a, mdA), encode(t, b, mdB)) {
		t.Error("the same tensors and metadata in another order encode differently")
	}
}

func TestEncodeExactBytes(t *testing.T) {
	got := encode(t, []Tensor{
		{Name: "b", Shape: []int{2}, Data: []float32{1, -2}},
		{Name: "a", DType: U8, Shape: []int{}, Ints: []int64{9}},
	}, map[string]string{"k": "v"})
	header := `{"__metadata__":{"k":"v"},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"U8","shape":[],"data_offsets":[8,9]}}`
	for len(header)%8 != 0 {
		header += " "
	}
	want := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	want = append(want, header...)
	want = append(want, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 9)
	if !bytes.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestEncodeErrors(t *testing.T) {
	f := func(shape []int, data ...float32) Tensor { return Tensor{Name: "x", Shape: shape, Data: data} }
	cases := []struct {
		name    string
		tensors []Tensor
		md      map[string]string
		want    string
	}{
		{"duplicate", []Tensor{f(nil, 1), f(nil, 2)}, nil, `duplicate tensor name "x"`},
		{"metadata name", []Tensor{{Name: "__metadata__", Data: []float32{1}}}, nil, "cannot be named"},
		{"too few", []Tensor{f([]int{2, 2}, 1, 2, 3)}, nil, "holds 4 elements, but Data has 3"},
		{"negative", []Tensor{f([]int{-1})}, nil, "invalid shape [-1]"},
		{"overflow", []Tensor{f([]int{1 << 40, 1 << 40})}, nil, "invalid shape"},
		{"wrong slice", []Tensor{{Name: "x", DType: I64, Data: []float32{1}, Ints: []int64{1}}}, nil, "wrong slice (its elements go in Ints)"},
		{"ints in f32", []Tensor{{Name: "x", Data: []float32{1}, Ints: []int64{1}}}, nil, "wrong slice (its elements go in Data)"},
		{"u8 range", []Tensor{{Name: "x", DType: U8, Shape: []int{1}, Ints: []int64{256}}}, nil, "256 does not fit U8"},
		{"i32 range", []Tensor{{Name: "x", DType: I32, Shape: []int{1}, Ints: []int64{-1<<31 - 1}}}, nil, "does not fit I32"},
		{"dtype", []Tensor{{Name: "x", DType: 9, Ints: []int64{1}}}, nil, "unknown dtype DType(9)"},
		{"utf8 name", []Tensor{{Name: "\xff", Data: []float32{1}}}, nil, "not valid UTF-8"},
		{"utf8 metadata", nil, map[string]string{"k": "\xfe"}, "metadata value"},
	}
	for _, c := range cases {
		err := Encode(&bytes.Buffer{}, c.tensors, c.md)
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// file builds a safetensors file from a raw header and data, with no padding.
func file(header string, data ...byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func withSize(n uint64, rest string) []byte {
	return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
}

func TestDecodeErrors(t *testing.T) {
	e := func(fields string) string { return `{"x":{` + fields + `}}` }
	ok4 := `"dtype":"F32","shape":[1],"data_offsets":[0,4]`
	four := []byte{0, 0, 0, 0}
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "truncated: 0 bytes"},
		{"short", []byte{1, 2, 3, 4, 5, 6, 7}, "truncated: 7 bytes"},
		{"size beyond file", withSize(100, "{}"), "header size 100 is larger than the file"},
		{"size huge", withSize(math.MaxUint64, "{}"), "larger than the limit"},
		{"truncated data", file(e(ok4), 0, 0), "out of range: the data has 2 bytes"},
		{"truncated header", file(e(ok4))[:20], "header size"},
		{"not utf8", file("{\"\xff\":1}"), "not valid UTF-8"},
		{"not object", file(`[]`), "does not start with '{'"},
		{"leading space", file(` {}`), "does not start with '{'"},
		{"empty header", file(``), "does not start with '{'"},
		{"bad json", file(`{"x":{"dtype":"F32",`), "bad JSON"},
		{"bad json token", file(`{"x" 1}`), "bad JSON"},
		{"trailing", file(`{}{}`), "more data after"},
		{"entry not object", file(`{"x":5}`), `tensor "x": expected '{'`},
		{"duplicate name", file(`{"x":{`+ok4+`},"x":{`+ok4+`}}`, four...), `duplicate key "x" in header`},
		{"duplicate field", file(e(ok4+`,"dtype":"F32"`), four...), `duplicate key "dtype"`},
		{"duplicate metadata", file(`{"__metadata__":{"a":"1","a":"2"}}`), `duplicate key "a" in __metadata__`},
		{"metadata number", file(`{"__metadata__":{"a":1}}`), `value of "a" is not a string`},
		{"metadata array", file(`{"__metadata__":["a"]}`), `expected '{'`},
		{"unknown dtype", file(e(`"dtype":"F16","shape":[1],"data_offsets":[0,2]`), 0, 0), `unsupported dtype "F16"`},
		{"dtype number", file(e(`"dtype":3,"shape":[1],"data_offsets":[0,4]`), four...), "dtype is not a string"},
		{"missing offsets", file(e(`"dtype":"F32","shape":[1]`), four...), "are all required"},
		{"negative dim", file(e(`"dtype":"F32","shape":[-1],"data_offsets":[0,4]`), four...), "-1 is not a non-negative integer"},
		{"float dim", file(e(`"dtype":"F32","shape":[1.0],"data_offsets":[0,4]`), four...), "1.0 is not a non-negative integer"},
		{"shape null", file(e(`"dtype":"F32","shape":null,"data_offsets":[0,4]`), four...), "expected '['"},
		{"three offsets", file(e(`"dtype":"F32","shape":[1],"data_offsets":[0,4,8]`), four...), "has 3 numbers, want 2"},
		{"offsets reversed", file(e(`"dtype":"F32","shape":[0],"data_offsets":[4,0]`), four...), "end before they begin"},
		{"offsets out of range", file(e(`"dtype":"F32","shape":[2],"data_offsets":[0,8]`), four...), "out of range"},
		{"size mismatch", file(e(`"dtype":"F32","shape":[2],"data_offsets":[0,4]`), four...), "hold 4 bytes, but F32 shape [2] needs 8"},
		{"shape overflow", file(e(`"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]`), four...), "too large"},
		{"overlap", file(`{"a":{`+ok4+`},"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}`, four...), `tensors "a" and "b" overlap`},
		{"gap", file(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[3,4]}}`, four...), "bytes 1 to 3 of the data belong to no tensor"},
		{"gap at start", file(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, 0, 0), "bytes 0 to 1"},
		{"trailing bytes", file(e(ok4), 0, 0, 0, 0, 9), "bytes 4 to 5 of the data belong to no tensor"},
	}
	for _, c := range cases {
		_, _, err := Decode(c.file)
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestDecodeAcceptsUnknownFieldsAndPadding(t *testing.T) {
	b := file(`{"x":{"note":[1,{"a":null}],"data_offsets":[0,4],"shape":[],"dtype":"F32"}}`+"   ", 0, 0, 0x80, 0x3f)
	tensors, _, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	sameTensors(t, tensors, []Tensor{{Name: "x", Shape: []int{}, Data: []float32{1}}})
}
