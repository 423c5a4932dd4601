package stdlib

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/tensor"
)

// The vision layers and ops work on NCHW image batches [B C H W], PyTorch's layout:
// a data set of flat [784] images becomes [B 1 28 28] through reshape.

func init() {
	mustRegister(&Entry{
		Signature: sig.Signature{
			Name: "conv2d", Kind: sig.Layer,
			Doc: "2-D convolution (cross-correlation, as PyTorch's Conv2d) of a [B C H W] input, weight [channels, C, kernel, kernel] " +
				"initialised U(±1/√(C·kernel²)) like the bias; the output is [B channels H' W'] with H' = (H + 2·padding - dilation·(kernel-1) - 1)/stride + 1.",
			Params: []sig.Param{
				tensorP("x", "input of shape [B C H W]"),
				intP("channels", nil, "number of output channels", positive),
				intP("kernel", nil, "height and width of the square kernel", positive),
				intP("stride", 1.0, "step between windows", nil),
				intP("padding", 0.0, "zeros added on every side of the input", nil),
				intP("dilation", 1.0, "distance between the kernel's taps", nil),
				boolP("bias", true, "add a learned bias per output channel"),
			},
			Shape:   conv2dShape,
			Weights: conv2dWeights,
		},
		Build: buildConv2D,
	})
	registerPools()
	registerReshapes()
	registerNorms()
}

// isImage checks that s is a [B C H W] batch.
func isImage(s sig.Shape) error {
	if len(s) != 4 {
		return &sig.ArgError{Param: "x", Msg: fmt.Sprintf("expects a [B C H W] input, got %s", s)}
	}
	return nil
}

func conv2dShape(in []sig.Shape, a sig.Args) (sig.Shape, error) {
	if err := isImage(in[0]); err != nil {
		return nil, err
	}
	k := a.Int("kernel")
	h, w, err := slide(in[0], k, a.Int("stride"), a.Int("padding"), a.Int("dilation"))
	if err != nil {
		return nil, err
	}
	return sig.Shape{in[0][0], a.Int("channels"), h, w}, nil
}

// slide checks a k×k window over the planes of x [B C H W] and returns the output
// height and width.
func slide(x sig.Shape, k, stride, padding, dilation int) (h, w int, err error) {
	switch {
	case stride < 1:
		return 0, 0, &sig.ArgError{Param: "stride", Msg: fmt.Sprintf("stride must be at least 1, got %d", stride)}
	case padding < 0:
		return 0, 0, &sig.ArgError{Param: "padding", Msg: fmt.Sprintf("padding must not be negative, got %d", padding)}
	case dilation < 1:
		return 0, 0, &sig.ArgError{Param: "dilation", Msg: fmt.Sprintf("dilation must be at least 1, got %d", dilation)}
	}
	span := dilation*(k-1) + 1
	if span > x[2]+2*padding || span > x[3]+2*padding {
		return 0, 0, &sig.ArgError{Param: "kernel", Msg: fmt.Sprintf(
			"kernel %d (spanning %d with dilation %d) is larger than the input %s padded by %d", k, span, dilation, x, padding)}
	}
	return (x[2]+2*padding-span)/stride + 1, (x[3]+2*padding-span)/stride + 1, nil
}

func conv2dWeights(in []sig.Shape, a sig.Args) []sig.Weight {
	out, k := a.Int("channels"), a.Int("kernel")
	w := []sig.Weight{{Name: "weight", Shape: sig.Shape{out, in[0][1], k, k}}}
	if a.Bool("bias") {
		w = append(w, sig.Weight{Name: "bias", Shape: sig.Shape{out}})
	}
	return w
}

func buildConv2D(b *Builder, in []*graph.Node, a Args) *graph.Node {
	x, out, k := in[0], a.Int("channels"), a.Int("kernel")
	fanIn := x.Shape[1] * k * k
	w := b.Weight("weight", []int{out, x.Shape[1], k, k}, fanIn, uniformInit)
	y := b.G.Conv2D(x, w, a.Int("stride"), a.Int("padding"), a.Int("dilation"))
	if a.Bool("bias") {
		y = b.G.AddChannelBias(y, b.Weight("bias", []int{out}, fanIn, uniformInit))
	}
	return y
}

