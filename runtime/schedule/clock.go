package schedule

// Clock is where training is: Step counts completed optimizer steps (0 before the first step),
// StepsPerEpoch is the number of steps in one pass over the training data and TotalSteps the
// number of steps in the whole run.
type Clock struct {
	Step, StepsPerEpoch, TotalSteps int
}

// Epoch returns Step / StepsPerEpoch, the number of epochs completed, fractional inside an
// epoch; 0 if StepsPerEpoch is not positive.
func (c Clock) Epoch() float64 {
	return ratio(c.Step, c.StepsPerEpoch)
}

// Fraction returns Step / TotalSteps, the fraction of the run completed; 0 if TotalSteps is not
// positive.
func (c Clock) Fraction() float64 {
	return ratio(c.Step, c.TotalSteps)
}

// ratio returns a/b, or 0 if b is not positive.
func ratio(a, b int) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}
