package cache_test

import (
	"context"
	"database/sql"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/hivematrix/codex/cache"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// pollEvery is the tests' SQLite data_version poll.
const pollEvery = 20 * time.Millisecond

// newCache returns a started cache of db, closed when the test ends.
func newCache(t testing.TB, db *store.DB) *cache.Cache {
	t.Helper()
	c, err := cache.New(context.Background(), db, cache.Config{PollEvery: pollEvery})
	if err != nil {
		t.Fatalf("cache.New = %v", err)
	}
	t.Cleanup(c.Close)
	waitFor(t, 5*time.Second, "the listener is up", func() bool { return c.Stats().ListenerUp })
	return c
}

// waitFor polls cond until it holds, failing the test after d.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: want %s", d, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

var admin = policy.WithRequestCache(codex.WithPrincipal(context.Background(),
	&codex.Principal{Email: "ada@msp.example", Level: codex.LevelAdmin}))

// as returns a context of principal p, without the policy layer's per-request cache
// (each call reads through to the cache under test).
func as(p *codex.Principal) context.Context { return codex.WithPrincipal(context.Background(), p) }

var adminNoReqCache = as(&codex.Principal{Email: "ada@msp.example", Level: codex.LevelAdmin})

// fixture is a small world written through the store.
type fixture struct {
	svc              codex.Services // policy over cache over store
	raw              codex.Services // the store
	root, a, b       *codex.Company
	jane             *codex.Contact // home a, assigned to b
	laptop           *codex.Asset   // of a
	sw1, sw2         *codex.NetworkEquipment
	ctx              context.Context
	cache            *cache.Cache
	db               *store.DB
	contactsOf       func(company int64) string
	childrenOf       func(parent int64) string
	assetsOf         func(company int64) string
	linksOf          func(device int64) int
	countContactsOf  func(company int64) int
	companyName      func(id int64) string
	contactDisplayOf func(id int64) string
}

func build(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{raw: db.Services(), ctx: adminNoReqCache, db: db}
	f.cache = newCache(t, db)
	f.svc = policy.New(f.cache.Services(db.Services()))
	ctx := f.ctx
	mk := func(name string, parent *codex.Company) *codex.Company {
		c := &codex.Company{Name: name}
		if parent != nil {
			c.ParentID = &parent.ID
		}
		if err := f.svc.Companies.CreateCompany(ctx, c); err != nil {
			t.Fatalf("CreateCompany(%s) = %v", name, err)
		}
		return c
	}
	f.root = mk("Root", nil)
	f.a = mk("Alpha", f.root)
	f.b = mk("Beta", nil)
	f.jane = &codex.Contact{CompanyID: f.a.ID, FirstName: "Jane", LastName: "Doe", Email: "jane@a.example", Active: true}
	if err := f.svc.Contacts.CreateContact(ctx, f.jane); err != nil {
		t.Fatalf("CreateContact = %v", err)
	}
	if err := f.svc.Contacts.AssignContact(ctx, f.jane.ID, f.b.ID, codex.DesignationSecondary); err != nil {
		t.Fatalf("AssignContact = %v", err)
	}
	f.laptop = &codex.Asset{CompanyID: f.a.ID, Name: "LAPTOP-1", Type: codex.AssetLaptop}
	if err := f.svc.Assets.CreateAsset(ctx, f.laptop); err != nil {
		t.Fatalf("CreateAsset = %v", err)
	}
	f.sw1 = &codex.NetworkEquipment{CompanyID: f.a.ID, Name: "sw1", Type: codex.EquipmentSwitch}
	f.sw2 = &codex.NetworkEquipment{CompanyID: f.a.ID, Name: "sw2", Type: codex.EquipmentSwitch}
	for _, e := range []*codex.NetworkEquipment{f.sw1, f.sw2} {
		if err := f.svc.Network.CreateEquipment(ctx, e); err != nil {
			t.Fatalf("CreateEquipment = %v", err)
		}
	}
	if db.Dialect() == "sqlite" {
		// Let the data_version poll see (and flush for) the writes above, so that
		// the tests' hit counts do not depend on when it runs.
		time.Sleep(3 * pollEvery)
	}
	f.contactsOf = func(company int64) string {
		t.Helper()
		ls, err := f.svc.Contacts.ContactsByCompanies(ctx, []int64{company}, codex.ContactFilter{}, 0)
		if err != nil {
			t.Fatalf("ContactsByCompanies = %v", err)
		}
		var names []string
		for _, c := range ls[0] {
			names = append(names, c.FirstName+" "+c.LastName)
		}
		return strings.Join(names, ",")
	}
	f.countContactsOf = func(company int64) int {
		t.Helper()
		n, err := f.svc.Contacts.CountContactsByCompanies(ctx, []int64{company}, codex.ContactFilter{})
		if err != nil {
			t.Fatalf("CountContactsByCompanies = %v", err)
		}
		return n[0]
	}
	f.childrenOf = func(parent int64) string {
		t.Helper()
		ls, err := f.svc.Companies.ChildrenByParents(ctx, []int64{parent}, 0, nil)
		if err != nil {
			t.Fatalf("ChildrenByParents = %v", err)
		}
		var names []string
		for _, c := range ls[0] {
			names = append(names, c.Name)
		}
		return strings.Join(names, ",")
	}
	f.assetsOf = func(company int64) string {
		t.Helper()
		ls, err := f.svc.Assets.AssetsByCompanies(ctx, []int64{company}, codex.AssetFilter{}, 0)
		if err != nil {
			t.Fatalf("AssetsByCompanies = %v", err)
		}
		var names []string
		for _, a := range ls[0] {
			names = append(names, a.Name)
		}
		return strings.Join(names, ",")
	}
	f.linksOf = func(device int64) int {
		t.Helper()
		ls, err := f.svc.Network.LinksByDevices(ctx, []int64{device})
		if err != nil {
			t.Fatalf("LinksByDevices = %v", err)
		}
		return len(ls[0])
	}
	f.companyName = func(id int64) string {
		t.Helper()
		cs, errs := f.svc.Companies.CompaniesByIDs(ctx, []int64{id})
		if errs != nil && errs[0] != nil {
			t.Fatalf("CompaniesByIDs = %v", errs[0])
		}
		return cs[0].Name
	}
	f.contactDisplayOf = func(id int64) string {
		t.Helper()
		cs, errs := f.svc.Contacts.ContactsByIDs(ctx, []int64{id})
		if errs != nil && errs[0] != nil {
			t.Fatalf("ContactsByIDs = %v", errs[0])
		}
		return cs[0].LastName
	}
	return f
}

func hits(c *cache.Cache, method string) uint64 { return c.Stats().Hits[method] }

func TestHitAfterMiss(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := build(t, db)
		for _, m := range []struct {
			method string
			read   func()
		}{
			{"ContactsByCompanies", func() { f.contactsOf(f.b.ID) }},
			{"CountContactsByCompanies", func() { f.countContactsOf(f.b.ID) }},
			{"ChildrenByParents", func() { f.childrenOf(f.root.ID) }},
			{"AssetsByCompanies", func() { f.assetsOf(f.a.ID) }},
			{"LinksByDevices", func() { f.linksOf(f.sw1.ID) }},
			{"CompaniesByIDs", func() { f.companyName(f.a.ID) }},
			{"ContactsByIDs", func() { f.contactDisplayOf(f.jane.ID) }},
		} {
			m.read()
			before := f.cache.Stats()
			m.read()
			after := f.cache.Stats()
			if got := after.Misses[m.method] - before.Misses[m.method]; got != 0 {
				t.Errorf("%s again: %d misses; want 0", m.method, got)
			}
			if got := after.Hits[m.method] - before.Hits[m.method]; got != 1 {
				t.Errorf("%s again: %d hits; want 1", m.method, got)
			}
		}
		// A hit runs no statement.
		n := storetest.CountQueries(db)
		ctx := n.Context(f.ctx)
		if _, err := f.svc.Contacts.ContactsByCompanies(ctx, []int64{f.b.ID}, codex.ContactFilter{}, 0); err != nil {
			t.Fatal(err)
		}
		if n.Count() != 0 {
			t.Errorf("a cached ContactsByCompanies ran %d statements; want 0:\n%s", n.Count(), n)
		}
		// otter weighs entries in its own time.
		waitFor(t, time.Second, "entries and bytes counted", func() bool {
			st := f.cache.Stats()
			return st.Entries > 0 && st.Bytes > 0
		})
	})
}

