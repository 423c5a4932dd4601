package syntax

// Recovery inside a broken declaration with a body: the header and each statement are
// parsed on their own, so that every broken statement is reported and the declaration
// is kept with the statements that parse (a broken model is still a model to the
// checker, which then does not report its uses as unknown names).

// brokenDecl handles the chunk [a, b) that failed to parse with err and returns the
// declarations that can be saved from it.
func (p *parser) brokenDecl(a, b int, err error) []*Decl {
	lb := p.bodyOpen(a, b)
	if lb < 0 || p.errorAt(err) <= lb {
		p.report(err, a, b)
		return nil
	}
	head, herr := parseRange(p, headParser, a, lb)
	if herr != nil {
		p.report(err, a, b)
		return nil
	}
	d := p.conv.head(head)
	d.HasBody = true
	end := p.bodyClose(lb, b)
	if end == b {
		p.errs = append(p.errs, p.at(lb, `unclosed "{": expected "}" before %s`, p.where(b)))
	} else {
		d.Rbrace = tokPos(p.toks[end])
	}
	d.Body = p.stmtsFrom(lb+1, end)
	decls := []*Decl{d}
	if end+1 < b {
		decls = append(decls, p.declsFrom(end+1, b)...)
	}
	return decls
}

// bodyOpen returns the index of the "{" that opens the body of the declaration
// starting at a, or -1 when the declaration has an "=" or no body before b.
func (p *parser) bodyOpen(a, b int) int {
	var open brackets
	for i := a; i < b; i++ {
		t := p.toks[i]
		if len(open) == 0 {
			switch {
			case isWord(t, "{"):
				return i
			case isWord(t, "=") || isWord(t, "}"):
				return -1
			}
		}
		open.push(p.toks, i)
	}
	return -1
}

// bodyClose returns the index of the "}" that closes the "{" at lb, or b if it is not
// closed before b. Only braces count: they cannot appear inside an expression, so a
// "}" closes the body even when a "(" inside it was left open.
func (p *parser) bodyClose(lb, b int) int {
	depth := 0
	for i := lb; i < b; i++ {
		switch {
		case isWord(p.toks[i], "{"):
			depth++
		case isWord(p.toks[i], "}"):
			depth--
		}
		if depth == 0 {
			return i
		}
	}
	return b
}

// stmtsFrom parses the statements in tokens [start, end), falling back to chunks
// split at names that start a line, the way declsFrom does.
func (p *parser) stmtsFrom(start, end int) []Stmt {
	saved := p.mode
	p.mode = modeStmts
	defer func() { p.mode = saved }()
	if g, err := parseRange(p, stmtsParser, start, end); err == nil {
		return p.conv.stmts(g.Stmts)
	}
	var stmts []Stmt
	bounds := p.boundaries(start, end)
	for i := 0; i+1 < len(bounds); {
		g, next, err := chunk(p, stmtsParser, bounds, i)
		if err != nil {
			p.report(err, bounds[i].at, bounds[next].at)
		} else {
			stmts = append(stmts, p.conv.stmts(g.Stmts)...)
		}
		i = next
	}
	return stmts
}
