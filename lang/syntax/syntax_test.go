package syntax

import (
	"strings"
	"testing"

	"github.com/roux-ml/roux/lang/token"
)

func TestParseExpr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a+b*c", "a + b * c"},
		{"(a+b)*c", "(a + b) * c"},
		{"a - b - c", "a - b - c"},
		{"a.b * c", "a.b * c"},
		{"net.*.weight", "net.*.weight"},
		{"net.h*", "net.h*"},
		{"warmup(1 epoch)then cosine(0.1->0,until:end)", "warmup(1 epoch) then cosine(0.1 -> 0, until: end)"},
		{"f(a,)", "f(a)"},
		{"[1,2,]", "[1, 2]"},
		{"3 epoch", "3 epochs"},
		{"1 steps", "1 step"},
		{"25 %", "25%"},
		{`"a\tb"`, `"a\tb"`},
		{"- -x", "--x"},
		{"rigl(every: 100 steps)", "rigl(every: 100 steps)"},
		{"  x  # a comment\n", "x"},
		{"100 .x", "100 .x"},
		{"64 .*", "64 .*"},
	}
	for _, tt := range tests {
		x, errs := ParseExpr("expr", []byte(tt.in))
		if len(errs) > 0 {
			t.Errorf("ParseExpr(%q): %v", tt.in, errs)
			continue
		}
		if got := FormatExpr(x); got != tt.want {
			t.Errorf("FormatExpr(ParseExpr(%q)) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseExprNodes(t *testing.T) {
	x, _ := ParseExpr("e", []byte("a.b*c"))
	if s, ok := x.(*Select); !ok || s.Sel.Name != "b*c" {
		t.Errorf(`"a.b*c" (no spaces) should be a glob selector, got %s`, dumpExpr(x, false))
	}
	x, _ = ParseExpr("e", []byte("2.5 epochs"))
	if tm, ok := x.(*Time); !ok || tm.Amount != 2.5 || tm.Unit != "epochs" || tm.Text != "2.5" {
		t.Errorf("2.5 epochs: got %s", dumpExpr(x, false))
	}
	x, _ = ParseExpr("e", []byte("end"))
	if tm, ok := x.(*Time); !ok || tm.Unit != "end" {
		t.Errorf("end: got %s", dumpExpr(x, false))
	}
	x, _ = ParseExpr("e", []byte("\n  (x)"))
	if p, ok := x.(*Paren); !ok || p.Pos() != (token.Pos{File: "e", Offset: 3, Line: 2, Col: 3}) {
		t.Errorf("(x): got %s", dumpExpr(x, true))
	}
}

func TestParseExprErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "e:1:1: expected an expression, found end of file"},
		{"a b", `e:1:3: expected an operator or the end of the expression after "a", found "b"`},
		{"1 +", `e:1:4: expected an expression after "+", found end of file`},
		{"f(1", `e:1:2: unclosed "(": expected ")" before end of file`},
		{"x = 1", `e:1:3: expected an operator or the end of the expression after "x", found "="`},
		{"1e", `e:1:1: invalid number "1e": an exponent needs digits, as in 1e-3`},
		{"a ) b", `e:1:3: unexpected ")"`},
	}
	for _, tt := range tests {
		_, errs := ParseExpr("e", []byte(tt.in))
		if got := formatErrors(errs); got != tt.want+"\n" {
			t.Errorf("ParseExpr(%q) errors:\n%s\nwant:\n%s", tt.in, got, tt.want)
		}
	}
}

// TestRecovery checks that the declarations around broken ones are still returned.
func TestRecovery(t *testing.T) {
	src := `recipe "r"

data train mnist(split: "train")

model net {
    h1 = dense(x, 3

data test = mnist(split: "test")

loss = a + * b

optimizer = sgd(lr: 0.1)
`
	f, errs := Parse("r.roux", []byte(src))
	if f == nil || f.Title != "r" {
		t.Fatalf("Parse returned %+v", f)
	}
	if len(errs) != 4 {
		t.Errorf("want 4 errors, got:\n%s", formatErrors(errs))
	}
	var kws []string
	for _, d := range f.Decls {
		kws = append(kws, d.Keyword)
	}
	if got, want := strings.Join(kws, " "), "model data optimizer"; got != want {
		t.Errorf("recovered declarations %q, want %q", got, want)
	}
	for i := 1; i < len(errs); i++ {
		if errs[i].Pos.Before(errs[i-1].Pos) {
			t.Errorf("errors not sorted:\n%s", formatErrors(errs))
		}
	}
}

