package roux_test

import (
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/roux-ml/roux"
)

// Fuzzed recipes that read files (MNIST, CSV) are skipped, and so are those with
// numbers too large to train quickly (sizes, widths, epochs).
var (
	readsFiles = regexp.MustCompile(`mnist|csv`)
	bigNumber  = regexp.MustCompile(`[0-9][0-9.e+]*`)
)

// FuzzSession compiles arbitrary recipes and trains the accepted ones for a few steps:
// a recipe the checker accepts must build and train, or fail with an error, never
// panic. Seeds are the golden recipes that check; recipes reading MNIST or files, or
// with numbers above 2000, are skipped to keep each input fast.
func FuzzSession(f *testing.F) {
	goldens, _ := filepath.Glob("lang/check/testdata/*.txtar")
	for _, g := range goldens {
		if ar, err := txtar.ParseFile(g); err == nil && len(ar.Files) > 0 {
			f.Add(ar.Files[0].Data)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if readsFiles.Match(src) {
			return
		}
		for _, n := range bigNumber.FindAll(src, -1) {
			if v, err := strconv.ParseFloat(string(n), 64); err != nil || v > 2000 {
				return
			}
		}
		r, err := roux.Compile("fuzz.recipe", src)
		if err != nil {
			return
		}
		s, err := roux.NewSession(r, roux.Options{CheckpointDir: t.TempDir()})
		if err != nil {
			t.Fatalf("a checked recipe does not build: %v\n%s", err, src)
		}
		for range 3 {
			if s.Done() {
				break
			}
			if _, err := s.Step(); err != nil {
				t.Fatalf("a checked recipe fails to train: %v\n%s", err, src)
			}
		}
	})
}
