package checkpoint

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readSpec reads a safetensors file of F32 tensors exactly as the format's specification
// describes it, sharing no code with Decode: an 8-byte little-endian header size N, N bytes of
// JSON, then the byte buffer that data_offsets index.
func readSpec(t *testing.T, b []byte) (map[string][]float32, map[string][]int, map[string]string) {
	t.Helper()
	n := binary.LittleEndian.Uint64(b[:8])
	var header map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &header); err != nil {
		t.Fatal(err)
	}
	buffer := b[8+n:]
	values, shapes, md := map[string][]float32{}, map[string][]int{}, map[string]string{}
	for name, raw := range header {
		if name == "__metadata__" {
			if err := json.Unmarshal(raw, &md); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var info struct {
			Dtype       string    `json:"dtype"`
			Shape       []int     `json:"shape"`
			DataOffsets [2]uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(raw, &info); err != nil || info.Dtype != "F32" {
			t.Fatalf("%s: %v, dtype %q", name, err, info.Dtype)
		}
		data := buffer[info.DataOffsets[0]:info.DataOffsets[1]]
		for i := 0; i < len(data); i += 4 {
			values[name] = append(values[name], math.Float32frombits(binary.LittleEndian.Uint32(data[i:])))
		}
		shapes[name] = info.Shape
	}
	return values, shapes, md
}

func TestIndependentReader(t *testing.T) {
	b := encode(t, []Tensor{
		{Name: "w", Shape: []int{2, 2}, Data: []float32{1.5, -2, 0.25, 8}},
		{Name: "b", Shape: []int{3}, Data: []float32{-1, 0, 1e-3}},
		{Name: "s", Shape: []int{}, Data: []float32{42}},
	}, map[string]string{"step": "7"})
	if n := binary.LittleEndian.Uint64(b); n%8 != 0 || b[8] != '{' {
		t.Errorf("header size %d is not a multiple of 8, or the header starts with %q", n, b[8])
	}
	values, shapes, md := readSpec(t, b)
	want := map[string][]float32{"w": {1.5, -2, 0.25, 8}, "b": {-1, 0, 1e-3}, "s": {42}}
	wantShapes := map[string]string{"w": "[2 2]", "b": "[3]", "s": "[]"}
	for name, v := range want {
		if got := values[name]; !equalFloats(got, v) || fmtInts(shapes[name]) != wantShapes[name] {
			t.Errorf("%s: %v shape %v, want %v shape %s", name, got, shapes[name], v, wantShapes[name])
		}
	}
	if len(values) != 3 || len(md) != 1 || md["step"] != "7" {
		t.Errorf("read %d tensors, want 3; metadata %v, want step 7", len(values), md)
	}
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func fmtInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return "[" + strings.Join(s, " ") + "]"
}

// pyReader reads every F32 tensor of a safetensors file with json, struct and numpy, as the
// specification describes, and prints "name sum shape" per tensor.
const pyReader = `
import json, struct, sys, numpy as np
b = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", b[:8])
header = json.loads(b[8:8 + n])
buf = b[8 + n:]
for name, info in sorted(header.items()):
    if name == "__metadata__":
        print("meta", json.dumps(info, sort_keys=True))
        continue
    lo, hi = info["data_offsets"]
    a = np.frombuffer(buf[lo:hi], dtype="<f4").reshape(info["shape"])
    print(name, repr(float(a.astype(np.float64).sum())), list(a.shape))
`

func TestNumpyReader(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	python := "/usr/bin/python3"
	if exec.Command(python, "-c", "import numpy").Run() != nil {
		t.Skip("no numpy for " + python)
	}
	path := filepath.Join(t.TempDir(), "t.safetensors")
	w := make([]float32, 300)
	var wsum float64
	for i := range w {
		w[i] = float32(i)*0.5 - 40
		wsum += float64(w[i])
	}
	b := encode(t, []Tensor{
		{Name: "a.weight", Shape: []int{20, 15}, Data: w},
		{Name: "a.bias", Shape: []int{3}, Data: []float32{0.5, 0.25, -2}},
	}, map[string]string{"step": "3"})
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "-c", pyReader, path).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	wantLines := []string{
		"meta {\"step\": \"3\"}",
		"a.bias -1.25 [3]",
		"a.weight " + strconv.FormatFloat(wsum, 'f', 1, 64) + " [20, 15]",
	}
	if strings.Join(lines, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("numpy read\n%s\nwant\n%s", out, strings.Join(wantLines, "\n"))
	}
}
