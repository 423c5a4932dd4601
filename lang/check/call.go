package check

import (
	"errors"
	"fmt"
	"math"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/lang/syntax"
	"github.com/roux-ml/roux/lang/token"
)

// call checks a call; piped, when not nil, is the left side of |> and becomes the first
// positional argument.
func (c *checker) call(e *syntax.Call, piped syntax.Expr, cx *ctx) (Value, typ) {
	args := e.Args
	if piped != nil {
		args = append([]*syntax.Arg{{Value: piped}}, args...)
	}
	id, ok := e.Fun.(*syntax.Ident)
	if !ok {
		c.errorf(e.Fun.Pos(), "%s cannot be called; only functions and models can", syntax.FormatExpr(e.Fun))
		return nil, bad
	}
	if id.Name == "input" && cx.where == "model" {
		if cx.prefix != "" {
			c.errorf(id.NamePos, "inside a block, input is the block's input: write input, not input(...)")
			return nil, bad
		}
		return c.input(id, args, cx)
	}
	if id.Name == "repeat" && cx.where == "model" {
		return c.repeat(id, args, cx)
	}
	s, builtin := c.cat.Lookup(id.Name)
	if nd, ok := c.visible(id.Name); nd != nil && !(builtin && nd.d.Keyword == "data") {
		return c.callDecl(nd, id, args, cx)
	} else if ok && nd == nil {
		return nil, bad
	}
	if builtin {
		return c.entry(s, id, args, e.Rparen, cx)
	}
	c.errorf(id.NamePos, "unknown function %s%s", id.Name, suggest(id.Name, c.allNames(cx)))
	return nil, bad
}

// callDecl checks the call of a declared name: only models and augmentations can be called.
func (c *checker) callDecl(nd *decl, id *syntax.Ident, args []*syntax.Arg, cx *ctx) (Value, typ) {
	switch nd.d.Keyword {
	case "augment":
		return c.augmentUse(nd, id, args, cx)
	case "block":
		if !c.resolveNamed(nd, id.NamePos) {
			return nil, bad
		}
		return c.blockCall(nd, id, args, cx)
	}
	if nd.d.Keyword != "model" {
		c.errorf(id.NamePos, "%s is a %s and cannot be called", id.Name, nd.d.Keyword)
		return nil, bad
	}
	if cx.where == "model" {
		c.errorf(id.NamePos, "a model cannot call another model (%s) yet", id.Name)
		return nil, bad
	}
	if !c.resolveNamed(nd, id.NamePos) || nd.model == nil {
		return nil, bad
	}
	return c.modelCall(nd.model, id, args, cx)
}

// modelCall checks net(x): one tensor whose shape is the model's input shape.
func (c *checker) modelCall(m *Model, id *syntax.Ident, args []*syntax.Arg, cx *ctx) (Value, typ) {
	if len(args) != 1 || args[0].Name != nil {
		c.errorf(id.NamePos, "model %s takes one input, like %s(train.x)", m.Name, m.Name)
		return nil, bad
	}
	v, t := c.expr(args[0].Value, cx)
	if t.k == tBad {
		return nil, bad
	}
	want := append(sig.Shape{sig.Batch}, m.Input...)
	if t.k != tTensor || !t.shape.Equal(want) {
		c.errorf(args[0].Value.Pos(), "model %s expects inputs of shape %s, but %s is a %s", m.Name, want, syntax.FormatExpr(args[0].Value), t)
		return nil, bad
	}
	return &ModelCall{At: id.NamePos, Model: m, Arg: v}, typ{k: tTensor, shape: m.Output.Shape}
}

// input checks input(d1, d2, ...), the model's per-sample input shape.
func (c *checker) input(id *syntax.Ident, args []*syntax.Arg, cx *ctx) (Value, typ) {
	var shape sig.Shape
	for _, a := range args {
		n, ok := a.Value.(*syntax.Number)
		if a.Name != nil || !ok || n.Value != math.Trunc(n.Value) || n.Value < 1 {
			c.errorf(a.Value.Pos(), "input takes the size of each input dimension as whole numbers, like input(784)")
			return nil, bad
		}
		shape = append(shape, int(n.Value))
	}
	if len(shape) == 0 {
		c.errorf(id.NamePos, "input needs the size of the model's input, like input(784)")
		return nil, bad
	}
	m := cx.model
	if m.Input != nil && !m.Input.Equal(shape) {
		c.errorf(id.NamePos, "model %s already has an input of shape %s; a model has one input", m.Name, m.Input)
		return nil, bad
	}
	m.Input = shape
	return &Input{At: id.NamePos, Shape: shape}, typ{k: tTensor, shape: append(sig.Shape{sig.Batch}, shape...)}
}

