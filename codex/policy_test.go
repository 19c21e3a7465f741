package codex_test

import (
	"fmt"
	"testing"

	"github.com/hivematrix/codex/codex"
)

// TestPolicyMatrix checks every (principal, action, resource) cell of the access matrix.
func TestPolicyMatrix(t *testing.T) {
	admin := &codex.Principal{Email: "ada@example.com", Level: codex.LevelAdmin}
	tech := &codex.Principal{Email: "tom@example.com", Level: codex.LevelTechnician}
	billing := &codex.Principal{Email: "bill@example.com", Level: codex.LevelBilling}
	client := &codex.Principal{Email: "cat@client.com", Level: codex.LevelClient, CompanyID: 7}
	ledger := &codex.Principal{Subject: "service:ledger", Service: "ledger", Grant: codex.Grant{Read: true}}
	brainhair := &codex.Principal{Subject: "service:brainhair", Service: "brainhair", Grant: codex.Grant{Read: true, Redact: true}}
	unknownSvc := &codex.Principal{Subject: "service:x", Service: "x"}
	// A service claiming admin level must not become admin: grants decide.
	sneaky := &codex.Principal{Subject: "service:evil", Service: "evil", Level: codex.LevelAdmin, Grant: codex.Grant{Read: true}}
	syncer := &codex.Principal{Subject: "service:sync", Service: "sync", Grant: codex.Grant{Read: true, Sync: true}}
	system := codex.SystemPrincipal("seed")

	all := []codex.Resource{codex.ResCompany, codex.ResBilling, codex.ResLocation, codex.ResContact, codex.ResAsset,
		codex.ResNetwork, codex.ResTicket, codex.ResAgent, codex.ResAudit, codex.ResSync, codex.ResPreferences}
	// want[principal][action] lists the resources allowed; everything else must be refused.
	type rights struct{ read, write []codex.Resource }
	staff := []codex.Resource{codex.ResCompany, codex.ResLocation, codex.ResContact, codex.ResAsset, codex.ResNetwork}
	cases := []struct {
		name string
		p    *codex.Principal
		want rights
	}{
		{"admin", admin, rights{all, all}},
		{"system", system, rights{all, all}},
		{"technician", tech, rights{all, append(staff[:len(staff):len(staff)], codex.ResPreferences)}},
		{"billing", billing, rights{all, []codex.Resource{codex.ResBilling, codex.ResPreferences}}},
		{"client", client, rights{
			[]codex.Resource{codex.ResCompany, codex.ResBilling, codex.ResLocation, codex.ResContact, codex.ResAsset, codex.ResNetwork, codex.ResTicket, codex.ResPreferences},
			[]codex.Resource{codex.ResPreferences}}},
		{"service ledger (read)", ledger, rights{
			[]codex.Resource{codex.ResCompany, codex.ResBilling, codex.ResLocation, codex.ResContact, codex.ResAsset, codex.ResNetwork, codex.ResTicket, codex.ResAudit, codex.ResSync},
			nil}},
		{"service brainhair (read, redacted)", brainhair, rights{
			[]codex.Resource{codex.ResCompany, codex.ResBilling, codex.ResLocation, codex.ResContact, codex.ResAsset, codex.ResNetwork, codex.ResTicket, codex.ResAudit, codex.ResSync},
			nil}},
		{"service without grant", unknownSvc, rights{nil, nil}},
		{"service claiming admin", sneaky, rights{
			[]codex.Resource{codex.ResCompany, codex.ResBilling, codex.ResLocation, codex.ResContact, codex.ResAsset, codex.ResNetwork, codex.ResTicket, codex.ResAudit, codex.ResSync},
			nil}},
		{"service with sync grant", syncer, rights{
			[]codex.Resource{codex.ResCompany, codex.ResBilling, codex.ResLocation, codex.ResContact, codex.ResAsset, codex.ResNetwork, codex.ResTicket, codex.ResAudit, codex.ResSync},
			[]codex.Resource{codex.ResSync, codex.ResTicket}}},
		{"anonymous", nil, rights{nil, nil}},
	}
	for _, tc := range cases {
		for _, res := range all {
			for _, act := range []codex.Action{codex.Read, codex.Write} {
				allowed := tc.want.read
				if act == codex.Write {
					allowed = tc.want.write
				}
				want := contains(allowed, res)
				if got := tc.p.Can(act, res); got != want {
					t.Errorf("%s.Can(%s, %s) = %v; want %v", tc.name, act, res, got, want)
				}
			}
		}
	}

	secrets := map[string]bool{"admin": true, "system": true}
	for _, tc := range cases {
		if got := tc.p.SeesSecrets(); got != secrets[tc.name] {
			t.Errorf("%s.SeesSecrets() = %v; want %v", tc.name, got, secrets[tc.name])
		}
	}
	if !brainhair.MustRedact() || ledger.MustRedact() || admin.MustRedact() {
		t.Errorf("MustRedact: brainhair %v, ledger %v, admin %v; want true, false, false", brainhair.MustRedact(), ledger.MustRedact(), admin.MustRedact())
	}
	if root, ok := client.ScopeRoot(); !ok || root != 7 {
		t.Errorf("client.ScopeRoot() = %d, %v; want 7, true", root, ok)
	}
	for _, p := range []*codex.Principal{admin, tech, billing, ledger, system} {
		if _, ok := p.ScopeRoot(); ok {
			t.Errorf("%s.ScopeRoot() limited; want unlimited", p)
		}
	}
}

func TestCanWriteCompanyFields(t *testing.T) {
	tech := &codex.Principal{Email: "t@x.com", Level: codex.LevelTechnician}
	billing := &codex.Principal{Email: "b@x.com", Level: codex.LevelBilling}
	admin := &codex.Principal{Email: "a@x.com", Level: codex.LevelAdmin}
	tests := []struct {
		p      *codex.Principal
		fields []string
		want   bool
		bad    string
	}{
		{tech, []string{"name", "phone"}, true, ""},
		{tech, []string{"name", "billing_plan"}, false, "billing_plan"},
		{billing, []string{"billing_plan", "contract_end"}, true, ""},
		{billing, []string{"billing_plan", "name"}, false, "name"},
		{admin, []string{"name", "billing_contact_id"}, true, ""},
	}
	for _, tt := range tests {
		got, bad := tt.p.CanWriteCompanyFields(tt.fields)
		if got != tt.want || bad != tt.bad {
			t.Errorf("%s.CanWriteCompanyFields(%v) = %v, %q; want %v, %q", tt.p, tt.fields, got, bad, tt.want, tt.bad)
		}
	}
}

func contains(rs []codex.Resource, r codex.Resource) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func ExamplePrincipal_Actor() {
	fmt.Println((&codex.Principal{Email: "ada@example.com"}).Actor())
	fmt.Println((&codex.Principal{Service: "ledger"}).Actor())
	fmt.Println(codex.SystemPrincipal("sync:datto").Actor())
	// Output:
	// ada@example.com
	// service:ledger
	// system:sync:datto
}
