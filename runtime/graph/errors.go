package graph

import (
	"fmt"

	"github.com/roux-ml/roux/runtime/tensor"
)

// Error is the one error type of package graph: a message and the recipe position
// ("file.recipe:12:5") of the node it concerns. Builder methods panic with an *Error
// on a shape, rank or axis mistake; Compile and Run return one. Messages print every
// shape involved with tensor.ShapeString, for example
//
//	net.recipe:5:9: matmul: inner dimensions differ: [128 784] x [300 100]
type Error struct {
	Origin string
	Msg    string
}

// Error returns Origin + ": " + Msg, or Msg alone when the origin is unknown.
func (e *Error) Error() string {
	if e.Origin == "" {
		return e.Msg
	}
	return e.Origin + ": " + e.Msg
}

// Catch recovers a panic carrying an *Error and stores it in *err; any other panic
// continues. Use it at an API boundary that calls builder methods:
//
//	func build(g *graph.Graph) (err error) {
//		defer graph.Catch(&err)
//		...
//	}
func Catch(err *error) {
	r := recover()
	if r == nil {
		return
	}
	if e, ok := r.(*Error); ok {
		*err = e
		return
	}
	panic(r)
}

// fail panics with an *Error at the graph's current origin.
func (g *Graph) fail(format string, args ...any) {
	panic(&Error{Origin: g.origin, Msg: fmt.Sprintf(format, args...)})
}

// shp formats a shape for a message.
func shp(s []int) string { return tensor.ShapeString(s) }
