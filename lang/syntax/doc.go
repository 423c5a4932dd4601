// Package syntax parses recipe text into a position-carrying AST and prints the
// canonical form back (roux fmt). It is the only package that imports participle;
// participle's positions are converted to token.Pos here and nowhere else.
package syntax
