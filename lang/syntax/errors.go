package syntax

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/roux-ml/roux/lang/token"
)

// This file rewrites participle's errors, which speak of grammar rules, into messages
// that speak of the recipe: what was expected, after what, and what was found.

// report adds the error of a failed parse of tokens [a, b), unless it only repeats a
// lexical mistake already reported.
func (p *parser) report(err error, a, b int) {
	if d, ok := err.(*tooDeep); ok {
		p.errs.Add(tokPos(p.toks[d.at]), "brackets nested too deeply: more than %d levels", maxNesting)
		return
	}
	k := min(max(p.errorAt(err), a), b)
	if t := p.toks[k].Type; t == tBad || t == tBadString {
		return
	}
	pos, msg := p.explain(expectation(err), a, b, k)
	p.errs.Add(pos, "%s", msg)
}

// expectation extracts what participle expected from its message, "" if nothing.
func expectation(err error) string {
	e, ok := err.(participle.Error)
	if !ok {
		return ""
	}
	if strings.HasPrefix(e.Message(), "internal error") {
		return e.Message()
	}
	_, exp, ok := strings.Cut(e.Message(), " (expected ")
	if !ok {
		return ""
	}
	return strings.TrimSuffix(exp, ")")
}

// explain says in words why parsing tokens [a, b) stopped at token k.
func (p *parser) explain(exp string, a, b, k int) (token.Pos, string) {
	switch {
	case strings.HasPrefix(exp, "internal error"):
		return tokPos(p.toks[k]), exp
	case strings.Contains(exp, "GBody"):
		return tokPos(p.toks[k]), p.needDeclBody(a, k)
	case strings.Contains(exp, "GCommand"):
		return tokPos(p.toks[k]), p.needStmt(k)
	case exp == `")"` || exp == `"]"` || exp == `"}"`:
		return p.needClose(exp[1:2], a, b, k)
	case exp == "<ident>":
		return tokPos(p.toks[k]), fmt.Sprintf(`expected a name after ".", found %s`, p.describe(k))
	case exp != "":
		return tokPos(p.toks[k]), p.needExpr(a, k)
	}
	return tokPos(p.toks[k]), p.unexpected(a, k)
}

// needExpr explains a missing expression.
func (p *parser) needExpr(a, k int) string {
	found := p.describe(k) + hint(p.toks[k].Value)
	if k == a {
		return "expected an expression, found " + found
	}
	prev := p.toks[k-1]
	switch {
	case isWord(prev, ":") && k-2 >= a && p.toks[k-2].Type == tIdent && p.inCall(a, k):
		return fmt.Sprintf("expected a value after %q, found %s", p.toks[k-2].Value+":", found)
	case prev.Type == tIdent:
		return p.needStmt(k)
	}
	return fmt.Sprintf("expected an expression after %s, found %s", p.describe(k-1), found)
}

// needStmt explains a statement name followed by neither "=" nor a value.
func (p *parser) needStmt(k int) string {
	return fmt.Sprintf(`expected "=" or a value after %s, found %s`, p.describe(k-1), p.describe(k))
}

// needDeclBody explains a declaration header followed by neither "=" nor "{".
func (p *parser) needDeclBody(a, k int) string {
	found := p.describe(k)
	if k-1 == a {
		if t := p.toks[k]; t.Type == tKeyword {
			found += fmt.Sprintf(" (%q is a reserved word and cannot be a name)", t.Value)
		}
		return fmt.Sprintf(`expected a name, "=" or "{" after %s, found %s`, p.describe(a), found)
	}
	return fmt.Sprintf(`expected "=" or "{" after %q, found %s`, p.join(a, k), found)
}

