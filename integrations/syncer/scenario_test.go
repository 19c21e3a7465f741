package syncer_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	dattofake "github.com/hivematrix/codex/integrations/datto/fake"
	fsfake "github.com/hivematrix/codex/integrations/freshservice/fake"
	"github.com/hivematrix/codex/integrations/syncer"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestUpstreamRenameDeletionAndReturn(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(3, 1, 0)
		e.run(codex.SourceFreshservice)
		const dept = 21000100002
		c2 := e.companyByAccount(fsfake.AccountNumber(2))

		e.fs.RenameDepartment(dept, "Company Two Renamed")
		run := e.run(codex.SourceFreshservice)
		wantCounts(t, run, codex.EntityCompany, codex.SyncCounts{Updated: 1, Unchanged: 2})
		if got, _ := e.svc.Companies.Company(e.ctx, c2.ID); got.Name != "Company Two Renamed" {
			t.Errorf("company name = %q; want the upstream rename", got.Name)
		}

		saved, _ := e.fs.Department(dept)
		e.fs.DeleteDepartment(dept)
		run = e.run(codex.SourceFreshservice)
		wantCounts(t, run, codex.EntityCompany, codex.SyncCounts{Unchanged: 2, Archived: 1})
		got, _ := e.svc.Companies.Company(e.ctx, c2.ID)
		if got.ArchivedAt == nil {
			t.Fatalf("company after its department was deleted = %+v; want archived", got)
		}
		wantNoChange(t, e.run(codex.SourceFreshservice))

		e.fs.AddDepartment(saved)
		run = e.run(codex.SourceFreshservice)
		wantCounts(t, run, codex.EntityCompany, codex.SyncCounts{Updated: 1, Unchanged: 2})
		if got, _ := e.svc.Companies.Company(e.ctx, c2.ID); got.ArchivedAt != nil {
			t.Errorf("company after its department came back = %+v; want restored", got)
		}
	})
}

func TestPersonArchivedRowStaysArchived(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(1, 2, 0)
		e.run(codex.SourceFreshservice)
		ref := e.ref(codex.SourceFreshservice, codex.EntityContact, "21000200001")
		if _, err := e.svc.Contacts.ArchiveContact(e.ctx, ref.EntityID); err != nil {
			t.Fatal(err)
		}
		e.fs.EditRequester(21000200001, func(r *fsfake.Requester) { r.LastName = "Changed" })
		e.run(codex.SourceFreshservice)
		if c, _ := e.svc.Contacts.Contact(e.ctx, ref.EntityID); c.ArchivedAt == nil || c.LastName != "Changed" {
			t.Errorf("contact = %+v; want still archived, with the upstream change", c)
		}
	})
}