// registerPools adds max_pool, avg_pool and global_avg_pool.
func registerPools() {
	for _, p := range []struct {
		name, doc string
		f         func(g *graph.Graph, x *graph.Node, k, stride int) *graph.Node
	}{
		{"max_pool", "Maximum of each kernel×kernel window of a [B C H W] input, the windows stride apart (no padding).", (*graph.Graph).MaxPool2D},
		{"avg_pool", "Mean of each kernel×kernel window of a [B C H W] input, the windows stride apart (no padding).", (*graph.Graph).AvgPool2D},
	} {
		f := p.f
		mustRegister(&Entry{
			Signature: sig.Signature{Name: p.name, Kind: sig.Op, Doc: p.doc,
				Params: []sig.Param{
					tensorP("x", "input of shape [B C H W]"),
					intP("kernel", nil, "height and width of the window", positive),
					{Name: "stride", Type: sig.Int, Optional: true, Doc: "step between windows; left out: the kernel size"},
				},
				Shape: poolShape},
			Build: func(b *Builder, in []*graph.Node, a Args) *graph.Node {
				return f(b.G, in[0], a.Int("kernel"), poolStride(a))
			},
		})
	}
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "global_avg_pool", Kind: sig.Op, Doc: "Mean of each channel of a [B C H W] input over its H×W plane: [B C].",
			Params: []sig.Param{tensorP("x", "input of shape [B C H W]")},
			Shape: func(in []sig.Shape, _ sig.Args) (sig.Shape, error) {
				if err := isImage(in[0]); err != nil {
					return nil, err
				}
				return in[0][:2], nil
			}},
		Build: func(b *Builder, in []*graph.Node, _ Args) *graph.Node { return b.G.GlobalAvgPool(in[0]) },
	})
}

// poolStride is a pool's stride argument, the kernel size when left out.
func poolStride(a Args) int {
	if a.Has("stride") {
		return a.Int("stride")
	}
	return a.Int("kernel")
}

func poolShape(in []sig.Shape, a sig.Args) (sig.Shape, error) {
	if err := isImage(in[0]); err != nil {
		return nil, err
	}
	k, stride := a.Int("kernel"), a.Int("kernel")
	if _, ok := a["stride"]; ok {
		stride = a.Int("stride")
	}
	h, w, err := slide(in[0], k, stride, 0, 1)
	if err != nil {
		return nil, err
	}
	return sig.Shape{in[0][0], in[0][1], h, w}, nil
}

// registerReshapes adds flatten and reshape.
func registerReshapes() {
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "flatten", Kind: sig.Op, Doc: "Reshapes a [B ...] input to [B rest], keeping the order of the elements.",
			Params: []sig.Param{tensorP("x", "input of shape [B ...]")},
			Shape: func(in []sig.Shape, _ sig.Args) (sig.Shape, error) {
				if len(in[0]) < 2 {
					return nil, &sig.ArgError{Param: "x", Msg: fmt.Sprintf("expects a [B ...] input with dimensions after the batch, got %s", in[0])}
				}
				return sig.Shape{in[0][0], tensor.Numel(in[0][1:])}, nil
			}},
		Build: func(b *Builder, in []*graph.Node, _ Args) *graph.Node { return b.G.Flatten(in[0]) },
	})
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "reshape", Kind: sig.Op,
			Doc: "Reshapes each sample, keeping the order of the elements: reshape(x, [1, 28, 28]) turns [B 784] into [B 1 28 28].",
			Params: []sig.Param{
				tensorP("x", "input of shape [B ...]"),
				{Name: "shape", Type: sig.List, Elem: sig.Int, Doc: "the new shape of one sample, without the batch dimension"},
			},
			Shape: reshapeShape},
		Build: func(b *Builder, in []*graph.Node, a Args) *graph.Node {
			shape := []int{in[0].Shape[0]}
			for _, d := range a.Floats("shape") {
				shape = append(shape, int(d))
			}
			return b.G.Reshape(in[0], shape...)
		},
	})
}

