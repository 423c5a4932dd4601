package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// makeCheckpoint returns a checkpoint whose every value is derived from step, so that
// checkConsistent can tell a mixed or damaged one.
func makeCheckpoint(step, n int) *Checkpoint {
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(step) + float32(i%7)/8
	}
	pos, _ := json.Marshal(map[string]int{"epoch": step / 10, "pos": step * 3})
	return &Checkpoint{
		Tensors: []Tensor{
			{Name: "net.w", Shape: []int{n}, Data: w},
			{Name: "mask/net.w", DType: U8, Shape: []int{2}, Ints: []int64{1, 0}},
			{Name: "step", DType: I64, Shape: []int{}, Ints: []int64{int64(step)}},
		},
		Meta: Meta{
			Recipe: "model net { }\n", RecipeHash: "sha256:abc", Step: step, Epoch: step / 10,
			Seed: math.MaxUint64 - 1, RNG: map[string]string{"data": "pcg:1:2"},
			Schedules: map[string]float64{"lr": 0.5 / float64(step+1)},
			Metrics:   map[string]float64{"loss": 1 / float64(step+1), "nan": math.NaN(), "inf": math.Inf(-1)},
			Extra:     map[string]json.RawMessage{"batcher": pos},
		},
	}
}

// checkConsistent reports whether c is a complete checkpoint as makeCheckpoint made it.
func checkConsistent(c *Checkpoint) error {
	step := c.Meta.Step
	want := makeCheckpoint(step, c.Tensor("net.w").Len())
	if err := sameMeta(&c.Meta, &want.Meta); err != nil {
		return err
	}
	for i := range want.Tensors {
		got := c.Tensor(want.Tensors[i].Name)
		if got == nil || !sameTensor(got, &want.Tensors[i]) {
			return errors.New("tensor " + want.Tensors[i].Name + " does not match meta.json's step")
		}
	}
	return nil
}

func sameMeta(got, want *Meta) error {
	g, w := *got, *want
	g.TensorsSize, g.TensorsSHA256, w.Format = 0, "", FormatVersion
	gm, _ := json.Marshal(toJSONFloats(g.Metrics))
	wm, _ := json.Marshal(toJSONFloats(w.Metrics))
	g.Metrics, w.Metrics = nil, nil
	if !reflect.DeepEqual(g, w) || !bytes.Equal(gm, wm) {
		return errors.New("meta differs:\n" + strings.Join([]string{string(mustJSON(g)), string(gm), string(mustJSON(w)), string(wm)}, "\n"))
	}
	return nil
}

func mustJSON(m Meta) []byte {
	b, _ := json.Marshal(m)
	return b
}

func TestSaveLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ck")
	want := makeCheckpoint(12, 100)
	if err := Save(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkConsistent(got); err != nil {
		t.Fatal(err)
	}
	sameTensors(t, got.Tensors, want.Tensors)
	info, _ := os.Stat(filepath.Join(dir, TensorsFile))
	if got.Meta.TensorsSize != info.Size() || len(got.Meta.TensorsSHA256) != 64 {
		t.Errorf("tensors size %d sha256 %q, file has %d bytes", got.Meta.TensorsSize, got.Meta.TensorsSHA256, info.Size())
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{MetaFile, TensorsFile}) {
		t.Errorf("dir holds %q", names)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestSaveByteIdentical(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a", "b"} {
		if err := Save(filepath.Join(root, d), makeCheckpoint(5, 64)); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{TensorsFile, MetaFile} {
		a, _ := os.ReadFile(filepath.Join(root, "a", f))
		b, _ := os.ReadFile(filepath.Join(root, "b", f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two saves of the same checkpoint", f)
		}
	}
}

func TestMetaJSON(t *testing.T) {
	dir := t.TempDir()
	if err := Save(dir, makeCheckpoint(3, 4)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, MetaFile))
	for _, want := range []string{`"format": 1`, `"step": 3`, `"seed": 18446744073709551614`, `"nan": "NaN"`, `"inf": "-Inf"`, `"file": "tensors.safetensors"`, `"batcher": {`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("meta.json lacks %s:\n%s", want, b)
		}
	}
}

func TestLoadDetectsMismatch(t *testing.T) {
	dir := t.TempDir()
	if err := Save(dir, makeCheckpoint(1, 16)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, TensorsFile)
	b, _ := os.ReadFile(path)
	b[len(b)-1] ^= 1
	os.WriteFile(path, b, 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not the") {
		t.Errorf("Load of a changed tensors file: %v", err)
	}
	os.WriteFile(filepath.Join(dir, MetaFile), []byte(`{"format": 2}`), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "format 2, want 1") {
		t.Errorf("Load of a future format: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing dir: %v", err)
	}
}

// crashAt makes Save and SaveNumbered stop, as if killed, right after point.
func crashAt(t *testing.T, point string) {
	crashHook = func(p string) error {
		if p == point {
			return errors.New("crash at " + p)
		}
		return nil
	}
	t.Cleanup(func() { crashHook = nil })
}

func TestSaveCrash(t *testing.T) {
	cases := []struct {
		point string
		step  int // the step Load must find: the old checkpoint's or the new one's
	}{
		{PendingFile, 1}, // new meta.json waiting, old pair intact
		{TensorsFile, 2}, // new tensors in place, old meta.json: the pending one matches
		{MetaFile, 2},
	}
	for _, c := range cases {
		dir := t.TempDir()
		if err := Save(dir, makeCheckpoint(1, 32)); err != nil {
			t.Fatal(err)
		}
		crashAt(t, c.point)
		if err := Save(dir, makeCheckpoint(2, 48)); err == nil {
			t.Fatalf("%s: no crash", c.point)
		}
		crashHook = nil
		got, err := Load(dir)
		if err != nil || got.Meta.Step != c.step || checkConsistent(got) != nil {
			t.Fatalf("crash after %s: Load = step %v, %v; want step %d", c.point, got, err, c.step)
		}
		// A second interrupted save must not lose the checkpoint the first one left.
		crashAt(t, PendingFile)
		Save(dir, makeCheckpoint(3, 8))
		crashHook = nil
		if got, err := Load(dir); err != nil || got.Meta.Step != c.step {
			t.Errorf("crash after %s then %s: Load = %v, %v", c.point, PendingFile, got, err)
		}
		if err := Save(dir, makeCheckpoint(4, 8)); err != nil {
			t.Fatal(err)
		}
		if names := dirNames(t, dir); !slices.Equal(names, []string{MetaFile, TensorsFile}) {
			t.Errorf("after a complete save, dir holds %q", names)
		}
	}
}

func TestNumbered(t *testing.T) {
	root := t.TempDir()
	for _, step := range []int{5, 10, 20, 15} {
		dir, err := SaveNumbered(root, makeCheckpoint(step, 8), 3)
		if err != nil || dir != StepDir(root, step) {
			t.Fatalf("SaveNumbered(%d) = %q, %v", step, dir, err)
		}
	}
	if steps, _ := List(root); !slices.Equal(steps, []int{10, 15, 20}) {
		t.Errorf("after keep 3: %v", steps)
	}
	c, dir, err := Latest(root)
	if err != nil || c.Meta.Step != 20 || filepath.Base(dir) != "step-000000020" {
		t.Fatalf("Latest = %v, %q, %v", c, dir, err)
	}
	// Saving a step again replaces it.
	again := makeCheckpoint(20, 8)
	again.Meta.Epoch = 99
	if _, err := SaveNumbered(root, again, 3); err != nil {
		t.Fatal(err)
	}
	if c, _, _ := Latest(root); c.Meta.Epoch != 99 {
		t.Errorf("re-saved step 20 has epoch %d", c.Meta.Epoch)
	}
	if names := dirNames(t, root); len(names) != 3 {
		t.Errorf("root holds %q", names)
	}
}

func TestNumberedCrash(t *testing.T) {
	root := t.TempDir()
	if _, err := SaveNumbered(root, makeCheckpoint(1, 8), 2); err != nil {
		t.Fatal(err)
	}
	crashAt(t, "step dir")
	if _, err := SaveNumbered(root, makeCheckpoint(2, 8), 2); err == nil {
		t.Fatal("no crash")
	}
	crashHook = nil
	// Simulate what a killed process leaves: a complete temporary directory, and a damaged
	// numbered one (as bit rot would make).
	if err := Save(filepath.Join(root, tempPrefix+"left"), makeCheckpoint(9, 8)); err != nil {
		t.Fatal(err)
	}
	if _, err := SaveNumbered(root, makeCheckpoint(3, 8), 0); err != nil {
		t.Fatal(err)
	}
	os.Truncate(filepath.Join(StepDir(root, 3), TensorsFile), 10)
	c, dir, err := Latest(root)
	if err != nil || c.Meta.Step != 1 || dir != StepDir(root, 1) {
		t.Fatalf("Latest = %v, %q, %v; want step 1", c, dir, err)
	}
	if err := Keep(root, 1); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, root); !slices.Equal(names, []string{"step-000000003"}) {
		t.Errorf("after Keep(1), root holds %q", names)
	}
	if _, _, err := Latest(root); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("Latest with only a damaged checkpoint: %v", err)
	}
	if _, _, err := Latest(filepath.Join(root, "none")); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("Latest of a missing root: %v", err)
	}
}

func TestParseStep(t *testing.T) {
	for name, want := range map[string]int{"step-000000000": 0, "step-000000123": 123, "step-1234567890": 1234567890} {
		if got, ok := parseStep(name); !ok || got != want {
			t.Errorf("parseStep(%q) = %d, %v", name, got, ok)
		}
	}
	for _, name := range []string{"step-1", "step-", "step--00000001", "step-00000000x", "x-000000001", ".tmp-1"} {
		if _, ok := parseStep(name); ok {
			t.Errorf("parseStep(%q) accepted", name)
		}
	}
}

func TestSaveErrorKeepsOld(t *testing.T) {
	dir := t.TempDir()
	if err := Save(dir, makeCheckpoint(1, 8)); err != nil {
		t.Fatal(err)
	}
	badExtra := makeCheckpoint(2, 8)
	badExtra.Meta.Extra["x"] = json.RawMessage("{")
	dup := makeCheckpoint(2, 8)
	dup.Tensors = append(dup.Tensors, dup.Tensors[0])
	for _, c := range []*Checkpoint{badExtra, dup} {
		if err := Save(dir, c); err == nil {
			t.Error("Save accepted a bad checkpoint")
		}
		got, err := Load(dir)
		if err != nil || got.Meta.Step != 1 {
			t.Errorf("after a failed Save, Load = %v, %v", got, err)
		}
		if names := dirNames(t, dir); !slices.Equal(names, []string{MetaFile, TensorsFile}) {
			t.Errorf("a failed Save left %q", names)
		}
	}
}
