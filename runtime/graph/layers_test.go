package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/roux-ml/roux/runtime/tensor"
)

// layerGradCases are the gradient checks of the layer ops (conv.go, shape_ops.go,
// norm.go), run by checkGrad like gradCases.
func layerGradCases() []gradCase {
	var cs []gradCase
	for _, c := range []struct {
		x, w             []int
		stride, pad, dil int
	}{
		{s(2, 2, 5, 5), s(3, 2, 3, 3), 1, 0, 1},
		{s(2, 2, 6, 5), s(3, 2, 3, 3), 2, 1, 1},
		{s(1, 3, 7, 7), s(2, 3, 3, 3), 1, 2, 2},
		{s(2, 2, 5, 6), s(2, 2, 2, 3), 2, 0, 1},
		{s(1, 1, 3, 3), s(2, 1, 3, 3), 3, 1, 1}, // stride past the last window
	} {
		cs = append(cs, gradCase{name: fmt.Sprintf("conv2d/%v%v/s%dp%dd%d", c.x, c.w, c.stride, c.pad, c.dil),
			shapes: [][]int{c.x, c.w}, build: func(g *Graph, x []*Node) *Node {
				return g.Conv2D(x[0], x[1], c.stride, c.pad, c.dil)
			}})
	}
	in := randoms(rand.New(rand.NewPCG(3, 4)), 2*2*5*5)
	cs = append(cs,
		gradCase{name: "conv2d/input_not_differentiated", shapes: [][]int{s(3, 2, 3, 3)},
			feed: map[string][]float32{"img": in}, build: func(g *Graph, x []*Node) *Node {
				return g.Conv2D(g.Input("img", 2, 2, 5, 5), x[0], 1, 1, 1)
			}},
		gradCase{name: "conv2d/bias", shapes: [][]int{s(2, 2, 4, 4), s(3, 2, 3, 3), s(3)}, build: func(g *Graph, x []*Node) *Node {
			return g.AddChannelBias(g.Conv2D(x[0], x[1], 1, 1, 1), x[2])
		}},
		gradCase{name: "add_channel_bias/2d", shapes: [][]int{s(3, 4), s(4)}, build: binaryOp((*Graph).AddChannelBias)},
		gradCase{name: "global_avg_pool", shapes: [][]int{s(2, 3, 2, 3)}, build: unary((*Graph).GlobalAvgPool)},
		gradCase{name: "flatten", shapes: [][]int{s(2, 3, 2, 2)}, build: unary((*Graph).Flatten)},
		gradCase{name: "reshape", shapes: [][]int{s(2, 12)}, build: unary(func(g *Graph, x *Node) *Node {
			return g.Tanh(g.Reshape(x, 2, 3, 4))
		})},
		gradCase{name: "layer_norm", shapes: [][]int{s(3, 5), s(5), s(5)}, build: func(g *Graph, x []*Node) *Node {
			return g.LayerNorm(x[0], x[1], x[2], 1e-5)
		}},
		gradCase{name: "layer_norm/3d", shapes: [][]int{s(2, 2, 4)}, build: unary(func(g *Graph, x *Node) *Node {
			return g.LayerNorm(x, nil, nil, 1e-5)
		})},
	)
	for _, k := range []struct{ k, stride int }{{2, 2}, {3, 2}, {2, 1}, {3, 3}} {
		for _, p := range []struct {
			name string
			f    func(g *Graph, x *Node, k, stride int) *Node
		}{{"max_pool2d", (*Graph).MaxPool2D}, {"avg_pool2d", (*Graph).AvgPool2D}} {
			cs = append(cs, gradCase{name: fmt.Sprintf("%s/k%ds%d", p.name, k.k, k.stride), shapes: [][]int{s(2, 2, 5, 6)},
				gen: spread, build: unary(func(g *Graph, x *Node) *Node { return p.f(g, x, k.k, k.stride) })})
		}
	}
	for _, shape := range [][]int{s(6, 3), s(2, 3, 2, 2)} {
		for _, train := range []bool{true, false} {
			cs = append(cs, gradCase{name: fmt.Sprintf("batch_norm/%v/train=%v", shape, train), train: train,
				shapes: [][]int{shape, s(3), s(3)}, build: func(g *Graph, x []*Node) *Node {
					st := NewBatchNormStats(3)
					copy(st.Mean.Data, []float32{0.2, -0.1, 0.3})
					copy(st.Var.Data, []float32{0.5, 2, 1.5})
					return g.BatchNorm(x[0], x[1], x[2], st, 0.1, 1e-5)
				}})
		}
	}
	return cs
}

