package check

import (
	"fmt"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/lang/token"
)

// kindT is the checker's classification of an expression.
type kindT int

const (
	tBad    kindT = iota // an error has been reported already
	tNumber              // a constant number
	tScalar              // a schedule: a scalar that changes over training time
	tTensor
	tLabels
	tString
	tBool
	tTime
	tRange
	tList
	tEntry // a call of a data set or optimizer entry, usable only as a whole declaration
)

// typ is an expression's type; shape and classes are set for tensors and labels.
type typ struct {
	k       kindT
	shape   sig.Shape
	classes int
}

var bad = typ{k: tBad}

func (t typ) String() string {
	switch t.k {
	case tTensor:
		if len(t.shape) == 0 {
			return "scalar tensor"
		}
		return "tensor of shape " + t.shape.String()
	case tLabels:
		return fmt.Sprintf("set of labels (%d classes)", t.classes)
	}
	return map[kindT]string{tNumber: "number", tScalar: "schedule", tString: "string", tBool: "boolean",
		tTime: "time", tRange: "range", tList: "list", tEntry: "declaration value", tBad: "invalid value"}[t.k]
}

// ctx is where an expression appears, which decides what it may use.
type ctx struct {
	where   string // "data", "model", "schedule", "loss", "optimizer", "train"
	model   *Model
	stmts   map[string]*stmtState
	order   []*stmtState
	stmt    *stmtState // the statement being checked
	chain   []string   // statements being resolved, for cycle messages
	streams []streamUse
	draws   int // augmentations applied so far in the loss

	// inside a block instance: the statements' name prefix (r1.), the parameters' values,
	// the model's context, and the blocks being instantiated (for cycles)
	prefix    string
	params    map[string]float64
	outer     *ctx
	blocks    []string
	instances map[string]bool // in the model's context: the instance prefixes in use
}

// streamUse is a data set the loss reads and where.
type streamUse struct {
	data *Data
	at   token.Pos
}

func (cx *ctx) useStream(d *Data, at token.Pos) {
	for _, s := range cx.streams {
		if s.data == d {
			return
		}
	}
	cx.streams = append(cx.streams, streamUse{d, at})
}
