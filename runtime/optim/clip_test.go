package optim

import (
	"math"
	"testing"

	"github.com/roux-ml/roux/runtime/tensor"
)

func TestClipGlobalNormScalesJointly(t *testing.T) {
	a, b := param([]float32{0, 0}), param([]float32{0})
	copy(a.Grad.Data, []float32{3, 0})
	b.Grad.Data[0] = 4
	norm := ClipGlobalNorm(paramsOf(a, b), 1)
	if norm != 5 {
		t.Errorf("norm = %v, want 5", norm)
	}
	// scale = 1/(5 + 1e-6) = 0.19999996: [3 0] -> [0.5999999 0], [4] -> [0.7999998] (as PyTorch)
	s := 1 / (5 + 1e-6)
	checkClose(t, "a", a.Grad.Data, 3*s, 0)
	checkClose(t, "b", b.Grad.Data, 4*s)
	if a.Grad.Data[0] != 0.5999999046325684 || b.Grad.Data[0] != 0.7999998331069946 {
		t.Errorf("clipped to %v %v, PyTorch gives 0.5999999 0.79999983", a.Grad.Data[0], b.Grad.Data[0])
	}
	if n := GlobalNorm(paramsOf(a, b)); math.Abs(float64(n)-1) > 1e-6 {
		t.Errorf("norm after clipping = %v, want 1", n)
	}
}

func TestClipGlobalNormLeavesSmallGradients(t *testing.T) {
	a := param([]float32{0, 0})
	copy(a.Grad.Data, []float32{3, 4})
	nilGrad := &tensor.Param{Name: "frozen", Value: tensor.New(1)}
	if norm := ClipGlobalNorm(paramsOf(a, nilGrad), 5.00001); norm != 5 {
		t.Errorf("norm = %v, want 5", norm)
	}
	if a.Grad.Data[0] != 3 || a.Grad.Data[1] != 4 {
		t.Errorf("gradient changed to %v", a.Grad.Data)
	}
}

// TestClipGlobalNormAtTheLimit: a norm equal to maxNorm is still scaled by
// 5 * float32(1/(5+1e-6)) = 0.99999976, as PyTorch does.
func TestClipGlobalNormAtTheLimit(t *testing.T) {
	a := param([]float32{0, 0})
	copy(a.Grad.Data, []float32{3, 4})
	ClipGlobalNorm(paramsOf(a), 5)
	if a.Grad.Data[0] != 2.9999992847442627 || a.Grad.Data[1] != 3.9999990463256836 {
		t.Errorf("clipped to %v, PyTorch gives [2.9999993 3.999999]", a.Grad.Data)
	}
}

func TestClipGlobalNormNaN(t *testing.T) {
	a, b := param([]float32{0}), param([]float32{0})
	a.Grad.Data[0] = float32(math.NaN())
	b.Grad.Data[0] = 1
	ClipGlobalNorm(paramsOf(a, b), 1)
	if !math.IsNaN(float64(b.Grad.Data[0])) {
		t.Errorf("a NaN norm left another gradient at %v; PyTorch makes it NaN", b.Grad.Data[0])
	}
}
