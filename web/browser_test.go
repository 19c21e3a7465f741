package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store/storetest"
)

// chromium returns the headless browser's path; without one the browser tests skip
// with a loud message, or fail under CI=true (.ci/run installs Debian's chromium).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH: the browser tests need it under CI=true (apt-get install chromium)")
	}
	t.Skip("SKIPPING BROWSER TESTS: no chromium on PATH (apt-get install chromium)")
	return ""
}

// screenshotDir is where the browser test leaves its screenshots (git-ignored).
const screenshotDir = "testdata/screenshots"

// The everyday operation, in a real browser: sign in, add a company under a parent,
// add a contact and make it the primary one, add an asset and two network devices,
// connect them, see them on the topology picture, save a stale form and get the
// conflict, switch to the dark theme, add a subnet and see who uses its addresses, and
// disconnect the two devices.
func TestBrowserEverydayOperation(t *testing.T) {
	exe := chromium(t)
	f := newFixture(t, storetest.Open(t, "sqlite"), true)
	os.MkdirAll(screenshotDir, 0o755)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("headless", "new"), chromedp.WindowSize(1366, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			buf, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(screenshotDir, name+".png"), buf, 0o644)
		})
	}
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	value := func(step string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return v
	}
	var url, text string
	parent := f.company("ACC-1001")

	run("sign in",
		chromedp.Navigate(f.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		shot("01-signin"),
		chromedp.SetValue(chromedp.CSS(`#email`), "sam@example.com"),
		chromedp.SetValue(chromedp.CSS(`#level`), "admin"),
		chromedp.Click(chromedp.CSS(`form[action="signin"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`nav[aria-label="Main"]`)),
	)
	run("add a company under a parent",
		chromedp.Navigate(f.srv.URL+"/companies/new?parent="+itoa(parent.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#f-name`)),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Bright Smile Dental - Hillsboro"),
		chromedp.SendKeys(chromedp.CSS(`#f-account_number`), "ACC-1005"),
		chromedp.SendKeys(chromedp.CSS(`#f-phone`), "+1-555-0115"),
		shot("02-add-company"),
		chromedp.Submit(chromedp.CSS(`#f-name`)),
		chromedp.WaitVisible(chromedp.CSS(`#about-h`)),
	)
	url = value("location", chromedp.Location())
	text = value("breadcrumb", chromedp.Text(chromedp.CSS(`.crumbs`)))
	if !strings.Contains(text, "Bright Smile Dental Group") {
		t.Errorf("new company's breadcrumb = %q; want its parent", text)
	}
	company := url[strings.LastIndex(url, "/")+1:]
	company = strings.SplitN(company, "?", 2)[0]

	run("add a contact",
		chromedp.Navigate(f.srv.URL+"/contacts/new?company="+company),
		chromedp.WaitVisible(chromedp.CSS(`#f-first_name`)),
		chromedp.SendKeys(chromedp.CSS(`#f-first_name`), "Priya"),
		chromedp.SendKeys(chromedp.CSS(`#f-last_name`), "Natarajan"),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "priya@brightsmile.example"),
		chromedp.Submit(chromedp.CSS(`#f-first_name`)),
		chromedp.WaitVisible(`//h1[text()="Priya Natarajan"]`),
	)
	url = value("location", chromedp.Location())
	contact := strings.SplitN(url[strings.LastIndex(url, "/")+1:], "?", 2)[0]
	run("make the contact primary",
		chromedp.Navigate(f.srv.URL+"/companies/"+company+"/edit"),
		chromedp.WaitVisible(chromedp.CSS(`#f-primary`)),
		chromedp.SetValue(chromedp.CSS(`#f-primary`), contact),
		chromedp.Submit(chromedp.CSS(`#f-name`)),
		chromedp.WaitVisible(chromedp.CSS(`#con-h`)),
	)
	text = value("contacts", chromedp.Text(chromedp.CSS(`#con-h + table tbody tr`)))
	if !strings.Contains(text, "Priya Natarajan") || !strings.Contains(text, "primary") {
		t.Errorf("first contact row = %q; want Priya Natarajan, primary", text)
	}
	run("add an asset",
		chromedp.Navigate(f.srv.URL+"/assets/new?company="+company),
		chromedp.WaitVisible(chromedp.CSS(`#f-name`)),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "HB-FRONTDESK-01"),
		chromedp.SendKeys(chromedp.CSS(`#f-serial_number`), "5CG1234XYZ"),
		chromedp.SendKeys(chromedp.CSS(`#f-ip_addresses`), "10.50.0.20"),
		chromedp.Submit(chromedp.CSS(`#f-name`)),
		chromedp.WaitVisible(`//h1[text()="HB-FRONTDESK-01"]`),
	)
	addDevice := func(name, typ, ip string) string {
		run("add device "+name,
			chromedp.Navigate(f.srv.URL+"/network/equipment/new?company="+company),
			chromedp.WaitVisible(chromedp.CSS(`#f-name`)),
			chromedp.SendKeys(chromedp.CSS(`#f-name`), name),
			chromedp.SetValue(chromedp.CSS(`#f-type`), typ),
			chromedp.SetValue(chromedp.CSS(`#f-status`), "online"),
			chromedp.SendKeys(chromedp.CSS(`#f-ip_address`), ip),
			chromedp.SendKeys(chromedp.CSS(`#f-location`), "Front office"),
			chromedp.Submit(chromedp.CSS(`#f-name`)),
			chromedp.WaitVisible(`//h1[contains(., "`+name+`")]`),
		)
		url = value("location", chromedp.Location())
		return strings.SplitN(url[strings.LastIndex(url, "/")+1:], "?", 2)[0]
	}
	fw := addDevice("HB-FW01", "firewall", "10.50.0.1")
	addDevice("HB-SW01", "switch", "10.50.0.2")
	run("connect the two devices",
		chromedp.SendKeys(chromedp.CSS(`#f-local_port`), "Gi1/0/1"),
		chromedp.SetValue(chromedp.CSS(`#f-peer`), fw),
		chromedp.SendKeys(chromedp.CSS(`#f-peer_port`), "port2"),
		chromedp.SendKeys(chromedp.CSS(`#f-speed`), "1000"),
		chromedp.Submit(chromedp.CSS(`#f-local_port`)),
		chromedp.WaitVisible(`//td[text()="Gi1/0/1"]`),
	)
	run("see them on the topology picture",
		chromedp.Navigate(f.srv.URL+"/network/companies/"+company),
		chromedp.WaitVisible(chromedp.CSS(`figure.topology svg`)),
		shot("03-topology"),
	)
	text = value("topology", chromedp.TextContent(chromedp.CSS(`figure.topology svg`)))
	for _, want := range []string{"HB-FW01", "HB-SW01", "Gi1/0/1", "1 Gb/s", "Front office"} {
		if !strings.Contains(text, want) {
			t.Errorf("topology picture lacks %q; its text: %q", want, text)
		}
	}
	run("a node links to its device page",
		chromedp.Click(`//*[local-name()="a"][contains(@*[local-name()="title"], "HB-FW01")]`),
		chromedp.WaitVisible(`//h1[contains(., "HB-FW01")]`),
	)

	id := parseID(t, company)
	run("open the edit form", chromedp.Navigate(f.srv.URL+"/companies/"+company+"/edit"), chromedp.WaitVisible(chromedp.CSS(`#f-description`)))
	if _, err := f.svc.Companies.UpdateCompany(f.sys, id, codex.CompanyPatch{Description: ptr("changed by someone else")}); err != nil {
		t.Fatal(err)
	}
	run("save a stale form",
		chromedp.SendKeys(chromedp.CSS(`#f-description`), "my change"),
		chromedp.Submit(chromedp.CSS(`#f-name`)),
		chromedp.WaitVisible(chromedp.CSS(`p.conflict`)),
		shot("04-conflict"),
	)
	text = value("conflict", chromedp.Text(chromedp.CSS(`p.conflict`)))
	if !strings.Contains(text, "Someone else changed this record") {
		t.Errorf("conflict message = %q", text)
	}
	if c, _ := f.db.Company(f.sys, id); c.Description != "changed by someone else" {
		t.Errorf("after the stale save, description = %q", c.Description)
	}
	run("switch to the dark theme",
		chromedp.Navigate(f.srv.URL+"/settings"),
		chromedp.WaitVisible(chromedp.CSS(`#f-theme`)),
		chromedp.SetValue(chromedp.CSS(`#f-theme`), "dark"),
		chromedp.Submit(chromedp.CSS(`#f-theme`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		chromedp.Navigate(f.srv.URL+"/companies/"+company),
		chromedp.WaitVisible(chromedp.CSS(`#about-h`)),
		shot("05-company-dark"),
		chromedp.Navigate(f.srv.URL+"/network/companies/"+company),
		chromedp.WaitVisible(chromedp.CSS(`figure.topology svg`)),
		shot("06-topology-dark"),
	)
	theme, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`html`), "data-theme"))
	if err != nil || theme.Value != "dark" {
		t.Errorf("data-theme after switching = %q (%v); want dark", theme.Value, err)
	}
	run("add a subnet",
		chromedp.Click(`//a[text()="Add subnet"]`),
		chromedp.WaitVisible(chromedp.CSS(`#f-cidr`)),
		chromedp.SendKeys(chromedp.CSS(`#f-cidr`), "10.50.0.0/24"),
		chromedp.SendKeys(chromedp.CSS(`#f-vlan`), "50"),
		chromedp.SendKeys(chromedp.CSS(`#f-gateway`), "10.50.0.1"),
		chromedp.Submit(chromedp.CSS(`#f-cidr`)),
		chromedp.WaitVisible(`//h1[text()="Subnet 10.50.0.0/24"]`),
		shot("07-subnet"),
	)
	text = value("addresses in use", chromedp.Text(chromedp.CSS(`main table`)))
	for _, want := range []string{"10.50.0.1", "HB-FW01", "10.50.0.20", "HB-FRONTDESK-01"} {
		if !strings.Contains(text, want) {
			t.Errorf("subnet's addresses in use lack %q: %q", want, text)
		}
	}
	run("disconnect the link",
		chromedp.Navigate(f.srv.URL+"/network/equipment/"+fw),
		chromedp.WaitVisible(chromedp.CSS(`button[aria-label="Disconnect from HB-SW01"]`)),
		shot("08-device-links"),
		chromedp.Click(chromedp.CSS(`button[aria-label="Disconnect from HB-SW01"]`)),
		chromedp.WaitVisible(`//td[text()="Not connected."]`),
		shot("09-disconnected"),
	)
}

func parseID(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	for _, r := range s {
		if r < '0' || r > '9' {
			t.Fatalf("not an id: %q", s)
		}
		n = n*10 + int64(r-'0')
	}
	return n
}
