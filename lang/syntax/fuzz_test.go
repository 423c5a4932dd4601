package syntax

import (
	"flag"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// grammarWords are words of participle or of the grammar structs that must never reach
// a user; quoted is what a message quotes from the recipe, which may spell anything.
var (
	grammarWords = regexp.MustCompile(`\bG[A-Z][A-Za-z]+\b|<ident>|<EOF>|<string>|<number>|participle|lexer\.|internal error`)
	quoted       = regexp.MustCompile(`"(?:\\.|[^"\\])*"`)
)

// showsGrammar reports whether a message shows grammar internals outside its quotes.
func showsGrammar(msg string) bool {
	return grammarWords.MatchString(quoted.ReplaceAllString(msg, `""`))
}

// FuzzParse checks that Parse and ParseExpr never panic, that every error has a real
// position and a message free of grammar internals, that Format keeps every comment,
// and that a recipe that parses formats to text that parses to the same tree and
// formats to itself.
func FuzzParse(f *testing.F) {
	for _, src := range seedList() {
		f.Add(src)
	}
	f.Fuzz(checkSource)
}

var mutations = flag.Int("mutations", 500, "number of random token-level mutations TestMutations tries")

// TestMutations complements FuzzParse with grammar-aware mutations: it deletes,
// inserts and replaces words of the seed recipes with pieces of the language, and
// checks the same properties. It found that "100 .x" printed as the number "100.x".
func TestMutations(t *testing.T) {
	pieces := strings.Fields(`( ) { } [ ] , : = + - * / |> -> then on every end % . .* x 1e 2epochs a.b*c -- }} f( every: ,) @ ' "open # 5e-4 recipe steps epochs`)
	pieces = append(pieces, "\n", "\n\n", "# c\n", "1 epoch", "epochs =", "\r\n", "\t")
	corpus := seedList()
	r := rand.New(rand.NewSource(1))
	for n := 0; n < *mutations; n++ {
		words := strings.SplitAfter(corpus[r.Intn(len(corpus))], " ")
		for m := r.Intn(3) + 1; m > 0; m-- {
			words = mutate(r, words, pieces)
		}
		src := strings.Join(words, "")
		checkSource(t, src)
		if t.Failed() {
			t.Fatalf("input:\n%s", src)
		}
	}
}

// mutate deletes, inserts or replaces one word.
func mutate(r *rand.Rand, words, pieces []string) []string {
	if len(words) == 0 {
		return []string{pieces[r.Intn(len(pieces))]}
	}
	i := r.Intn(len(words))
	piece := pieces[r.Intn(len(pieces))] + " "
	switch r.Intn(3) {
	case 0:
		return append(words[:i], words[i+1:]...)
	case 1:
		return append(words[:i], append([]string{piece}, words[i:]...)...)
	}
	words[i] = piece
	return words
}

// checkSource checks the properties of FuzzParse on one input.
func checkSource(t *testing.T, src string) {
	file, errs := Parse("fuzz.roux", []byte(src))
	if file == nil {
		t.Fatal("nil file")
	}
	for i, e := range errs {
		if e.Pos.File != "fuzz.roux" || e.Pos.Line < 1 || e.Pos.Col < 1 || e.Pos.Offset > len(src) {
			t.Errorf("bad position %+v for %q", e.Pos, e.Msg)
		}
		if showsGrammar(e.Msg) {
			t.Errorf("message shows grammar internals: %q", e.Msg)
		}
		if i > 0 && e.Pos.Before(errs[i-1].Pos) {
			t.Errorf("errors not sorted: %v before %v", errs[i-1].Pos, e.Pos)
		}
	}
	out := Format(file) // must not panic on a partial tree either
	for _, c := range file.Comments {
		if !strings.Contains(string(out), c.Text) {
			t.Errorf("Format lost the comment %q", c.Text)
		}
	}
	if x, errs := ParseExpr("fuzz.roux", []byte(src)); len(errs) == 0 {
		checkExprFormatted(t, x)
	}
	if len(errs) == 0 {
		checkFormatted(t, file, string(out))
	}
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

// seedList returns the recipes of testdata and of the repository's recipes directory,
// and a few small inputs.
func seedList() []string {
	var out []string
	paths, _ := filepath.Glob("testdata/*/*.txtar")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
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
	return append(out, "", "x", "(", "a.b*c", "1e", `"\`, "100 .x", "recipe \"x\"\nm {\n a = 1\nb = 2\n}\n")
}
