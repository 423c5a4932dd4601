package syntax

import (
	"fmt"
	"strings"

	"github.com/roux-ml/roux/lang/token"
)

// dump prints a file's AST as an indented tree, one node a line, with positions when
// withPos is set. Tests compare dumps to check what the parser built and that Format
// keeps the meaning of a recipe.
func dump(f *File, withPos bool) string {
	d := &dumper{withPos: withPos}
	d.line(0, "file", f.TitlePos, fmt.Sprintf("%q", f.Title))
	for _, decl := range f.Decls {
		d.decl(decl)
	}
	for _, c := range f.Comments {
		d.line(1, "comment", c.Pos, c.Text)
	}
	return d.b.String()
}

// dumpExpr prints one expression the way dump does.
func dumpExpr(e Expr, withPos bool) string {
	d := &dumper{withPos: withPos}
	d.expr(0, "", e)
	return d.b.String()
}

type dumper struct {
	b       strings.Builder
	withPos bool
}

func (d *dumper) line(depth int, kind string, pos token.Pos, text string) {
	d.b.WriteString(strings.Repeat("  ", depth) + kind)
	if d.withPos {
		d.b.WriteString(fmt.Sprintf("@%d:%d", pos.Line, pos.Col))
	}
	if text != "" {
		d.b.WriteString(" " + text)
	}
	d.b.WriteByte('\n')
}

func (d *dumper) decl(decl *Decl) {
	name := ""
	if decl.Name != nil {
		name = decl.Name.Name
	}
	d.line(1, "decl", decl.KeywordPos, strings.TrimSpace(decl.Keyword+" "+name))
	d.expr(2, "on ", decl.On)
	d.expr(2, "= ", decl.Value)
	if decl.HasBody {
		d.line(2, "body", decl.Rbrace, fmt.Sprintf("(%d statements, closed at the position shown)", len(decl.Body)))
	}
	for _, s := range decl.Body {
		d.stmt(s)
	}
}

func (d *dumper) stmt(s Stmt) {
	switch s := s.(type) {
	case *Assign:
		d.line(3, "assign", s.Pos(), s.Name.Name)
		d.expr(4, "", s.Value)
	case *Command:
		d.line(3, "command", s.Pos(), s.Name.Name)
		for _, a := range s.Args {
			d.expr(4, "arg ", a)
		}
		d.expr(4, "every ", s.Every)
		for _, it := range s.Items {
			d.expr(4, "item ", it)
		}
	}
}

func (d *dumper) expr(depth int, label string, e Expr) {
	switch e := e.(type) {
	case nil:
	case *Ident:
		d.line(depth, label+"ident", e.NamePos, e.Name)
	case *Number:
		d.line(depth, label+"number", e.ValuePos, fmt.Sprintf("%s (%g)", e.Text, e.Value))
	case *String:
		d.line(depth, label+"string", e.ValuePos, fmt.Sprintf("%q", e.Value))
	case *Bool:
		d.line(depth, label+"bool", e.ValuePos, fmt.Sprint(e.Value))
	case *Time:
		d.line(depth, label+"time", e.ValuePos, fmt.Sprintf("%q %s (%g)", e.Text, e.Unit, e.Amount))
	case *Unary:
		d.line(depth, label+"unary", e.OpPos, e.Op)
		d.expr(depth+1, "", e.X)
	case *Binary:
		d.line(depth, label+"binary", e.OpPos, e.Op)
		d.expr(depth+1, "", e.X)
		d.expr(depth+1, "", e.Y)
	case *Call:
		d.line(depth, label+"call", e.Lparen, fmt.Sprintf("(%d args)", len(e.Args)))
		d.expr(depth+1, "fun ", e.Fun)
		for _, a := range e.Args {
			if a.Name != nil {
				d.line(depth+1, "name", a.Name.NamePos, a.Name.Name)
			}
			d.expr(depth+1, "arg ", a.Value)
		}
	case *Select:
		d.line(depth, label+"select", e.Sel.NamePos, e.Sel.Name)
		d.expr(depth+1, "", e.X)
	case *Paren:
		d.line(depth, label+"paren", e.Lparen, "")
		d.expr(depth+1, "", e.X)
	case *List:
		d.line(depth, label+"list", e.Lbrack, fmt.Sprintf("(%d elements)", len(e.Elems)))
		for _, x := range e.Elems {
			d.expr(depth+1, "", x)
		}
	}
}
