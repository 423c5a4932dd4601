package graph_test

import (
	"fmt"

	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/tensor"
)

// A linear classifier trained by plain SGD: build once, compile a training and an
// evaluation program that share the parameters, then run many times.
func Example() {
	g := graph.New()
	g.SetOrigin("linear.recipe:3:5")
	w := tensor.NewParam("w", 2, 2)
	b := tensor.NewParam("b", 2)
	x := g.Input("x", 4, 2)
	logits := g.AddBias(g.MatMul(x, g.Param(w), false, true), g.Param(b))
	g.SetOrigin("linear.recipe:4:8")
	loss := g.SoftmaxCrossEntropy(logits, g.Input("y", 4))

	train, err := g.Compile(graph.Options{Loss: loss})
	if err != nil {
		panic(err)
	}
	eval, _ := g.Compile(graph.Options{Outputs: []*graph.Node{logits}})

	for _, p := range []*graph.Program{train, eval} {
		copy(p.Input("x").Data, []float32{1, 0, 0, 1, 2, 0, 0, 2})
		copy(p.Input("y").Data, []float32{0, 1, 0, 1})
	}
	for step := range 3 {
		if err := train.Run(); err != nil {
			panic(err)
		}
		fmt.Printf("step %d: loss %.4f\n", step, train.Value(loss).Data[0])
		for _, p := range train.Params() {
			for i, d := range p.Grad.Data {
				p.Value.Data[i] -= 0.5 * d
			}
		}
	}
	eval.Run()
	fmt.Printf("logits of the first example: %.3f\n", eval.Value(logits).Data[:2])
	fmt.Print(eval)
	// Output:
	// step 0: loss 0.6931
	// step 1: loss 0.4550
	// step 2: loss 0.3355
	// logits of the first example: [0.416 -0.416]
	// %0 = input x [4 2]  # linear.recipe:3:5
	// %1 = param w [2 2]  # linear.recipe:3:5
	// %2 = param b [2]  # linear.recipe:3:5
	// %3 = matmul %0 %1 transB [4 2]  # linear.recipe:3:5
	// %4 = add_bias %3 %2 [4 2]  # linear.recipe:3:5
}

// Builder methods panic with *graph.Error on a shape mistake; Catch turns that into
// an ordinary error at the API boundary.
func ExampleCatch() {
	build := func() (err error) {
		defer graph.Catch(&err)
		g := graph.New()
		g.SetOrigin("mlp.recipe:5:9")
		g.MatMul(g.Input("x", 128, 784), g.Param(tensor.NewParam("w", 300, 100)), false, true)
		return nil
	}
	fmt.Println(build())
	// Output: mlp.recipe:5:9: matmul: inner dimensions differ: [128 784] x [300 100]
}