// TestPages: a filtered page (a search) is served from the cache until its table
// changes anywhere, even in a row it did not hold; a change of another table keeps it.
func TestPages(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := build(t, db)
		ctx := f.ctx
		str := func(s string) *string { return &s }
		first := 20
		search := func(text string) string {
			t.Helper()
			p, err := f.svc.Contacts.Contacts(ctx, codex.ContactFilter{Search: text}, codex.PageArgs{First: &first})
			if err != nil {
				t.Fatalf("Contacts(search %q) = %v", text, err)
			}
			var names []string
			for _, c := range p.Items {
				names = append(names, c.FirstName+" "+c.LastName)
			}
			return strings.Join(names, ",")
		}
		roots := func() string {
			t.Helper()
			p, err := f.svc.Companies.Companies(ctx, codex.CompanyFilter{RootsOnly: true}, codex.PageArgs{First: &first})
			if err != nil {
				t.Fatalf("Companies(roots) = %v", err)
			}
			var names []string
			for _, c := range p.Items {
				names = append(names, c.Name)
			}
			return strings.Join(names, ",")
		}
		if got := search("doe"); got != "Jane Doe" {
			t.Fatalf("search doe = %q; want Jane Doe", got)
		}
		before := f.cache.Stats()
		search("doe")
		if got := f.cache.Stats().Hits["Contacts"] - before.Hits["Contacts"]; got != 1 {
			t.Errorf("the same search again: %d hits; want 1", got)
		}
		// A company's change leaves the contact search cached.
		if _, err := f.svc.Companies.UpdateCompany(ctx, f.b.ID, codex.CompanyPatch{Description: str("x")}); err != nil {
			t.Fatal(err)
		}
		before = f.cache.Stats()
		search("doe")
		if got := f.cache.Stats().Hits["Contacts"] - before.Hits["Contacts"]; got != 1 {
			t.Errorf("the search after a company's change: %d hits; want 1", got)
		}
		// A contact that was not on the page becomes a match: the page is dropped.
		other := &codex.Contact{CompanyID: f.a.ID, FirstName: "John", LastName: "Smith"}
		if err := f.svc.Contacts.CreateContact(ctx, other); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Contacts.UpdateContact(ctx, other.ID, codex.ContactPatch{LastName: str("Doe")}); err != nil {
			t.Fatal(err)
		}
		if got := search("doe"); got != "Jane Doe,John Doe" && got != "John Doe,Jane Doe" {
			t.Errorf("search doe after John became a Doe = %q; want both", got)
		}
		// The same through manual SQL, seen within the notification's delay.
		if _, err := db.Bun().ExecContext(context.Background(), "UPDATE contacts SET last_name = 'Smith', display_name = 'John Smith' WHERE id = ?", other.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, time.Second, "the search without John after manual SQL", func() bool { return search("doe") == "Jane Doe" })

		// A list of roots, dropped by a new root.
		was := roots()
		if err := f.svc.Companies.CreateCompany(ctx, &codex.Company{Name: "Zulu"}); err != nil {
			t.Fatal(err)
		}
		if got := roots(); got != was+",Zulu" {
			t.Errorf("roots after a new root = %q; want %q", got, was+",Zulu")
		}
	})
}

