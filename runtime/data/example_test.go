package data_test

import (
	"fmt"

	"github.com/roux-ml/roux/runtime/data"
)

// A training loop over a Batcher: one pass of the inner loop is one epoch.
func ExampleBatcher() {
	d := &data.Dataset{
		Name:    "tiny",
		X:       []float32{0, 0, 0, 1, 1, 0, 1, 1, 2, 2},
		Y:       []int32{0, 1, 1, 0, 1},
		Shape:   []int{2},
		Classes: 2,
	}
	b := data.NewBatcher(d, 2, false, 1)
	for b.Epoch() < 2 {
		for {
			n, ok := b.Next()
			if !ok {
				break
			}
			fmt.Println(b.Epoch(), n, b.X(), b.Y(), b.Index())
		}
	}
	fmt.Println("steps per epoch:", b.StepsPerEpoch())
	// Output:
	// 1 2 [0 0 0 1] [0 1] [0 1]
	// 1 2 [1 0 1 1] [1 0] [2 3]
	// 1 1 [2 2] [1] [4]
	// 2 2 [0 0 0 1] [0 1] [0 1]
	// 2 2 [1 0 1 1] [1 0] [2 3]
	// 2 1 [2 2] [1] [4]
	// steps per epoch: 3
}
