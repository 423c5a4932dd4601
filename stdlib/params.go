package stdlib

import (
	"fmt"

	"github.com/roux-ml/roux/lang/sig"
)

// Small constructors that keep the catalogue's parameter lists readable.

func tensorP(name, doc string) sig.Param { return sig.Param{Name: name, Type: sig.Tensor, Doc: doc} }

func labelsP(name, doc string) sig.Param { return sig.Param{Name: name, Type: sig.Labels, Doc: doc} }

func numP(name string, def any, doc string, check func(any) string) sig.Param {
	return sig.Param{Name: name, Type: sig.Number, Default: def, Doc: doc, Check: check}
}

func intP(name string, def any, doc string, check func(any) string) sig.Param {
	return sig.Param{Name: name, Type: sig.Int, Default: def, Doc: doc, Check: check}
}

func scalarP(name string, def any, doc string) sig.Param {
	return sig.Param{Name: name, Type: sig.Scalar, Default: def, Doc: doc}
}

// withCheck gives a parameter a check on its values: on a constant, or on every value
// a schedule takes.
func withCheck(p sig.Param, check func(any) string) sig.Param {
	p.Check = check
	return p
}

func boolP(name string, def bool, doc string) sig.Param {
	return sig.Param{Name: name, Type: sig.Bool, Default: def, Doc: doc}
}

func timeP(name string, def any, doc string) sig.Param {
	return sig.Param{Name: name, Type: sig.Time, Default: def, Doc: doc}
}

func enumP(name string, def any, doc string, values ...string) sig.Param {
	return sig.Param{Name: name, Type: sig.Enum, Default: def, Doc: doc, Enum: values}
}

// Checks on constant arguments; each returns "" when the value is fine.

func positive(v any) string {
	if f, ok := v.(float64); ok && f <= 0 {
		return fmt.Sprintf("must be greater than 0, got %g", f)
	}
	return ""
}

func nonNegative(v any) string {
	if f, ok := v.(float64); ok && f < 0 {
		return fmt.Sprintf("must not be negative, got %g", f)
	}
	return ""
}

// unitInterval accepts [0, 1]: a probability threshold, a share, a blend factor.
func unitInterval(v any) string {
	if f, ok := v.(float64); ok && (f < 0 || f > 1) {
		return fmt.Sprintf("must be between 0 and 1, got %g", f)
	}
	return ""
}

// fraction accepts [0, 1).
func fraction(v any) string {
	if f, ok := v.(float64); ok && (f < 0 || f >= 1) {
		return fmt.Sprintf("must be at least 0 and less than 1, got %g", f)
	}
	return ""
}

var (
	start = sig.TimeValue{Amount: 0, Unit: "steps"}
	end   = sig.TimeValue{Unit: "end"}
)
