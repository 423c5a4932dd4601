package checkpoint_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/roux-ml/roux/runtime/checkpoint"
)

// A training run saves a checkpoint every few steps, keeping the last two, and resumes from
// the newest complete one.
func Example() {
	root, _ := os.MkdirTemp("", "roux-ckpt-")
	defer os.RemoveAll(root)

	for step := 100; step <= 300; step += 100 {
		pos, _ := json.Marshal(map[string]int{"epoch": 1, "pos": step * 32})
		c := &checkpoint.Checkpoint{
			Tensors: []checkpoint.Tensor{
				{Name: "net.h1.weight", Shape: []int{2, 2}, Data: []float32{0.5, -1, 0.25, float32(step)}},
				{Name: "mask/net.h1.weight", Shape: []int{2, 2}, Data: []float32{1, 0, 1, 1}},
			},
			Meta: checkpoint.Meta{
				Step: step, Seed: 7,
				Metrics: map[string]float64{"loss": 1 / float64(step)},
				Extra:   map[string]json.RawMessage{"batcher": pos},
			},
		}
		if _, err := checkpoint.SaveNumbered(root, c, 2); err != nil {
			fmt.Println(err)
			return
		}
	}

	steps, _ := checkpoint.List(root)
	c, _, err := checkpoint.Latest(root)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("kept:", steps)
	fmt.Println("resume at step", c.Meta.Step, "batcher", string(c.Meta.Extra["batcher"]))
	fmt.Println("net.h1.weight:", c.Tensor("net.h1.weight").Data)

	// The tensors file is plain safetensors.
	b, _ := os.ReadFile(filepath.Join(checkpoint.StepDir(root, 300), checkpoint.TensorsFile))
	tensors, _, _ := checkpoint.Decode(b)
	for _, t := range tensors {
		fmt.Println(t.Name, t.DType, t.Shape)
	}
	fmt.Println(bytes.HasPrefix(b[8:], []byte(`{"mask/net.h1.weight":{"dtype":"F32"`)))
	// Output:
	// kept: [200 300]
	// resume at step 300 batcher {"epoch":1,"pos":9600}
	// net.h1.weight: [0.5 -1 0.25 300]
	// mask/net.h1.weight F32 [2 2]
	// net.h1.weight F32 [2 2]
	// true
}
