package stdlib

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/tensor"
)

const B = sig.Batch

// TestVisionShapes checks the shapes the vision entries infer.
func TestVisionShapes(t *testing.T) {
	img := sig.Shape{B, 1, 28, 28}
	cases := []struct {
		name string
		in   sig.Shape
		args sig.Args
		want sig.Shape
	}{
		{"conv2d", img, sig.Args{"channels": 32.0, "kernel": 5.0, "stride": 1.0, "padding": 0.0, "dilation": 1.0}, sig.Shape{B, 32, 24, 24}},
		{"conv2d", img, sig.Args{"channels": 8.0, "kernel": 5.0, "stride": 2.0, "padding": 2.0, "dilation": 1.0}, sig.Shape{B, 8, 14, 14}},
		{"conv2d", img, sig.Args{"channels": 8.0, "kernel": 3.0, "stride": 1.0, "padding": 0.0, "dilation": 2.0}, sig.Shape{B, 8, 24, 24}},
		{"max_pool", sig.Shape{B, 32, 24, 24}, sig.Args{"kernel": 2.0}, sig.Shape{B, 32, 12, 12}},
		{"avg_pool", sig.Shape{B, 32, 24, 24}, sig.Args{"kernel": 3.0, "stride": 1.0}, sig.Shape{B, 32, 22, 22}},
		{"global_avg_pool", sig.Shape{B, 64, 4, 4}, sig.Args{}, sig.Shape{B, 64}},
		{"flatten", sig.Shape{B, 64, 4, 4}, sig.Args{}, sig.Shape{B, 1024}},
		{"reshape", sig.Shape{B, 784}, sig.Args{"shape": []any{1.0, 28.0, 28.0}}, img},
		{"batch_norm", img, sig.Args{"momentum": 0.1, "eps": 1e-5}, img},
		{"layer_norm", sig.Shape{B, 10, 16}, sig.Args{"eps": 1e-5}, sig.Shape{B, 10, 16}},
	}
	for _, c := range cases {
		s, _ := Default.Lookup(c.name)
		got, err := s.Shape([]sig.Shape{c.in}, c.args)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%s%v %v = %v, %v; want %v", c.name, c.in, c.args, got, err, c.want)
		}
	}
	conv, _ := Default.Lookup("conv2d")
	w := conv.Weights([]sig.Shape{{B, 3, 32, 32}}, sig.Args{"channels": 16.0, "kernel": 5.0, "bias": true})
	if fmt.Sprint(w) != "[{weight [16 3 5 5] false} {bias [16] false}]" {
		t.Errorf("conv2d weights: %v", w)
	}
	bn, _ := Default.Lookup("batch_norm")
	if w := bn.Weights([]sig.Shape{img}, nil); fmt.Sprint(w) != "[{weight [1] false} {bias [1] false}]" {
		t.Errorf("batch_norm weights: %v", w)
	}
}

// TestVisionErrors checks that each misuse is an ArgError on the right argument
// whose message names the shapes involved.
func TestVisionErrors(t *testing.T) {
	img := sig.Shape{B, 1, 28, 28}
	conv := func(k, stride, padding, dilation float64) sig.Args {
		return sig.Args{"channels": 8.0, "kernel": k, "stride": stride, "padding": padding, "dilation": dilation}
	}
	cases := []struct {
		name  string
		in    sig.Shape
		args  sig.Args
		param string
		msg   string
	}{
		{"conv2d", sig.Shape{B, 784}, conv(5, 1, 0, 1), "x", "expects a [B C H W] input, got [B 784]"},
		{"conv2d", img, conv(5, 1, -1, 1), "padding", "padding must not be negative, got -1"},
		{"conv2d", img, conv(5, 0, 0, 1), "stride", "stride must be at least 1, got 0"},
		{"conv2d", img, conv(3, 1, 0, 0), "dilation", "dilation must be at least 1"},
		{"conv2d", img, conv(29, 1, 0, 1), "kernel", "kernel 29 (spanning 29 with dilation 1) is larger than the input [B 1 28 28] padded by 0"},
		{"conv2d", img, conv(5, 1, 0, 8), "kernel", "spanning 33"},
		{"max_pool", sig.Shape{B, 10}, sig.Args{"kernel": 2.0}, "x", "expects a [B C H W] input, got [B 10]"},
		{"max_pool", sig.Shape{B, 8, 3, 3}, sig.Args{"kernel": 4.0}, "kernel", "larger than the input [B 8 3 3]"},
		{"avg_pool", img, sig.Args{"kernel": 2.0, "stride": 0.0}, "stride", "stride must be at least 1"},
		{"global_avg_pool", sig.Shape{B, 10}, sig.Args{}, "x", "got [B 10]"},
		{"flatten", sig.Shape{B}, sig.Args{}, "x", "got [B]"},
		{"reshape", sig.Shape{B, 784}, sig.Args{"shape": []any{1.0, 28.0, 27.0}}, "shape", "cannot reshape [B 784] to [B 1 28 27]: a sample must keep its 784 elements"},
		{"reshape", sig.Shape{B, 784}, sig.Args{"shape": []any{1.5, 28.0, 28.0}}, "shape", "positive whole numbers, got 1.5"},
		{"reshape", sig.Shape{B, 784}, sig.Args{"shape": []any{}}, "shape", "cannot reshape"},
		{"batch_norm", sig.Shape{B}, sig.Args{}, "x", "expects a [B C] or [B C H W] input, got [B]"},
		{"layer_norm", sig.Shape{B}, sig.Args{}, "x", "got [B]"},
	}
	for _, c := range cases {
		s, _ := Default.Lookup(c.name)
		_, err := s.Shape([]sig.Shape{c.in}, c.args)
		ae, ok := err.(*sig.ArgError)
		if !ok || ae.Param != c.param || !strings.Contains(ae.Msg, c.msg) {
			t.Errorf("%s%v %v: %v; want an error on %s containing %q", c.name, c.in, c.args, err, c.param, c.msg)
		}
	}
	bn, _ := Default.Lookup("batch_norm")
	if msg := bn.Param("momentum").Check(1.5); msg == "" {
		t.Error("batch_norm accepts momentum 1.5")
	}
}

