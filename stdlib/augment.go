package stdlib

import (
	"fmt"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/augment"
)

// Augmentations for consistency training (PAPERS.md D2), combined with + in an augment
// declaration and applied to a batch's inputs on the fly, seeded by the training seed,
// the step and the use.
func init() {
	add := func(name, doc string, image bool, p sig.Param, op func(a Args) augment.Op) {
		shape := func(in []sig.Shape, _ sig.Args) (sig.Shape, error) {
			if _, ok := augment.Geometry(in[0]); image && !ok {
				return nil, fmt.Errorf("moves pixels, but the samples are %s, not images ([C H W], [H W], or a square number of values)", in[0])
			}
			return in[0], nil
		}
		mustRegister(&Entry{Signature: sig.Signature{Name: name, Kind: sig.Augment, Doc: doc, Params: []sig.Param{p}, Shape: shape}, Augment: op})
	}
	add("noise", "Adds gaussian noise of standard deviation std to every input value.", false,
		numP("std", nil, "standard deviation", nonNegative), func(a Args) augment.Op { return augment.Noise(a.Float("std")) })
	add("dropout_input", "Sets each input value to 0 with probability p (no rescaling).", false,
		numP("p", nil, "probability of zeroing a value", fraction), func(a Args) augment.Op { return augment.Dropout(a.Float("p")) })
	add("shift", "Translates each image by whole pixels, up to the given amount in each direction, filling with 0.", true,
		intP("pixels", nil, "largest shift", nonNegative), func(a Args) augment.Op { return augment.Shift(a.Int("pixels")) })
	add("rotate", "Rotates each image about its centre by a random angle up to the given degrees either way.", true,
		numP("degrees", nil, "largest angle", nonNegative), func(a Args) augment.Op { return augment.Rotate(a.Float("degrees")) })
	add("cutout", "Zeroes a size×size square at a random place in each image (clipped at the borders).", true,
		intP("size", nil, "side of the square", positive), func(a Args) augment.Op { return augment.Cutout(a.Int("size")) })
}
