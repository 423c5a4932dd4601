package check

import (
	"sort"
	"strings"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/lang/syntax"
)

// suggest returns "; did you mean x?" for the closest candidate, or "" when none is close:
// at most one edit for short names, two for names of six letters or more (a swap of two
// neighbouring letters counts as one edit).
func suggest(name string, candidates []string) string {
	best, bestD := "", 1
	if len(name) >= 6 {
		bestD = 2
	}
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d <= bestD && c != name {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return "; did you mean " + best + "?"
}

// editDistance is the optimal-string-alignment distance between a and b: insertions,
// deletions, substitutions and swaps of neighbouring letters.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func joinArrow(path []string) string { return strings.Join(path, " -> ") }

// joinList writes "a, b and c".
func joinList(xs []string) string {
	switch len(xs) {
	case 0:
		return "(none)"
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// nameOf returns the identifier an expression spells, or its canonical text.
func nameOf(e syntax.Expr) string {
	if id, ok := e.(*syntax.Ident); ok {
		return id.Name
	}
	return syntax.FormatExpr(e)
}

// kindNames lists the catalogue entries of one kind.
func (c *checker) kindNames(k sig.Kind) []string {
	var out []string
	for _, n := range c.cat.Names() {
		if s, _ := c.cat.Lookup(n); s.Kind == k {
			out = append(out, n)
		}
	}
	return out
}

func (c *checker) dataNames() []string {
	var out []string
	for _, nd := range c.order {
		if nd.d.Keyword == "data" {
			out = append(out, nd.d.Name.Name)
		}
	}
	return out
}

// describeName says what a name is, for messages like "x is a schedule".
func (c *checker) describeName(name string) string {
	if nd, ok := c.named[name]; ok {
		return "a " + nd.d.Keyword
	}
	if s, ok := c.cat.Lookup(name); ok {
		return "a built-in " + string(s.Kind)
	}
	return "not declared"
}

// allNames are the names visible in a context, for "did you mean".
func (c *checker) allNames(cx *ctx) []string {
	out := append([]string(nil), c.cat.Names()...)
	for _, nd := range c.order {
		out = append(out, nd.d.Name.Name)
	}
	for n := range cx.stmts {
		out = append(out, n)
	}
	return out
}
