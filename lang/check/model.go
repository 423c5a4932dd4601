package check

import (
	"github.com/roux-ml/roux/lang/syntax"
	"github.com/roux-ml/roux/lang/token"
)

// stmtState is a model statement during checking.
type stmtState struct {
	a       *syntax.Assign
	state   int
	s       *Stmt
	layer   *Call // the statement's layer with weights, if any
	weights []WeightPath
	used    bool // another statement refers to it
}

// checkModel checks a model body: statements in any order, one input, and one output:
// the statement no other statement uses.
func (c *checker) checkModel(d *syntax.Decl) *Model {
	if !d.HasBody {
		return c.checkTeacher(d)
	}
	m := &Model{Name: d.Name.Name, Pos: d.Name.NamePos}
	cx := &ctx{where: "model", model: m, stmts: map[string]*stmtState{}}
	for _, st := range d.Body {
		c.addStmt(cx, st)
	}
	if len(cx.order) == 0 {
		c.errorf(d.Name.NamePos, "model %s is empty; give it statements like h = dense(input(784), 100) |> relu", m.Name)
		return nil
	}
	ok := true
	for _, st := range cx.order {
		ok = c.resolveStmt(cx, st, st.a.Name.NamePos) && ok
	}
	if !ok {
		return nil
	}
	var outputs []string
	for _, st := range cx.order {
		m.Stmts = append(m.Stmts, st.s)
		m.Weights = append(m.Weights, st.weights...)
		if !st.used {
			m.Output = st.s
			outputs = append(outputs, st.s.Name)
		}
	}
	if len(outputs) > 1 {
		c.errorf(d.Name.NamePos, "model %s has %d statements that nothing uses (%s); a model has one output, and every other statement must feed it", m.Name, len(outputs), joinList(outputs))
		return nil
	}
	c.r.Models = append(c.r.Models, m)
	return m
}

func (c *checker) addStmt(cx *ctx, st syntax.Stmt) {
	a, ok := st.(*syntax.Assign)
	if !ok {
		c.errorf(st.Pos(), "a model body holds named statements, like h = dense(input(784), 100)")
		return
	}
	if prev, dup := cx.stmts[a.Name.Name]; dup {
		e := c.errorf(a.Name.NamePos, "%s is defined twice in model %s", a.Name.Name, cx.model.Name)
		e.Related = append(e.Related, token.Related{Pos: prev.a.Name.NamePos, Msg: "first defined here"})
		return
	}
	if _, builtin := c.cat.Lookup(a.Name.Name); builtin || a.Name.Name == "input" {
		c.errorf(a.Name.NamePos, "%s is the name of a built-in; choose another name", a.Name.Name)
		return
	}
	s := &stmtState{a: a}
	cx.stmts[a.Name.Name] = s
	cx.order = append(cx.order, s)
}

// resolveStmt checks one statement, reporting a cycle at ref if it is reached again
// while being checked.
func (c *checker) resolveStmt(cx *ctx, st *stmtState, ref token.Pos) bool {
	switch st.state {
	case resolved:
		return st.s != nil
	case resolving:
		c.errorf(ref, "%s refers to itself through %s", st.a.Name.Name, joinArrow(append(cycleFrom(cx.chain, st.a.Name.Name), st.a.Name.Name)))
		return false
	}
	st.state = resolving
	outer := cx.stmt
	cx.stmt, cx.chain = st, append(cx.chain, st.a.Name.Name)
	st.s = &Stmt{Name: cx.prefix + st.a.Name.Name, Pos: st.a.Name.NamePos}
	v, t := c.expr(st.a.Value, cx)
	cx.stmt, cx.chain = outer, cx.chain[:len(cx.chain)-1]
	st.state = resolved
	switch {
	case t.k == tBad:
		st.s = nil
	case t.k != tTensor:
		c.errorf(st.a.Value.Pos(), "%s must be a tensor computed from the model's input, but it is a %s", st.a.Name.Name, t)
		st.s = nil
	default:
		st.s.Value, st.s.Shape = v, t.shape
	}
	return st.s != nil
}

func cycleFrom(chain []string, name string) []string {
	for i, n := range chain {
		if n == name {
			return chain[i:]
		}
	}
	return chain
}

// stmtRef resolves a reference to another statement of the same model.
func (c *checker) stmtRef(st *stmtState, e *syntax.Ident, cx *ctx) (Value, typ) {
	st.used = true
	if !c.resolveStmt(cx, st, e.NamePos) {
		return nil, bad
	}
	return &StmtRef{At: e.NamePos, Stmt: st.s}, typ{k: tTensor, shape: st.s.Shape}
}

// checkTeacher checks "model teacher = ema(net, decay: 0.999)": a mean teacher whose
// weights follow net's as an exponential moving average.
func (c *checker) checkTeacher(d *syntax.Decl) *Model {
	const form = "model teacher = ema(net, decay: 0.999)"
	call, ok := d.Value.(*syntax.Call)
	id, isIdent := (*syntax.Ident)(nil), false
	if ok {
		id, isIdent = call.Fun.(*syntax.Ident)
	}
	if !isIdent || id.Name != "ema" {
		c.errorf(d.Value.Pos(), "a model is written with a body in braces, or as a moving average of another model: %s", form)
		return nil
	}
	var src *Model
	decay := 0.999
	for i, a := range call.Args {
		switch {
		case a.Name == nil && i == 0:
			ref, ok := a.Value.(*syntax.Ident)
			nd, _ := c.visible(nameOf(a.Value))
			if !ok || nd == nil || nd.d.Keyword != "model" {
				c.errorf(a.Value.Pos(), "ema follows a model declared with a body, like %s; %s is not one", form, syntax.FormatExpr(a.Value))
				return nil
			}
			if !c.resolveNamed(nd, ref.NamePos) || nd.model == nil {
				return nil
			}
			if nd.model.EMA != nil {
				c.errorf(a.Value.Pos(), "%s is itself a moving average; follow the model it averages, %s", ref.Name, nd.model.EMA.Name)
				return nil
			}
			src = nd.model
		case a.Name != nil && a.Name.Name == "decay":
			n, ok := a.Value.(*syntax.Number)
			if !ok || n.Value <= 0 || n.Value >= 1 {
				c.errorf(a.Value.Pos(), "ema: decay is a number in (0, 1), like 0.999")
				return nil
			}
			decay = n.Value
		default:
			c.errorf(a.Value.Pos(), "ema takes a model and decay: %s", form)
			return nil
		}
	}
	if src == nil {
		c.errorf(id.NamePos, "ema needs the model to follow: %s", form)
		return nil
	}
	m := &Model{Name: d.Name.Name, Pos: d.Name.NamePos, Input: src.Input, Stmts: src.Stmts, Output: src.Output, EMA: src, Decay: decay}
	c.r.Models = append(c.r.Models, m)
	return m
}
