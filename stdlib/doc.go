// Package stdlib is roux's catalogue: every layer, op, loss, schedule, optimizer, data
// set and metric a recipe can name. Each entry registers itself once, with its signature
// (what the checker validates recipes against) and its implementation (what the runtime
// runs). A Go program that embeds roux can Register its own entries and get the same
// checking as the built-ins.
package stdlib
