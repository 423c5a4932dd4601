package token

import (
	"strings"
	"testing"
)

func TestErrorListSortsDedupsAndPrints(t *testing.T) {
	src := map[string][]byte{"a.recipe": []byte("recipe \"x\"\n\tdata  train = mnist()\n")}
	var l ErrorList
	l.Add(Pos{File: "a.recipe", Line: 2, Col: 8}, "second")
	l.Add(Pos{File: "a.recipe", Line: 1, Col: 1}, "first")
	e := l.Add(Pos{File: "a.recipe", Line: 2, Col: 8}, "second")
	e.Related = append(e.Related, Related{Pos: Pos{File: "a.recipe", Line: 1, Col: 8}, Msg: "see here"})
	l.RemoveMultiples()
	if len(l) != 2 || l[0].Msg != "first" {
		t.Fatalf("after RemoveMultiples: %v", l)
	}
	want := "a.recipe:1:1: first\n    recipe \"x\"\n    ^\na.recipe:2:8: second\n     data  train = mnist()\n           ^\n"
	if got := l.Print(src); got != want {
		t.Fatalf("Print:\n%q\nwant\n%q", got, want)
	}
	if l.Err() == nil || ErrorList(nil).Err() != nil || !strings.Contains(l.Error(), "(and 1 more errors)") {
		t.Fatalf("Err/Error: %v", l.Error())
	}
}

func TestPrintCapsErrors(t *testing.T) {
	var l ErrorList
	for i := range MaxErrors + 3 {
		l.Add(Pos{File: "f", Line: i + 1, Col: 1}, "e")
	}
	if got := l.Print(nil); !strings.HasSuffix(got, "(3 more errors not shown)\n") || strings.Count(got, "f:") != MaxErrors {
		t.Fatalf("Print:\n%s", got)
	}
}

func TestPosString(t *testing.T) {
	for p, want := range map[Pos]string{{File: "f", Line: 3, Col: 4}: "f:3:4", {File: "f"}: "f", {}: "-"} {
		if p.String() != want {
			t.Errorf("%#v.String() = %q, want %q", p, p.String(), want)
		}
	}
}
