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
		p.errs = append(p.errs, p.at(d.at, "brackets nested too deeply: more than %d levels", maxNesting))
		return
	}
	k := min(max(p.errorAt(err), a), b)
	if isBad(p.toks[k]) {
		return
	}
	p.errs = append(p.errs, p.explain(expectation(err), a, b, k))
}

// at makes an error at token k.
func (p *parser) at(k int, format string, args ...any) *token.Error {
	return &token.Error{Pos: tokPos(p.toks[k]), Msg: fmt.Sprintf(format, args...)}
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

// explain says in words why parsing tokens [a, b) stopped at token k, given what
// participle expected there.
func (p *parser) explain(exp string, a, b, k int) *token.Error {
	if e := p.cutShort(a, k); e != nil {
		return e
	}
	switch {
	case strings.HasPrefix(exp, "internal error"):
		return p.at(k, "%s", exp)
	case strings.Contains(exp, "GBody"):
		return p.needDeclBody(a, k)
	case strings.Contains(exp, "GCommand"):
		return p.needStmt(k)
	case exp == `")"` || exp == `"]"` || exp == `"}"`:
		return p.needClose(exp[1:2], a, b, k)
	case strings.HasPrefix(exp, `":"`):
		return p.at(k, `expected ":" after %s, found %s`, p.describe(k-1), p.describe(k))
	case exp == "<ident>":
		return p.at(k, `expected a name after ".", found %s`, p.describe(k))
	case exp != "":
		return p.needExpr(a, k)
	}
	return p.unexpected(a, k)
}

// cutShort explains "NAME =" at the start of a line right after an operator: the line
// before ends in the middle of an expression, and the parser read NAME as its operand.
func (p *parser) cutShort(a, k int) *token.Error {
	if k-2 < a || !isWord(p.toks[k], "=") || p.toks[k-1].Type != tIdent || !p.firstOnLine(k-1) || !continues(p.toks[k-2]) {
		return nil
	}
	op := p.toks[k-2]
	return p.at(k-1, "expected an expression after %s on line %d, found %q", p.describe(k-2), op.Pos.Line, p.toks[k-1].Value+" =")
}

// needExpr explains a missing expression.
func (p *parser) needExpr(a, k int) *token.Error {
	found := p.describe(k) + hint(p.toks[k].Value)
	if k == a {
		return p.at(k, "expected an expression, found %s", found)
	}
	prev := p.toks[k-1]
	switch {
	case isWord(prev, ":") && k-2 >= a && p.toks[k-2].Type == tIdent && p.inCall(a, k):
		return p.at(k, "expected a value after %q, found %s", p.toks[k-2].Value+":", found)
	case prev.Type == tIdent:
		return p.needStmt(k)
	}
	return p.at(k, "expected an expression after %s, found %s", p.describe(k-1), found)
}

// needStmt explains a statement name followed by neither "=" nor a value.
func (p *parser) needStmt(k int) *token.Error {
	return p.at(k, `expected "=" or a value after %s, found %s`, p.describe(k-1), p.describe(k))
}

// needDeclBody explains a declaration header followed by neither "=" nor "{". A
// header that does not start its line usually means an operator is missing before it:
// in "loss = 0.5 mse(a, b)" the parser reads "mse" as a new declaration.
func (p *parser) needDeclBody(a, k int) *token.Error {
	start := p.headStart(a, k)
	if start > a && !p.firstOnLine(start) && endsOperand(p.toks[start-1]) {
		return p.at(start, "expected an operator after %s, found %s", p.describe(start-1), p.describe(start))
	}
	found := p.describe(k)
	if start == k-1 {
		if t := p.toks[k]; t.Type == tKeyword {
			found += fmt.Sprintf(" (%q is a reserved word and cannot be a name)", t.Value)
		}
		return p.at(k, `expected a name, "=" or "{" after %s, found %s`, p.describe(k-1), found)
	}
	return p.at(k, `expected "=" or "{" after %q, found %s`, p.join(start, k), found)
}

// headStart returns where the header "KEYWORD [NAME] [on EXPR]" that ends before token
// k starts.
func (p *parser) headStart(a, k int) int {
	e := k
	for i := k - 1; i > a; i-- {
		t := p.toks[i]
		if t.Type == tKeyword && t.Value == "on" {
			e = i
			break
		}
		if isWord(t, "=") || isWord(t, "{") || isWord(t, "}") {
			break
		}
	}
	if e-2 >= a && p.toks[e-1].Type == tIdent && p.toks[e-2].Type == tIdent && p.toks[e-2].Pos.Line == p.toks[e-1].Pos.Line {
		return e - 2
	}
	return max(a, e-1)
}

// needClose explains a missing closing bracket.
func (p *parser) needClose(closer string, a, b, k int) *token.Error {
	open := p.openBracket(a, k)
	if open < 0 {
		return p.unexpected(a, k)
	}
	ob := p.toks[open]
	if k == b {
		return p.at(open, "unclosed %q: expected %q before %s", ob.Value, closer, p.where(k))
	}
	found := p.describe(k)
	t := p.toks[k]
	var e *token.Error
	switch {
	case isCloser(t) && closer == "}":
		return p.at(k, "unexpected %s", found)
	case isCloser(t):
		e = p.at(k, "expected %q to close the %q on line %d, found %s", closer, ob.Value, ob.Pos.Line, found)
	case k-1 == open && closer != "}":
		e = p.at(k, `expected an expression or %q after %q, found %s`, closer, ob.Value, found)
	case closer == "}":
		e = p.at(k, `expected a new statement or "}" after %s, found %s`, p.describe(k-1), found)
	case closer == ")" && !p.isCallParen(open):
		e = p.at(k, `expected ")" after %s, found %s`, p.describe(k-1), found)
	default:
		e = p.at(k, `expected "," or %q after %s, found %s`, closer, p.describe(k-1), found)
	}
	if ob.Pos.Line != t.Pos.Line {
		e.Related = append(e.Related, token.Related{Pos: tokPos(ob), Msg: fmt.Sprintf("%q opened here", ob.Value)})
	}
	return e
}

// unexpected explains a token that cannot continue what came before it.
func (p *parser) unexpected(a, k int) *token.Error {
	t := p.toks[k]
	switch {
	case isCloser(t):
		return p.at(k, "unexpected %s", p.describe(k))
	case isWord(t, "recipe"):
		return p.at(k, `unexpected "recipe": the title comes once, at the top of the file`)
	case k == a:
		return p.at(k, "expected %s, found %s", startOf[p.mode], p.describe(k))
	}
	return p.at(k, "expected an operator or %s after %s, found %s", nextOf[p.mode], p.describe(k-1), p.describe(k))
}

// startOf and nextOf name, for each mode, what may start the tokens and what may follow
// a complete piece.
var (
	startOf = map[mode]string{
		modeDecls: "a declaration such as data train = mnist()",
		modeStmts: "a statement such as epochs = 20",
		modeExpr:  "an expression",
	}
	nextOf = map[mode]string{
		modeDecls: "a new declaration",
		modeStmts: "a new statement",
		modeExpr:  "the end of the expression",
	}
)

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
	var s brackets
	for i := a; i < k; i++ {
		s.push(p.toks, i)
	}
	return s.top()
}

