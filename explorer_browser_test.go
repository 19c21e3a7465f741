package main

import (
	"context"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/hivematrix/codex/store/storetest"
)

// TestExplorerInABrowser opens the explorer in headless Chromium, when one is installed:
// the first screen asks for a sign-in (no schema request, no error), the development
// sign-in loads the schema under the page's Content-Security-Policy, and the token
// lives in the tab's sessionStorage. Then it opens the REST reference page (/api/docs).
func TestExplorerInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no Chromium installed")
	}
	s, err := buildServer(context.Background(), testConfig(t), discardLog(), storetest.Open(t, "sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.handler)
	defer srv.Close()

	alloc, cancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.Flag("disable-gpu", true))...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	var mu sync.Mutex
	var problems []string
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text+" "+exceptionText(ev.ExceptionDetails))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
				}
				problems = append(problems, "console error: "+strings.Join(parts, " "))
			}
		}
	})

	var first, after, stored string
	err = chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/graphql"),
		chromedp.WaitVisible("#codex-signin", chromedp.ByID),
		chromedp.WaitVisible(".graphiql-container", chromedp.ByQuery),
		chromedp.Text("#codex-status", &first, chromedp.ByID),
		chromedp.Click("#codex-signin", chromedp.ByID),
		chromedp.Poll(`document.getElementById('codex-status').textContent.indexOf('Signed in') === 0`, nil),
		// The schema is loaded when the documentation pane can list the root types.
		chromedp.Click(`button[aria-label="Show Documentation Explorer"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//a[contains(@class,"graphiql-doc-explorer-type-name") and text()="Query"]`, chromedp.BySearch),
		chromedp.Text("#codex-status", &after, chromedp.ByID),
		chromedp.Evaluate(`sessionStorage.getItem('codex:token') || ''`, &stored),
	)
	if err != nil {
		mu.Lock()
		t.Fatalf("explorer in Chromium: %v (page problems: %v)", err, problems)
	}
	// The REST reference page renders its embedded document under its own CSP.
	err = chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/api/docs"),
		chromedp.Poll(`document.querySelector('.redoc-wrap') !== null && document.body.innerText.indexOf('List companies') >= 0`, nil),
	)
	if err != nil {
		mu.Lock()
		t.Fatalf("/api/docs in Chromium: %v (page problems: %v)", err, problems)
	}
	if !strings.Contains(first, "Sign in") {
		t.Errorf("first screen says %q; want an invitation to sign in", first)
	}
	if !strings.HasPrefix(stored, "eyJ") {
		t.Errorf("sessionStorage token = %q; want the signed-in JWT", stored)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("the page reported %s", p)
	}
}

// exceptionText is the description of a thrown exception, if it has one.
func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}
