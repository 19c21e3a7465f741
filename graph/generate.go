package graph

// gqlgen finds ../gqlgen.yml (it looks upward from here) and writes graph/generated and
// graph/model/models_gen.go; inlinelists then makes the generated list marshallers run
// their elements in order rather than on a goroutine each (see its doc comment).
//go:generate go run github.com/99designs/gqlgen generate
//go:generate go run ./internal/inlinelists generated/generated.go
