package rest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/hivematrix/codex/codex"
)

// The reference page: Redoc (vendored from npm, see docs/README.md) rendering this API's
// OpenAPI document, at /api/docs. The page carries the document itself, so it needs no
// token: the document describes the routes, never data, and is the same for every caller
// (/api/openapi.json, for tools, keeps requiring one like every /api path). Its files are
// served below /api/docs/assets/{version}/ and named relative to the page, so the page
// also works when a proxy serves Codex below a path prefix (the platform's /codex/...).

//go:embed docs
var docsFiles embed.FS

// docsAssetNames are the page's files, served below docsAssets.
var docsAssetNames = []string{"redoc.standalone.js", "codex-docs.js", "codex-docs.css"}

// docsAssets is where, below the page, its files are served.
const docsAssets = "/assets/"

// docsCSP is the page's Content-Security-Policy: scripts from Codex only; Redoc sets
// inline styles (styled-components) and runs its search index in a worker it creates
// from a blob: URL.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; worker-src blob:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// redoclyLogo is the one outside URL in the vendored Redoc; blankImage replaces it.
const (
	redoclyLogo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
	blankImage  = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"
)

// docsAsset is one of the page's files, with its gzipped form and digests.
type docsAsset struct {
	body, gzipped []byte
	contentType   string
	version       string // a digest of body, part of the URL: the file may be cached for good
	integrity     string // subresource integrity (sha384-...)
}

var docsAssetFiles = sync.OnceValue(func() map[string]*docsAsset {
	out := map[string]*docsAsset{}
	for _, name := range docsAssetNames {
		body, err := docsFiles.ReadFile("docs/" + name)
		if err != nil {
			panic("rest: docs file missing from the embedded files: " + err.Error())
		}
		if name == "redoc.standalone.js" {
			// Redoc's "API docs by Redocly" footer loads its logo from Redocly's CDN: the
			// page's CSP refuses it (a console error, and a request to a third party for
			// every reader). The vendored file is kept as npm ships it; the logo becomes
			// a blank inline image here.
			body = bytes.ReplaceAll(body, []byte(redoclyLogo), []byte(blankImage))
		}
		sum, sri := sha256.Sum256(body), sha512.Sum384(body)
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		out[name] = &docsAsset{body: body, gzipped: gz.Bytes(),
			contentType: map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}[path.Ext(name)],
			version:     hex.EncodeToString(sum[:8]),
			integrity:   "sha384-" + base64.StdEncoding.EncodeToString(sri[:])}
	}
	return out
})

var docsPage = template.Must(template.ParseFS(docsFiles, "docs/docs.html"))

// Docs serves the reference page at its mount point (/api/docs) and the page's files
// below it ({mount}/assets/{version}/{name}). The server mounts it without the auth
// middleware.
func (a *API) Docs() http.Handler {
	assets := docsAssetFiles()
	spec, err := json.Marshal(a.Document())
	if err != nil {
		panic("rest: the OpenAPI document: " + err.Error())
	}
	file := func(name string) pageFile {
		f := assets[name]
		// Relative to the page (/api/docs): docs/assets/... resolves below it, whatever
		// prefix a proxy puts before /api.
		return pageFile{URL: "docs" + docsAssets + f.version + "/" + name, Integrity: f.integrity}
	}
	var page bytes.Buffer
	err = docsPage.Execute(&page, struct {
		Spec         template.JS
		Style        string
		Redoc, Start pageFile
	}{template.JS(spec), file("codex-docs.css").URL, file("redoc.standalone.js"), file("codex-docs.js")})
	if err != nil {
		panic("rest: the docs page: " + err.Error())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			a.problem(w, r, httpError(http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed here; allowed: GET, HEAD"))
			return
		}
		if _, file, ok := strings.Cut(r.URL.Path, "/docs"+docsAssets); ok {
			serveDocsAsset(w, r, file)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", docsCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache") // it names its files by version
		h.Set("Content-Length", strconv.Itoa(page.Len()))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			w.Write(page.Bytes())
		}
	})
}

// pageFile is a file the page refers to, with its subresource integrity.
type pageFile struct{ URL, Integrity string }

// serveDocsAsset serves file ({version}/{name}), gzipped when the client accepts it. A
// version other than the current one is not found: a cached URL never names other bytes.
func serveDocsAsset(w http.ResponseWriter, r *http.Request, file string) {
	version, name, _ := strings.Cut(file, "/")
	f := docsAssetFiles()[name]
	if f == nil || version != f.version {
		writeProblem(slog.Default(), w, r, codex.Errorf(codex.NotFound, "no file %s", r.URL.Path))
		return
	}
	body, etag := f.body, `"`+f.version+`"`
	h := w.Header()
	h.Set("Vary", "Accept-Encoding")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		body, etag = f.gzipped, `"`+f.version+`-gzip"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if strings.Contains(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(body)
	}
}
