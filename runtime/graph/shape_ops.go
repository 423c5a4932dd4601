package graph

import (
	"slices"

	"github.com/roux-ml/roux/runtime/tensor"
)

// Reshape returns x with a new shape of the same number of elements and the same
// first (batch) dimension, so that samples never mix; the elements keep their
// row-major order. Its gradient is the upstream gradient reshaped back.
func (g *Graph) Reshape(x *Node, shape ...int) *Node {
	checkDims(g, "reshape", shape)
	if len(shape) == 0 || len(x.Shape) == 0 || shape[0] != x.Shape[0] || tensor.Numel(shape) != tensor.Numel(x.Shape) {
		g.fail("reshape: cannot reshape %s to %s: want as many elements and the same first dimension",
			shp(x.Shape), shp(shape))
	}
	return g.node(opReshape, shape, attr{}, x)
}

// Flatten returns x [B, ...] reshaped to [B, rest].
func (g *Graph) Flatten(x *Node) *Node {
	if len(x.Shape) == 0 {
		g.fail("flatten: expects a [B ...] input, got a scalar")
	}
	return g.Reshape(x, x.Shape[0], tensor.Numel(x.Shape[1:]))
}

// AddChannelBias returns x + b with b [C] broadcast over every axis of x [B, C, ...]
// but the channel axis 1: the bias of a convolution.
func (g *Graph) AddChannelBias(x, b *Node) *Node { return g.addAxis(x, b, 1) }

// AddRows returns x + v with v[i] added to every value of row i of x [B, ...]: a
// per-sample shift such as subtracting each row's maximum.
func (g *Graph) AddRows(x, v *Node) *Node { return g.addAxis(x, v, 0) }

// ScaleRows returns x · s with every value of row i of x [B, ...] multiplied by s[i]: a
// per-sample scale such as normalising each row.
func (g *Graph) ScaleRows(x, s *Node) *Node { return g.scaleAxis(x, s, 0) }

// addAxis returns x + b with b [n] added along axis of x, which has length n.
func (g *Graph) addAxis(x, b *Node, axis int) *Node {
	g.checkAxisVector(opAddAxis, x, b, axis)
	return g.node(opAddAxis, x.Shape, attr{axis: axis}, x, b)
}

// scaleAxis returns x · s with s [n] multiplied along axis of x, which has length n.
func (g *Graph) scaleAxis(x, s *Node, axis int) *Node {
	g.checkAxisVector(opScaleAxis, x, s, axis)
	return g.node(opScaleAxis, x.Shape, attr{axis: axis}, x, s)
}

// checkAxisVector panics unless v is a vector as long as axis of x.
func (g *Graph) checkAxisVector(o op, x, v *Node, axis int) {
	if axis >= len(x.Shape) || !slices.Equal(v.Shape, []int{x.Shape[axis]}) {
		g.fail("%s: %s does not match axis %d of %s", o, shp(v.Shape), axis, shp(x.Shape))
	}
}
