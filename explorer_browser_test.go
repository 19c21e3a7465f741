package main

import (
	"context"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

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
	// Start the browser first, then collect the page's console errors and uncaught
	// exceptions while the steps run.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, stopConsole := context.WithCancel(ctx)
	defer stopConsole()
	go func() {
		for msg, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if msg.Type == chromedp.ConsoleError || msg.Type == chromedp.ConsoleException {
				mu.Lock()
				problems = append(problems, string(msg.Type)+": "+msg.Text)
				mu.Unlock()
			}
		}
	}()

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("%s in Chromium: %v (page problems: %v)", what, err, problems)
		}
	}
	text := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("%s in Chromium: %v", what, err)
		}
		return v
	}
	step("explorer",
		chromedp.Navigate(srv.URL+"/graphql"),
		chromedp.WaitVisible(chromedp.ID("codex-signin")),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-container")),
	)
	first := text("first screen", chromedp.Text(chromedp.ID("codex-status")))
	step("sign in",
		chromedp.Click(chromedp.ID("codex-signin")),
		chromedp.Poll[chromedp.Void](`document.getElementById('codex-status').textContent.indexOf('Signed in') === 0`),
		// The schema is loaded when the documentation pane can list the root types.
		chromedp.Click(chromedp.CSS(`button[aria-label="Show Documentation Explorer"]`)),
		chromedp.WaitVisible(chromedp.Search(`//a[contains(@class,"graphiql-doc-explorer-type-name") and text()="Query"]`)),
	)
	stored := text("session storage", chromedp.Evaluate[string](`sessionStorage.getItem('codex:token') || ''`))
	// The REST reference page renders its embedded document under its own CSP.
	step("/api/docs",
		chromedp.Navigate(srv.URL+"/api/docs"),
		chromedp.Poll[chromedp.Void](`document.querySelector('.redoc-wrap') !== null && document.body.innerText.indexOf('List companies') >= 0`),
	)
	if !strings.Contains(first, "Sign in") {
		t.Errorf("first screen says %q; want an invitation to sign in", first)
	}
	if !strings.HasPrefix(stored, "eyJ") {
		t.Errorf("sessionStorage token = %q; want the signed-in JWT", stored)
	}
	stopConsole()
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("the page reported %s", p)
	}
}
