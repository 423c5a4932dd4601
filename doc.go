// Package roux is the embedding API: load a recipe, check it, and run it as a session
// that can be stepped, trained, evaluated and inspected from Go.
//
//	r, err := roux.Load("recipes/mnist_mlp.recipe")
//	s, err := roux.NewSession(r, roux.Options{})
//	err = s.Train(ctx, roux.Hooks{})
//
// Lowering a checked recipe into tensor graphs happens here, where the language (lang/)
// and the runtime (runtime/) meet, so that neither needs to import the other.
package roux
