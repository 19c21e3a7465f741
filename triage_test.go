package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/datto/fake"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

func TestTriageAndAccountNumbersOverRESTAndGraphQL(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		s, rmm := syncServer(t, db)
		admin := mint(t, s, auth.MintOptions{Email: "ada@example.com", Level: codex.LevelAdmin})
		tech := mint(t, s, auth.MintOptions{Email: "tom@example.com", Level: codex.LevelTechnician})
		sys := codex.WithPrincipal(context.Background(), codex.SystemPrincipal("test"))
		if _, err := s.sync.Run(context.Background(), codex.SourceDatto, "test"); err != nil {
			t.Fatalf("first run: %v", err)
		}
		// Company 1 has two assets called DUP-PC; the RMM then reports a machine of that
		// name: it is held for an admin, not merged into one of them or duplicated.
		c1, err := s.svc.Companies.CompanyByAccountNumber(sys, fake.AccountNumber(1))
		if err != nil {
			t.Fatal(err)
		}
		var dups []int64
		for range 2 {
			a := &codex.Asset{CompanyID: c1.ID, Name: "DUP-PC", Hostname: "DUP-PC"}
			if err := s.svc.Assets.CreateAsset(sys, a); err != nil {
				t.Fatal(err)
			}
			dups = append(dups, a.ID)
		}
		refs, err := s.svc.Sync.ExternalRefsByEntity(sys, codex.EntityCompany, []int64{c1.ID})
		if err != nil || len(refs[0]) != 1 {
			t.Fatalf("site of company 1: %v %v", refs, err)
		}
		dev := rmm.AddDevice(fake.Device{SiteUID: refs[0][0].ExternalID, Hostname: "DUP-PC"})
		run, err := s.sync.Run(context.Background(), codex.SourceDatto, "test")
		if err != nil || run.Counts[codex.EntityAsset].Held != 1 {
			t.Fatalf("second run = %+v, %v; want one device held", run.Counts, err)
		}
		numberless := &codex.Company{Name: "Numberless"}
		if err := s.svc.Companies.CreateCompany(sys, numberless); err != nil {
			t.Fatal(err)
		}

		// The triage list is the admins'.
		if w := do(t, s.handler, http.MethodGet, "/api/triage", tech, nil); w.Code != http.StatusForbidden {
			t.Errorf("technician GET /api/triage = %d %s; want 403", w.Code, w.Body)
		}
		w := do(t, s.handler, http.MethodGet, "/api/triage?reason=ambiguous", admin, nil)
		var items []codex.TriageItem
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &items) != nil || len(items) != 1 {
			t.Fatalf("GET /api/triage = %d %s; want the held device", w.Code, w.Body)
		}
		if it := items[0]; it.Entity != codex.EntityAsset || it.Reason != codex.TriageAmbiguous || len(it.Candidates) != 2 {
			t.Errorf("triage item = %+v; want an ambiguous asset with two candidates", it)
		}
		path := "/api/triage/" + itoa(items[0].ID) + "/assign"
		body := func(s string) *strings.Reader { return strings.NewReader(s) }
		if w := do(t, s.handler, http.MethodPost, path, tech, body(`{"asset_id":`+itoa(dups[0])+`}`), "Content-Type", "application/json"); w.Code != http.StatusForbidden {
			t.Errorf("technician assign = %d %s; want 403", w.Code, w.Body)
		}
		if w := do(t, s.handler, http.MethodPost, path, admin, body(`{"asset_id":999999}`), "Content-Type", "application/json"); w.Code != http.StatusUnprocessableEntity {
			t.Errorf("assign to a non-candidate = %d %s; want 422", w.Code, w.Body)
		}
		if w := do(t, s.handler, http.MethodPost, path, admin, body(`{"asset_id":"x"}`), "Content-Type", "application/json"); w.Code != http.StatusBadRequest {
			t.Errorf("assign with a bad body = %d %s; want 400", w.Code, w.Body)
		}
		gql := func(token, q string) string {
			t.Helper()
			b, _ := json.Marshal(map[string]string{"query": q})
			return do(t, s.handler, http.MethodPost, "/graphql", token, strings.NewReader(string(b)), "Content-Type", "application/json").Body.String()
		}
		// The same list and action through GraphQL.
		got := gql(admin, `{ triage(filter: {reason: "ambiguous"}) { totalCount nodes { databaseId entity reason candidates upstream } } }`)
		if !strings.Contains(got, `"databaseId":`+itoa(items[0].ID)) || !strings.Contains(got, `"hostname":"DUP-PC"`) {
			t.Errorf("triage = %s; want the held device with its upstream values", got)
		}
		assetGID := base64.RawURLEncoding.EncodeToString([]byte("Asset:" + itoa(dups[0])))
		companyGID := base64.RawURLEncoding.EncodeToString([]byte("Company:" + itoa(c1.ID)))
		if got := gql(admin, `mutation { assignTriageItem(input: {itemId: `+itoa(items[0].ID)+`, assetId: "`+assetGID+`", companyId: "`+companyGID+`"}) { assets } }`); !strings.Contains(got, "BAD_USER_INPUT") {
			t.Errorf("assignTriageItem with a company and an asset = %s; want BAD_USER_INPUT", got)
		}
		if got := gql(admin, `mutation { assignTriageItem(input: {itemId: `+itoa(items[0].ID)+`, assetId: "`+assetGID+`"}) { contacts tickets assets } }`); !strings.Contains(got, `"assets":1`) {
			t.Fatalf("assignTriageItem = %s; want the asset linked", got)
		}
		if ref, err := s.svc.Sync.ExternalRef(sys, codex.SourceDatto, codex.EntityAsset, dev.UID); err != nil || ref.EntityID != dups[0] {
			t.Errorf("device reference = %+v, %v; want asset %d", ref, err, dups[0])
		}
		if got := gql(admin, `{ triage { totalCount } }`); !strings.Contains(got, `"totalCount":0`) {
			t.Errorf("triage after assigning = %s; want none left", got)
		}
		if got := gql(tech, `{ triage { totalCount } }`); !strings.Contains(got, "FORBIDDEN") {
			t.Errorf("technician triage = %s; want FORBIDDEN", got)
		}

		// Account numbers, on demand: the numberless client gets the first.
		if w := do(t, s.handler, http.MethodPost, "/api/sync/account-numbers", tech, nil); w.Code != http.StatusForbidden {
			t.Errorf("technician POST /api/sync/account-numbers = %d %s; want 403", w.Code, w.Body)
		}
		if w := do(t, s.handler, http.MethodPost, "/api/sync/account-numbers", admin, nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"account_number":{"created":1`) {
			t.Errorf("POST /api/sync/account-numbers = %d %s; want one number handed out", w.Code, w.Body)
		}
		if nl, _ := s.svc.Companies.Company(sys, numberless.ID); nl.AccountNumber == nil || *nl.AccountNumber != "000001" {
			t.Errorf("Numberless account number = %v; want 000001", nl.AccountNumber)
		}
		if r := gql(admin, `mutation { assignAccountNumbers { runs { source status counts { entity counts { created unassigned held merged } } } } }`); !strings.Contains(r, `"status":"SUCCEEDED"`) || strings.Contains(r, `"account_number"`) {
			t.Errorf("assignAccountNumbers = %s; want a run that hands out nothing more", r)
		}
		if r := gql(tech, `mutation { assignAccountNumbers { runs { source } } }`); !strings.Contains(r, "FORBIDDEN") {
			t.Errorf("technician assignAccountNumbers = %s; want FORBIDDEN", r)
		}
	})
}

func TestSyncAccountNumbersCommand(t *testing.T) {
	rmm := fake.New()
	t.Cleanup(rmm.Close)
	site := rmm.AddSite(fake.Site{Name: "Solo"}) // no AccountNumber variable
	env := cliEnv(t, "CODEX_DATTO_API_URL", rmm.URL(), "CODEX_DATTO_API_KEY", fake.APIKey, "CODEX_DATTO_API_SECRET", fake.APISecret,
		"CODEX_DEMO_DATA", "false", "CODEX_SYNC_ACCOUNT_NUMBER_FORMAT", "MSP-%04d", "CODEX_SYNC_ACCOUNT_NUMBER_START", "7")
	if code, _, errOut := runCLI(t, env, "migrate"); code != exitOK { // sync never creates an instance
		t.Fatalf("codex migrate = %d\n%s", code, errOut)
	}
	if code, out, errOut := runCLI(t, env, "sync", "datto"); code != exitOK {
		t.Fatalf("codex sync datto = %d\n%s\n%s", code, out, errOut)
	}
	var got string
	for _, v := range rmm.SiteVariables(site.UID) {
		if v.Name == "AccountNumber" {
			got = v.Value
		}
	}
	if got != "MSP-0007" {
		t.Errorf("site AccountNumber = %q; want MSP-0007 (the configured format and start), pushed by the run", got)
	}
	code, out, errOut := runCLI(t, env, "sync", "account-numbers")
	if code != exitOK || !strings.Contains(out, "datto sync succeeded") {
		t.Errorf("codex sync account-numbers = %d\nstdout: %s\nstderr: %s\nwant a run summary", code, out, errOut)
	}
}