// TestWritesInvalidate reads, writes through one path, and reads again at once: the
// writer reads its own write (API), or within a short bound (manual SQL).
func TestWritesInvalidate(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := build(t, db)
		ctx := f.ctx
		str := func(s string) *string { return &s }

		// An API write, read by the writer at once.
		f.companyName(f.a.ID)
		if _, err := f.svc.Companies.UpdateCompany(ctx, f.a.ID, codex.CompanyPatch{Name: str("Alpha 2")}); err != nil {
			t.Fatal(err)
		}
		if got := f.companyName(f.a.ID); got != "Alpha 2" {
			t.Errorf("after UpdateCompany: name %q; want Alpha 2", got)
		}
		if got := f.childrenOf(f.root.ID); got != "Alpha 2" {
			t.Errorf("after UpdateCompany: children of root %q; want Alpha 2", got)
		}

		// A contact's archive and restore reach the list of a company it is assigned to.
		if got := f.contactsOf(f.b.ID); got != "Jane Doe" {
			t.Fatalf("contacts of b = %q; want Jane Doe", got)
		}
		if _, err := f.svc.Contacts.ArchiveContact(ctx, f.jane.ID); err != nil {
			t.Fatal(err)
		}
		if got, n := f.contactsOf(f.b.ID), f.countContactsOf(f.b.ID); got != "" || n != 0 {
			t.Errorf("after archive: contacts of b %q (count %d); want none", got, n)
		}
		if _, err := f.svc.Contacts.RestoreContact(ctx, f.jane.ID); err != nil {
			t.Fatal(err)
		}
		if got, n := f.contactsOf(f.b.ID), f.countContactsOf(f.b.ID); got != "Jane Doe" || n != 1 {
			t.Errorf("after restore: contacts of b %q (count %d); want Jane Doe (1)", got, n)
		}
		f.contactDisplayOf(f.jane.ID)
		if _, err := f.svc.Contacts.UpdateContact(ctx, f.jane.ID, codex.ContactPatch{LastName: str("Roe")}); err != nil {
			t.Fatal(err)
		}
		if got, row := f.contactsOf(f.b.ID), f.contactDisplayOf(f.jane.ID); got != "Jane Roe" || row != "Roe" {
			t.Errorf("after rename: contacts of b %q, row %q; want Jane Roe, Roe", got, row)
		}
		if err := f.svc.Contacts.UnassignContact(ctx, f.jane.ID, f.b.ID); err != nil {
			t.Fatal(err)
		}
		if got := f.contactsOf(f.b.ID); got != "" {
			t.Errorf("after unassign: contacts of b %q; want none", got)
		}

		// Re-parenting a company changes both parents' children.
		if got := f.childrenOf(f.b.ID); got != "" {
			t.Fatalf("children of b = %q; want none", got)
		}
		if _, err := f.svc.Companies.MoveCompany(ctx, f.a.ID, &f.b.ID); err != nil {
			t.Fatal(err)
		}
		if old, nw := f.childrenOf(f.root.ID), f.childrenOf(f.b.ID); old != "" || nw != "Alpha 2" {
			t.Errorf("after move: children of root %q, of b %q; want none, Alpha 2", old, nw)
		}

		// An asset moved between companies.
		if got := f.assetsOf(f.b.ID) + "|" + f.assetsOf(f.a.ID); got != "|LAPTOP-1" {
			t.Fatalf("assets of b|a = %q", got)
		}
		if _, err := f.svc.Assets.UpdateAsset(ctx, f.laptop.ID, codex.AssetPatch{CompanyID: &f.b.ID}); err != nil {
			t.Fatal(err)
		}
		if got := f.assetsOf(f.b.ID) + "|" + f.assetsOf(f.a.ID); got != "LAPTOP-1|" {
			t.Errorf("after move: assets of b|a = %q; want LAPTOP-1|", got)
		}

		// Links connected and disconnected.
		if n := f.linksOf(f.sw1.ID) + f.linksOf(f.sw2.ID); n != 0 {
			t.Fatalf("links = %d", n)
		}
		l := &codex.NetworkLink{CompanyID: f.a.ID, AID: f.sw1.ID, BID: f.sw2.ID, Kind: codex.LinkEthernet}
		if err := f.svc.Network.ConnectDevices(ctx, l); err != nil {
			t.Fatal(err)
		}
		if n1, n2 := f.linksOf(f.sw1.ID), f.linksOf(f.sw2.ID); n1 != 1 || n2 != 1 {
			t.Errorf("after connect: links %d, %d; want 1, 1", n1, n2)
		}
		if err := f.svc.Network.DisconnectDevices(ctx, l.ID); err != nil {
			t.Fatal(err)
		}
		if n1, n2 := f.linksOf(f.sw1.ID), f.linksOf(f.sw2.ID); n1 != 0 || n2 != 0 {
			t.Errorf("after disconnect: links %d, %d; want 0, 0", n1, n2)
		}

		// Manual SQL through the store's pool (on SQLite applied at once, on
		// PostgreSQL when its notification arrives).
		f.companyName(f.b.ID)
		if _, err := db.Bun().ExecContext(context.Background(), "UPDATE companies SET name = 'Beta SQL' WHERE id = ?", f.b.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, time.Second, "the SQL rename seen", func() bool { return f.companyName(f.b.ID) == "Beta SQL" })
	})
}

