package graph

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/roux-ml/roux/runtime/tensor"
)

func TestShapeErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		build func(g *Graph)
		want  string
	}{
		{"matmul inner", func(g *Graph) {
			g.MatMul(g.Input("x", 128, 784), g.Param(tensor.NewParam("w", 300, 100)), false, true)
		}, "matmul: inner dimensions differ: [128 784] x [300 100]"},
		{"matmul rank", func(g *Graph) { g.MatMul(g.Input("x", 3), g.Input("y", 3, 4), false, false) },
			"matmul: operands must be 2-D: [3] x [3 4]"},
		{"add", func(g *Graph) { g.Add(g.Input("x", 2, 3), g.Input("y", 3, 2)) }, "add: shapes differ: [2 3] and [3 2]"},
		{"div", func(g *Graph) { g.Div(g.Input("x", 2, 3), g.Input("y", 2)) }, "div: shapes differ: [2 3] and [2]"},
		{"add_bias", func(g *Graph) { g.AddBias(g.Input("x", 2, 3), g.Input("b", 4)) },
			"add_bias: bias [4] does not match the last dimensions of [2 3]"},
		{"sum axis", func(g *Graph) { g.Sum(g.Input("x", 2, 3), 2) }, "sum: axis 2 out of range for shape [2 3]"},
		{"softmax axis", func(g *Graph) { g.Softmax(g.Input("x", 2, 3), -3) }, "softmax: axis -3 out of range for shape [2 3]"},
		{"max scalar", func(g *Graph) { g.Max(g.Const(1), -1) }, "max: axis -1 out of range for shape []"},
		{"cross entropy", func(g *Graph) { g.SoftmaxCrossEntropy(g.Input("x", 5, 10), g.Input("y", 4)) },
			"softmax_cross_entropy: labels [4] do not match logits [5 10] (want [B] and [B K])"},
		{"mse", func(g *Graph) { g.MSE(g.Input("x", 5, 1), g.Input("y", 5)) }, "mse: shapes differ: [5 1] and [5]"},
		{"input redeclared", func(g *Graph) { g.Input("x", 5, 1); g.Input("x", 5) }, "input x redeclared with shape [5], was [5 1]"},
		{"bad input shape", func(g *Graph) { g.Input("x", 5, 0) }, "input x: bad shape [5 0]"},
		{"dropout rate", func(g *Graph) { g.Dropout(g.Input("x", 5), 1) }, "dropout: rate 1 outside [0, 1)"},
		{"one_hot_argmax scalar", func(g *Graph) { g.OneHotArgmax(g.Const(1)) },
			"one_hot_argmax: expects at least one axis, got a scalar"},
		{"clamp bounds", func(g *Graph) { g.Clamp(g.Input("x", 5), 1, -1) }, "clamp: lower bound 1 above upper bound -1"},
		{"other graph", func(g *Graph) { g.Neg(New().Const(1)) }, "neg: operand from another graph or nil"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := build(c.build)
			var ge *Error
			if !errors.As(err, &ge) {
				t.Fatalf("got %v, want *Error", err)
			}
			if ge.Origin != "mlp.recipe:5:9" || ge.Msg != c.want {
				t.Errorf("got %q, want origin mlp.recipe:5:9 and %q", ge.Error(), c.want)
			}
		})
	}
}

// build runs f on a fresh graph whose origin is mlp.recipe:5:9 and returns the
// recovered error.
func build(f func(g *Graph)) (err error) {
	defer Catch(&err)
	g := New()
	g.SetOrigin("mlp.recipe:5:9")
	f(g)
	return nil
}

func TestErrorString(t *testing.T) {
	e := &Error{Origin: "a.recipe:1:2", Msg: "boom"}
	if e.Error() != "a.recipe:1:2: boom" {
		t.Errorf("got %q", e.Error())
	}
	if (&Error{Msg: "boom"}).Error() != "boom" {
		t.Error("error without origin")
	}
}

