package data

import (
	"slices"
	"strings"
	"testing"
)

// epoch drains one epoch and returns the row indices in order and the batch sizes.
func epoch(t *testing.T, b *Batcher) (rows []int32, sizes []int) {
	t.Helper()
	for {
		n, ok := b.Next()
		if !ok {
			return rows, sizes
		}
		checkBatch(t, b, n)
		rows = append(rows, b.Index()...)
		sizes = append(sizes, n)
	}
}

// checkBatch checks that the batch's features and labels are those of the rows Index names.
func checkBatch(t *testing.T, b *Batcher, n int) {
	t.Helper()
	f := b.d.Features()
	if len(b.X()) != n*f || len(b.Y()) != n || len(b.Index()) != n {
		t.Fatalf("batch of %d has %d features, %d labels, %d indices", n, len(b.X()), len(b.Y()), len(b.Index()))
	}
	for k, r := range b.Index() {
		if !slices.Equal(b.X()[k*f:(k+1)*f], b.d.Row(int(r))) || b.Y()[k] != float32(b.d.Y[r]) {
			t.Fatalf("batch row %d does not hold dataset row %d", k, r)
		}
	}
	ld := n + 3
	xt := make([]float32, f*ld)
	b.GatherT(xt, ld)
	for k := range ld {
		for i := range f {
			want := float32(0)
			if k < n {
				want = b.X()[k*f+i]
			}
			if xt[i*ld+k] != want {
				t.Fatalf("GatherT lane %d feature %d = %g, want %g", k, i, xt[i*ld+k], want)
			}
		}
	}
}

func TestEverySampleOncePerEpoch(t *testing.T) {
	b := NewBatcher(seq(10, 3, 3), 4, true, 7)
	var orders [][]int32
	for e := 1; e <= 3; e++ {
		rows, sizes := epoch(t, b)
		if !slices.Equal(sizes, []int{4, 4, 2}) || b.Epoch() != e {
			t.Fatalf("epoch %d: sizes %v, Epoch() = %d", e, sizes, b.Epoch())
		}
		sorted := slices.Sorted(slices.Values(rows))
		for i, r := range sorted {
			if int(r) != i {
				t.Fatalf("epoch %d visits rows %v", e, rows)
			}
		}
		orders = append(orders, rows)
	}
	if slices.Equal(orders[0], orders[1]) && slices.Equal(orders[1], orders[2]) {
		t.Fatal("three epochs in the same order")
	}
}

func TestNoShuffleIsDatasetOrder(t *testing.T) {
	rows, _ := epoch(t, NewBatcher(seq(5, 1, 2), 2, false, 7))
	if !slices.Equal(rows, []int32{0, 1, 2, 3, 4}) {
		t.Fatalf("rows = %v", rows)
	}
}

// TestOrderIsPinned pins the order of a small shuffle, so a change to the generator or
// the reduction (which would break resuming old runs) is caught.
func TestOrderIsPinned(t *testing.T) {
	b := NewBatcher(seq(10, 1, 2), 10, true, 1)
	rows, _ := epoch(t, b)
	want := []int32{2, 5, 8, 3, 4, 1, 7, 6, 0, 9}
	if !slices.Equal(rows, want) {
		t.Fatalf("seed 1, epoch 1 order = %v, want %v", rows, want)
	}
}

