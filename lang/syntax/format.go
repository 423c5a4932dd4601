package syntax

import (
	"bytes"
	"sort"
	"strings"

	"github.com/roux-ml/roux/lang/token"
)

// Format prints the canonical form of a file (roux fmt): the title, then the
// declarations in source order with one blank line between them, except that
// consecutive one-line declarations of the same keyword stay together (unless the
// source had a blank line there); bodies indented by 4 spaces; the "=" of consecutive
// assignments (and of grouped one-line declarations) aligned; every comment kept.
// Format is idempotent: formatting the parse of its output gives the same bytes.
func Format(f *File) []byte {
	p := newPrinter(f.Comments)
	p.title(f)
	widths := p.declWidths(f.Decls)
	for i := range f.Decls {
		var next token.Pos
		if i+1 < len(f.Decls) {
			next = f.Decls[i+1].Pos()
		}
		p.decl(f.Decls, i, widths[i], next)
	}
	p.rest()
	return p.buf.Bytes()
}

// printer writes a file line by line, placing comments by their positions.
type printer struct {
	buf      bytes.Buffer
	comments []*Comment
	next     int          // index of the first comment not yet printed
	lines    map[int]bool // source lines that hold a comment
	lastLine int          // source line of the last thing printed, 0 if unknown
	open     bool         // an output line is started and not yet ended
	blank    bool         // the next output line must follow a blank line
}

func newPrinter(comments []*Comment) *printer {
	cs := append([]*Comment(nil), comments...)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Pos.Before(cs[j].Pos) })
	lines := make(map[int]bool, len(cs))
	for _, c := range cs {
		lines[c.Pos.Line] = true
	}
	return &printer{comments: cs, lines: lines}
}

// startLine begins an output line for something at source line src, first ending the
// line in progress and writing a blank line if one is due or the source had one.
func (p *printer) startLine(src, indent int) {
	if p.open {
		p.buf.WriteByte('\n')
	}
	if p.buf.Len() > 0 && (p.blank || p.gap(p.lastLine, src)) {
		p.buf.WriteByte('\n')
	}
	p.blank = false
	p.open = true
	p.buf.WriteString(strings.Repeat("    ", indent))
	if src > p.lastLine {
		p.lastLine = src
	}
}

// gap reports whether the source has a blank line between lines from and to.
func (p *printer) gap(from, to int) bool {
	if from <= 0 || to <= from+1 {
		return false
	}
	for l := from + 1; l < to; l++ {
		if !p.lines[l] {
			return true
		}
	}
	return false
}

// leading prints, each on its own line, the comments that come before pos.
func (p *printer) leading(pos token.Pos, indent int) {
	for p.next < len(p.comments) && pos.IsValid() && p.comments[p.next].Pos.Before(pos) {
		c := p.comments[p.next]
		p.startLine(c.Pos.Line, indent)
		p.buf.WriteString(c.Text)
		p.next++
	}
}

// trailing appends to the current line the first comment that sits on the source lines
// [from, to] of the thing just printed and before limit (the start of the next thing).
func (p *printer) trailing(from, to int, limit token.Pos) {
	p.lastLine = max(p.lastLine, to)
	if p.next >= len(p.comments) {
		return
	}
	c := p.comments[p.next]
	if c.Pos.Line < from || c.Pos.Line > to || (limit.IsValid() && !c.Pos.Before(limit)) {
		return
	}
	p.buf.WriteString(" " + c.Text)
	p.next++
}

// rest prints the comments after the last declaration and ends the output.
func (p *printer) rest() {
	for ; p.next < len(p.comments); p.next++ {
		c := p.comments[p.next]
		p.startLine(c.Pos.Line, 0)
		p.buf.WriteString(c.Text)
	}
	if p.open {
		p.buf.WriteByte('\n')
	}
}

func (p *printer) title(f *File) {
	p.leading(f.TitlePos, 0)
	p.startLine(f.TitlePos.Line, 0)
	p.buf.WriteString("recipe " + quote(f.Title))
	var limit token.Pos
	if len(f.Decls) > 0 {
		limit = f.Decls[0].Pos()
	}
	p.trailing(f.TitlePos.Line, f.TitlePos.Line, limit)
	p.blank = true
}

// decl prints decls[i], its head padded to width if it is an "=" declaration; next is
// the position of the declaration after it.
func (p *printer) decl(decls []*Decl, i, width int, next token.Pos) {
	d := decls[i]
	if i > 0 && !p.together(decls[i-1], d) {
		p.blank = true
	}
	p.leading(d.Pos(), 0)
	p.startLine(d.Pos().Line, 0)
	head := declHead(d)
	if !d.HasBody {
		p.buf.WriteString(pad(head, width) + " = " + FormatExpr(d.Value))
		p.trailing(d.Pos().Line, declEndLine(d), next)
		return
	}
	p.buf.WriteString(head + " {")
	p.body(d, next)
}

// together reports whether two consecutive declarations are printed without a blank
// line between them: one-line declarations of the same keyword.
func (p *printer) together(a, b *Decl) bool {
	return a.Keyword == b.Keyword && p.oneLine(a) && p.oneLine(b)
}

// oneLine reports whether a declaration prints on one line: an "=" declaration, or
// an empty body with no comment inside.
func (p *printer) oneLine(d *Decl) bool {
	if !d.HasBody {
		return true
	}
	return len(d.Body) == 0 && !p.commentWithin(d.Pos(), d.Rbrace)
}

