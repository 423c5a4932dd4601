// Package schedule holds the training clock and the scalar schedules that drive
// hyperparameters over a run: learning rate, sparsity, loss weights, temperatures.
//
// Time is counted in optimizer steps. A Clock says where training is (Step completed steps,
// 0 before the first), and a Schedule maps a step to a value: the trainer reads
// lr.At(clock.Step) before each update. The recipe layer resolves "3 epochs", "25%" and
// "end" into step numbers before it builds a schedule, so nothing here knows about epochs.
//
// Every schedule is a small value type with exported fields, defined for every integer step:
// a schedule with a window [Start, End] holds its first value before Start and its last value
// from End on, and hits both exactly. Schedules compose: Warmup ramps into another schedule,
// Then switches from one schedule to another at a step, and Binary combines two with + - * /.
// Validate checks a schedule against the length of the run; At never panics on a valid one.
//
// Schedules are pure functions of the step: no state, no clock reads, no randomness, so a
// resumed run sees the same values as an uninterrupted one.
package schedule