// testModel builds a small conv net through the catalogue's entries with weights
// from store, on input x [batch 64], and returns its logits.
func testModel(t *testing.T, g *graph.Graph, store map[string]*tensor.Param, states map[string]*tensor.Tensor, batch int) *graph.Node {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	call := func(layer, name string, a Args, in ...*graph.Node) *graph.Node {
		e, _ := Default.Entry(name)
		b := &Builder{G: g, Weight: func(w string, shape []int, fanIn int, init Init) *graph.Node {
			key := layer + "." + w
			if store[key] == nil {
				p := tensor.NewParam(key, shape...)
				init(p.Value.Data, fanIn, r)
				store[key] = p
			}
			return g.Param(store[key])
		}, State: func(w string, shape []int, fill float32) *tensor.Tensor {
			key := layer + "." + w
			if states[key] == nil {
				states[key] = tensor.New(shape...)
				for i := range states[key].Data {
					states[key].Data[i] = fill
				}
			}
			return states[key]
		}}
		return e.Build(b, in, a)
	}
	conv := func(layer string, ch int, x *graph.Node) *graph.Node {
		return call(layer, "conv2d", Args{"channels": float64(ch), "kernel": 3.0, "stride": 1.0, "padding": 1.0, "dilation": 1.0, "bias": true}, x)
	}
	h := call("in", "reshape", Args{"shape": []float64{1, 8, 8}}, g.Input("x", batch, 64))
	h = call("bn", "batch_norm", Args{"momentum": 0.1, "eps": 1e-5}, conv("c1", 4, h))
	h = call("p1", "max_pool", Args{"kernel": 2.0}, call("r1", "relu", nil, h))
	h = call("ln", "layer_norm", Args{"eps": 1e-5}, conv("c2", 6, h))
	h = call("p2", "avg_pool", Args{"kernel": 2.0, "stride": 2.0}, h)
	h = call("f", "flatten", nil, h)
	return call("out", "dense", Args{"units": 3.0, "bias": true, "init": "uniform"}, h)
}

// TestVisionTrains trains the conv net on a fixed random batch with plain SGD and
// expects the loss to fall; an evaluation program built on another graph uses the
// running statistics the training program gathered.
func TestVisionTrains(t *testing.T) {
	const batch = 16
	store, states := map[string]*tensor.Param{}, map[string]*tensor.Tensor{}
	g := graph.New()
	loss := g.SoftmaxCrossEntropy(testModel(t, g, store, states, batch), g.Input("y", batch))
	p, err := g.Compile(graph.Options{Loss: loss})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range p.Input("x").Data {
		p.Input("x").Data[i] = r.Float32()
	}
	for i := range p.Input("y").Data {
		p.Input("y").Data[i] = float32(r.IntN(3))
	}
	var losses []float32
	for range 30 {
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		losses = append(losses, p.Value(loss).Data[0])
		for _, q := range p.Params() {
			for j, d := range q.Grad.Data {
				q.Value.Data[j] -= 0.1 * d
			}
		}
	}
	if first, last := losses[0], losses[len(losses)-1]; !(last < 0.5*first) {
		t.Errorf("loss went from %g to %g: %v", first, last, losses)
	}
	st := &graph.BatchNormStats{Mean: states["bn.running_mean"], Var: states["bn.running_var"]}
	if st.Mean.Data[0] == 0 || st.Var.Data[0] == 1 {
		t.Errorf("running stats were not updated: %v %v", st.Mean.Data, st.Var.Data)
	}
	ge := graph.New()
	logits := testModel(t, ge, store, states, 4)
	ev, err := ge.Compile(graph.Options{Outputs: []*graph.Node{logits}})
	if err != nil {
		t.Fatal(err)
	}
	before := append([]float32(nil), st.Mean.Data...)
	if err := ev.Run(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(before) != fmt.Sprint(st.Mean.Data) {
		t.Error("evaluation changed the running statistics")
	}
}