func TestLayerGradients(t *testing.T) {
	for _, c := range layerGradCases() {
		t.Run(c.name, func(t *testing.T) { checkGrad(t, c) })
	}
}

// runLayer runs build on inputs of the given shapes filled with values and returns
// the output's values.
func runLayer(t *testing.T, train bool, build func(g *Graph, in []*Node) *Node, in ...*tensor.Tensor) *tensor.Tensor {
	t.Helper()
	g := New()
	var nodes []*Node
	for i, x := range in {
		nodes = append(nodes, g.Input(fmt.Sprint("in", i), x.Shape...))
	}
	y := build(g, nodes)
	p := compile(t, g, Options{Outputs: []*Node{y}})
	p.SetTraining(train)
	for i, x := range in {
		copy(p.Input(fmt.Sprint("in", i)).Data, x.Data)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	return p.Value(y)
}

func randTensor(r *rand.Rand, shape ...int) *tensor.Tensor {
	return &tensor.Tensor{Shape: shape, Data: randoms(r, tensor.Numel(shape))}
}

// closeTo reports the first element of got that differs from want by more than
// tol·(1+|want|).
func closeTo(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %g, want %g", what, i, got[i], want[i])
		}
	}
}

// naiveConv is the direct seven-loop convolution.
func naiveConv(x, w *tensor.Tensor, stride, pad, dil int) []float64 {
	B, C, H, W := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	O, KH, KW := w.Shape[0], w.Shape[2], w.Shape[3]
	OH, OW := (H+2*pad-dil*(KH-1)-1)/stride+1, (W+2*pad-dil*(KW-1)-1)/stride+1
	out := make([]float64, B*O*OH*OW)
	for b := range B {
		for o := range O {
			for oh := range OH {
				for ow := range OW {
					var s float64
					for c := range C {
						for i := range KH {
							for j := range KW {
								h, v := oh*stride+i*dil-pad, ow*stride+j*dil-pad
								if h >= 0 && h < H && v >= 0 && v < W {
									s += float64(x.Data[((b*C+c)*H+h)*W+v]) * float64(w.Data[((o*C+c)*KH+i)*KW+j])
								}
							}
						}
					}
					out[((b*O+o)*OH+oh)*OW+ow] = s
				}
			}
		}
	}
	return out
}

func TestConv2DForward(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		x, w             []int
		stride, pad, dil int
	}{
		{s(3, 4, 9, 8), s(5, 4, 3, 3), 1, 0, 1},
		{s(2, 3, 11, 10), s(4, 3, 5, 3), 2, 2, 1},
		{s(2, 2, 9, 9), s(3, 2, 3, 3), 2, 1, 3},
		{s(1, 1, 4, 4), s(1, 1, 1, 1), 1, 0, 1},
	} {
		x, w := randTensor(r, c.x...), randTensor(r, c.w...)
		got := runLayer(t, false, func(g *Graph, in []*Node) *Node { return g.Conv2D(in[0], in[1], c.stride, c.pad, c.dil) }, x, w)
		closeTo(t, fmt.Sprintf("conv2d%v%v", c.x, c.w), got.Data, naiveConv(x, w, c.stride, c.pad, c.dil), 1e-5)
	}
}

// naivePool applies f to every k×k window, stride apart.
func naivePool(x *tensor.Tensor, k, stride int, f func([]float64) float64) []float64 {
	P, H, W := x.Shape[0]*x.Shape[1], x.Shape[2], x.Shape[3]
	OH, OW := (H-k)/stride+1, (W-k)/stride+1
	var out []float64
	for p := range P {
		for oh := range OH {
			for ow := range OW {
				var win []float64
				for i := range k {
					for j := range k {
						win = append(win, float64(x.Data[(p*H+oh*stride+i)*W+ow*stride+j]))
					}
				}
				out = append(out, f(win))
			}
		}
	}
	return out
}