// TestOutsideSQL writes with the databases' own command-line clients, as a person would.
func TestOutsideSQL(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := build(t, db)
		f.companyName(f.b.ID)
		f.contactsOf(f.b.ID)
		var cmd *exec.Cmd
		if db.Dialect() == "pg" {
			var url string
			if err := db.Bun().QueryRowContext(context.Background(), "SELECT current_database()").Scan(&url); err != nil {
				t.Fatal(err)
			}
			if _, err := exec.LookPath("psql"); err != nil {
				t.Skip("no psql")
			}
			dsn := strings.Replace(storetest.PostgresURL(), "/test?", "/"+url+"?", 1)
			cmd = exec.Command("psql", dsn, "-v", "ON_ERROR_STOP=1", "-c",
				fmt.Sprintf("UPDATE companies SET name = 'Beta CLI' WHERE id = %d; UPDATE contacts SET last_name = 'Cli' WHERE id = %d", f.b.ID, f.jane.ID))
		} else {
			if _, err := exec.LookPath("sqlite3"); err != nil {
				t.Skip("no sqlite3")
			}
			var file string
			if err := db.Bun().QueryRowContext(context.Background(), "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil {
				t.Fatal(err)
			}
			cmd = exec.Command("sqlite3", "-cmd", ".timeout 5000", file,
				fmt.Sprintf("UPDATE companies SET name = 'Beta CLI' WHERE id = %d; UPDATE contacts SET last_name = 'Cli' WHERE id = %d;", f.b.ID, f.jane.ID))
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, out)
		}
		// The stated bounds: a notification's delay on PostgreSQL, the data_version
		// poll (20 ms in this test, 1 s by default) on SQLite.
		waitFor(t, time.Second, "the outside writes seen", func() bool {
			return f.companyName(f.b.ID) == "Beta CLI" && f.contactsOf(f.b.ID) == "Jane Cli"
		})
	})
}