// allowed says which kinds of entry each context may call.
var allowed = map[string][]sig.Kind{
	"data":                {sig.Data},
	"model":               {sig.Layer, sig.Op},
	"loss":                {sig.Op, sig.Loss},
	"schedule":            {sig.Schedule},
	"optimizer":           {sig.Optimizer},
	"train":               {},
	string(sig.MaskInit):  {sig.MaskInit},
	string(sig.Criterion): {sig.Criterion},
	string(sig.Regrow):    {sig.Regrow},
	string(sig.Pruned):    {sig.Pruned},
	"augment":             {sig.Augment},
	"regularize":          {sig.Regular},
}

var placeOf = map[sig.Kind]string{
	sig.Data: "in a data declaration", sig.Layer: "in a model body (it creates trainable weights)",
	sig.Op: "in a model body or the loss", sig.Loss: "in the loss", sig.Schedule: "where a number or schedule is expected",
	sig.Optimizer: "in the optimizer declaration", sig.Metric: "in an eval command",
	sig.MaskInit: "as a mask's init", sig.Criterion: "as a mask's prune setting", sig.Regrow: "as a mask's regrow setting",
	sig.Pruned: "as a mask's pruned setting", sig.Augment: "in an augment declaration", sig.Regular: "in a regularize declaration",
}

func kindAllowed(where string, k sig.Kind) bool {
	for _, a := range allowed[where] {
		if a == k {
			return true
		}
	}
	return false
}

// entry checks the call of a catalogue entry: its arguments, then its shape.
func (c *checker) entry(s *sig.Signature, id *syntax.Ident, args []*syntax.Arg, rparen token.Pos, cx *ctx) (Value, typ) {
	if !kindAllowed(cx.where, s.Kind) {
		hint := ""
		if k := map[string]sig.Kind{"augment": sig.Augment, "regularize": sig.Regular}[cx.where]; k != "" {
			hint = fmt.Sprintf("; %s declaration takes %s calls: %s", withArticle(cx.where), k, joinList(c.kindNames(k)))
		}
		c.errorf(id.NamePos, "%s is %s; it can only be used %s%s", s.Name, withArticle(string(s.Kind)), placeOf[s.Kind], hint)
		return nil, bad
	}
	call := &Call{At: id.NamePos, Sig: s, Args: make([]Value, len(s.Params)), Given: make([]bool, len(s.Params)), Const: sig.Args{}}
	syn, ok := c.bind(s, id, args, rparen)
	if !ok {
		return nil, bad
	}
	types := make([]typ, len(s.Params))
	for i := range s.Params {
		v, t, ok := c.arg(&s.Params[i], syn[i], call, cx)
		if !ok {
			return nil, bad
		}
		call.Args[i], types[i], call.Given[i] = v, t, syn[i] != nil
	}
	v, t := c.finish(call, syn, types, cx)
	if v != nil && (s.PerSample || s.Views) && !c.checkSamples(call, syn) {
		return nil, bad
	}
	return v, t
}

// bind matches positional and named arguments to parameters; a missing optional
// argument is nil.
func (c *checker) bind(s *sig.Signature, id *syntax.Ident, args []*syntax.Arg, rparen token.Pos) ([]syntax.Expr, bool) {
	out := make([]syntax.Expr, len(s.Params))
	ok := true
	for i, a := range args {
		if a.Name == nil && i >= len(s.Params) {
			c.errorf(a.Value.Pos(), "%s takes %d arguments (%s), but this is argument %d", s.Name, len(s.Params), paramNames(s), i+1)
			return nil, false
		}
		j := i
		if a.Name != nil {
			if j = paramIndex(s, a.Name.Name); j < 0 {
				c.errorf(a.Name.NamePos, "%s has no parameter %s (its parameters are %s)%s", s.Name, a.Name.Name, paramNames(s), suggest(a.Name.Name, paramList(s)))
				ok = false
				continue
			}
		}
		if out[j] != nil {
			c.errorf(a.Value.Pos(), "%s: argument %s is given twice", s.Name, s.Params[j].Name)
			ok = false
			continue
		}
		out[j] = a.Value
	}
	for i, p := range s.Params {
		if ok && out[i] == nil && p.Required() {
			c.errorf(id.NamePos, "%s needs the argument %s (%s)", s.Name, p.Name, p.Type)
			ok = false
		}
	}
	return out, ok
}

