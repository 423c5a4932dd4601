package check

import (
	"sort"
	"strings"

	"github.com/roux-ml/roux/lang/spell"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/lang/syntax"
)

// suggest returns "; did you mean x?" for the closest candidate, or "".
func suggest(name string, candidates []string) string {
	if best := spell.Nearest(name, candidates); best != "" {
		return "; did you mean " + best + "?"
	}
	return ""
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
