package graph

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

// The explorer is GraphiQL with the files it needs vendored under explorer/ (versions,
// origin and checksums in explorer/README.md) and embedded in the binary: the page works
// without internet access, and under a Content-Security-Policy that allows scripts from
// its own origin only.

//go:embed explorer
var explorerFiles embed.FS

// The files the page loads, in order: styles, then scripts (React before GraphiQL, which
// uses it, before the explorer plugin and the start-up script).
var (
	explorerStyles = []string{
		"graphiql/graphiql.min.css",
		"plugin-explorer/style.css",
		"codex-explorer.css",
	}
	explorerScripts = []string{
		"react/react.production.min.js",
		"react-dom/react-dom.production.min.js",
		"graphiql/graphiql.min.js",
		"plugin-explorer/index.umd.js",
		"codex-explorer.js",
	}
)

// ExplorerQuery is the explorer's first document: a Codex query to run once signed in.
const ExplorerQuery = `# Welcome to the Codex GraphQL explorer.
# Sign in (or paste a token) above, then run this query with the ▶ button.
# The Docs and Explorer panes on the left list every type and field.
query Companies {
  companies(first: 10) {
    totalCount
    nodes {
      name
      accountNumber
      contacts(first: 3) {
        nodes { name email }
      }
      assets(first: 3) {
        nodes { name type }
      }
    }
  }
}
`

// explorerCSP is the page's Content-Security-Policy. GraphiQL's components set inline
// styles (CodeMirror's dialogs, the scroll lock of its modals), hence 'unsafe-inline'
// for styles; its fonts are data: URLs inside its stylesheet.
const explorerCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"font-src 'self' data:; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// assetsDir is where, below the endpoint, the page's files are served:
// {endpoint}/assets/{version}/{name}.
const assetsDir = "/assets/"

// explorerAsset is one file the page loads.
type explorerAsset struct {
	name        string
	body        []byte
	gzipped     []byte
	contentType string
	// version is a digest of body and part of the file's URL, so a browser may cache
	// the file for good: other contents get another URL.
	version string
	// integrity is the file's subresource-integrity value (sha384-...).
	integrity string
}

// explorerAssets loads and compresses the page's files, once, on first use.
var explorerAssets = sync.OnceValue(func() map[string]*explorerAsset {
	assets := map[string]*explorerAsset{}
	for _, name := range append(explorerStyles[:len(explorerStyles):len(explorerStyles)], explorerScripts...) {
		body, err := explorerFiles.ReadFile("explorer/" + name)
		if err != nil {
			panic("graph: explorer file missing from the embedded files: " + err.Error())
		}
		sum := sha256.Sum256(body)
		sri := sha512.Sum384(body)
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		assets[name] = &explorerAsset{
			name:        name,
			body:        body,
			gzipped:     gz.Bytes(),
			contentType: contentTypes[path.Ext(name)],
			version:     hex.EncodeToString(sum[:8]),
			integrity:   "sha384-" + base64.StdEncoding.EncodeToString(sri[:]),
		}
	}
	return assets
})

// contentTypes are set explicitly rather than from the system's MIME tables, which vary.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
}

var explorerPage = template.Must(template.ParseFS(explorerFiles, "explorer/explorer.html"))

// pageFile is a file the page refers to.
type pageFile struct {
	URL, Integrity string
}

// ExplorerOptions configures the explorer page.
type ExplorerOptions struct {
	// DevSignIn shows a sign-in button that asks {endpoint}/dev-token for a development
	// token (auth.DevSignIn); the server sets it while the development issuer is on.
	DevSignIn bool
}

// ExplorerHandler serves GraphiQL for the endpoint (such as /graphql), without the
// development sign-in: see NewExplorer.
func ExplorerHandler(endpoint string) http.Handler {
	return NewExplorer(endpoint, ExplorerOptions{})
}

// NewExplorer serves GraphiQL for the endpoint (a path on the same origin, such as
// /graphql): the page at any path but those below {endpoint}/assets/, where it serves the
// page's scripts and styles. The page holds no data: its requests carry the bearer token
// the user signs in for or pastes into its token field (kept for the tab, in
// sessionStorage), so the server may serve it, and its files, without authentication.
// Every URL on the page is relative to it ("graphql/assets/…"), so it works behind a
// proxy that serves Codex below a path prefix and strips it (the platform's /codex/…).
func NewExplorer(endpoint string, opts ExplorerOptions) http.Handler {
	endpoint = strings.TrimRight(endpoint, "/")
	rel := path.Base(endpoint) // the endpoint relative to the page, which is served at it
	if endpoint == "" {
		rel = "."
	}
	assets := explorerAssets()
	data := struct {
		Endpoint, StoragePrefix, Query, DevToken string
		Styles, Scripts                          []pageFile
	}{Endpoint: rel, StoragePrefix: "codex", Query: ExplorerQuery}
	if opts.DevSignIn {
		data.DevToken = rel + "/dev-token"
	}
	for _, name := range explorerStyles {
		a := assets[name]
		data.Styles = append(data.Styles, pageFile{rel + assetsDir + a.version + "/" + name, a.integrity})
	}
	for _, name := range explorerScripts {
		a := assets[name]
		data.Scripts = append(data.Scripts, pageFile{rel + assetsDir + a.version + "/" + name, a.integrity})
	}
	var page bytes.Buffer
	if err := explorerPage.Execute(&page, data); err != nil {
		panic("graph: explorer page: " + err.Error())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if file, ok := strings.CutPrefix(r.URL.Path, endpoint+assetsDir); ok {
			serveExplorerAsset(w, r, file)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", explorerCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		// The page names its files by version: it must be fetched again after an upgrade.
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Length", strconv.Itoa(page.Len()))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			w.Write(page.Bytes())
		}
	})
}

// serveExplorerAsset serves file ({version}/{name}, below the assets directory), gzipped
// when the client accepts it. A file whose version is not the current one is not found:
// a long-cached URL must never name other contents.
func serveExplorerAsset(w http.ResponseWriter, r *http.Request, file string) {
	version, name, _ := strings.Cut(file, "/")
	a := explorerAssets()[name]
	if a == nil || version != a.version {
		http.NotFound(w, r)
		return
	}
	body, etag := a.body, `"`+a.version+`"`
	h := w.Header()
	h.Set("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		body, etag = a.gzipped, `"`+a.version+`-gzip"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(body)
	}
}

// explorerAssetFile returns the {version}/{name} of a request for one of the page's
// files, for a handler mounted at its endpoint and below it.
func explorerAssetFile(r *http.Request) (string, bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return "", false
	}
	_, file, ok := strings.Cut(r.URL.Path, assetsDir)
	if !ok {
		return "", false
	}
	_, name, _ := strings.Cut(file, "/")
	return file, explorerAssets()[name] != nil
}

// acceptsGzip reports whether r's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !ok {
			return true
		}
		v, err := strconv.ParseFloat(q, 64)
		return err == nil && v > 0
	}
	return false
}
