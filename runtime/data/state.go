package data

import "fmt"

// State is a Batcher's position, enough to resume a run exactly: the order of an epoch is
// derived again from the seed and the epoch number.
type State struct {
	Epoch int  // epochs started; 0 before the first call to Next
	Pos   int  // rows of epoch Epoch already returned
	Ended bool // Next has reported the end of epoch Epoch; the next call starts epoch Epoch+1
}

// State returns the Batcher's current position.
func (b *Batcher) State() State {
	if b.epoch == 0 {
		return State{}
	}
	return State{Epoch: b.epoch, Pos: b.pos, Ended: b.ended}
}

// SetState moves the Batcher to a position returned by State, possibly from another
// Batcher built the same way (same dataset, batch size, shuffle and seed). The current
// batch becomes empty until the next call to Next.
func (b *Batcher) SetState(s State) error {
	if s.Epoch < 0 || s.Pos < 0 || s.Pos > b.d.Len() {
		return fmt.Errorf("data: batcher state epoch %d, position %d is out of range for %d rows", s.Epoch, s.Pos, b.d.Len())
	}
	if s.Epoch == 0 {
		b.epoch, b.pos, b.ended, b.n = 0, 0, true, 0
		return nil
	}
	b.start(s.Epoch)
	b.pos, b.ended = s.Pos, s.Ended
	return nil
}
