package check

import (
	"fmt"
	"math"

	"github.com/roux-ml/roux/lang/syntax"
	"github.com/roux-ml/roux/lang/token"
)

// Blocks are model fragments declared once and instantiated inside models:
//
//	block res(ch) { c1 = dense(input, ch) |> relu   out = input + dense(c1, ch) }
//	model net { ...  r1 = res(h, 64)  r2 = repeat(res(r1, 64), 3) ... }
//
// An instance's statements join the model under the instantiating statement's name
// (r1.c1, r2.1.c1, ...), so their weights read net.r1.c1.weight, parameters are
// numbers substituted where the body names them, and input is the instance's input.
// Lowering sees only ordinary statements.

// maxInstances bounds the block instances of one model, so that a recipe whose blocks
// use each other several times over cannot make the checker run for ever.
const maxInstances = 1000

// checkBlockDecl checks a block's parameter list; its body is checked where it is used,
// against the shape of its input there.
func (c *checker) checkBlockDecl(d *syntax.Decl) {
	seen := map[string]bool{}
	for _, p := range d.Params {
		if seen[p.Name] {
			c.errorf(p.NamePos, "block %s has two parameters named %s", d.Name.Name, p.Name)
		}
		seen[p.Name] = true
	}
}

// blockCall checks NAME(x, args...) of a declared block inside a model statement.
func (c *checker) blockCall(nd *decl, id *syntax.Ident, args []*syntax.Arg, cx *ctx) (Value, typ) {
	if cx.where != "model" || cx.stmt == nil {
		c.errorf(id.NamePos, "block %s can only be used in a model body, like r1 = %s(h, ...)", id.Name, id.Name)
		return nil, bad
	}
	if len(args) == 0 || args[0].Name != nil {
		c.errorf(id.NamePos, "block %s takes its input first, like %s(h%s)", id.Name, id.Name, paramHint(nd.d))
		return nil, bad
	}
	in, t := c.expr(args[0].Value, cx)
	if t.k == tBad {
		return nil, bad
	}
	if t.k != tTensor {
		c.errorf(args[0].Value.Pos(), "block %s takes a tensor as its input, not a %s", id.Name, t)
		return nil, bad
	}
	params, ok := c.blockParams(nd.d, id, args[1:], cx)
	if !ok {
		return nil, bad
	}
	return c.instantiate(nd.d, c.instancePrefix(cx, ""), in, t, params, id.NamePos, cx)
}

// repeat checks repeat(BLOCK(x, args...), n): n instances of the block in a row, each
// taking the previous one's output, named r.1., r.2., ...
func (c *checker) repeat(id *syntax.Ident, args []*syntax.Arg, cx *ctx) (Value, typ) {
	const form = "r = repeat(res(h, 64), 3)"
	if cx.stmt == nil || len(args) != 2 || args[0].Name != nil || args[1].Name != nil {
		c.errorf(id.NamePos, "repeat takes a block call and a count: %s", form)
		return nil, bad
	}
	call, isCall := args[0].Value.(*syntax.Call)
	n, isNum := args[1].Value.(*syntax.Number)
	var nd *decl
	var bid *syntax.Ident
	if isCall {
		bid, _ = call.Fun.(*syntax.Ident)
		if bid != nil {
			nd, _ = c.visible(bid.Name)
		}
	}
	switch {
	case nd == nil || nd.d.Keyword != "block":
		c.errorf(args[0].Value.Pos(), "repeat repeats a declared block: %s", form)
		return nil, bad
	case !isNum || n.Value < 1 || n.Value != math.Trunc(n.Value) || n.Value > maxInstances:
		c.errorf(args[1].Value.Pos(), "repeat needs a whole number of repeats from 1 to %d, like %s", maxInstances, form)
		return nil, bad
	case len(call.Args) == 0 || call.Args[0].Name != nil:
		c.errorf(bid.NamePos, "block %s takes its input first, like %s(h%s)", bid.Name, bid.Name, paramHint(nd.d))
		return nil, bad
	}
	v, t := c.expr(call.Args[0].Value, cx)
	if t.k != tTensor {
		if t.k != tBad {
			c.errorf(call.Args[0].Value.Pos(), "block %s takes a tensor as its input, not a %s", bid.Name, t)
		}
		return nil, bad
	}
	params, ok := c.blockParams(nd.d, bid, call.Args[1:], cx)
	if !ok {
		return nil, bad
	}
	for i := 1; i <= int(n.Value); i++ {
		v, t = c.instantiate(nd.d, c.instancePrefix(cx, fmt.Sprint(i)), v, t, params, bid.NamePos, cx)
		if t.k == tBad {
			return nil, bad
		}
	}
	return v, t
}

// paramHint writes a block's parameters for messages: ", ch, width".
func paramHint(d *syntax.Decl) string {
	s := ""
	for _, p := range d.Params {
		s += ", " + p.Name
	}
	return s
}