func TestPoolForward(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	x := randTensor(r, 2, 3, 7, 6)
	maxf := func(v []float64) float64 {
		m := v[0]
		for _, e := range v {
			m = max(m, e)
		}
		return m
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, e := range v {
			s += e
		}
		return s / float64(len(v))
	}
	for _, k := range []struct{ k, stride int }{{2, 2}, {3, 2}, {3, 1}} {
		got := runLayer(t, false, func(g *Graph, in []*Node) *Node { return g.MaxPool2D(in[0], k.k, k.stride) }, x)
		closeTo(t, "max_pool2d", got.Data, naivePool(x, k.k, k.stride, maxf), 1e-6)
		got = runLayer(t, false, func(g *Graph, in []*Node) *Node { return g.AvgPool2D(in[0], k.k, k.stride) }, x)
		closeTo(t, "avg_pool2d", got.Data, naivePool(x, k.k, k.stride, mean), 1e-6)
	}
	sq := randTensor(r, 2, 3, 5, 5)
	got := runLayer(t, false, func(g *Graph, in []*Node) *Node { return g.GlobalAvgPool(in[0]) }, sq)
	closeTo(t, "global_avg_pool", got.Data, naivePool(sq, 5, 1, mean), 1e-6)
}

// naiveNorm normalises x [outer, n, inner] per channel j over o and i (batch norm,
// byChannel) or per row o over j (layer norm, inner 1), returning the output and the
// biased mean and variance of each group.
func naiveNorm(x []float32, outer, n, inner int, byChannel bool, eps float64) (out, means, vars []float64) {
	out = make([]float64, len(x))
	groups, idx := n, func(grp, k int) int { o, i := k/inner, k%inner; return (o*n+grp)*inner + i }
	size := outer * inner
	if !byChannel {
		groups, size, idx = outer, n, func(grp, k int) int { return grp*n + k }
	}
	for grp := range groups {
		var m, v float64
		for k := range size {
			m += float64(x[idx(grp, k)]) / float64(size)
		}
		for k := range size {
			d := float64(x[idx(grp, k)]) - m
			v += d * d / float64(size)
		}
		for k := range size {
			out[idx(grp, k)] = (float64(x[idx(grp, k)]) - m) / math.Sqrt(v+eps)
		}
		means, vars = append(means, m), append(vars, v)
	}
	return out, means, vars
}

func TestBatchNormForward(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	x := randTensor(r, 4, 3, 2, 5)
	for i := range x.Data {
		x.Data[i] = 3*x.Data[i] + float32(i%3) // channel-dependent offsets
	}
	st := NewBatchNormStats(3)
	bn := func(g *Graph, in []*Node) *Node { return g.BatchNorm(in[0], nil, nil, st, 0.1, 1e-5) }
	want, means, vars := naiveNorm(x.Data, 4, 3, 10, true, 1e-5)
	closeTo(t, "batch_norm/train", runLayer(t, true, bn, x).Data, want, 1e-5)
	var wantMean, wantVar []float64
	for j := range 3 {
		wantMean = append(wantMean, 0.1*means[j])
		wantVar = append(wantVar, 0.9+0.1*vars[j]*40/39) // unbiased: N = 4·2·5
	}
	closeTo(t, "running mean", st.Mean.Data, wantMean, 1e-6)
	closeTo(t, "running var", st.Var.Data, wantVar, 1e-6)
	var eval []float64
	for i, v := range x.Data {
		j := i / 10 % 3
		eval = append(eval, (float64(v)-wantMean[j])/math.Sqrt(wantVar[j]+1e-5))
	}
	closeTo(t, "batch_norm/eval", runLayer(t, false, bn, x).Data, eval, 1e-5)
	closeTo(t, "running mean after eval", st.Mean.Data, wantMean, 1e-6)
}

func TestLayerNormForward(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	x, gamma, beta := randTensor(r, 2, 3, 4), randTensor(r, 4), randTensor(r, 4)
	want, _, _ := naiveNorm(x.Data, 6, 4, 1, false, 1e-5)
	for i := range want {
		want[i] = want[i]*float64(gamma.Data[i%4]) + float64(beta.Data[i%4])
	}
	got := runLayer(t, false, func(g *Graph, in []*Node) *Node { return g.LayerNorm(in[0], in[1], in[2], 1e-5) }, x, gamma, beta)
	closeTo(t, "layer_norm", got.Data, want, 1e-5)
}

func TestReshapeForward(t *testing.T) {
	x := tt(s(2, 2, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	got := runLayer(t, false, func(g *Graph, in []*Node) *Node { return g.Flatten(in[0]) }, x)
	if tensor.ShapeString(got.Shape) != "[2 6]" || got.Data[7] != 8 {
		t.Errorf("flatten: %v %v", got.Shape, got.Data)
	}
	b := tt(s(2), 10, 20)
	got = runLayer(t, false, func(g *Graph, in []*Node) *Node { return g.AddChannelBias(in[0], in[1]) }, x, b)
	closeTo(t, "add_channel_bias", got.Data, []float64{11, 12, 13, 24, 25, 26, 17, 18, 19, 30, 31, 32}, 0)
}
