package main

import (
	"fmt"
	"strconv"

	"github.com/roux-ml/roux/lang/check"
	"github.com/roux-ml/roux/lang/syntax"
	"github.com/roux-ml/roux/runtime/sparse"
)

// compressed returns the recipe source with every dense layer of model m replaced by a
// sparse_dense layer at the layer's ERK density for overall density d (the layers ERK
// keeps dense stay dense): the same network as the ERK mask row, with its weights
// stored compressed. It fails for a
// model that has weights other than dense layers' (a convolution, a block), or a dense
// layer with arguments sparse_dense does not take.
func compressed(file string, src []byte, m *check.Model, d float64) ([]byte, error) {
	f, errs := syntax.Parse(file, src)
	if len(errs) > 0 {
		return nil, errs
	}
	var decl *syntax.Decl
	for _, x := range f.Decls {
		if x.Keyword == "model" && x.Name != nil && x.Name.Name == m.Name {
			decl = x
		}
	}
	if decl == nil {
		return nil, fmt.Errorf("model %s has no body to rewrite", m.Name)
	}
	shapes := map[string][]int{}
	for _, w := range m.Weights {
		shapes[w.Path] = w.Shape
	}
	var calls []*syntax.Call
	var layers [][]int
	for _, s := range decl.Body {
		a, ok := s.(*syntax.Assign)
		if !ok {
			continue
		}
		cs := denseCalls(a.Value)
		if len(cs) == 0 {
			continue
		}
		path := m.Name + "." + a.Name.Name
		shape, ok := shapes[path+".weight"]
		if !ok || len(cs) > 1 {
			return nil, fmt.Errorf("%s: not one dense layer in its statement", path)
		}
		for _, arg := range cs[0].Args {
			if arg.Name != nil && arg.Name.Name != "bias" {
				return nil, fmt.Errorf("%s: sparse_dense takes no %s", path, arg.Name.Name)
			}
		}
		calls, layers = append(calls, cs[0]), append(layers, shape)
		delete(shapes, path+".weight")
		delete(shapes, path+".bias")
	}
	if len(shapes) > 0 || len(calls) == 0 {
		return nil, fmt.Errorf("model %s has weights that are not dense layers'", m.Name)
	}
	densities, err := sparse.Densities(layers, d, sparse.ERK, 1, nil)
	if err != nil {
		return nil, err
	}
	for i, c := range calls {
		if densities[i] >= 1 {
			continue // ERK keeps the layer dense: compressed storage would only slow it
		}
		text := strconv.FormatFloat(densities[i], 'g', -1, 64)
		c.Fun = &syntax.Ident{NamePos: c.Fun.Pos(), Name: "sparse_dense"}
		c.Args = append(c.Args, &syntax.Arg{Name: &syntax.Ident{Name: "density"}, Value: &syntax.Number{Value: densities[i], Text: text}})
	}
	return syntax.Format(f), nil
}

// denseCalls returns the calls of dense in an expression.
func denseCalls(e syntax.Expr) []*syntax.Call {
	switch e := e.(type) {
	case *syntax.Call:
		var out []*syntax.Call
		if id, ok := e.Fun.(*syntax.Ident); ok && id.Name == "dense" {
			out = append(out, e)
		}
		for _, a := range e.Args {
			out = append(out, denseCalls(a.Value)...)
		}
		return out
	case *syntax.Binary:
		return append(denseCalls(e.X), denseCalls(e.Y)...)
	case *syntax.Unary:
		return denseCalls(e.X)
	case *syntax.Paren:
		return denseCalls(e.X)
	}
	return nil
}
