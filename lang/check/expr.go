package check

import (
	"strings"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/lang/syntax"
)

// expr checks an expression in a context and returns its checked value and type.
func (c *checker) expr(e syntax.Expr, cx *ctx) (Value, typ) {
	switch e := e.(type) {
	case *syntax.Number:
		return &Const{At: e.ValuePos, V: e.Value}, typ{k: tNumber}
	case *syntax.String:
		return &Const{At: e.ValuePos, V: e.Value}, typ{k: tString}
	case *syntax.Bool:
		return &Const{At: e.ValuePos, V: e.Value}, typ{k: tBool}
	case *syntax.Time:
		return c.timeLit(e)
	case *syntax.Paren:
		return c.expr(e.X, cx)
	case *syntax.List:
		return c.list(e, cx)
	case *syntax.Unary:
		return c.neg(e, cx)
	case *syntax.Binary:
		return c.binary(e, cx)
	case *syntax.Ident:
		return c.ident(e, cx)
	case *syntax.Select:
		return c.selectExpr(e, cx)
	case *syntax.Call:
		return c.call(e, nil, cx)
	}
	c.errorf(e.Pos(), "unexpected expression")
	return nil, bad
}

func (c *checker) timeLit(e *syntax.Time) (Value, typ) {
	t := sig.TimeValue{Amount: e.Amount, Unit: e.Unit}
	c.times = append(c.times, timeUse{e.ValuePos, t})
	return &Const{At: e.ValuePos, V: t}, typ{k: tTime}
}

func (c *checker) list(e *syntax.List, cx *ctx) (Value, typ) {
	l := &List{At: e.Lbrack}
	for _, el := range e.Elems {
		v, t := c.expr(el, cx)
		if t.k == tBad {
			return nil, bad
		}
		l.Elems = append(l.Elems, v)
	}
	return l, typ{k: tList}
}

// neg folds -number and negates schedules and tensors.
func (c *checker) neg(e *syntax.Unary, cx *ctx) (Value, typ) {
	v, t := c.expr(e.X, cx)
	switch t.k {
	case tBad:
		return nil, bad
	case tNumber:
		return &Const{At: e.OpPos, V: -v.(*Const).V.(float64)}, t
	case tScalar, tTensor:
		return &Neg{At: e.OpPos, X: v}, t
	}
	c.errorf(e.OpPos, "cannot negate a %s", t)
	return nil, bad
}

func (c *checker) binary(e *syntax.Binary, cx *ctx) (Value, typ) {
	switch e.Op {
	case "|>":
		return c.pipe(e, cx)
	case "->":
		return c.rangeExpr(e, cx)
	case "then":
		return c.then(e, cx)
	}
	x, tx := c.expr(e.X, cx)
	y, ty := c.expr(e.Y, cx)
	if tx.k == tBad || ty.k == tBad {
		return nil, bad
	}
	return c.arith(e, x, y, tx, ty)
}

// arith types + - * / over numbers (folded), schedules and tensors.
func (c *checker) arith(e *syntax.Binary, x, y Value, tx, ty typ) (Value, typ) {
	scalar := func(t typ) bool { return t.k == tNumber || t.k == tScalar }
	switch {
	case tx.k == tNumber && ty.k == tNumber:
		return fold(e, x.(*Const).V.(float64), y.(*Const).V.(float64)), tx
	case scalar(tx) && scalar(ty):
		return &Arith{At: e.OpPos, Op: e.Op, X: x, Y: y}, typ{k: tScalar}
	case tx.k == tTensor && scalar(ty):
		return &Arith{At: e.OpPos, Op: e.Op, X: x, Y: y}, tx
	case scalar(tx) && ty.k == tTensor:
		return &Arith{At: e.OpPos, Op: e.Op, X: x, Y: y}, ty
	case tx.k == tTensor && ty.k == tTensor:
		return c.tensorArith(e, x, y, tx, ty)
	}
	c.errorf(e.OpPos, "cannot apply %s to a %s and a %s", e.Op, tx, ty)
	return nil, bad
}

