package syntax

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/roux-ml/roux/lang/token"
)

// converter turns participle's grammar structs into the AST. The few mistakes the
// grammar lets through (a named argument whose name is not a plain name) are added to
// errs.
type converter struct {
	errs *token.ErrorList
}

func (c *converter) decls(g *gFile) []*Decl {
	out := make([]*Decl, 0, len(g.Decls))
	for _, d := range g.Decls {
		out = append(out, c.decl(d))
	}
	return out
}

func (c *converter) decl(g *gDecl) *Decl {
	d := c.head(&g.Head)
	if g.Value != nil {
		d.Value = c.expr(g.Value)
	}
	if g.Body != nil {
		d.HasBody = true
		d.Body = c.body(g.Body)
		d.Rbrace = tokPos(g.Body.Rbrace)
	}
	return d
}

// head converts "KEYWORD [NAME] [on EXPR]" into a Decl without a value or body.
func (c *converter) head(g *gHead) *Decl {
	d := &Decl{KeywordPos: convPos(g.Keyword.Pos), Keyword: g.Keyword.Name}
	if g.Name != nil {
		d.Name = ident(g.Name)
	}
	if g.Params != nil {
		d.HasParams = true
		for _, p := range g.Params.Names {
			d.Params = append(d.Params, ident(p))
		}
	}
	if g.On != nil {
		d.On = c.expr(g.On)
	}
	return d
}

func ident(g *gIdent) *Ident { return &Ident{NamePos: convPos(g.Pos), Name: g.Name} }

func (c *converter) body(g *gBody) []Stmt { return c.stmts(g.Stmts) }

func (c *converter) stmts(gs []*gStmt) []Stmt {
	out := make([]Stmt, 0, len(gs))
	for _, s := range gs {
		out = append(out, c.stmt(s))
	}
	return out
}

func (c *converter) stmt(g *gStmt) Stmt {
	name := ident(&g.Name)
	if g.Assign != nil {
		return &Assign{Name: name, Value: c.expr(g.Assign)}
	}
	if g.Call != nil {
		s := &CallStmt{Call: c.call(name, g.Call.Call)}
		if g.Call.Body != nil {
			s.Body, s.HasBody, s.Rbrace = c.body(g.Call.Body), true, tokPos(g.Call.Body.Rbrace)
		}
		return s
	}
	cmd := &Command{Name: name, Args: c.exprs(g.Cmd.Args), Items: c.exprs(g.Cmd.Items)}
	if g.Cmd.Every != nil {
		cmd.Every = c.expr(g.Cmd.Every)
	}
	return cmd
}

func (c *converter) exprs(gs []*gExpr) []Expr {
	if len(gs) == 0 {
		return nil
	}
	out := make([]Expr, len(gs))
	for i, g := range gs {
		out[i] = c.expr(g)
	}
	return out
}

// binary builds a left-associative chain X op Y op Z.
func binary(x Expr, op lexer.Token, y Expr) Expr {
	return &Binary{OpPos: tokPos(op), Op: op.Value, X: x, Y: y}
}

func (c *converter) expr(g *gExpr) Expr {
	x := c.pipe(g.X)
	for _, r := range g.Rest {
		x = binary(x, r.Op, c.pipe(r.Y))
	}
	return x
}

func (c *converter) pipe(g *gPipe) Expr {
	x := c.arrow(g.X)
	for _, r := range g.Rest {
		x = binary(x, r.Op, c.arrow(r.Y))
	}
	return x
}

func (c *converter) arrow(g *gArrow) Expr {
	x := c.sum(g.X)
	for _, r := range g.Rest {
		x = binary(x, r.Op, c.sum(r.Y))
	}
	return x
}

func (c *converter) sum(g *gSum) Expr {
	x := c.product(g.X)
	for _, r := range g.Rest {
		x = binary(x, r.Op, c.product(r.Y))
	}
	return x
}

func (c *converter) product(g *gProduct) Expr {
	x := c.unary(g.X)
	for _, r := range g.Rest {
		x = binary(x, r.Op, c.unary(r.Y))
	}
	return x
}

func (c *converter) unary(g *gUnary) Expr {
	x := c.postfix(g.X)
	for i := len(g.Neg) - 1; i >= 0; i-- {
		x = &Unary{OpPos: tokPos(g.Neg[i].Op), Op: "-", X: x}
	}
	return x
}

func (c *converter) postfix(g *gPostfix) Expr {
	x := c.primary(g.X)
	for _, s := range g.Ops {
		if s.Call != nil {
			x = c.call(x, s.Call)
		} else {
			x = &Select{X: x, Sel: selector(s.Sel)}
		}
	}
	return x
}

// selector turns the token after a dot into the selected name; a glob token carries its
// dot ".h*", which is not part of the name.
func selector(t lexer.Token) *Ident {
	if !strings.HasPrefix(t.Value, ".") {
		return &Ident{NamePos: tokPos(t), Name: t.Value}
	}
	p := tokPos(t)
	p.Offset++
	p.Col++
	return &Ident{NamePos: p, Name: t.Value[1:]}
}

func (c *converter) call(fun Expr, g *gCall) *Call {
	call := &Call{Fun: fun, Lparen: tokPos(g.Lparen), Rparen: tokPos(g.Rparen)}
	for _, a := range g.Args {
		call.Args = append(call.Args, c.arg(a))
	}
	return call
}

func (c *converter) arg(g *gArg) *Arg {
	if k := g.Keyword; k != nil {
		return &Arg{Name: &Ident{NamePos: convPos(k.Pos), Name: k.Name}, Value: c.expr(k.Value)}
	}
	x := c.expr(g.X)
	if g.Value == nil {
		return &Arg{Value: x}
	}
	name, ok := x.(*Ident)
	if !ok {
		c.errs.Add(x.Pos(), "the name of an argument must be a plain name, found %q", FormatExpr(x))
		name = &Ident{NamePos: x.Pos(), Name: "_"}
	}
	return &Arg{Name: name, Value: c.expr(g.Value)}
}

func (c *converter) primary(g *gPrimary) Expr {
	pos := convPos(g.Pos)
	switch {
	case g.Number != nil:
		return number(pos, g.Number)
	case g.String != nil:
		v, _, _ := unquote(*g.String) // a bad escape was reported by scan
		return &String{ValuePos: pos, Value: v}
	case g.Bool != nil:
		return &Bool{ValuePos: pos, Value: *g.Bool == "true"}
	case g.End:
		return &Time{ValuePos: pos, Unit: "end"}
	case g.Ident != nil:
		return &Ident{NamePos: pos, Name: *g.Ident}
	case g.Paren != nil:
		return &Paren{Lparen: pos, X: c.expr(g.Paren)}
	}
	return &List{Lbrack: pos, Elems: c.exprs(g.List.Elems)}
}

// units maps the spelling of a time unit to its normal form.
var units = map[string]string{"step": "steps", "steps": "steps", "epoch": "epochs", "epochs": "epochs", "%": "%"}

// number builds a Number or, with a unit, a Time. A malformed number was reported by
// scan and has value 0.
func number(pos token.Pos, g *gNumber) Expr {
	v, err := strconv.ParseFloat(g.Text, 64)
	if err != nil || !validNumber.MatchString(g.Text) {
		v = 0
	}
	if g.Unit == "" {
		return &Number{ValuePos: pos, Value: v, Text: g.Text}
	}
	return &Time{ValuePos: pos, Amount: v, Text: g.Text, Unit: units[g.Unit]}
}
