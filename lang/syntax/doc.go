// Package syntax parses recipe text into a position-carrying AST and prints the
// canonical form back (roux fmt). It is the only package that imports participle;
// participle's positions are converted to token.Pos here and nowhere else.
//
// # Grammar
//
// Whitespace, newlines and "# comments" are insignificant; statements have no
// separators.
//
//	File    = "recipe" String Decl* .
//	Decl    = Ident [Ident] ["on" Expr] ("=" Expr | "{" Stmt* "}") .
//	Stmt    = Ident "=" Expr                                         (Assign)
//	        | Ident Expr {"," Expr} ["every" Expr] [":" Expr {"," Expr}] .  (Command)
//	Expr    = Pipe {"then" Pipe} .
//	Pipe    = Arrow {"|>" Arrow} .
//	Arrow   = Sum {"->" Sum} .
//	Sum     = Product {("+" | "-") Product} .
//	Product = Unary {("*" | "/") Unary} .
//	Unary   = {"-"} Postfix .
//	Postfix = Primary {Call | "." Ident | Glob} .
//	Call    = "(" [Arg {"," Arg} [","]] ")" .
//	Arg     = [(Ident | "every" | "on" | "then") ":"] Expr .
//	Primary = Number [Unit | "%"] | String | "true" | "false" | "end" | Ident
//	        | "(" Expr ")" | "[" [Expr {"," Expr} [","]] "]" .
//	Unit    = "steps" | "step" | "epochs" | "epoch" .
//
// The keywords recipe, on, then, every, true, false and end cannot be names. The unit
// words are ordinary names that read as a unit only right after a number and when no
// "=" follows them, so "epochs = 20" is an assignment and "batch = 3 steps = 4" two.
// A Glob is a dot followed by a path segment holding a star, written without spaces:
// net.*.weight, net.h*.weight, net.*; "a.b * c" with spaces is a multiplication.
//
// # Errors
//
// Parse reports every mistake it can in one pass, each at its position and in words
// that do not require knowing the grammar. Malformed tokens (an unterminated string, a
// stray character, a number like 1e) are reported by the scanner and do not stop the
// parse. When a declaration is broken, the parser recovers at the next declaration: it
// splits the recipe at names that start a line outside brackets (or in the first
// column), parses each piece on its own, and reports the first error of each. Inside a
// broken body it does the same with statements, and keeps the declaration with the
// statements that parse.
package syntax