func TestCatchLeavesOtherPanics(t *testing.T) {
	defer func() {
		if r := recover(); r != "other" {
			t.Errorf("recovered %v, want the original panic", r)
		}
	}()
	var err error
	func() {
		defer Catch(&err)
		panic("other")
	}()
	t.Error("Catch swallowed a foreign panic")
}

func TestCompileErrors(t *testing.T) {
	g := New()
	g.SetOrigin("l.recipe:2:3")
	x := g.Input("x", 2, 3)
	_, err := g.Compile(Options{Loss: x})
	if err == nil || err.Error() != "l.recipe:2:3: loss must have one element, got shape [2 3]" {
		t.Errorf("non-scalar loss: %v", err)
	}
	if _, err := g.Compile(Options{Outputs: []*Node{New().Const(1)}}); err == nil {
		t.Error("output from another graph compiled")
	}
}

func TestNaNNamesOpAndOrigin(t *testing.T) {
	g := New()
	w := tensor.NewParam("w", 3)
	copy(w.Value.Data, []float32{1, 1, 1})
	g.SetOrigin("nan.recipe:2:1")
	x := g.Input("x", 3)
	h := g.Mul(x, g.Param(w))
	g.SetOrigin("nan.recipe:3:7")
	l := g.Log(h)
	g.SetOrigin("nan.recipe:4:1")
	loss := g.MeanAll(g.Exp(l))
	p := compile(t, g, Options{Loss: loss})
	copy(p.Input("x").Data, []float32{1, -2, 3})
	w.Grad.Data[0] = 42
	err := p.Run()
	var ge *Error
	if !errors.As(err, &ge) {
		t.Fatalf("got %v, want *Error", err)
	}
	if ge.Origin != "nan.recipe:3:7" || !strings.Contains(ge.Msg, "%3 = log [3]") || !strings.Contains(ge.Msg, "NaN") {
		t.Errorf("got %q", err)
	}
	if w.Grad.Data[0] != 0 {
		t.Error("gradients not zeroed after a non-finite loss")
	}
	copy(p.Input("x").Data, []float32{1, 0, 3}) // log 0 = -Inf, but exp(-Inf) = 0: a finite loss
	if err := p.Run(); err != nil {
		t.Errorf("finite loss reported: %v", err)
	}
}

func TestInfNamesFirstOp(t *testing.T) {
	g := New()
	w := tensor.NewParam("w", 2)
	g.SetOrigin("inf.recipe:1:1")
	e := g.Exp(g.Mul(g.Input("x", 2), g.Param(w)))
	g.SetOrigin("inf.recipe:2:1")
	loss := g.SumAll(g.Square(e))
	p := compile(t, g, Options{Loss: loss})
	copy(w.Value.Data, []float32{1, 1})
	copy(p.Input("x").Data, []float32{1, 200})
	err := p.Run()
	if err == nil || err.Error() != "inf.recipe:1:1: loss is +Inf: first non-finite value produced by %3 = exp [2]" {
		t.Errorf("got %v", err)
	}
}

func TestNonFiniteParam(t *testing.T) {
	g := New()
	g.SetOrigin("w.recipe:1:1")
	w := tensor.NewParam("w", 2)
	w.Value.Data[1] = float32(math.NaN())
	g.SetOrigin("w.recipe:2:1")
	p := compile(t, g, Options{Loss: g.SumAll(g.Param(w))})
	err := p.Run()
	if err == nil || err.Error() != "w.recipe:2:1: loss is NaN: %0 = param w [2] holds a non-finite value" {
		t.Errorf("got %v", err)
	}
}

func TestBadLabel(t *testing.T) {
	g := New()
	g.SetOrigin("ce.recipe:9:2")
	w := tensor.NewParam("w", 2, 3)
	loss := g.SoftmaxCrossEntropy(g.Param(w), g.Input("y", 2))
	p := compile(t, g, Options{Loss: loss})
	copy(p.Input("y").Data, []float32{1, 3})
	err := p.Run()
	if err == nil || err.Error() != "ce.recipe:9:2: softmax_cross_entropy: label 3 in row 1 is not a class id in [0, 3)" {
		t.Errorf("got %v", err)
	}
}
