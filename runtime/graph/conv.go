package graph

import (
	"github.com/roux-ml/roux/runtime/kernels"
)

// window holds the static geometry of a convolution or pool: the pool's kernel
// size k (a convolution's comes from its weight), stride, padding and dilation.
type window struct{ k, stride, pad, dil int }

// Conv2D returns the 2-D cross-correlation of x [B, C, H, W] with the weight
// w [O, C, KH, KW]: y [B, O, H', W'] with H' = (H + 2·padding - dilation·(KH-1) -
// 1)/stride + 1, and W' likewise, as PyTorch's conv2d computes it (without bias:
// add one with AddChannelBias).
//
// Tensors are NCHW, as in PyTorch: its checkpoints load without transposing, and the
// weight's last axes [C, KH, KW] are one output's receptive field, so an N:M mask
// that groups consecutive weights of a row (runtime/sparse's layout, the weight seen
// as [O, C·KH·KW]) groups along input channels and taps as it does for a dense
// layer's [out, in] weight.
//
// It lowers to im2col and kernels.Gemm (kernels.Conv2D): each sample's receptive
// fields (C·KH·KW rows of H'·W') are copied into a core's scratch and multiplied by
// the weight seen as [O, C·KH·KW], the samples shared out between the cores. A
// buffer the compiler allocates once (B·C·KH·KW·H'·W') keeps what the weight's
// gradient (Σ_b dy_b·col_bᵀ) needs: a copy of x, or the receptive fields when they
// take less room. The input's gradient (col2im of wᵀ·dy_b) is computed only when x
// leads to a parameter, like every gradient.
func (g *Graph) Conv2D(x, w *Node, stride, padding, dilation int) *Node {
	if len(x.Shape) != 4 || len(w.Shape) != 4 || x.Shape[1] != w.Shape[1] {
		g.fail("conv2d: input %s and weight %s do not match (want [B C H W] and [O C KH KW])", shp(x.Shape), shp(w.Shape))
	}
	win := window{stride: stride, pad: padding, dil: dilation}
	kw := g.checkWindow(opConv2D, x.Shape, w.Shape[2], w.Shape[3], win)
	return g.node(opConv2D, []int{x.Shape[0], w.Shape[0], kw.OutH(), kw.OutW()}, attr{win: win}, x, w)
}

// MaxPool2D returns the maximum of each k×k window of x [B, C, H, W], the windows
// stride apart (no padding): [B, C, (H-k)/stride+1, (W-k)/stride+1]. The gradient
// flows to the first maximal element of each window.
func (g *Graph) MaxPool2D(x *Node, k, stride int) *Node { return g.pool(opMaxPool2D, x, k, stride) }

// AvgPool2D returns the mean of each k×k window of x [B, C, H, W], the windows
// stride apart (no padding), shaped like MaxPool2D's result.
func (g *Graph) AvgPool2D(x *Node, k, stride int) *Node { return g.pool(opAvgPool2D, x, k, stride) }

// GlobalAvgPool returns the mean of each channel of x [B, C, H, W] over its H×W
// plane: [B, C]. It is Mean over the last axis of x reshaped to [B, C, H·W].
func (g *Graph) GlobalAvgPool(x *Node) *Node {
	if len(x.Shape) != 4 {
		g.fail("global_avg_pool: expects a [B C H W] input, got %s", shp(x.Shape))
	}
	b, c := x.Shape[0], x.Shape[1]
	return g.Mean(g.Reshape(x, b, c, x.Shape[2]*x.Shape[3]), -1)
}

// pool builds a max or average pool.
func (g *Graph) pool(o op, x *Node, k, stride int) *Node {
	if len(x.Shape) != 4 {
		g.fail("%s: expects a [B C H W] input, got %s", o, shp(x.Shape))
	}
	if k < 1 {
		g.fail("%s: kernel %d is not positive", o, k)
	}
	win := window{k: k, stride: stride, dil: 1}
	kw := g.checkWindow(o, x.Shape, k, k, win)
	return g.node(o, []int{x.Shape[0], x.Shape[1], kw.OutH(), kw.OutW()}, attr{win: win}, x)
}

// checkWindow checks a kh×kw window over the planes of x and returns its geometry.
func (g *Graph) checkWindow(o op, x []int, kh, kw int, win window) kernels.Window {
	if win.stride < 1 || win.pad < 0 || win.dil < 1 {
		g.fail("%s: stride %d, padding %d, dilation %d: want stride and dilation at least 1 and padding at least 0",
			o, win.stride, win.pad, win.dil)
	}
	w := spatial(x, kh, kw, win)
	if win.dil*(kh-1)+1 > w.H+2*w.Pad || win.dil*(kw-1)+1 > w.W+2*w.Pad {
		g.fail("%s: %d×%d window (dilation %d) is larger than the input %s padded by %d",
			o, kh, kw, win.dil, shp(x), win.pad)
	}
	return w
}

// spatial is the kernel geometry of a kh×kw window over the planes of x [B C H W].
func spatial(x []int, kh, kw int, win window) kernels.Window {
	return kernels.Window{H: x[2], W: x[3], KH: kh, KW: kw, Stride: win.stride, Pad: win.pad, Dilation: win.dil}
}

// convPlan is the kernel plan of a convolution of x by w.
func convPlan(x, w []int, win window) *kernels.Conv2D {
	return kernels.NewConv2D(x[0], x[1], w[0], spatial(x, w[2], w[3], win))
}

// poolPlan is the geometry of a pool over x and its number of planes.
func poolPlan(x []int, win window) (*kernels.Window, int) {
	w := spatial(x, win.k, win.k, win)
	return &w, x[0] * x[1]
}