func fold(e *syntax.Binary, a, b float64) *Const {
	r := map[string]func() float64{
		"+": func() float64 { return a + b }, "-": func() float64 { return a - b },
		"*": func() float64 { return a * b }, "/": func() float64 { return a / b },
	}[e.Op]()
	return &Const{At: e.OpPos, V: r}
}

// tensorArith checks elementwise arithmetic: equal shapes, or one side a scalar tensor.
func (c *checker) tensorArith(e *syntax.Binary, x, y Value, tx, ty typ) (Value, typ) {
	out := tx
	switch {
	case tx.shape.Equal(ty.shape):
	case len(tx.shape) == 0:
		out = ty
	case len(ty.shape) == 0:
	default:
		c.errorf(e.OpPos, "cannot apply %s to tensors of shapes %s and %s: elementwise operations need equal shapes (or one side a single number)", e.Op, tx.shape, ty.shape)
		return nil, bad
	}
	return &Arith{At: e.OpPos, Op: e.Op, X: x, Y: y}, out
}

// pipe rewrites "x |> f" as f(x) and "x |> f(a)" as f(x, a).
func (c *checker) pipe(e *syntax.Binary, cx *ctx) (Value, typ) {
	switch f := e.Y.(type) {
	case *syntax.Ident:
		return c.call(&syntax.Call{Fun: f, Lparen: f.NamePos, Rparen: f.NamePos}, e.X, cx)
	case *syntax.Call:
		return c.call(f, e.X, cx)
	}
	c.errorf(e.Y.Pos(), "the right side of |> must be a function, like relu or dropout(0.5)")
	return nil, bad
}

func (c *checker) rangeExpr(e *syntax.Binary, cx *ctx) (Value, typ) {
	x, tx := c.expr(e.X, cx)
	y, ty := c.expr(e.Y, cx)
	if tx.k == tBad || ty.k == tBad {
		return nil, bad
	}
	for _, side := range []struct {
		t typ
		e syntax.Expr
	}{{tx, e.X}, {ty, e.Y}} {
		if side.t.k != tNumber {
			c.errorf(side.e.Pos(), "a range goes between two numbers, like 0.1 -> 0; this side is a %s", side.t)
			return nil, bad
		}
	}
	return &Range{At: e.OpPos, From: x, To: y}, typ{k: tRange}
}

// then checks "a then b": two schedules, the first of which must end.
func (c *checker) then(e *syntax.Binary, cx *ctx) (Value, typ) {
	x, tx := c.expr(e.X, cx)
	y, ty := c.expr(e.Y, cx)
	if tx.k == tBad || ty.k == tBad {
		return nil, bad
	}
	if tx.k != tScalar || ty.k != tScalar {
		c.errorf(e.OpPos, "then joins two schedules, like warmup(1 epoch) then cosine(0.1 -> 0); here it joins a %s and a %s", tx, ty)
		return nil, bad
	}
	if !endsAt(x) {
		c.errorf(e.X.Pos(), "the schedule before then must have an end, like warmup(1 epoch) or linear(0 -> 1, until: 2 epochs)")
		return nil, bad
	}
	return &Then{At: e.OpPos, First: x, Second: y}, typ{k: tScalar}
}

// endsAt reports whether a schedule has a written end: a duration or an until argument.
func endsAt(v Value) bool {
	call, ok := v.(*Call)
	if !ok {
		return false
	}
	for i, p := range call.Sig.Params {
		if (p.Name == "until" || p.Name == "duration") && call.Given[i] {
			return true
		}
	}
	return false
}