func reshapeShape(in []sig.Shape, a sig.Args) (sig.Shape, error) {
	list, _ := a["shape"].([]any)
	out := sig.Shape{in[0][0]}
	for _, v := range list {
		d, ok := v.(float64)
		if !ok || d < 1 || d != math.Trunc(d) {
			return nil, &sig.ArgError{Param: "shape", Msg: fmt.Sprintf("the shape must be a list of positive whole numbers, got %v", v)}
		}
		out = append(out, int(d))
	}
	if len(in[0]) < 1 || len(list) == 0 || tensor.Numel(out[1:]) != tensor.Numel(in[0][1:]) {
		return nil, &sig.ArgError{Param: "shape", Msg: fmt.Sprintf("cannot reshape %s to %s: a sample must keep its %d elements",
			in[0], out, tensor.Numel(in[0][1:]))}
	}
	return out, nil
}

// registerNorms adds batch_norm and layer_norm.
func registerNorms() {
	eps := numP("eps", 1e-5, "added to the variance before its square root", positive)
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "batch_norm", Kind: sig.Layer,
			Doc: "Batch normalisation of a [B C] or [B C H W] input per channel, as PyTorch's BatchNorm1d/2d: batch statistics while training, " +
				"running ones in evaluation; weight (scale) starts at 1, bias at 0. The running statistics are not parameters (no optimizer or mask touches them); checkpoints save them with the weights.",
			Params: []sig.Param{
				tensorP("x", "input of shape [B C] or [B C H W]"),
				numP("momentum", 0.1, "weight of each batch in the running statistics", unitInterval),
				eps,
			},
			Shape:   batchNormShape,
			Weights: channelWeights(1),
		},
		Build: buildBatchNorm,
	})
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "layer_norm", Kind: sig.Layer,
			Doc:    "Layer normalisation over the last dimension, as PyTorch's LayerNorm; weight (scale) starts at 1, bias at 0.",
			Params: []sig.Param{tensorP("x", "input of shape [B ... D]"), eps},
			Shape: func(in []sig.Shape, _ sig.Args) (sig.Shape, error) {
				if len(in[0]) < 2 {
					return nil, &sig.ArgError{Param: "x", Msg: fmt.Sprintf("expects a [B ... D] input, got %s", in[0])}
				}
				return in[0], nil
			},
			Weights: channelWeights(-1),
		},
		Build: func(b *Builder, in []*graph.Node, a Args) *graph.Node {
			x := in[0]
			gamma, beta := affine(b, x.Shape[len(x.Shape)-1])
			return b.G.LayerNorm(x, gamma, beta, float32(a.Float("eps")))
		},
	})
}

func batchNormShape(in []sig.Shape, _ sig.Args) (sig.Shape, error) {
	if n := len(in[0]); n < 2 || n > 4 {
		return nil, &sig.ArgError{Param: "x", Msg: fmt.Sprintf("expects a [B C] or [B C H W] input, got %s", in[0])}
	}
	return in[0], nil
}

// channelWeights lists a normalisation's weight and bias, as long as axis of x
// (negative counts from the end).
func channelWeights(axis int) func(in []sig.Shape, _ sig.Args) []sig.Weight {
	return func(in []sig.Shape, _ sig.Args) []sig.Weight {
		ax := axis
		if ax < 0 {
			ax += len(in[0])
		}
		c := sig.Shape{in[0][ax]}
		return []sig.Weight{{Name: "weight", Shape: c}, {Name: "bias", Shape: c}}
	}
}

// affine returns a normalisation's scale (weight, starting at 1) and shift (bias,
// starting at 0), both [c].
func affine(b *Builder, c int) (gamma, beta *graph.Node) {
	ones := func(w []float32, _ int, _ *rand.Rand) {
		for i := range w {
			w[i] = 1
		}
	}
	zeros := func(w []float32, _ int, _ *rand.Rand) { clear(w) }
	return b.Weight("weight", []int{c}, c, ones), b.Weight("bias", []int{c}, c, zeros)
}

func buildBatchNorm(b *Builder, in []*graph.Node, a Args) *graph.Node {
	x := in[0]
	c := x.Shape[1]
	gamma, beta := affine(b, c)
	// the running statistics are the layer's state: shared by every program of a
	// session and saved in its checkpoints (PyTorch starts them at mean 0, var 1)
	st := &graph.BatchNormStats{Mean: b.State("running_mean", []int{c}, 0), Var: b.State("running_var", []int{c}, 1)}
	return b.G.BatchNorm(x, gamma, beta, st, float32(a.Float("momentum")), float32(a.Float("eps")))
}
