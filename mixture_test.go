package roux_test

import (
	"math"
	"strings"
	"testing"
)

// mixture draws on two data streams at different batch sizes, augments both views,
// keeps per-sample state (AdaWAC's weights) and follows a mean teacher.
const mixture = `recipe "mixture"
data labeled   = blobs(n: 300, classes: 3, dim: 16) |> per_class(8)
data unlabeled = blobs(n: 300, classes: 3, dim: 16) |> unlabeled() |> ratio(3)
data test      = blobs(n: 90, classes: 3, dim: 16, seed: 2)
augment weak   = noise(0.05)
augment strong = noise(0.3) + dropout_input(0.2)
model net {
    h   = dense(input(16), 12) |> relu
    out = dense(h, 3)
}
model teacher = ema(net, decay: 0.9)
loss = adawac(cross_entropy(net(weak(labeled.x)), labeled.y, reduce: none),
              mse(net(weak(labeled.x)), net(strong(labeled.x)), reduce: none), lr: 2)
     + uda(net(unlabeled.x), net(strong(unlabeled.x)), threshold: 0.5)
     + 0.5 * kl(teacher(unlabeled.x), net(strong(unlabeled.x)))
optimizer = sgd(lr: 0.05, momentum: 0.9)
train {
    epochs = 3
    batch  = 8
    seed   = 4
    eval test
}
`

// TestMixtureResumeIsBitIdentical stops a loss mixture mid-epoch, saves it and resumes
// it: weights, per-sample state, teacher weights and both data streams must continue
// exactly as the uninterrupted run.
func TestMixtureResumeIsBitIdentical(t *testing.T) {
	straight, resumed, _ := resumeAfter(t, mixture, 17)
	for i, p := range straight.Params() {
		sameBits(t, p.Name, p.Value.Data, resumed.Params()[i].Value.Data)
	}
	states := straight.States()
	if len(states) != 5 { // adawac's log-odds and the teacher's four weights
		t.Fatalf("state paths %v, want adawac's and the teacher's", states)
	}
	for _, path := range states {
		sameBits(t, path, straight.State(path).Data, resumed.State(path).Data)
	}
}

func sameBits(t *testing.T, name string, a, b []float32) {
	t.Helper()
	for j := range a {
		if math.Float32bits(a[j]) != math.Float32bits(b[j]) {
			t.Fatalf("%s[%d]: %v straight, %v resumed", name, j, a[j], b[j])
		}
	}
}

// TestMeanTeacherFollowsStudent checks the teacher's weights against v ← d·v + (1−d)·w
// after every step, starting from the student's initial weights.
func TestMeanTeacherFollowsStudent(t *testing.T) {
	s := compiled(t, mixture)
	w, v := s.Param("net.h.weight"), s.State("teacher.h.weight")
	if w == nil || v == nil {
		t.Fatalf("student %v, teacher %v", w, v)
	}
	want := append([]float32(nil), w.Value.Data...)
	sameBits(t, "teacher at start", want, v.Data)
	for range 5 {
		if _, err := s.Step(); err != nil {
			t.Fatal(err)
		}
		d := float32(0.9)
		for i, x := range w.Value.Data {
			want[i] = d*want[i] + (1-d)*x
		}
		sameBits(t, "teacher.h.weight", want, v.Data)
	}
}

// TestSampleStateRowsFollowBatches checks that per-sample state is indexed by the
// sample: after one step of a 24-sample set in batches of 8, exactly 8 rows of the
// AdaWAC log-odds have moved; after three steps (one pass) all have.
func TestSampleStateRowsFollowBatches(t *testing.T) {
	s := compiled(t, mixture)
	a := s.State("loss.adawac.logodds")
	if a == nil || len(a.Data) != 24 {
		t.Fatalf("loss.adawac.logodds = %v, want 24 rows", a)
	}
	moved := func() int {
		n := 0
		for _, x := range a.Data {
			if x != 0 {
				n++
			}
		}
		return n
	}
	steps := []int{8, 16, 24}
	for _, want := range steps {
		if _, err := s.Step(); err != nil {
			t.Fatal(err)
		}
		if got := moved(); got != want {
			t.Fatalf("after %d samples, %d rows of state moved", want, got)
		}
	}
}

// TestSampleStatePathsAndViews names the state of a second loss of the same entry
// loss.ENTRY2.NAME and gives each its own declared view.
func TestSampleStatePathsAndViews(t *testing.T) {
	src := strings.Replace(mixture, "     + uda(", `     + adawac(cross_entropy(net(strong(labeled.x)), labeled.y, reduce: none),
              mse(net(labeled.x), net(weak(labeled.x)), reduce: none))
     + uda(`, 1)
	s := compiled(t, src)
	for _, path := range []string{"loss.adawac.logodds", "loss.adawac2.logodds"} {
		if s.State(path) == nil {
			t.Fatalf("no state %s; the session has %v", path, s.States())
		}
		name, of, ok := s.StateView(path)
		if want := strings.TrimSuffix(path, "logodds") + "beta0"; !ok || name != want || of(0) != 0.5 {
			t.Fatalf("view of %s: %q, ok %v; want %s with β⁰ = ½ at log-odds 0", path, name, ok, want)
		}
	}
}