// blockParams binds a block's parameters to the numbers an instance gives them.
func (c *checker) blockParams(d *syntax.Decl, id *syntax.Ident, args []*syntax.Arg, cx *ctx) (map[string]float64, bool) {
	bound := map[string]float64{}
	for i, a := range args {
		name := ""
		switch {
		case a.Name != nil:
			name = a.Name.Name
		case i < len(d.Params):
			name = d.Params[i].Name
		default:
			c.errorf(a.Value.Pos(), "block %s takes %d parameters%s, but this is parameter %d", d.Name.Name, len(d.Params), blockParamList(d), i+1)
			return nil, false
		}
		if !hasParam(d, name) {
			c.errorf(a.Name.NamePos, "block %s has no parameter %s%s", d.Name.Name, name, blockParamList(d))
			return nil, false
		}
		if _, dup := bound[name]; dup {
			c.errorf(a.Value.Pos(), "block %s: %s is given twice", d.Name.Name, name)
			return nil, false
		}
		v, t := c.expr(a.Value, &ctx{where: "schedule", params: cx.params}) // an instance may pass on its own parameters
		k, isConst := v.(*Const)
		if t.k != tNumber || !isConst {
			if t.k != tBad {
				c.errorf(a.Value.Pos(), "block %s: %s must be a number, not a %s", d.Name.Name, name, t)
			}
			return nil, false
		}
		bound[name] = k.V.(float64)
	}
	for _, p := range d.Params {
		if _, ok := bound[p.Name]; !ok {
			c.errorf(id.NamePos, "block %s needs its parameter %s", d.Name.Name, p.Name)
			return nil, false
		}
	}
	return bound, true
}

func hasParam(d *syntax.Decl, name string) bool {
	for _, p := range d.Params {
		if p.Name == name {
			return true
		}
	}
	return false
}

func blockParamList(d *syntax.Decl) string {
	if len(d.Params) == 0 {
		return " (it has none)"
	}
	return " (" + paramHint(d)[2:] + ")"
}

// instancePrefix names an instance after the statement that makes it (and its number in
// a repeat), inside any instance being checked.
func (c *checker) instancePrefix(cx *ctx, n string) string {
	p := cx.prefix + cx.stmt.a.Name.Name + "."
	if n != "" {
		p += n + "."
	}
	return p
}

// instantiate checks one instance of a block's body with its input and parameters
// bound, adds its statements to the model, and returns a reference to its output.
func (c *checker) instantiate(d *syntax.Decl, prefix string, in Value, t typ, params map[string]float64, at token.Pos, cx *ctx) (Value, typ) {
	root := cx
	for root.outer != nil {
		root = root.outer
	}
	for _, b := range cx.blocks {
		if b == d.Name.Name {
			c.errorf(at, "block %s uses itself through %s", d.Name.Name, joinArrow(append(cx.blocks, d.Name.Name)))
			return nil, bad
		}
	}
	if len(root.instances) >= maxInstances {
		c.errorf(at, "model %s holds more than %d block instances; blocks that use blocks multiply quickly", cx.model.Name, maxInstances)
		return nil, bad
	}
	if root.instances[prefix] {
		c.errorf(at, "statement %s already holds a block; give each instance its own statement, like r1 = %s(h) then r2 = %s(r1)",
			prefix[:len(prefix)-1], d.Name.Name, d.Name.Name)
		return nil, bad
	}
	if root.instances == nil {
		root.instances = map[string]bool{}
	}
	root.instances[prefix] = true
	input := &stmtState{a: &syntax.Assign{Name: &syntax.Ident{NamePos: at, Name: "input"}}, state: resolved,
		s: &Stmt{Name: prefix + "input", Pos: at, Value: in, Shape: t.shape}}
	bcx := &ctx{where: "model", model: cx.model, stmts: map[string]*stmtState{"input": input}, prefix: prefix,
		params: params, outer: cx, blocks: append(append([]string(nil), cx.blocks...), d.Name.Name)}
	bcx.order = append(bcx.order, input)
	for _, st := range d.Body {
		c.addStmt(bcx, st)
	}
	ok := true
	for _, st := range bcx.order[1:] {
		ok = c.resolveStmt(bcx, st, st.a.Name.NamePos) && ok
	}
	if !ok {
		return nil, bad
	}
	var outs []*stmtState
	for _, st := range bcx.order[1:] {
		if !st.used {
			outs = append(outs, st)
		}
	}
	switch {
	case len(bcx.order) == 1:
		c.errorf(d.Name.NamePos, "block %s is empty; give it statements like out = dense(input, 64)", d.Name.Name)
		return nil, bad
	case !input.used:
		c.errorf(d.Name.NamePos, "block %s never uses its input; refer to it as input", d.Name.Name)
		return nil, bad
	case len(outs) > 1:
		c.errorf(d.Name.NamePos, "block %s has %d statements that nothing uses; a block has one output, and every other statement must feed it", d.Name.Name, len(outs))
		return nil, bad
	}
	root.order = append(root.order, bcx.order...)
	out := outs[0]
	out.used = true
	return &StmtRef{At: at, Stmt: out.s}, typ{k: tTensor, shape: out.s.Shape}
}