func TestLocalEditsSurviveAndCodexFieldsArePushed(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(2, 1, 0)
		e.run(codex.SourceFreshservice)
		const dept, req = 21000100001, 21000200001
		c1 := e.companyByAccount(fsfake.AccountNumber(1))

		// A person renames the company in Codex: the next pull keeps it.
		if _, err := e.svc.Companies.UpdateCompany(e.ctx, c1.ID, codex.CompanyPatch{Name: ptr("Acme (local)")}); err != nil {
			t.Fatal(err)
		}
		wantNoChange(t, e.run(codex.SourceFreshservice))
		if got, _ := e.svc.Companies.Company(e.ctx, c1.ID); got.Name != "Acme (local)" {
			t.Fatalf("name = %q; want the local edit kept", got.Name)
		}

		// Upstream renames it too: a conflict, and the local name stays.
		e.fs.RenameDepartment(dept, "Acme (upstream)")
		run := e.run(codex.SourceFreshservice)
		wantCounts(t, run, codex.EntityCompany, codex.SyncCounts{Unchanged: 2, Conflicts: 1})
		if got, _ := e.svc.Companies.Company(e.ctx, c1.ID); got.Name != "Acme (local)" {
			t.Errorf("name = %q; want the local edit kept over the upstream change", got.Name)
		}
		cs, err := e.svc.Sync.SyncConflicts(e.ctx, codex.SyncConflictFilter{OpenOnly: true}, codex.PageArgs{})
		if err != nil || len(cs.Items) != 1 {
			t.Fatalf("SyncConflicts = %v, %v; want 1", cs, err)
		}
		want := codex.SyncConflict{Source: "freshservice", Entity: "company", EntityID: c1.ID, Field: "name",
			LocalValue: "Acme (local)", UpstreamValue: "Acme (upstream)", BaseValue: fsfake.CompanyName(1)}
		if c := cs.Items[0]; c.Source != want.Source || c.EntityID != want.EntityID || c.Field != want.Field ||
			c.LocalValue != want.LocalValue || c.UpstreamValue != want.UpstreamValue || c.BaseValue != want.BaseValue || c.RunID == nil || *c.RunID != run.ID {
			t.Errorf("conflict = %+v; want %+v of run %d", c, want, run.ID)
		}
		// The conflict is not reported again while nothing changes.
		wantNoChange(t, e.run(codex.SourceFreshservice))

		// Codex-owned fields edited in Codex are pushed back.
		if _, err := e.svc.Companies.UpdateCompany(e.ctx, c1.ID, codex.CompanyPatch{Description: ptr("Our best client")}); err != nil {
			t.Fatal(err)
		}
		contact := e.ref(codex.SourceFreshservice, codex.EntityContact, strconv.Itoa(req))
		if _, err := e.svc.Contacts.UpdateContact(e.ctx, contact.EntityID, codex.ContactPatch{Title: ptr("CTO"), PhoneMobile: ptr("+1 555 0100")}); err != nil {
			t.Fatal(err)
		}
		run = e.run(codex.SourceFreshservice)
		wantCounts(t, run, "push:department", codex.SyncCounts{Updated: 1})
		wantCounts(t, run, "push:requester", codex.SyncCounts{Updated: 1})
		ups := e.fs.Updates()
		if len(ups) != 2 || ups[0].Kind != "department" || ups[0].ID != dept || ups[0].Body["description"] != "Our best client" || ups[0].Status != http.StatusOK {
			t.Fatalf("pushes = %+v; want PUT department description", ups)
		}
		if b := ups[1].Body; ups[1].Kind != "requester" || b["job_title"] != "CTO" || b["mobile_phone_number"] != "+1 555 0100" {
			t.Errorf("push = %+v; want PUT requester job title and mobile", ups[1])
		}
		if _, has := ups[0].Body["name"]; has {
			t.Errorf("department push %v carries the name, which the PSA owns", ups[0].Body)
		}
		if d, _ := e.fs.Department(dept); d.Description != "Our best client" {
			t.Errorf("department description = %q; want pushed", d.Description)
		}
		// Nothing is pushed again.
		wantNoChange(t, e.run(codex.SourceFreshservice))
		if n := len(e.fs.Updates()); n != 2 {
			t.Errorf("pushes = %d; want still 2", n)
		}
	})
}

func TestAccountNumberPushedToDepartmentLackingOne(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		d := e.fs.AddDepartment(fsfake.Department{Name: "No Number Inc"})
		e.run(codex.SourceFreshservice)
		ref := e.ref(codex.SourceFreshservice, codex.EntityCompany, strconv.FormatInt(d.ID, 10))
		if _, err := e.svc.Companies.UpdateCompany(e.ctx, ref.EntityID, codex.CompanyPatch{AccountNumber: ptr("AC99999")}); err != nil {
			t.Fatal(err)
		}
		run := e.run(codex.SourceFreshservice)
		wantCounts(t, run, "push:department", codex.SyncCounts{Updated: 1})
		if got, _ := e.fs.Department(d.ID); got.CustomFields["account_number"] != "AC99999" {
			t.Errorf("department custom fields = %v; want account_number pushed", got.CustomFields)
		}
	})
}