// TestFillRace commits a write while a miss's query is in flight: the result it read
// before the write must not be served afterwards.
func TestFillRace(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := build(t, db)
		done := false
		cache.SetAfterLoad(f.cache, func(method string) {
			if done || method != "CompaniesByIDs" {
				return
			}
			done = true
			before := f.cache.Stats().Invalidations
			if _, err := db.Bun().ExecContext(context.Background(), "UPDATE companies SET name = 'Raced' WHERE id = ?", f.b.ID); err != nil {
				t.Error(err)
			}
			// Wait until the write's tags are applied (at once on SQLite).
			waitFor(t, time.Second, "the write's invalidation", func() bool { return f.cache.Stats().Invalidations > before })
		})
		if got := f.companyName(f.b.ID); got != "Beta" {
			t.Fatalf("the racing read = %q; want Beta (read before the write)", got)
		}
		cache.SetAfterLoad(f.cache, nil)
		if got := f.companyName(f.b.ID); got != "Raced" {
			t.Errorf("after the race: %q; want Raced (the stale result was cached)", got)
		}
	})
}

// TestReadYourWrites writes and reads back at once, many times over.
func TestReadYourWrites(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := build(t, db)
		for i := range 30 {
			name := fmt.Sprintf("Beta %d", i)
			f.companyName(f.b.ID)
			if _, err := f.svc.Companies.UpdateCompany(f.ctx, f.b.ID, codex.CompanyPatch{Name: &name}); err != nil {
				t.Fatal(err)
			}
			if got := f.companyName(f.b.ID); got != name {
				t.Fatalf("write %d: read %q; want %q", i, got, name)
			}
		}
	})
}

