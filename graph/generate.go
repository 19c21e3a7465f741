package graph

// gqlgen finds ../gqlgen.yml (it looks upward from here) and writes graph/generated and
// graph/model/models_gen.go.
//go:generate go run github.com/99designs/gqlgen generate
