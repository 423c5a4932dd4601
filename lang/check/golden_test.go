package check_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/roux-ml/roux/lang/check"
	"github.com/roux-ml/roux/lang/syntax"
	"github.com/roux-ml/roux/stdlib"
)

var update = flag.Bool("update", false, "rewrite the expected output of the golden files")

// TestGolden checks every testdata/*.txtar: its input.recipe must give exactly the
// "errors" file (printed with carets), or, when it has no errors, the "checked" dump.
// Run with -update to rewrite the expected files.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) { golden(t, file) })
	}
}

func golden(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	src := section(t, ar, "input.recipe")
	name, got := result(src)
	want := ar.Files[len(ar.Files)-1]
	if *update {
		ar.Files = append(ar.Files[:1], txtar.File{Name: name, Data: []byte(got)})
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want.Name != name {
		t.Fatalf("got %s, the golden file expects %s:\n%s", name, want.Name, got)
	}
	if string(want.Data) != got {
		t.Errorf("%s differs.\ngot:\n%s\nwant:\n%s", name, got, want.Data)
	}
}

// result parses and checks a recipe and returns ("errors", printed errors) or
// ("checked", the dump).
func result(src []byte) (string, string) {
	f, errs := syntax.Parse("input.recipe", src)
	if len(errs) == 0 {
		var r *check.Recipe
		if r, errs = check.Check(f, stdlib.Default); len(errs) == 0 {
			return "checked", check.Dump(r)
		}
	}
	return "errors", errs.Print(map[string][]byte{"input.recipe": src})
}

func section(t *testing.T, ar *txtar.Archive, name string) []byte {
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data
		}
	}
	t.Fatalf("no %s section", name)
	return nil
}
