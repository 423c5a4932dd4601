package syntax

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roux-ml/roux/lang/token"
)

var update = flag.Bool("update", false, "rewrite the expected sections of testdata/*/*.txtar")

// The golden tests read txtar archives under testdata/:
//
//	errors/*.txtar  -- in.roux --, -- errors --   the exact syntax errors of a broken recipe
//	fmt/*.txtar     -- in.roux --, -- out.roux -- its canonical form (roux fmt)
//	parse/*.txtar   -- in.roux --, -- ast --      the tree the parser builds, with positions
//
// go test -run Golden -update rewrites the expected sections from the current output.

func TestGoldenErrors(t *testing.T) {
	eachArchive(t, "errors", func(t *testing.T, a *archive) {
		in, _ := a.get("in.roux")
		f, errs := Parse("in.roux", []byte(in))
		if f == nil {
			t.Fatal("Parse returned a nil file")
		}
		if len(errs) == 0 {
			t.Error("no errors reported")
		}
		checkPositions(t, errs, in)
		expect(t, a, "errors", formatErrors(errs))
	})
}

func TestGoldenFormat(t *testing.T) {
	eachArchive(t, "fmt", func(t *testing.T, a *archive) {
		in, _ := a.get("in.roux")
		f, errs := Parse("in.roux", []byte(in))
		if len(errs) > 0 {
			t.Fatalf("parse errors:\n%s", formatErrors(errs))
		}
		out := string(Format(f))
		expect(t, a, "out.roux", out)
		checkFormatted(t, f, out)
	})
}

func TestGoldenParse(t *testing.T) {
	eachArchive(t, "parse", func(t *testing.T, a *archive) {
		in, _ := a.get("in.roux")
		f, errs := Parse("in.roux", []byte(in))
		if len(errs) > 0 {
			t.Fatalf("parse errors:\n%s", formatErrors(errs))
		}
		expect(t, a, "ast", dump(f, true))
		checkFormatted(t, f, string(Format(f)))
	})
}

// checkFormatted checks that out, the formatting of f, parses to the same tree and
// formats to itself.
func checkFormatted(t *testing.T, f *File, out string) {
	t.Helper()
	g, errs := Parse("out.roux", []byte(out))
	if len(errs) > 0 {
		t.Fatalf("formatted output does not parse:\n%s\n%s", formatErrors(errs), out)
	}
	if again := string(Format(g)); again != out {
		t.Errorf("Format is not idempotent:\nfirst:\n%s\nsecond:\n%s", out, again)
	}
	if dump(f, false) != dump(g, false) {
		t.Errorf("Format changed the recipe:\nbefore:\n%s\nafter:\n%s", dump(f, false), dump(g, false))
	}
}

// checkPositions checks that every error points into the file.
func checkPositions(t *testing.T, errs token.ErrorList, src string) {
	t.Helper()
	for _, e := range errs {
		if e.Pos.File != "in.roux" || e.Pos.Line < 1 || e.Pos.Col < 1 || e.Pos.Offset > len(src) {
			t.Errorf("bad position %+v for %q", e.Pos, e.Msg)
		}
	}
}

// formatErrors prints errors one a line, related positions indented under them.
func formatErrors(errs token.ErrorList) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.Error() + "\n")
		for _, r := range e.Related {
			b.WriteString("\t" + r.Pos.String() + ": " + r.Msg + "\n")
		}
	}
	return b.String()
}

// eachArchive runs test on every archive in testdata/dir and rewrites the archives
// when -update is set.
func eachArchive(t *testing.T, dir string, test func(*testing.T, *archive)) {
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.txtar"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no archives in testdata/%s: %v", dir, err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			a := parseArchive(string(data))
			test(t, a)
			if *update {
				if err := os.WriteFile(path, []byte(a.format()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// expect compares got with the named section of a, or replaces it under -update.
func expect(t *testing.T, a *archive, name, got string) {
	t.Helper()
	if *update {
		a.set(name, got)
		return
	}
	want, ok := a.get(name)
	if !ok {
		t.Fatalf("archive has no %q section (run with -update)", name)
	}
	if got != want {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}
