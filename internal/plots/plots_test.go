package plots

import "flag"

var keep = flag.Bool("keep", false, "keep the pictures the tests draw, to look at them")
