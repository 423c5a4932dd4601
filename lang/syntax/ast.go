package syntax

import "github.com/roux-ml/roux/lang/token"

// File is one parsed recipe.
type File struct {
	Name     string
	TitlePos token.Pos // position of the "recipe" keyword; invalid when the title is missing
	Title    string
	Decls    []*Decl
	Comments []*Comment // every comment in source order, kept for Format
}

// Comment is one "# ..." comment; Text includes the leading '#'.
type Comment struct {
	Pos  token.Pos
	Text string
}

// Decl is a top-level declaration. Every declaration has the same shape,
//
//	KEYWORD [NAME] ["on" EXPR] ( "=" EXPR | "{" STMT* "}" )
//
// so that new kinds of declaration (mask, augment, phase, ...) need no new grammar;
// the checker decides which keywords exist and which parts each one takes.
type Decl struct {
	KeywordPos token.Pos
	Keyword    string   // "data", "model", "schedule", "loss", "optimizer", "train", "mask", "augment", "block", ...
	Name       *Ident   // nil when absent (loss, optimizer, train)
	Params     []*Ident // a block's parameters, block res(ch) { ... }; nil when absent
	HasParams  bool     // the name was followed by parentheses, even empty ones
	On         Expr     // the selector after "on"; nil when absent
	Value      Expr     // the expression after "="; nil for a body form
	Body       []Stmt   // statements inside braces; nil for an "=" form
	HasBody    bool     // true for the brace form, even when the body is empty
	Rbrace     token.Pos
}

// Pos is the position of the declaration's keyword.
func (d *Decl) Pos() token.Pos { return d.KeywordPos }

// Stmt is a statement inside a declaration body: an *Assign or a *Command.
type Stmt interface {
	Pos() token.Pos
	stmtNode()
}

// Assign is "NAME = EXPR" inside a body.
type Assign struct {
	Name  *Ident
	Value Expr
}

// Command is "NAME ARG, ARG... [every EXPR] [: ITEM, ITEM...]" inside a body, for example
// "eval test every 1 epoch: accuracy, loss". It has at least one Arg.
type Command struct {
	Name  *Ident
	Args  []Expr
	Every Expr // nil when absent
	Items []Expr
}

func (s *Assign) Pos() token.Pos  { return s.Name.NamePos }
func (s *Command) Pos() token.Pos { return s.Name.NamePos }
func (*Assign) stmtNode()         {}
func (*Command) stmtNode()        {}

// Expr is an expression node.
type Expr interface {
	Pos() token.Pos
	exprNode()
}

// Ident is a name. In a Select, Name may hold glob stars ("*", "h*").
// The words true, false and end are not Idents: see Bool and Time.
type Ident struct {
	NamePos token.Pos
	Name    string
}

// Number is a numeric literal; Text is its source spelling (kept for Format).
type Number struct {
	ValuePos token.Pos
	Value    float64
	Text     string
}

// String is a double-quoted string literal with escapes resolved.
type String struct {
	ValuePos token.Pos
	Value    string
}

// Bool is true or false.
type Bool struct {
	ValuePos token.Pos
	Value    bool
}

// Time is a point or span of training time: "100 steps", "3 epochs", "25%", or "end".
// Unit is one of "steps", "epochs", "%", "end" (singular spellings are normalised to
// these); Amount and Text are zero for "end".
type Time struct {
	ValuePos token.Pos
	Amount   float64
	Text     string // source spelling of the amount, e.g. "2.5"
	Unit     string
}

// Unary is "-X".
type Unary struct {
	OpPos token.Pos
	Op    string
	X     Expr
}

// Binary is "X op Y" with Op one of "+", "-", "*", "/", "|>", "->", "then".
type Binary struct {
	OpPos token.Pos
	Op    string
	X, Y  Expr
}

// Call is "Fun(args)"; named arguments are "name: value".
type Call struct {
	Fun    Expr
	Lparen token.Pos
	Args   []*Arg
	Rparen token.Pos
}

// Arg is one call argument; Name is nil for a positional argument.
type Arg struct {
	Name  *Ident
	Value Expr
}

// Select is "X.Sel", used for data fields (train.x), parameter paths (net.h1.weight)
// and selectors with globs (net.*.weight).
type Select struct {
	X   Expr
	Sel *Ident
}

// Paren is "(X)", kept so that Format reproduces the user's grouping.
type Paren struct {
	Lparen token.Pos
	X      Expr
}

// List is "[a, b, ...]".
type List struct {
	Lbrack token.Pos
	Elems  []Expr
}

func (e *Ident) Pos() token.Pos  { return e.NamePos }
func (e *Number) Pos() token.Pos { return e.ValuePos }
func (e *String) Pos() token.Pos { return e.ValuePos }
func (e *Bool) Pos() token.Pos   { return e.ValuePos }
func (e *Time) Pos() token.Pos   { return e.ValuePos }
func (e *Unary) Pos() token.Pos  { return e.OpPos }
func (e *Binary) Pos() token.Pos { return e.X.Pos() }
func (e *Call) Pos() token.Pos   { return e.Fun.Pos() }
func (e *Select) Pos() token.Pos { return e.X.Pos() }
func (e *Paren) Pos() token.Pos  { return e.Lparen }
func (e *List) Pos() token.Pos   { return e.Lbrack }

func (*Ident) exprNode()  {}
func (*Number) exprNode() {}
func (*String) exprNode() {}
func (*Bool) exprNode()   {}
func (*Time) exprNode()   {}
func (*Unary) exprNode()  {}
func (*Binary) exprNode() {}
func (*Call) exprNode()   {}
func (*Select) exprNode() {}
func (*Paren) exprNode()  {}
func (*List) exprNode()   {}

// CallStmt is "NAME(args) [{ STMT... }]" inside a body: a step of a procedure, such as
// train(5 epochs) or repeat(3) { ... }.
type CallStmt struct {
	Call    *Call
	Body    []Stmt
	HasBody bool
	Rbrace  token.Pos
}

// Pos is the position of the statement's name.
func (s *CallStmt) Pos() token.Pos { return s.Call.Pos() }
func (*CallStmt) stmtNode()        {}