func TestFailedPushIsRetriedNextRun(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(1, 0, 0)
		e.run(codex.SourceFreshservice)
		c := e.companyByAccount(fsfake.AccountNumber(1))
		if _, err := e.svc.Companies.UpdateCompany(e.ctx, c.ID, codex.CompanyPatch{Domains: &[]string{"acme.example", "acme.test"}}); err != nil {
			t.Fatal(err)
		}
		e.fs.FailNextOn(http.MethodPut, "/api/v2/departments/21000100001", 3, http.StatusServiceUnavailable)
		run := e.run(codex.SourceFreshservice)
		if run.Status != codex.SyncSucceeded {
			t.Errorf("status = %s; want succeeded: a failed push does not fail the run", run.Status)
		}
		wantCounts(t, run, "push:department", codex.SyncCounts{Failed: 1})
		if len(run.Problems) != 1 || !strings.Contains(run.Problems[0], "503") {
			t.Errorf("problems = %q; want the push's error", run.Problems)
		}
		stored, _ := e.svc.Sync.SyncRun(e.ctx, run.ID)
		if len(stored.Problems) != 1 || stored.Failed != 1 {
			t.Errorf("stored run = %+v; want the problem and the failure recorded", stored)
		}

		run = e.run(codex.SourceFreshservice)
		wantCounts(t, run, "push:department", codex.SyncCounts{Updated: 1})
		if d, _ := e.fs.Department(21000100001); strings.Join(d.Domains, ",") != "acme.example,acme.test" {
			t.Errorf("department domains = %v; want pushed on the retry", d.Domains)
		}
	})
}

func TestHalfFailedRunArchivesNothingAndNextRunResumes(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(150, 0, 0) // two pages
		e.run(codex.SourceFreshservice)
		e.fs.DeleteDepartment(21000100003)
		for i := 151; i <= 160; i++ {
			e.fs.AddDepartment(fsfake.Department{Name: fsfake.CompanyName(i), CustomFields: map[string]any{"account_number": fsfake.AccountNumber(i)}})
		}

		// The second page of departments fails for good (three attempts).
		var once sync.Once
		e.onResponse(func(req *http.Request) {
			if req.URL.Path == "/api/v2/departments" && req.URL.Query().Get("page") == "1" {
				once.Do(func() { e.fs.FailNextOn(http.MethodGet, "/api/v2/departments", 3, http.StatusBadGateway) })
			}
		})
		run, err := e.engine.Run(context.Background(), codex.SourceFreshservice, "test")
		e.onResponse(nil)
		if err == nil || run == nil || run.Status != codex.SyncFailed || !strings.Contains(run.Error, "502") {
			t.Fatalf("Run = %+v, %v; want failed with the 502", run, err)
		}
		if run.Archived != 0 {
			t.Errorf("archived = %d; want nothing archived by a failed run", run.Archived)
		}
		if c := e.companyByAccount(fsfake.AccountNumber(3)); c.ArchivedAt != nil {
			t.Errorf("company 3 archived by a failed run")
		}
		stored, _ := e.svc.Sync.SyncRun(e.ctx, run.ID)
		if stored.Status != codex.SyncFailed || stored.Error == "" || stored.FinishedAt == nil {
			t.Errorf("stored run = %+v; want failed with its error", stored)
		}

		run = e.run(codex.SourceFreshservice)
		wantCounts(t, run, codex.EntityCompany, codex.SyncCounts{Created: 10, Unchanged: 149, Archived: 1})
		if c := e.companyByAccount(fsfake.AccountNumber(3)); c.ArchivedAt == nil {
			t.Errorf("company 3 not archived by the complete run")
		}
		if n := e.count("companies", ""); n != 160 {
			t.Errorf("companies = %d; want 160 (no duplicates from re-processing)", n)
		}
	})
}

