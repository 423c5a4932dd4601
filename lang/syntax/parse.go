package syntax

import (
	"fmt"
	"sort"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/roux-ml/roux/lang/token"
)

// maxNesting bounds how deeply brackets may nest, so that hostile input cannot exhaust
// the stack of the recursive parser.
const maxNesting = 100

// maxMerges bounds how many chunks recovery glues together (see chunk).
const maxMerges = 32

// Parse parses one recipe. It always returns a usable *File (possibly with fewer decls)
// together with every syntax error found, sorted by position.
//
// When the recipe has mistakes, Parse recovers at declaration boundaries: it splits
// the declarations into chunks at names that start a line outside brackets (or in the
// first column), parses each chunk on its own and reports the first error of each. A
// broken declaration with a body is kept, with the statements of its body that parse;
// its statements are split and reported the same way.
func Parse(filename string, src []byte) (*File, token.ErrorList) {
	p := newParser(filename, src)
	f := &File{Name: filename, Comments: p.comments}
	start := p.title(f)
	f.Decls = p.declsFrom(start, len(p.toks)-1)
	p.errs.RemoveMultiples()
	return f, p.result()
}

// ParseExpr parses a single expression (the REPL and `--set path=value` use it). The
// expression is nil when it could not be parsed.
func ParseExpr(filename string, src []byte) (Expr, token.ErrorList) {
	p := newParser(filename, src)
	p.mode = modeExpr
	end := len(p.toks) - 1
	var x Expr
	g, err := parseRange(p, exprParser, 0, end)
	if err != nil {
		p.report(err, 0, end)
	} else {
		x = p.conv.expr(g)
	}
	p.errs.RemoveMultiples()
	return x, p.result()
}

// parser is the state of one Parse or ParseExpr.
type parser struct {
	*scanned
	conv converter
	mode mode // what the tokens being parsed hold, for messages
}

// mode says what the tokens being parsed hold.
type mode int

const (
	modeDecls mode = iota // declarations of a recipe
	modeStmts             // statements of a body
	modeExpr              // one expression (ParseExpr)
)

func newParser(filename string, src []byte) *parser {
	p := &parser{scanned: scan(filename, src)}
	p.conv.errs = &p.errs
	return p
}

// result returns the errors, or nil when there are none.
func (p *parser) result() token.ErrorList {
	if len(p.errs) == 0 {
		return nil
	}
	return p.errs
}

// title reads `recipe "title"` by hand and returns the index of the first token of the
// first declaration. A missing or malformed title is reported and skipped, so that the
// declarations are still parsed.
func (p *parser) title(f *File) int {
	t := p.toks[0]
	switch {
	case isWord(t, "recipe"):
		f.TitlePos = tokPos(t)
		next := p.toks[1]
		if next.Type == tString {
			f.Title, _, _ = unquote(next.Value)
			return 2
		}
		if next.Type != tBadString {
			p.errs.Add(tokPos(next), "expected the recipe title in double quotes after \"recipe\", found %s", p.describe(1))
		}
		return p.nextLine(1, t.Pos.Line)
	case t.Type == tString:
		p.errs.Add(tokPos(t), `missing "recipe" before the title: a recipe starts with recipe "title"`)
		return 1
	}
	p.errs.Add(tokPos(t), `missing recipe title: a recipe starts with recipe "title"`)
	return 0
}

// nextLine returns the index of the first token at or after i that is on a line after line.
func (p *parser) nextLine(i, line int) int {
	for i < len(p.toks)-1 && p.toks[i].Pos.Line <= line {
		i++
	}
	return i
}

// declsFrom parses the declarations in tokens [start, end). It first parses them all
// at once; only if that fails does it fall back to chunks (see Parse).
func (p *parser) declsFrom(start, end int) []*Decl {
	if g, err := parseRange(p, fileParser, start, end); err == nil {
		return p.conv.decls(g)
	}
	var decls []*Decl
	bounds := p.boundaries(start, end)
	for i := 0; i+1 < len(bounds); {
		g, next, err := chunk(p, fileParser, bounds, i)
		if err != nil {
			decls = append(decls, p.brokenDecl(bounds[i].at, bounds[next].at, err)...)
		} else {
			decls = append(decls, p.conv.decls(g)...)
		}
		i = next
	}
	return decls
}

// bound is a token index where a chunk may start. A weak bound is a name in the first
// column inside brackets: it usually follows a missing "}" or ")", but it may also be a
// statement of a body written without indentation.
type bound struct {
	at   int
	weak bool
}

