//go:build tools

package graph

// The code generator is a dependency of the module, so that `go generate ./graph` (which
// runs `go run github.com/99designs/gqlgen`) keeps working after `go mod tidy`.
import _ "github.com/99designs/gqlgen"