func TestMalformedRecordsAreSkippedAndCounted(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(2, 1, 0)
		e.fs.AddMalformed("departments", `{"id":"abc","name":7}`)
		e.fs.AddMalformed("requesters", `{"first_name":"No id"}`)
		e.dt.Generate(2, 2)
		e.dt.AddMalformed("devices", `{"uid":42}`)
		run := e.run(syncerAll)
		if run.Status != codex.SyncSucceeded {
			t.Fatalf("status = %s; want succeeded", run.Status)
		}
		wantCounts(t, run, "freshservice company", codex.SyncCounts{Created: 2, Failed: 1})
		wantCounts(t, run, "freshservice contact", codex.SyncCounts{Created: 2, Failed: 1})
		wantCounts(t, run, "datto asset", codex.SyncCounts{Created: 4, Failed: 1})
		if run.Failed != 3 || len(run.Problems) < 3 {
			t.Errorf("failed = %d, problems %q; want 3 malformed records reported", run.Failed, run.Problems)
		}
		// A requester without a readable id keeps contacts from being archived this run.
		e.fs.DeleteRequester(21000200001)
		run = e.run(codex.SourceFreshservice)
		if counts(run, codex.EntityContact).Archived != 0 {
			t.Errorf("contacts archived with an unreadable record in the listing")
		}
	})
}

func TestRateLimitsAndExpiredTokenMidRun(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(120, 1, 0)
		e.dt.Generate(3, 300) // devices span pages
		e.fs.RateLimitNext(1, "1")
		var once sync.Once
		run, err := e.engine.RunWithProgress(context.Background(), syncerAll, "test", func(p syncer.Progress) {
			switch {
			case p.Source == "freshservice" && p.Entity == codex.EntityCompany && p.Done == 100:
				e.fs.RateLimitNext(2, "") // no Retry-After: back off
			case p.Source == "datto" && p.Entity == codex.EntityAsset && p.Done > 0:
				once.Do(func() {
					e.dt.ExpireTokens()
					e.dt.RateLimitNext(2, "")
				})
			}
		})
		if err != nil || run.Status != codex.SyncSucceeded {
			t.Fatalf("Run = %v (%v); want success through 429s and a token renewal", err, problems(run))
		}
		wantCounts(t, run, "freshservice company", codex.SyncCounts{Created: 120})
		wantCounts(t, run, "datto asset", codex.SyncCounts{Created: 900})
		if n := e.dt.Requests(dattofake.TokenPath); n < 2 {
			t.Errorf("token requests = %d; want a renewal after the expiry", n)
		}
	})
}

func TestConcurrentRunsOfOneSource(t *testing.T) {
	for _, dialect := range []string{"pg", "sqlite"} {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t, storetest.Open(t, dialect))
			e.fs.Generate(2, 0, 0)
			other := e.newEngine() // a second replica
			inside, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			done := make(chan error, 1)
			go func() {
				_, err := e.engine.RunWithProgress(context.Background(), codex.SourceFreshservice, "first", func(p syncer.Progress) {
					once.Do(func() { close(inside); <-release })
				})
				done <- err
			}()
			<-inside
			_, err := other.Run(context.Background(), codex.SourceFreshservice, "second")
			if codex.ErrorCode(err) != codex.Conflict || codex.ErrorMessage(err) != "a freshservice sync is already running" {
				t.Errorf("second Run = %v; want the in-progress conflict", err)
			}
			// Another source is not held up.
			if _, err := other.Run(context.Background(), codex.SourceDatto, "second"); err != nil {
				t.Errorf("datto Run during a freshservice run = %v", err)
			}
			close(release)
			if err := <-done; err != nil {
				t.Fatalf("first Run = %v", err)
			}
			if _, err := other.Run(context.Background(), codex.SourceFreshservice, "third"); err != nil {
				t.Errorf("Run after the first finished = %v", err)
			}
		})
	}
}