// TestFormatHandBuilt prints trees built without positions, as a program rewriting a
// recipe would, adding the parentheses its structure needs.
func TestFormatHandBuilt(t *testing.T) {
	id := func(s string) *Ident { return &Ident{Name: s} }
	sum := &Binary{Op: "+", X: id("a"), Y: id("b")}
	tests := []struct {
		e    Expr
		want string
	}{
		{&Binary{Op: "*", X: sum, Y: id("c")}, "(a + b) * c"},
		{&Binary{Op: "-", X: id("a"), Y: &Binary{Op: "-", X: id("b"), Y: id("c")}}, "a - (b - c)"},
		{&Unary{Op: "-", X: sum}, "-(a + b)"},
		{&Select{X: sum, Sel: id("x")}, "(a + b).x"},
		{&Call{Fun: id("f"), Args: []*Arg{{Value: sum}, {Name: id("k"), Value: &Number{Value: 0.5}}}}, "f(a + b, k: 0.5)"},
		{&Time{Amount: 1, Unit: "epochs"}, "1 epoch"},
		{&Time{Amount: 30, Unit: "%"}, "30%"},
		{&String{Value: "a\"b"}, `"a\"b"`},
		{&List{Elems: []Expr{&Bool{Value: true}, id("x")}}, "[true, x]"},
	}
	for _, tt := range tests {
		if got := FormatExpr(tt.e); got != tt.want {
			t.Errorf("FormatExpr = %q, want %q", got, tt.want)
		}
	}
	f := &File{Title: "t", Decls: []*Decl{
		{Keyword: "data", Name: id("train"), Value: &Call{Fun: id("mnist")}},
		{Keyword: "data", Name: id("test"), Value: &Call{Fun: id("mnist")}},
		{Keyword: "train", HasBody: true, Body: []Stmt{
			&Assign{Name: id("epochs"), Value: &Number{Value: 20}},
			&Assign{Name: id("lr"), Value: &Number{Value: 0.1}},
		}},
	}}
	want := `recipe "t"

data train = mnist()
data test  = mnist()

train {
    epochs = 20
    lr     = 0.1
}
`
	if got := string(Format(f)); got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatMissingTitle(t *testing.T) {
	f, errs := Parse("x", []byte("data a = b\n"))
	if len(errs) != 1 || len(f.Decls) != 1 || f.TitlePos.IsValid() {
		t.Fatalf("got %d errors, %d decls, title at %v", len(errs), len(f.Decls), f.TitlePos)
	}
	if got, want := string(Format(f)), "recipe \"\"\n\ndata a = b\n"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}

// TestRecoverBody checks that a body with broken statements keeps its good ones.
func TestRecoverBody(t *testing.T) {
	src := `recipe "r"
model net {
    h1 = dense(input(784) 300)
    h2 = dense(h1, 100) |> relu
    h3 = dense(h2, , 3)
    out = dense(h2, 10)
}
loss = cross_entropy(net(x), y)
`
	f, errs := Parse("r.roux", []byte(src))
	if len(errs) != 2 {
		t.Errorf("want 2 errors, got:\n%s", formatErrors(errs))
	}
	if len(f.Decls) != 2 || f.Decls[0].Keyword != "model" || !f.Decls[0].HasBody || f.Decls[0].Rbrace.Line != 7 {
		t.Fatalf("got declarations:\n%s", dump(f, true))
	}
	var names []string
	for _, s := range f.Decls[0].Body {
		names = append(names, s.(*Assign).Name.Name)
	}
	if got, want := strings.Join(names, " "), "h2 out"; got != want {
		t.Errorf("kept statements %q, want %q", got, want)
	}
}

func TestCRLF(t *testing.T) {
	src := "recipe \"x\"\r\n# note\r\ndata train = mnist() # train\r\ntrain {\r\n    epochs = 20\r\n}\r\n"
	f, errs := Parse("x", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := "recipe \"x\"\n\n# note\ndata train = mnist() # train\n\ntrain {\n    epochs = 20\n}\n"
	if got := string(Format(f)); got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}
