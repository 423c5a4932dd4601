package sparse

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkGlobalMagnitudeLeNet(b *testing.B) {
	masks, weights, _ := lenetLayers()
	var s Scratch
	for b.Loop() {
		GlobalMagnitude(masks, weights, 26620, &s)
	}
}

func BenchmarkMagnitudeMaskFC1(b *testing.B) {
	masks, weights, _ := lenetLayers()
	var s Scratch
	for b.Loop() {
		MagnitudeMask(masks[0], weights[0], 18720, &s)
	}
}

func BenchmarkDropGrowRigLFC1(b *testing.B) {
	masks, weights, grads := lenetLayers()
	k := DropCount(NNZ(masks[0]), 0.3)
	var s Scratch
	for b.Loop() {
		DropGrow(masks[0], weights[0], grads[0], k, Grow{Rule: GrowScore}, nil, &s)
	}
}

func BenchmarkDropGrowSETFC1(b *testing.B) {
	masks, weights, _ := lenetLayers()
	k := DropCount(NNZ(masks[0]), 0.3)
	rng := rand.New(rand.NewPCG(1, 1))
	var s Scratch
	for b.Loop() {
		DropGrow(masks[0], weights[0], nil, k, Grow{Rule: GrowRandom}, rng, &s)
	}
}

func BenchmarkNMMask24FC1(b *testing.B) {
	masks, weights, _ := lenetLayers()
	var s Scratch
	for b.Loop() {
		NMMask(masks[0], weights[0], lenet[0], 2, 4, &s)
	}
}

func BenchmarkShrinkFC1(b *testing.B) {
	_, weights, _ := lenetLayers()
	var s Scratch
	p := PruneCount(len(weights[0]), 0.9)
	for b.Loop() {
		Shrink(weights[0], p, 0.99, &s)
	}
}