// brackets is a stack of the indexes of open brackets. A closing bracket pops only its
// own kind, so a stray ")" does not close a "{".
type brackets []int

// push records token i: an opening bracket is pushed, a matching closer pops.
func (s *brackets) push(toks []lexer.Token, i int) {
	switch d := bracketDelta(toks[i]); {
	case d > 0:
		*s = append(*s, i)
	case d < 0 && len(*s) > 0 && closerOf[toks[(*s)[len(*s)-1]].Value] == toks[i].Value:
		*s = (*s)[:len(*s)-1]
	}
}

// top returns the innermost open bracket, or -1.
func (s brackets) top() int {
	if len(s) == 0 {
		return -1
	}
	return s[len(s)-1]
}

// closerOf maps an opening bracket to its closing one.
var closerOf = map[string]string{"(": ")", "[": "]", "{": "}"}

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

// firstOnLine reports whether token k is the first on its line.
func (p *parser) firstOnLine(k int) bool {
	return k == 0 || p.toks[k-1].Pos.Line < p.toks[k].Pos.Line
}

// endsOperand reports whether an expression can end with t.
func endsOperand(t lexer.Token) bool {
	switch t.Type {
	case tIdent, tNumber, tString, tGlob:
		return true
	case tKeyword:
		return t.Value == "true" || t.Value == "false" || t.Value == "end"
	}
	return isWord(t, ")") || isWord(t, "]") || isWord(t, "%")
}

// isBad reports whether t is malformed input that scan already reported.
func isBad(t lexer.Token) bool {
	return t.Type == tBad || t.Type == tBadString || t.Type == tBadQuote
}

// isCloser reports whether t is a closing bracket.
func isCloser(t lexer.Token) bool { return bracketDelta(t) < 0 }