// needClose explains a missing closing bracket.
func (p *parser) needClose(closer string, a, b, k int) (token.Pos, string) {
	open := p.openBracket(a, k)
	if open < 0 {
		return tokPos(p.toks[k]), p.unexpected(a, k)
	}
	ob := p.toks[open]
	if k == b {
		return tokPos(ob), fmt.Sprintf("unclosed %q: expected %q before %s", ob.Value, closer, p.where(k))
	}
	found := p.describe(k)
	if isCloser(p.toks[k]) {
		return tokPos(p.toks[k]), fmt.Sprintf("expected %q to close the %q on line %d, found %s", closer, ob.Value, ob.Pos.Line, found)
	}
	after := p.describe(k - 1)
	switch {
	case closer == "}":
		return tokPos(p.toks[k]), fmt.Sprintf(`expected a new statement or "}" after %s, found %s`, after, found)
	case closer == ")" && !p.isCallParen(open):
		return tokPos(p.toks[k]), fmt.Sprintf(`expected ")" after %s, found %s`, after, found)
	}
	return tokPos(p.toks[k]), fmt.Sprintf(`expected "," or %q after %s, found %s`, closer, after, found)
}

// unexpected explains a token that cannot continue what came before it.
func (p *parser) unexpected(a, k int) string {
	t := p.toks[k]
	found := p.describe(k)
	switch {
	case isCloser(t):
		return "unexpected " + found
	case isWord(t, "recipe"):
		return `unexpected "recipe": the title comes once, at the top of the file`
	case p.exprMode && k > a:
		return fmt.Sprintf("expected an operator or the end of the expression after %s, found %s", p.describe(k-1), found)
	case k == a || p.exprMode:
		return "expected a declaration such as data train = mnist(), found " + found
	}
	return fmt.Sprintf("expected an operator or a new declaration after %s, found %s", p.describe(k-1), found)
}

// hint adds advice for a token that often shows up where an expression belongs.
func hint(tok string) string {
	if tok == "%" {
		return `; "%" goes right after a number, as in 25%`
	}
	return ""
}

// where names the place of token k for "before ...".
func (p *parser) where(k int) string {
	t := p.toks[k]
	if t.EOF() {
		return "end of file"
	}
	return fmt.Sprintf("%s on line %d", p.describe(k), t.Pos.Line)
}

// describe names token k for a message.
func (p *parser) describe(k int) string {
	t := p.toks[k]
	switch {
	case t.EOF():
		return "end of file"
	case t.Type == tString:
		return "the string " + shorten(t.Value)
	}
	return strconv.Quote(shorten(t.Value))
}

// shorten cuts long token text for messages.
func shorten(s string) string {
	const n = 24
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-3]) + "..."
}

// join prints tokens [a, k) the way they would be written, for quoting a header.
func (p *parser) join(a, k int) string {
	var b strings.Builder
	for i := a; i < k; i++ {
		t := p.toks[i]
		if i > a && t.Type != tGlob && !isWord(t, ".") && !isWord(p.toks[i-1], ".") {
			b.WriteByte(' ')
		}
		b.WriteString(t.Value)
	}
	return shorten(b.String())
}

// openBracket returns the index of the innermost bracket opened in [a, k) and not
// closed there, or -1.
func (p *parser) openBracket(a, k int) int {
	var stack []int
	for i := a; i < k; i++ {
		switch d := bracketDelta(p.toks[i]); {
		case d > 0:
			stack = append(stack, i)
		case d < 0 && len(stack) > 0:
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) == 0 {
		return -1
	}
	return stack[len(stack)-1]
}

// inCall reports whether token k is directly inside the parentheses of a call.
func (p *parser) inCall(a, k int) bool {
	open := p.openBracket(a, k)
	return open >= 0 && isWord(p.toks[open], "(") && p.isCallParen(open)
}

// isCallParen reports whether the "(" at index i opens a call rather than a group.
func (p *parser) isCallParen(i int) bool {
	if i == 0 {
		return false
	}
	t := p.toks[i-1]
	return t.Type == tIdent || t.Type == tGlob || isWord(t, ")")
}

// isCloser reports whether t is a closing bracket.
func isCloser(t lexer.Token) bool { return bracketDelta(t) < 0 }
