module github.com/roux-ml/roux

go 1.26.8

require (
	github.com/alecthomas/participle/v2 v2.1.4 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	golang.org/x/sys v0.28.0 // indirect
	gonum.org/v1/gonum v0.17.0 // indirect
)
