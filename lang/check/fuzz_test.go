package check_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/roux-ml/roux/lang/check"
	"github.com/roux-ml/roux/lang/syntax"
	"github.com/roux-ml/roux/stdlib"
)

// FuzzCheck parses and checks arbitrary text; it fails on any panic, and on a recipe
// that is accepted without a loss, optimizer or train plan. Seeds are the example recipes
// and the inputs of every golden file.
func FuzzCheck(f *testing.F) {
	recipes, _ := filepath.Glob("../../recipes/*.recipe")
	for _, r := range recipes {
		if src, err := os.ReadFile(r); err == nil {
			f.Add(src)
		}
	}
	goldens, _ := filepath.Glob("../*/testdata/*.txtar")
	more, _ := filepath.Glob("../*/testdata/*/*.txtar")
	for _, g := range append(goldens, more...) {
		if ar, err := txtar.ParseFile(g); err == nil && len(ar.Files) > 0 {
			f.Add(ar.Files[0].Data)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, errs := syntax.Parse("fuzz.recipe", src)
		if len(errs) > 0 {
			return
		}
		r, errs := check.Check(file, stdlib.Default)
		if len(errs) == 0 && (r.Loss == nil || r.Optimizer == nil || r.Train == nil || r.Stream == nil) {
			t.Fatalf("accepted an incomplete recipe:\n%s", src)
		}
		for _, e := range errs {
			if !e.Pos.IsValid() {
				t.Fatalf("error without a position: %v\n%s", e, src)
			}
		}
	})
}
