module github.com/roux-ml/roux

go 1.26.8

require (
	github.com/alecthomas/participle/v2 v2.1.4
	github.com/chzyer/readline v1.5.1
	github.com/mattn/go-isatty v0.0.24
	golang.org/x/tools v0.52.0
	gonum.org/v1/gonum v0.17.0
)

require golang.org/x/sys v0.49.0
