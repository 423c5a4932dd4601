package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readSafetensors parses a safetensors file by the format's spec alone: an 8-byte
// little-endian header length, a JSON header of {name: {dtype, shape, data_offsets}},
// then the data, offsets counted from the end of the header. Only F32 is read.
func readSafetensors(t *testing.T, path string) map[string][]float32 {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(b[:8])
	var header map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &header); err != nil {
		t.Fatal(err)
	}
	data := b[8+n:]
	out := map[string][]float32{}
	for name, raw := range header {
		if name == "__metadata__" {
			continue
		}
		var info struct {
			Dtype   string  `json:"dtype"`
			Offsets [2]int  `json:"data_offsets"`
			Shape   []int64 `json:"shape"`
		}
		if err := json.Unmarshal(raw, &info); err != nil || info.Dtype != "F32" {
			t.Fatalf("%s: %v %s", name, err, info.Dtype)
		}
		bytes := data[info.Offsets[0]:info.Offsets[1]]
		vals := make([]float32, len(bytes)/4)
		for i := range vals {
			vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(bytes[4*i:]))
		}
		out[name] = vals
	}
	return out
}

// TestInspectMatchesIndependentReader saves a masked run and checks that the sparsity of
// every weight, read by the independent parser, is what roux inspect prints, and that the
// stored masks agree with the weights (pruned entries are zero).
func TestInspectMatchesIndependentReader(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ckpt")
	path := writeRecipe(t, strings.Replace(mustRead(t, "../../recipes/moons.recipe"), "loss =", "mask sparse on net.*.weight { init = random(sparsity: 0.75) }\nloss =", 1))
	code, _, errOut := rouxCmd("run", path, "--quiet", "--set", "train.epochs=2", "--save", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	tensors := readSafetensors(t, filepath.Join(dir, "tensors.safetensors"))
	_, out, _ := rouxCmd("inspect", dir)
	for _, name := range []string{"net.h.weight", "net.out.weight", "mask/net.h.weight"} {
		vals := tensors[name]
		zeros := 0
		for _, v := range vals {
			if v == 0 {
				zeros++
			}
		}
		want := fmt.Sprintf(" %.4f ", float64(zeros)/float64(len(vals)))
		if !strings.Contains(rowOf(out, name), want) {
			t.Errorf("%s: the independent reader finds sparsity%s; inspect says %q", name, want, rowOf(out, name))
		}
	}
	for i, k := range tensors["mask/net.h.weight"] {
		if k == 0 && tensors["net.h.weight"][i] != 0 {
			t.Fatalf("net.h.weight[%d] is pruned but holds %v", i, tensors["net.h.weight"][i])
		}
	}
}

func rowOf(out, name string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, name+" ") {
			return l
		}
	}
	return ""
}

func mustRead(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
