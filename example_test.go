package roux_test

import (
	"context"
	"fmt"
	"log"

	"github.com/roux-ml/roux"
)

// Example trains a recipe from a string: compile it, make a session, train, read a metric
// and a parameter.
func Example() {
	recipe, err := roux.Compile("xor.recipe", []byte(`
recipe "XOR"
data train = xor(n: 400, noise: 0.05)
model net {
    h   = dense(input(2), 16) |> tanh
    out = dense(h, 2)
}
loss = cross_entropy(net(train.x), train.y)
optimizer = adam(lr: 0.02)
train {
    epochs = 30
    batch  = 32
    eval train every 30 epochs: accuracy
}
`))
	if err != nil {
		log.Fatal(err)
	}
	s, err := roux.NewSession(recipe, roux.Options{})
	if err != nil {
		log.Fatal(err)
	}
	var acc float64
	hooks := roux.Hooks{AfterEval: func(r roux.EvalResult) { acc = r.Metrics["accuracy"] }}
	if err := s.Train(context.Background(), hooks); err != nil {
		log.Fatal(err)
	}
	fmt.Println("steps:", s.Clock().Step)
	fmt.Println("accuracy at least 90%:", acc >= 0.9)
	fmt.Println("first weight shape:", s.Param("net.h.weight").Value.Shape)
	// Output:
	// steps: 390
	// accuracy at least 90%: true
	// first weight shape: [16 2]
}