func paramIndex(s *sig.Signature, name string) int {
	for i, p := range s.Params {
		if p.Name == name {
			return i
		}
	}
	return -1
}

func paramList(s *sig.Signature) []string {
	out := make([]string, len(s.Params))
	for i, p := range s.Params {
		out[i] = p.Name
	}
	return out
}

func paramNames(s *sig.Signature) string { return joinList(paramList(s)) }

// finish computes a checked call's type: the shape of tensor entries, the weights of
// layers, and the windows of schedules.
func (c *checker) finish(call *Call, syn []syntax.Expr, types []typ, cx *ctx) (Value, typ) {
	s := call.Sig
	if s.Check != nil {
		if err := s.Check(call.Const); err != nil {
			c.argError(call, syn, err)
			return nil, bad
		}
	}
	switch s.Kind {
	case sig.Schedule:
		c.spans = append(c.spans, call)
		return call, typ{k: tScalar}
	case sig.Data, sig.Optimizer, sig.MaskInit, sig.Criterion, sig.Regrow, sig.Pruned, sig.Augment, sig.Regular:
		return call, typ{k: tEntry}
	}
	var in []sig.Shape
	for i, p := range s.Params {
		if p.Type == sig.Tensor || p.Type == sig.Labels {
			in = append(in, types[i].shape)
		}
	}
	if !c.checkClasses(call, syn, types) {
		return nil, bad
	}
	shape, err := s.Shape(in, call.Const)
	if err != nil {
		c.argError(call, syn, err)
		return nil, bad
	}
	call.Shape = shape
	if s.Kind == sig.Layer && !c.addWeights(call, in, cx) {
		return nil, bad
	}
	return call, typ{k: tTensor, shape: shape}
}

// checkClasses checks that predictions have one column per class of the labels.
func (c *checker) checkClasses(call *Call, syn []syntax.Expr, types []typ) bool {
	pred, labels := -1, -1
	for i, p := range call.Sig.Params {
		if p.Type == sig.Tensor && pred < 0 {
			pred = i
		}
		if p.Type == sig.Labels {
			labels = i
		}
	}
	if pred < 0 || labels < 0 {
		return true
	}
	ps, k := types[pred].shape, types[labels].classes
	if len(ps) != 2 || ps[1] != k {
		c.errorf(syn[pred].Pos(), "%s: the predictions must have one column per class, %s, but they have shape %s", call.Sig.Name, sig.Shape{sig.Batch, k}, ps)
		return false
	}
	return true
}

// argError positions an error from a signature's function on the argument it names.
func (c *checker) argError(call *Call, syn any, err error) {
	var ae *sig.ArgError
	pos := call.At
	if errors.As(err, &ae) {
		if exprs, ok := syn.([]syntax.Expr); ok {
			if i := paramIndex(call.Sig, ae.Param); i >= 0 && exprs[i] != nil {
				pos = exprs[i].Pos()
			}
		}
		if sc, ok := syn.(*syntax.Call); ok {
			pos = argPos(sc, call.Sig, ae.Param, pos)
		}
		if i := paramIndex(call.Sig, ae.Param); syn == nil && i >= 0 && call.Given[i] {
			pos = call.Args[i].Pos()
		}
	}
	c.errorf(pos, "%s: %v", call.Sig.Name, err)
}

// argPos finds where a parameter's argument is written in a call.
func argPos(sc *syntax.Call, s *sig.Signature, param string, def token.Pos) token.Pos {
	for i, a := range sc.Args {
		if (a.Name != nil && a.Name.Name == param) || (a.Name == nil && i < len(s.Params) && s.Params[i].Name == param) {
			return a.Value.Pos()
		}
	}
	return def
}

// addWeights records a layer's trainable tensors under model.statement.name.
func (c *checker) addWeights(call *Call, in []sig.Shape, cx *ctx) bool {
	st := cx.stmt
	if st.layer != nil {
		e := c.errorf(call.At, "statement %s already has a layer with weights (%s); give each layer its own statement so each has its own name", st.s.Name, st.layer.Sig.Name)
		e.Related = append(e.Related, token.Related{Pos: st.layer.At, Msg: "the first layer"})
		return false
	}
	st.layer = call
	call.Model, call.Stmt = cx.model, st.s
	for _, w := range call.Sig.Weights(in, call.Const) {
		stack := 1
		if w.Stacked {
			stack = w.Shape[0]
		}
		st.weights = append(st.weights, WeightPath{Path: fmt.Sprintf("%s.%s.%s", cx.model.Name, st.s.Name, w.Name), Shape: w.Shape, Stack: stack})
	}
	return true
}
