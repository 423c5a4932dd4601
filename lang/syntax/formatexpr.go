package syntax

import (
	"strconv"
	"strings"
)

// Operator precedence, lowest first. Postfix covers calls, selections and primaries.
const (
	precThen = iota + 1
	precPipe
	precArrow
	precSum
	precProduct
	precUnary
	precPostfix
)

// binaryPrec is the precedence of a binary operator.
func binaryPrec(op string) int {
	switch op {
	case "then":
		return precThen
	case "|>":
		return precPipe
	case "->":
		return precArrow
	case "+", "-":
		return precSum
	}
	return precProduct
}

// exprPrec is the precedence of an expression as an operand.
func exprPrec(e Expr) int {
	switch e := e.(type) {
	case *Binary:
		return binaryPrec(e.Op)
	case *Unary:
		return precUnary
	}
	return precPostfix
}

// FormatExpr prints one expression canonically: single spaces around binary operators,
// "name: value" arguments, ", " separators, numbers and time amounts as written in the
// source, strings re-quoted. Parentheses are printed where the source had them, and
// added only where a hand-built tree needs them to keep its meaning.
func FormatExpr(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e, 0)
	return b.String()
}

// writeExpr prints e, in parentheses if it binds more loosely than prec.
func writeExpr(b *strings.Builder, e Expr, prec int) {
	if e == nil {
		return
	}
	if exprPrec(e) < prec {
		b.WriteByte('(')
		defer b.WriteByte(')')
	}
	switch e := e.(type) {
	case *Binary:
		writeChain(b, e)
	case *Unary:
		b.WriteString(e.Op)
		writeExpr(b, e.X, precUnary)
	default:
		writeOperand(b, e)
	}
}

// writeChain prints a left-associative chain "a + b - c" by walking its left spine in
// a loop, so that a long chain does not cost one stack frame per operand.
func writeChain(b *strings.Builder, e *Binary) {
	prec := binaryPrec(e.Op)
	spine := leftSpine(e)
	writeExpr(b, spine[len(spine)-1].X, prec)
	for i := len(spine) - 1; i >= 0; i-- {
		b.WriteString(" " + spine[i].Op + " ")
		writeExpr(b, spine[i].Y, prec+1)
	}
}

// leftSpine returns e and the binary operations of e's precedence down its left side,
// outermost first.
func leftSpine(e *Binary) []*Binary {
	spine := []*Binary{e}
	for {
		x, ok := spine[len(spine)-1].X.(*Binary)
		if !ok || binaryPrec(x.Op) != binaryPrec(e.Op) {
			return spine
		}
		spine = append(spine, x)
	}
}

// writeOperand prints an expression that binds as tightly as a call.
func writeOperand(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *Call:
		writeExpr(b, e.Fun, precPostfix)
		b.WriteByte('(')
		writeArgs(b, e.Args)
		b.WriteByte(')')
	case *Select:
		writeExpr(b, e.X, precPostfix)
		if _, ok := e.X.(*Number); ok {
			b.WriteByte(' ') // "100.x" would read as one malformed number
		}
		b.WriteString("." + e.Sel.Name)
	case *Paren:
		b.WriteByte('(')
		writeExpr(b, e.X, 0)
		b.WriteByte(')')
	case *List:
		b.WriteByte('[')
		writeList(b, e.Elems)
		b.WriteByte(']')
	default:
		b.WriteString(literal(e))
	}
}

// literal prints a leaf expression.
func literal(e Expr) string {
	switch e := e.(type) {
	case *Ident:
		return e.Name
	case *Number:
		return amount(e.Text, e.Value)
	case *String:
		return quote(e.Value)
	case *Bool:
		return strconv.FormatBool(e.Value)
	case *Time:
		return formatTime(e)
	}
	return ""
}

// formatTime prints "100 steps", "1 epoch", "25%" or "end".
func formatTime(t *Time) string {
	n := amount(t.Text, t.Amount)
	switch t.Unit {
	case "end":
		return "end"
	case "%":
		return n + "%"
	}
	unit := t.Unit
	if t.Amount == 1 {
		unit = strings.TrimSuffix(unit, "s")
	}
	return n + " " + unit
}

// amount prints a number as written in the source, or from its value if it has no text.
func amount(text string, v float64) string {
	if text != "" {
		return text
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// quote prints a string literal.
func quote(s string) string { return strconv.Quote(s) }

func writeArgs(b *strings.Builder, args []*Arg) {
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		if a.Name != nil {
			b.WriteString(a.Name.Name + ": ")
		}
		writeExpr(b, a.Value, 0)
	}
}

func writeList(b *strings.Builder, es []Expr) {
	for i, e := range es {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, e, 0)
	}
}
