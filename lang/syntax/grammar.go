package syntax

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The grammar, as participle structs. They never leave this package: convert.go turns
// them into the AST of ast.go. The grammar is LL(1) (UseLookahead(0)): once the first
// token of an alternative has matched, the parser commits to it, so that an error is
// reported where the input goes wrong rather than where backtracking gave up.

// gFile is the part of a recipe after its title; the title is read by hand (parse.go)
// so that a missing title does not hide the declarations.
type gFile struct {
	Decls []*gDecl `parser:"@@*"`
}

type gDecl struct {
	Head  gHead  `parser:"@@"`
	Value *gExpr `parser:"( '=' @@"`
	Body  *gBody `parser:"| @@ )"`
}

// gHead is "KEYWORD [NAME [(PARAM, ...)]] [on EXPR]"; recovery parses it alone.
type gHead struct {
	Keyword gIdent   `parser:"@@"`
	Name    *gIdent  `parser:"( @@"`
	Params  *gParams `parser:"  @@? )?"`
	On      *gExpr   `parser:"( 'on' @@ )?"`
}

// gParams are a block's parameter names.
type gParams struct {
	Names []*gIdent `parser:"'(' ( @@ ( ',' @@ )* )? ')'"`
}

type gIdent struct {
	Pos  lexer.Position
	Name string `parser:"@Ident"`
}

type gBody struct {
	Stmts  []*gStmt    `parser:"'{' @@*"`
	Rbrace lexer.Token `parser:"@'}'"`
}

// gStmts is a run of statements; recovery parses the statements of a broken body.
type gStmts struct {
	Stmts []*gStmt `parser:"@@*"`
}

type gStmt struct {
	Name   gIdent     `parser:"@@"`
	Assign *gExpr     `parser:"( '=' @@"`
	Call   *gCallStmt `parser:"| @@"`
	Cmd    *gCommand  `parser:"| @@ )"`
}

// gCallStmt is the rest of "NAME(args) [{ STMT... }]", a procedure step.
type gCallStmt struct {
	Call *gCall `parser:"@@"`
	Body *gBody `parser:"@@?"`
}

type gCommand struct {
	Args  []*gExpr `parser:"@@ ( ',' @@ )*"`
	Every *gExpr   `parser:"( 'every' @@ )?"`
	Items []*gExpr `parser:"( ':' @@ ( ',' @@ )* )?"`
}

// gExpr is the lowest precedence level: X then Y. Each level is a left operand and a
// list of (operator, right operand); convert folds the list to the left.
type gExpr struct {
	X    *gPipe     `parser:"@@"`
	Rest []*gThenOp `parser:"@@*"`
}

type gThenOp struct {
	Op lexer.Token `parser:"@'then'"`
	Y  *gPipe      `parser:"@@"`
}

type gPipe struct {
	X    *gArrow    `parser:"@@"`
	Rest []*gPipeOp `parser:"@@*"`
}

type gPipeOp struct {
	Op lexer.Token `parser:"@'|>'"`
	Y  *gArrow     `parser:"@@"`
}

type gArrow struct {
	X    *gSum       `parser:"@@"`
	Rest []*gArrowOp `parser:"@@*"`
}

type gArrowOp struct {
	Op lexer.Token `parser:"@'->'"`
	Y  *gSum       `parser:"@@"`
}

type gSum struct {
	X    *gProduct `parser:"@@"`
	Rest []*gSumOp `parser:"@@*"`
}

type gSumOp struct {
	Op lexer.Token `parser:"@( '+' | '-' )"`
	Y  *gProduct   `parser:"@@"`
}

type gProduct struct {
	X    *gUnary       `parser:"@@"`
	Rest []*gProductOp `parser:"@@*"`
}

type gProductOp struct {
	Op lexer.Token `parser:"@( '*' | '/' )"`
	Y  *gUnary     `parser:"@@"`
}

// gUnary is a run of minus signs: a list, not a recursion, so "- - - x" cannot grow
// the stack.
type gUnary struct {
	Neg []*gMinus `parser:"@@*"`
	X   *gPostfix `parser:"@@"`
}

// gMinus is one unary minus. (Captured through a struct: participle keeps only the last
// token of a repeated capture into []lexer.Token.)
type gMinus struct {
	Op lexer.Token `parser:"@'-'"`
}

type gPostfix struct {
	X   *gPrimary  `parser:"@@"`
	Ops []*gSuffix `parser:"@@*"`
}

type gSuffix struct {
	Call *gCall      `parser:"  @@"`
	Sel  lexer.Token `parser:"| ( @Glob | '.' @Ident )"`
}

// gCall allows a trailing comma: the negative lookahead stops the argument loop
// before a "," that is followed by ")".
type gCall struct {
	Lparen lexer.Token `parser:"@'('"`
	Args   []*gArg     `parser:"( @@ ( (?! ',' ')' ) ',' @@ )* ','? )?"`
	Rparen lexer.Token `parser:"@')'"`
}

// gArg is "EXPR" or "NAME: EXPR". The name is parsed as an expression to keep the
// grammar LL(1), and convert checks that it is a plain name. The keywords that cannot
// start an expression may name an argument too, as in rigl(every: 100 steps).
type gArg struct {
	Keyword *gKeywordArg `parser:"  @@"`
	X       *gExpr       `parser:"| @@"`
	Value   *gExpr       `parser:"  ( ':' @@ )?"`
}

type gKeywordArg struct {
	Pos   lexer.Position
	Name  string `parser:"@( 'every' | 'on' | 'then' ) ':'"`
	Value *gExpr `parser:"@@"`
}

type gPrimary struct {
	Pos    lexer.Position
	Number *gNumber `parser:"  @@"`
	String *string  `parser:"| @String"`
	Bool   *string  `parser:"| @( 'true' | 'false' )"`
	End    bool     `parser:"| @'end'"`
	Ident  *string  `parser:"| @Ident"`
	Paren  *gExpr   `parser:"| '(' @@ ')'"`
	List   *gList   `parser:"| @@"`
}

// gNumber is a number with an optional unit. A unit word followed by "=" is the next
// statement ("batch = 128 steps = 1000"), not a unit.
type gNumber struct {
	Text string `parser:"@Number"`
	Unit string `parser:"( (?! Ident '=' ) @( 'steps' | 'step' | 'epochs' | 'epoch' ) | @'%' )?"`
}

type gList struct {
	Elems []*gExpr `parser:"'[' ( @@ ( (?! ',' ']' ) ',' @@ )* ','? )? ']'"`
}

// Parsers, built once.
var (
	fileParser  = participle.MustBuild[gFile](parserOptions...)
	exprParser  = participle.MustBuild[gExpr](parserOptions...)
	headParser  = participle.MustBuild[gHead](parserOptions...)
	stmtsParser = participle.MustBuild[gStmts](parserOptions...)
)

var parserOptions = []participle.Option{
	participle.Lexer(lexDef),
	participle.Elide("Comment", "Whitespace"),
	participle.UseLookahead(0),
}
