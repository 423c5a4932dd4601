package syntax_test

import (
	"fmt"

	"github.com/roux-ml/roux/lang/syntax"
)

func ExampleParse() {
	src := []byte(`recipe "demo"
data train mnist(split: "train")
optimizer = sgd(lr: 0.1)
loss = cross_entropy(net(train.x), train.y) + * 2
`)
	f, errs := syntax.Parse("demo.roux", src)
	fmt.Print(errs.Print(map[string][]byte{"demo.roux": src}))
	fmt.Println(len(f.Decls), "declarations recovered")
	// Output:
	// demo.roux:2:12: expected "=" or "{" after "data train", found "mnist"
	//     data train mnist(split: "train")
	//                ^
	// demo.roux:4:47: expected an expression after "+", found "*"
	//     loss = cross_entropy(net(train.x), train.y) + * 2
	//                                                   ^
	// 1 declarations recovered
}

func ExampleFormat() {
	f, _ := syntax.Parse("demo.roux", []byte(`recipe "demo"
model net { h1 = dense(input(784),300)|>relu   # hidden
out = dense(h1,10) }
train{epochs=20 batch=128 eval test every 1 epoch:accuracy}`))
	fmt.Print(string(syntax.Format(f)))
	// Output:
	// recipe "demo"
	//
	// model net {
	//     h1  = dense(input(784), 300) |> relu # hidden
	//     out = dense(h1, 10)
	// }
	//
	// train {
	//     epochs = 20
	//     batch  = 128
	//     eval test every 1 epoch: accuracy
	// }
}

func ExampleParseExpr() {
	e, _ := syntax.ParseExpr("--set", []byte("warmup(1 epoch)then cosine(0.1->0,until:end)"))
	fmt.Println(syntax.FormatExpr(e))
	// Output:
	// warmup(1 epoch) then cosine(0.1 -> 0, until: end)
}
