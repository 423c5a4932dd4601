package syntax

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// grammarWords are words of participle or of the grammar structs that must never reach
// a user.
var grammarWords = regexp.MustCompile(`\bG[A-Z][A-Za-z]+\b|<ident>|<EOF>|<string>|<number>|participle|lexer\.|internal error`)

// FuzzParse checks that Parse and ParseExpr never panic, that every error has a real
// position and a message free of grammar internals, and that a recipe that parses
// formats to text that parses to the same tree and formats to itself.
func FuzzParse(f *testing.F) {
	for _, src := range seeds(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		file, errs := Parse("fuzz.roux", []byte(src))
		if file == nil {
			t.Fatal("nil file")
		}
		for i, e := range errs {
			if e.Pos.File != "fuzz.roux" || e.Pos.Line < 1 || e.Pos.Col < 1 || e.Pos.Offset > len(src) {
				t.Errorf("bad position %+v for %q", e.Pos, e.Msg)
			}
			if grammarWords.MatchString(e.Msg) {
				t.Errorf("message shows grammar internals: %q", e.Msg)
			}
			if i > 0 && e.Pos.Before(errs[i-1].Pos) {
				t.Errorf("errors not sorted: %v before %v", errs[i-1].Pos, e.Pos)
			}
		}
		out := Format(file) // must not panic on a partial tree either
		if x, errs := ParseExpr("fuzz.roux", []byte(src)); len(errs) == 0 {
			checkExprFormatted(t, x)
		}
		if len(errs) == 0 {
			checkFormatted(t, file, string(out))
		}
	})
}

// checkExprFormatted checks that a formatted expression parses back to the same tree.
func checkExprFormatted(t *testing.T, x Expr) {
	t.Helper()
	s := FormatExpr(x)
	y, errs := ParseExpr("again", []byte(s))
	if len(errs) > 0 {
		t.Fatalf("formatted expression %q does not parse: %v", s, errs)
	}
	if dumpExpr(x, false) != dumpExpr(y, false) {
		t.Errorf("FormatExpr changed the expression %q:\n%s\n%s", s, dumpExpr(x, false), dumpExpr(y, false))
	}
}

// seeds returns the recipes of testdata and of the repository's recipes directory.
func seeds(f *testing.F) []string {
	var out []string
	paths, _ := filepath.Glob("testdata/*/*.txtar")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if in, ok := parseArchive(string(data)).get("in.roux"); ok {
			out = append(out, in)
		}
	}
	recipes, _ := filepath.Glob("../../recipes/*.recipe")
	for _, p := range recipes {
		if data, err := os.ReadFile(p); err == nil {
			out = append(out, string(data))
		}
	}
	return append(out, "", "x", "(", "a.b*c", "1e", `"\`, "recipe \"x\"\nm {\n a = 1\nb = 2\n}\n")
}