// boundaries returns where declarations seem to start in tokens [start, end), then end.
func (p *parser) boundaries(start, end int) []bound {
	bs := []bound{{at: start}}
	var open brackets
	for i := start; i < end; i++ {
		t := p.toks[i]
		if i > start && t.Type == tIdent && p.toks[i-1].Pos.Line < t.Pos.Line && !continues(p.toks[i-1]) {
			switch {
			case len(open) == 0:
				bs = append(bs, bound{at: i})
			case t.Pos.Column == 1:
				bs = append(bs, bound{at: i, weak: true})
				open = open[:0]
			}
		}
		open.push(p.toks, i)
	}
	return append(bs, bound{at: end})
}

// chunk parses with pp the chunk that starts at bounds[i] and returns the index of the
// bound after it. When the chunk fails at its very end and that end is a weak bound,
// the chunk is glued to the next ones, as long as that makes it parse.
func chunk[G any](p *parser, pp *participle.Parser[G], bounds []bound, i int) (*G, int, error) {
	a := bounds[i].at
	g, err := parseRange(p, pp, a, bounds[i+1].at)
	if err == nil || p.errorAt(err) != bounds[i+1].at {
		return g, i + 1, err
	}
	for j := i + 1; j+1 < len(bounds) && j <= i+maxMerges && bounds[j].weak; j++ {
		if g2, err2 := parseRange(p, pp, a, bounds[j+1].at); err2 == nil {
			return g2, j + 1, nil
		}
	}
	return g, i + 1, err
}

// continues reports whether a token needs more after it, so that a name on the next
// line cannot start a declaration.
func continues(t lexer.Token) bool {
	switch t.Value {
	case "=", ",", ":", "(", "[", "{", "+", "-", "*", "/", "|>", "->", ".":
		return t.Type != tString
	case "then", "on", "every", "recipe":
		return t.Type == tKeyword
	}
	return false
}

// bracketDelta is +1 for an opening bracket, -1 for a closing one, 0 otherwise.
func bracketDelta(t lexer.Token) int {
	if t.Type == tString || isBad(t) {
		return 0
	}
	switch t.Value {
	case "(", "[", "{":
		return 1
	case ")", "]", "}":
		return -1
	}
	return 0
}

// tooDeep is the error for brackets nested beyond maxNesting.
type tooDeep struct{ at int }

func (e *tooDeep) Error() string { return "too deep" }

// checkNesting returns a *tooDeep error if brackets in tokens [a, b) nest too deeply.
func (p *parser) checkNesting(a, b int) error {
	depth := 0
	for i := a; i < b; i++ {
		depth = max(0, depth+bracketDelta(p.toks[i]))
		if depth > maxNesting {
			return &tooDeep{at: i}
		}
	}
	return nil
}

// parseRange parses tokens [a, b) with pp. The end-of-input token it gives participle
// sits where token b is, so that an error at the end of a chunk names the token that
// follows it.
func parseRange[G any](p *parser, pp *participle.Parser[G], a, b int) (g *G, err error) {
	if err := p.checkNesting(a, b); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			g, err = nil, &participle.ParseError{Msg: fmt.Sprintf("internal error: %v", r), Pos: p.toks[a].Pos}
		}
	}()
	peek, err := lexer.Upgrade(&sliceLexer{toks: p.toks[a:b], eof: lexer.EOFToken(p.toks[b].Pos)})
	if err != nil {
		return nil, err
	}
	return pp.ParseFromLexer(peek)
}

// sliceLexer feeds already lexed tokens to participle.
type sliceLexer struct {
	toks []lexer.Token
	eof  lexer.Token
}

// Next returns the next token, then the end-of-input token forever.
func (l *sliceLexer) Next() (lexer.Token, error) {
	if len(l.toks) == 0 {
		return l.eof, nil
	}
	t := l.toks[0]
	l.toks = l.toks[1:]
	return t, nil
}

// errorAt returns the index of the token a parse error points at.
func (p *parser) errorAt(err error) int {
	switch e := err.(type) {
	case *tooDeep:
		return e.at
	case participle.Error:
		return p.indexAt(e.Position().Offset)
	}
	return 0
}

// indexAt returns the index of the first token at or after byte offset off.
func (p *parser) indexAt(off int) int {
	return sort.Search(len(p.toks)-1, func(i int) bool { return p.toks[i].Pos.Offset >= off })
}

// isWord reports whether t is the keyword or punctuation w.
func isWord(t lexer.Token, w string) bool {
	return t.Value == w && t.Type != tString && t.Type != tBadString
}