func TestOrderDependsOnlyOnSeedAndEpoch(t *testing.T) {
	d := seq(50, 2, 5)
	a := NewBatcher(d, 8, true, 42)
	var third []int32
	for range 3 {
		third, _ = epoch(t, a)
	}
	// A different batch size and a jump straight to epoch 3 give the same order.
	b := NewBatcher(d, 5, true, 42)
	if err := b.SetState(State{Epoch: 2, Pos: 50, Ended: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := epoch(t, b); !slices.Equal(got, third) {
		t.Fatalf("epoch 3 after a jump = %v, want %v", got, third)
	}
	c := NewBatcher(d, 8, true, 43)
	epoch(t, c)
	epoch(t, c)
	if got, _ := epoch(t, c); slices.Equal(got, third) {
		t.Fatal("seeds 42 and 43 give the same order")
	}
}

func TestDropLast(t *testing.T) {
	b := NewBatcher(seq(10, 2, 2), 4, true, 1)
	b.DropLast = true
	if b.StepsPerEpoch() != 2 {
		t.Fatalf("StepsPerEpoch = %d, want 2", b.StepsPerEpoch())
	}
	for range 2 {
		if _, sizes := epoch(t, b); !slices.Equal(sizes, []int{4, 4}) {
			t.Fatalf("sizes = %v, want [4 4]", sizes)
		}
	}
	b.DropLast = false
	if b.StepsPerEpoch() != 3 {
		t.Fatalf("StepsPerEpoch = %d, want 3", b.StepsPerEpoch())
	}
}

func TestBatchLargerThanDataset(t *testing.T) {
	b := NewBatcher(seq(3, 2, 2), 100, true, 1)
	if _, sizes := epoch(t, b); !slices.Equal(sizes, []int{3}) || b.StepsPerEpoch() != 1 {
		t.Fatalf("sizes = %v, steps = %d", sizes, b.StepsPerEpoch())
	}
}

func TestEmptyDataset(t *testing.T) {
	b := NewBatcher(&Dataset{Shape: []int{2}, Y: []int32{}, Classes: 2}, 4, true, 1)
	for e := 1; e <= 2; e++ {
		if n, ok := b.Next(); ok || n != 0 || b.Epoch() != e {
			t.Fatalf("Next() = %d, %v at epoch %d", n, ok, b.Epoch())
		}
	}
}

func TestUnlabelled(t *testing.T) {
	d := seq(3, 2, 2)
	d.Y, d.Classes = nil, 0
	b := NewBatcher(d, 2, false, 1)
	if n, ok := b.Next(); !ok || n != 2 || b.Y() != nil || len(b.X()) != 4 {
		t.Fatalf("Next() = %d, %v; Y() = %v", n, ok, b.Y())
	}
}

func TestNextDoesNotAllocate(t *testing.T) {
	b := NewBatcher(seq(100, 8, 4), 7, true, 3)
	allocs := testing.AllocsPerRun(500, func() {
		b.Next()
		_, _, _ = b.X(), b.Y(), b.Index()
	})
	if allocs != 0 {
		t.Fatalf("Next allocates %v times per call", allocs)
	}
}

func TestStateRoundTrip(t *testing.T) {
	d := seq(23, 2, 3)
	a := NewBatcher(d, 5, true, 9)
	if a.State() != (State{}) {
		t.Fatalf("initial State() = %+v", a.State())
	}
	for range 7 { // into the second epoch, through an epoch end
		a.Next()
	}
	for _, steps := range []int{0, 1, 3, 6} {
		for range steps {
			a.Next()
		}
		b := NewBatcher(d, 5, true, 9)
		if err := b.SetState(a.State()); err != nil {
			t.Fatal(err)
		}
		if b.State() != a.State() {
			t.Fatalf("State() after SetState = %+v, want %+v", b.State(), a.State())
		}
		sameBatches(t, a.State(), a, b, 12)
	}
}

// sameBatches checks that a and b yield the same next k batches.
func sameBatches(t *testing.T, s State, a, b *Batcher, k int) {
	t.Helper()
	for range k {
		na, oka := a.Next()
		nb, okb := b.Next()
		if na != nb || oka != okb || !slices.Equal(a.Index(), b.Index()) || a.Epoch() != b.Epoch() {
			t.Fatalf("resumed from %+v: got %d %v %v, want %d %v %v", s, nb, okb, b.Index(), na, oka, a.Index())
		}
	}
}

func TestSetStateErrors(t *testing.T) {
	b := NewBatcher(seq(4, 1, 2), 2, true, 1)
	for _, s := range []State{{Epoch: -1}, {Epoch: 1, Pos: 5}, {Epoch: 1, Pos: -1}} {
		if err := b.SetState(s); err == nil || !strings.Contains(err.Error(), "out of range for 4 rows") {
			t.Errorf("SetState(%+v) = %v", s, err)
		}
	}
}

func TestNewBatcherPanics(t *testing.T) {
	for _, c := range []struct {
		d     *Dataset
		batch int
		want  string
	}{
		{seq(4, 1, 2), 0, "batch size 0"},
		{&Dataset{X: []float32{1, 2, 3}, Shape: []int{2}}, 2, "not a whole number of rows"},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), c.want) {
					t.Errorf("recover() = %v, want %q", r, c.want)
				}
			}()
			NewBatcher(c.d, c.batch, true, 1)
		}()
	}
}

func TestPermMatchesBatcher(t *testing.T) {
	b := NewBatcher(seq(30, 1, 2), 30, true, 5)
	epoch(t, b)
	rows, _ := epoch(t, b)
	for i, r := range Perm(30, 5, 2) {
		if rows[i] != int32(r) {
			t.Fatalf("Perm(30, 5, 2) = %v, epoch 2 = %v", Perm(30, 5, 2), rows)
		}
	}
}
