package roux_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// lenetLikeTorch is recipes/mnist_mlp.recipe set up exactly like the PyTorch baseline
// (../shared/bench/torch_lenet.py): SGD lr 0.1 momentum 0.9, no weight decay, batch 128,
// last partial batch dropped (468 steps per epoch).
var lenetLikeTorch = []string{"optimizer.lr=0.1", "optimizer.weight_decay=0", "train.drop_last=true", "train.epochs=3"}

// BenchmarkLeNetEpoch times one MNIST training epoch of LeNet-300-100 (evaluation not
// included, as in the baseline) and, when Debian's python3 with torch is installed, runs
// the PyTorch baseline in the same process, back to back, and reports the ratio
// roux/PyTorch of the median epoch times.
//
//	go test -run XXX -bench LeNetEpoch -benchtime 3x .
func BenchmarkLeNetEpoch(b *testing.B) {
	roux := epochTime(b, "recipes/mnist_mlp.recipe")
	b.ReportMetric(roux, "s/epoch")
	b.ReportMetric(float64(468*128)/roux, "samples/s") // 468 full batches of 128: the last partial one is dropped
	if torch, ok := torchEpoch(b); ok {
		b.ReportMetric(torch, "torch-s/epoch")
		b.ReportMetric(roux/torch, "roux/torch")
	}
}

// torchEpoch runs PyTorch's best 2-core configuration for LeNet-300-100 and returns its
// median epoch time, or false when the baseline cannot run here.
func torchEpoch(b *testing.B) (float64, bool) {
	script := "../shared/bench/torch_lenet.py"
	if _, err := os.Stat(script); err != nil || os.Getenv("ROUX_BENCH_TORCH") == "0" {
		b.Logf("PyTorch baseline skipped (needs %s and /usr/bin/python3 with torch)", script)
		return 0, false
	}
	cmd := exec.Command("/usr/bin/python3", script, "--threads", "2", "--mode", "dense", "--epochs", "3")
	cmd.Env = append(os.Environ(), "OMP_WAIT_POLICY=PASSIVE", "OPENBLAS_NUM_THREADS=2")
	out, err := cmd.Output()
	if err != nil {
		b.Logf("PyTorch baseline failed: %v", err)
		return 0, false
	}
	var res struct {
		Median float64 `json:"median_epoch_s"`
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "RESULT "); ok && json.Unmarshal([]byte(rest), &res) == nil {
			return res.Median, true
		}
	}
	b.Logf("PyTorch baseline printed no RESULT line:\n%s", out)
	return 0, false
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