// commentWithin reports whether a comment lies between positions from and to.
func (p *printer) commentWithin(from, to token.Pos) bool {
	i := sort.Search(len(p.comments), func(i int) bool { return !p.comments[i].Pos.Before(from) })
	return i < len(p.comments) && to.IsValid() && p.comments[i].Pos.Before(to)
}

// declWidths returns, for each declaration, the width its head is padded to: the
// longest head in its group of one-line "=" declarations printed together.
func (p *printer) declWidths(decls []*Decl) []int {
	return runWidths(len(decls),
		func(i int) bool { return p.aligned(decls[i-1], decls[i]) },
		func(i int) int { return len(declHead(decls[i])) })
}

// aligned reports whether two consecutive "=" declarations share an alignment group.
func (p *printer) aligned(a, b *Decl) bool {
	return !a.HasBody && !b.HasBody && a.Keyword == b.Keyword && !p.gap(declEndLine(a), b.Pos().Line)
}

// body prints the statements of a brace declaration and its closing brace.
func (p *printer) body(d *Decl, next token.Pos) {
	first := d.Rbrace
	if len(d.Body) > 0 {
		first = d.Body[0].Pos()
	}
	oneLine := p.oneLine(d)
	p.trailing(d.Pos().Line, headEndLine(d), first)
	if oneLine {
		p.buf.WriteString("}")
		p.trailing(d.Rbrace.Line, d.Rbrace.Line, next)
		return
	}
	p.stmts(d.Body, d.Rbrace, 1)
	p.leading(d.Rbrace, 1)
	p.startLine(d.Rbrace.Line, 0)
	p.buf.WriteString("}")
	p.trailing(d.Rbrace.Line, d.Rbrace.Line, next)
}

// stmts prints a body's statements at an indentation depth; end is the closing brace.
func (p *printer) stmts(body []Stmt, end token.Pos, depth int) {
	widths := p.assignWidths(body)
	for i, s := range body {
		limit := end
		if i+1 < len(body) {
			limit = body[i+1].Pos()
		}
		p.stmt(s, widths[i], limit, depth)
	}
}

// stmt prints one statement at a depth, its name padded to width if it is an assignment.
func (p *printer) stmt(s Stmt, width int, limit token.Pos, depth int) {
	p.leading(s.Pos(), depth)
	p.startLine(s.Pos().Line, depth)
	switch s := s.(type) {
	case *Assign:
		p.buf.WriteString(pad(s.Name.Name, width) + " = " + FormatExpr(s.Value))
	case *Command:
		p.buf.WriteString(formatCommand(s))
	case *CallStmt:
		p.buf.WriteString(FormatExpr(s.Call))
		if s.HasBody {
			p.callBody(s, limit, depth)
			return
		}
	}
	p.trailing(s.Pos().Line, stmtEndLine(s), limit)
}

// callBody prints " { ... }" after a call statement such as repeat(3).
func (p *printer) callBody(s *CallStmt, limit token.Pos, depth int) {
	p.buf.WriteString(" {")
	first := s.Rbrace
	if len(s.Body) > 0 {
		first = s.Body[0].Pos()
	}
	p.trailing(s.Pos().Line, s.Call.Rparen.Line, first)
	p.stmts(s.Body, s.Rbrace, depth+1)
	p.leading(s.Rbrace, depth+1)
	p.startLine(s.Rbrace.Line, depth)
	p.buf.WriteString("}")
	p.trailing(s.Rbrace.Line, s.Rbrace.Line, limit)
}

// assignWidths returns, for each statement, the width its name is padded to: the
// longest name in its run of assignments not separated by a blank line or a command.
func (p *printer) assignWidths(body []Stmt) []int {
	return runWidths(len(body),
		func(i int) bool { return p.sameRun(body[i-1], body[i]) },
		func(i int) int {
			if a, ok := body[i].(*Assign); ok {
				return len(a.Name.Name)
			}
			return 0
		})
}

// runWidths splits items 0..n-1 into runs, item i joining the run of item i-1 when
// joins(i), and returns for each item the largest width in its run.
func runWidths(n int, joins func(i int) bool, width func(i int) int) []int {
	widths := make([]int, n)
	for i := 0; i < n; {
		j, w := i+1, width(i)
		for ; j < n && joins(j); j++ {
			w = max(w, width(j))
		}
		for k := i; k < j; k++ {
			widths[k] = w
		}
		i = j
	}
	return widths
}

// sameRun reports whether two consecutive statements are assignments aligned together.
func (p *printer) sameRun(a, b Stmt) bool {
	_, ok1 := a.(*Assign)
	_, ok2 := b.(*Assign)
	return ok1 && ok2 && !p.gap(stmtEndLine(a), b.Pos().Line)
}

// declHead prints "KEYWORD [NAME] [on EXPR]".
func declHead(d *Decl) string {
	s := d.Keyword
	if d.Name != nil {
		s += " " + d.Name.Name
	}
	if d.HasParams {
		names := make([]string, len(d.Params))
		for i, p := range d.Params {
			names[i] = p.Name
		}
		s += "(" + strings.Join(names, ", ") + ")"
	}
	if d.On != nil {
		s += " on " + FormatExpr(d.On)
	}
	return s
}

func formatCommand(c *Command) string {
	var b strings.Builder
	b.WriteString(c.Name.Name + " ")
	writeList(&b, c.Args)
	if c.Every != nil {
		b.WriteString(" every " + FormatExpr(c.Every))
	}
	if len(c.Items) > 0 {
		b.WriteString(": ")
		writeList(&b, c.Items)
	}
	return b.String()
}

// pad right-pads s with spaces to width w.
func pad(s string, w int) string {
	if len(s) >= w {
		return s
	}
	return s + strings.Repeat(" ", w-len(s))
}