func TestStartRunsInTheBackground(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(5, 1, 0)
		admin := codex.WithPrincipal(context.Background(), &codex.Principal{Email: "admin@msp.example", Level: codex.LevelAdmin})
		tech := codex.WithPrincipal(context.Background(), &codex.Principal{Email: "tech@msp.example", Level: codex.LevelTechnician})
		if _, err := e.engine.Start(tech, codex.SourceFreshservice); codex.ErrorCode(err) != codex.Forbidden {
			t.Errorf("Start(technician) = %v; want forbidden", err)
		}
		if _, err := e.engine.Start(admin, "psa"); codex.ErrorCode(err) != codex.Invalid {
			t.Errorf("Start(psa) = %v; want invalid", err)
		}
		run, err := e.engine.Start(admin, codex.SourceFreshservice)
		if err != nil || run.ID == 0 || run.Status != codex.SyncRunning || run.TriggeredBy != "admin@msp.example" {
			t.Fatalf("Start = %+v, %v; want the running run", run, err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			got, err := e.svc.Sync.SyncRun(e.ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != codex.SyncRunning {
				if got.Status != codex.SyncSucceeded || got.Created != 10 {
					t.Errorf("finished run = %+v; want succeeded with 10 created", got)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("run did not finish")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func TestStaleRunningRunIsMarkedFailed(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		stale, err := e.svc.Sync.StartSyncRun(e.ctx, codex.SourceFreshservice, "crashed")
		if err != nil {
			t.Fatal(err)
		}
		e.run(codex.SourceFreshservice)
		got, _ := e.svc.Sync.SyncRun(e.ctx, stale.ID)
		if got.Status != codex.SyncFailed || !strings.Contains(got.Error, "interrupted") {
			t.Errorf("stale run = %+v; want failed as interrupted", got)
		}
	})
}

func TestTicketsAreIncremental(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(1, 1, 0)
		clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		e.fs.SetClock(func() time.Time { return clock })
		t1 := e.fs.AddTicket(fsfake.Ticket{Subject: "One", RequesterID: 21000200001})
		e.fs.AddTicket(fsfake.Ticket{Subject: "Two", RequesterID: 21000200001})
		run := e.run(codex.SourceFreshservice)
		wantCounts(t, run, codex.EntityTicket, codex.SyncCounts{Created: 2})
		if run.Watermark == nil || !run.Watermark.Equal(clock) {
			t.Errorf("watermark = %v; want %v", run.Watermark, clock)
		}

		clock = clock.Add(time.Hour)
		e.fs.EditTicket(t1.ID, func(tk *fsfake.Ticket) { tk.Status = 4 })
		run = e.run(codex.SourceFreshservice)
		// Tickets updated at the watermark itself are listed again, and found unchanged.
		wantCounts(t, run, codex.EntityTicket, codex.SyncCounts{Updated: 1, Unchanged: 1})
		if !run.Watermark.Equal(clock) {
			t.Errorf("watermark = %v; want %v", run.Watermark, clock)
		}
		ref := e.ref(codex.SourceFreshservice, codex.EntityTicket, strconv.FormatInt(t1.ID, 10))
		if tk, _ := e.svc.Tickets.Ticket(e.ctx, ref.EntityID); tk.Status != codex.TicketResolved {
			t.Errorf("ticket status = %s; want resolved", tk.Status)
		}

		// A failed run does not move the watermark.
		clock = clock.Add(time.Hour)
		e.fs.FailNextOn(http.MethodGet, "/api/v2/tickets", 3, http.StatusServiceUnavailable)
		if _, err := e.engine.Run(context.Background(), codex.SourceFreshservice, "test"); err == nil {
			t.Fatal("Run with failing tickets succeeded")
		}
		last, _ := e.svc.Sync.LastSyncRun(e.ctx, codex.SourceFreshservice, codex.SyncSucceeded)
		if !last.Watermark.Equal(clock.Add(-time.Hour)) {
			t.Errorf("watermark after a failed run = %v; want unchanged", last.Watermark)
		}
	})
}

func TestUpstreamEditOfCodexFieldIsOverwritten(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.fs.Generate(1, 0, 0)
		e.run(codex.SourceFreshservice)
		e.fs.EditDepartment(21000100001, func(d *fsfake.Department) { d.Description = "edited upstream" })
		run := e.run(codex.SourceFreshservice)
		wantCounts(t, run, codex.EntityCompany, codex.SyncCounts{Unchanged: 1})
		wantCounts(t, run, "push:department", codex.SyncCounts{Updated: 1})
		if d, _ := e.fs.Department(21000100001); d.Description != "Generated company 1" {
			t.Errorf("department description = %q; want Codex's value pushed back", d.Description)
		}
		if c := e.companyByAccount(fsfake.AccountNumber(1)); c.Description != "Generated company 1" {
			t.Errorf("company description = %q; want unchanged", c.Description)
		}
		wantNoChange(t, e.run(codex.SourceFreshservice))
	})
}
