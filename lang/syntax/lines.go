package syntax

// The last source line of a node, which tells the printer which comments trail it.

func declEndLine(d *Decl) int {
	l := headEndLine(d)
	if d.Value != nil {
		l = max(l, exprEndLine(d.Value))
	}
	if d.HasBody {
		l = max(l, d.Rbrace.Line)
	}
	return l
}

// headEndLine is the last line of "KEYWORD [NAME] [on EXPR]".
func headEndLine(d *Decl) int {
	l := d.KeywordPos.Line
	if d.Name != nil {
		l = max(l, d.Name.NamePos.Line)
	}
	if d.On != nil {
		l = max(l, exprEndLine(d.On))
	}
	return l
}

func stmtEndLine(s Stmt) int {
	switch s := s.(type) {
	case *Assign:
		return max(s.Name.NamePos.Line, exprEndLine(s.Value))
	case *Command:
		l := max(s.Name.NamePos.Line, listEndLine(s.Args), listEndLine(s.Items))
		if s.Every != nil {
			l = max(l, exprEndLine(s.Every))
		}
		return l
	case *CallStmt:
		if s.HasBody {
			return s.Rbrace.Line
		}
		return s.Call.Rparen.Line
	}
	return 0
}

func listEndLine(es []Expr) int {
	l := 0
	for _, e := range es {
		l = max(l, exprEndLine(e))
	}
	return l
}

// exprEndLine is the last line any position inside e is on. Lists and parentheses do
// not record their closing bracket, so for them it is the line of their last element.
func exprEndLine(e Expr) int {
	switch e := e.(type) {
	case nil:
		return 0
	case *Binary:
		spine := leftSpine(e)
		l := exprEndLine(spine[len(spine)-1].X)
		for _, b := range spine {
			l = max(l, b.OpPos.Line, exprEndLine(b.Y))
		}
		return l
	case *Unary:
		return max(e.OpPos.Line, exprEndLine(e.X))
	case *Call:
		l := max(exprEndLine(e.Fun), e.Rparen.Line)
		for _, a := range e.Args {
			l = max(l, exprEndLine(a.Value))
		}
		return l
	case *Select:
		return max(exprEndLine(e.X), e.Sel.NamePos.Line)
	case *Paren:
		return max(e.Lparen.Line, exprEndLine(e.X))
	case *List:
		return max(e.Lbrack.Line, listEndLine(e.Elems))
	}
	return e.Pos().Line
}