// ident resolves a bare name.
func (c *checker) ident(e *syntax.Ident, cx *ctx) (Value, typ) {
	if strings.Contains(e.Name, "*") {
		c.errorf(e.NamePos, "%s: globs (*) are only allowed in parameter selectors", e.Name)
		return nil, bad
	}
	if v, ok := cx.params[e.Name]; ok {
		return &Const{At: e.NamePos, V: v}, typ{k: tNumber}
	}
	if st, ok := cx.stmts[e.Name]; ok {
		return c.stmtRef(st, e, cx)
	}
	if nd, ok := c.visible(e.Name); nd != nil {
		return c.declRef(nd, e, cx)
	} else if ok {
		return nil, bad
	}
	if s, ok := c.cat.Lookup(e.Name); ok {
		c.errorf(e.NamePos, "%s is a built-in %s; call it with its arguments, like %s(...)", e.Name, s.Kind, e.Name)
		return nil, bad
	}
	c.errorf(e.NamePos, "unknown name %s%s", e.Name, suggest(e.Name, c.allNames(cx)))
	return nil, bad
}

// declRef resolves a reference to a named declaration.
func (c *checker) declRef(nd *decl, e *syntax.Ident, cx *ctx) (Value, typ) {
	if !c.resolveNamed(nd, e.NamePos) {
		return nil, bad
	}
	switch nd.d.Keyword {
	case "schedule":
		if nd.sched == nil {
			return nil, bad
		}
		if k, ok := nd.sched.Value.(*Const); ok {
			return &Const{At: e.NamePos, V: k.V}, typ{k: tNumber}
		}
		return &ScheduleRef{At: e.NamePos, S: nd.sched}, typ{k: tScalar}
	case "data":
		c.errorf(e.NamePos, "%s is a data set; use %s.x for its inputs or %s.y for its labels", e.Name, e.Name, e.Name)
	case "model":
		c.errorf(e.NamePos, "%s is a model; apply it to an input, like %s(train.x)", e.Name, e.Name)
	case "augment":
		c.errorf(e.NamePos, "%s is an augmentation; apply it to a data set's inputs, like %s(train.x)", e.Name, e.Name)
	case "block":
		c.errorf(e.NamePos, "%s is a block; instantiate it in a model statement, like r1 = %s(h, ...)", e.Name, e.Name)
	}
	return nil, bad
}

// selectExpr resolves d.x and d.y; other paths are only selectors.
func (c *checker) selectExpr(e *syntax.Select, cx *ctx) (Value, typ) {
	id, ok := e.X.(*syntax.Ident)
	var nd *decl
	if ok {
		nd, _ = c.visible(id.Name)
	}
	if nd == nil || nd.d.Keyword != "data" {
		c.errorf(e.Pos(), "%s: a path like this is a parameter selector, which is only allowed where a selector is expected", syntax.FormatExpr(e))
		return nil, bad
	}
	if cx.where != "loss" {
		c.errorf(e.Pos(), "%s: data can only be read in the loss (a model reads its input(...))", syntax.FormatExpr(e))
		return nil, bad
	}
	if !c.resolveNamed(nd, id.NamePos) || nd.data == nil {
		return nil, bad
	}
	return c.dataField(nd.data, e, cx)
}

func (c *checker) dataField(d *Data, e *syntax.Select, cx *ctx) (Value, typ) {
	field := e.Sel.Name
	switch {
	case field == "x":
		cx.useStream(d, e.Pos())
		return &DataField{At: e.Pos(), Data: d, Field: "x"}, typ{k: tTensor, shape: append(sig.Shape{sig.Batch}, d.Info.Shape...)}
	case field == "y" && d.Info.Unlabeled:
		c.errorf(e.Sel.NamePos, "%s has no labels: it is unlabeled(); only its inputs %s.x can be used", d.Name, d.Name)
		return nil, bad
	case field == "y" && d.Info.Classes > 0:
		cx.useStream(d, e.Pos())
		return &DataField{At: e.Pos(), Data: d, Field: "y"}, typ{k: tLabels, shape: sig.Shape{sig.Batch}, classes: d.Info.Classes}
	case field == "y":
		c.errorf(e.Sel.NamePos, "%s has no labels", d.Name)
	default:
		c.errorf(e.Sel.NamePos, "data set %s has no field %s%s; its fields are x (inputs) and y (labels)", d.Name, field, suggest(field, []string{"x", "y"}))
	}
	return nil, bad
}