// TestTwoReplicas runs two processes' worth of store and cache on one PostgreSQL
// database: a write through one is seen through the other within 100 ms.
func TestTwoReplicas(t *testing.T) {
	dsn := storetest.Fresh(t, "pg")
	ctx := context.Background()
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db1, db2 := open(), open()
	if err := db1.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	one := policy.New(newCache(t, db1).Services(db1.Services()))
	two := policy.New(newCache(t, db2).Services(db2.Services()))
	c := &codex.Company{Name: "Shared"}
	if err := one.Companies.CreateCompany(adminNoReqCache, c); err != nil {
		t.Fatal(err)
	}
	nameIn := func(svc codex.Services) string {
		cs, errs := svc.Companies.CompaniesByIDs(adminNoReqCache, []int64{c.ID})
		if errs != nil && errs[0] != nil {
			t.Fatal(errs[0])
		}
		return cs[0].Name
	}
	for i := range 10 {
		nameIn(two) // cached in replica two
		name := fmt.Sprintf("Shared %d", i)
		if _, err := one.Companies.UpdateCompany(adminNoReqCache, c.ID, codex.CompanyPatch{Name: &name}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		waitFor(t, 100*time.Millisecond, "replica two sees "+name, func() bool { return nameIn(two) == name })
		t.Logf("write %d seen by the other replica after %v", i, time.Since(start))
	}
}

// TestListenerDrop terminates the LISTEN connection's backend: the cache is bypassed
// (never stale) until the listener is back, then caches again.
func TestListenerDrop(t *testing.T) {
	db := storetest.Open(t, "pg")
	f := build(t, db)
	cache.HoldReconnect(f.cache, true)
	f.companyName(f.b.ID) // cached
	var n int
	if err := db.Bun().QueryRowContext(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminating the listener: %d backends, %v; want 1", n, err)
	}
	waitFor(t, 5*time.Second, "the listener down", func() bool { return !f.cache.Stats().ListenerUp })
	// Written while no one listens: its notification is lost.
	if _, err := db.Bun().ExecContext(context.Background(), "UPDATE companies SET name = 'Unheard' WHERE id = ?", f.b.ID); err != nil {
		t.Fatal(err)
	}
	before := hits(f.cache, "CompaniesByIDs")
	for range 3 {
		if got := f.companyName(f.b.ID); got != "Unheard" {
			t.Fatalf("while the listener is down: %q; want Unheard", got)
		}
	}
	if got := hits(f.cache, "CompaniesByIDs") - before; got != 0 {
		t.Errorf("while the listener is down: %d hits; want 0 (bypassed)", got)
	}
	cache.HoldReconnect(f.cache, false)
	waitFor(t, 5*time.Second, "the listener back", func() bool { return f.cache.Stats().ListenerUp })
	f.companyName(f.b.ID)
	f.companyName(f.b.ID)
	if got := hits(f.cache, "CompaniesByIDs") - before; got != 1 {
		t.Errorf("after reconnecting: %d hits; want 1", got)
	}
	name := "Heard"
	if _, err := f.svc.Companies.UpdateCompany(f.ctx, f.b.ID, codex.CompanyPatch{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if got := f.companyName(f.b.ID); got != name {
		t.Errorf("after reconnecting and a write: %q; want %q", got, name)
	}
}

// TestSwitchOff: a nil cache is no cache.
func TestSwitchOff(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	var c *cache.Cache
	svc := c.Services(db.Services())
	if svc.Companies != codex.CompanyService(db) || svc.Contacts != codex.ContactService(db) || svc.Agents != codex.AgentService(db) {
		t.Errorf("a nil cache's Services wrap the store; want the store's own")
	}
}

// TestPolicyAboveCache: what one principal's read cached never reaches another
// principal unfiltered or unredacted.
func TestPolicyAboveCache(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := build(t, db)
		ctx := f.ctx
		secret := &codex.Asset{CompanyID: f.b.ID, Name: "VAULT", Type: codex.AssetLicense, LicenseKey: "KEY-123",
			SecretFields: map[string]string{"bitlocker": "1234"}}
		if err := f.svc.Assets.CreateAsset(ctx, secret); err != nil {
			t.Fatal(err)
		}
		// The admin caches b's contacts and assets and the asset row.
		f.contactsOf(f.b.ID)
		f.assetsOf(f.b.ID)
		if as, _ := f.svc.Assets.AssetsByIDs(ctx, []int64{secret.ID}); as[0] == nil || as[0].LicenseKey != "KEY-123" {
			t.Fatalf("admin AssetsByIDs = %+v; want the key", as[0])
		}
		client := as(&codex.Principal{Email: "cat@a.example", Level: codex.LevelClient, CompanyID: f.a.ID})
		ls, err := f.svc.Contacts.ContactsByCompanies(client, []int64{f.b.ID}, codex.ContactFilter{}, 0)
		if err == nil && len(ls[0]) > 0 {
			t.Errorf("a client of a sees b's cached contacts: %v", ls[0])
		}
		if as, errs := f.svc.Assets.AssetsByIDs(client, []int64{secret.ID}); as[0] != nil || errs == nil || !codex.IsNotFound(errs[0]) {
			t.Errorf("a client of a reads b's cached asset: %v, %v", as[0], errs)
		}
		tech := as(&codex.Principal{Email: "tom@msp.example", Level: codex.LevelTechnician})
		for range 2 {
			as, errs := f.svc.Assets.AssetsByIDs(tech, []int64{secret.ID})
			if errs != nil && errs[0] != nil {
				t.Fatal(errs[0])
			}
			if as[0].LicenseKey == "KEY-123" || as[0].SecretFields["bitlocker"] == "1234" {
				t.Errorf("a technician sees the secrets an admin cached: %+v", as[0])
			}
			al, err := f.svc.Assets.AssetsByCompanies(tech, []int64{f.b.ID}, codex.AssetFilter{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range al[0] {
				if a.LicenseKey == "KEY-123" || a.SecretFields["bitlocker"] == "1234" {
					t.Errorf("a technician's list holds the secrets an admin cached: %+v", a)
				}
			}
		}
		// And the redaction did not reach the cached value.
		if as, _ := f.svc.Assets.AssetsByIDs(ctx, []int64{secret.ID}); as[0].LicenseKey != "KEY-123" || as[0].SecretFields["bitlocker"] != "1234" {
			t.Errorf("admin after the technician: %+v; want the secrets (redaction changed the cache)", as[0])
		}
		if hits(f.cache, "AssetsByIDs") == 0 {
			t.Errorf("no AssetsByIDs hits: the test proves nothing")
		}
	})
}

// TestAgentByEmail caches agents and unknown addresses, ignoring ASCII case.
func TestAgentByEmail(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := build(t, db)
		svc := f.cache.Services(db.Services())
		ctx := context.Background()
		if _, err := svc.Agents.AgentByEmail(ctx, "Ann@MSP.example"); !codex.IsNotFound(err) {
			t.Fatalf("AgentByEmail(unknown) = %v; want not found", err)
		}
		if _, err := svc.Agents.AgentByEmail(ctx, "Ann@MSP.example"); !codex.IsNotFound(err) {
			t.Fatalf("AgentByEmail(unknown, cached) = %v; want not found", err)
		}
		if _, err := svc.Agents.EnsureAgent(ctx, &codex.Principal{Email: "ann@msp.example", Name: "Ann", Level: codex.LevelTechnician}); err != nil {
			t.Fatal(err)
		}
		a, err := svc.Agents.AgentByEmail(ctx, "Ann@MSP.example")
		if err != nil || a.Name != "Ann" {
			t.Fatalf("AgentByEmail after EnsureAgent = %v, %v; want Ann", a, err)
		}
		theme := codex.Theme("dark")
		if _, err := svc.Agents.UpdatePreferences(ctx, "ann@msp.example", codex.PreferencesPatch{Theme: &theme}); err != nil {
			t.Fatal(err)
		}
		if a, err := svc.Agents.AgentByEmail(ctx, "ANN@msp.example"); err != nil || a.Preferences.Theme != "dark" {
			t.Errorf("AgentByEmail after UpdatePreferences = %+v, %v; want theme dark", a, err)
		}
		if hits(f.cache, "AgentByEmail") == 0 {
			t.Errorf("no AgentByEmail hits")
		}
	})
}

var _ = sql.ErrNoRows

// TestTriggersNotifyPerStatement: on PostgreSQL one statement sends one notification
// with its rows' tags, or the table's flush tag when they would not fit, and TRUNCATE
// sends the flush tag.
func TestTriggersNotifyPerStatement(t *testing.T) {
	db := storetest.Open(t, "pg")
	ctx := context.Background()
	ln := pgdriver.NewListener(db.Bun())
	t.Cleanup(func() { ln.Close() })
	if err := ln.Listen(ctx, cache.Channel); err != nil {
		t.Fatal(err)
	}
	next := func() string {
		t.Helper()
		_, payload, err := ln.ReceiveTimeout(ctx, 5*time.Second)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return payload
	}
	exec := func(q string) {
		t.Helper()
		if _, err := db.Bun().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("INSERT INTO companies (name) VALUES ('P')")
	exec("INSERT INTO companies (name, parent_id) SELECT 'C' || g, (SELECT min(id) FROM companies) FROM generate_series(1, 3) AS g")
	if got := next(); !strings.Contains(got, "companies.any") || strings.Count(got, "companies#") != 1 {
		t.Errorf("one insert: %q", got)
	}
	got := strings.Fields(next())
	want := map[string]bool{"companies#2": true, "companies#3": true, "companies#4": true, "companies.parent#1": true, "companies.any": true}
	if len(got) != len(want) {
		t.Errorf("three inserts under one parent: %v; want %v", got, want)
	}
	for _, g := range got {
		if !want[g] {
			t.Errorf("three inserts: unexpected tag %q", g)
		}
	}
	exec("INSERT INTO companies (name) SELECT 'Bulk ' || g FROM generate_series(1, 2000) AS g")
	if got := next(); got != "table:companies" {
		t.Errorf("2,000 inserts in one statement: %.80q; want table:companies", got)
	}
	exec("UPDATE companies SET name = name || '!' WHERE id = 2")
	if got := strings.Fields(next()); len(got) != 3 {
		t.Errorf("an update: %v; want companies#2, companies.parent#1, companies.any", got)
	}
	exec("TRUNCATE network_links")
	if got := next(); got != "table:network_links" {
		t.Errorf("TRUNCATE: %q; want table:network_links", got)
	}
}
