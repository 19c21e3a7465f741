package policy_test

import (
	"context"
	"testing"
	"time"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// The dashboard's counts and expiry list follow the lists: a client counts and sees only
// its subtree, a count of what the caller may not read is left out, and the assets of the
// expiry list carry secrets for administrators only.
func TestDashboardFollowsPolicy(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		today := codex.DateOf(time.Now())
		soon := today.AddDays(10)
		if _, err := w.svc.Assets.UpdateAsset(w.admin, w.server.ID, codex.AssetPatch{LicenseExpires: &soon}); err != nil {
			t.Fatal(err)
		}
		later := today.AddDays(20)
		globexPC := &codex.Asset{CompanyID: w.globex.ID, Name: "GLOBEX-PC", Type: codex.AssetWorkstation, WarrantyExpires: &later}
		if err := w.svc.Assets.CreateAsset(w.admin, globexPC); err != nil {
			t.Fatal(err)
		}
		window := codex.ExpiryFilter{From: today, Before: today.AddDays(90)}
		all := codex.TotalsFilter{Companies: true, Contacts: true, Assets: true, Network: true, Tickets: true}

		for _, tc := range []struct {
			who     string
			ctx     context.Context
			assets  []string
			secrets bool
		}{
			{"admin", w.admin, []string{"LAB-SRV", "GLOBEX-PC"}, true},
			{"technician", w.tech, []string{"LAB-SRV", "GLOBEX-PC"}, false},
			{"client", w.client, []string{"LAB-SRV"}, false},
		} {
			es, err := w.svc.Dashboard.Expiring(tc.ctx, window)
			if err != nil {
				t.Fatalf("%s Expiring = %v", tc.who, err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Asset.Name)
				if (e.Asset.LicenseKey != "" || e.Asset.SecretFields != nil) != tc.secrets && e.Asset.ID == w.server.ID {
					t.Errorf("%s Expiring shows secrets = %q %v; want %v", tc.who, e.Asset.LicenseKey, e.Asset.SecretFields, tc.secrets)
				}
			}
			if names := joined(got); names != joined(tc.assets) {
				t.Errorf("%s Expiring = %s; want %s", tc.who, names, joined(tc.assets))
			}

			tot, err := w.svc.Dashboard.Totals(tc.ctx, all)
			if err != nil {
				t.Fatalf("%s Totals = %v", tc.who, err)
			}
			assets, err := w.svc.Assets.Assets(tc.ctx, codex.AssetFilter{}, codex.PageArgs{WantTotal: true})
			if err != nil {
				t.Fatal(err)
			}
			tickets, err := w.svc.Tickets.Tickets(tc.ctx, codex.TicketFilter{OpenOnly: true}, codex.PageArgs{WantTotal: true})
			if err != nil {
				t.Fatal(err)
			}
			clients, err := w.svc.Companies.Companies(tc.ctx, codex.CompanyFilter{Kind: []codex.CompanyKind{codex.KindClient}}, codex.PageArgs{WantTotal: true})
			if err != nil {
				t.Fatal(err)
			}
			if tot.Assets == nil || *tot.Assets != assets.TotalCount || tot.OpenTickets == nil || *tot.OpenTickets != tickets.TotalCount ||
				tot.Clients == nil || *tot.Clients != clients.TotalCount {
				t.Errorf("%s Totals = assets %v, open tickets %v, clients %v; want the lists' %d, %d, %d", tc.who,
					deref(tot.Assets), deref(tot.OpenTickets), deref(tot.Clients), assets.TotalCount, tickets.TotalCount, clients.TotalCount)
			}
		}

		// A caller counts only what it may read.
		for _, tc := range []struct {
			who string
			ctx context.Context
		}{{"billing", w.billing}, {"service", w.ledger}} {
			p := codex.PrincipalFrom(tc.ctx)
			tot, err := w.svc.Dashboard.Totals(tc.ctx, all)
			if err != nil {
				t.Fatalf("%s Totals = %v", tc.who, err)
			}
			for _, x := range []struct {
				res codex.Resource
				n   *int
			}{{codex.ResCompany, tot.Clients}, {codex.ResContact, tot.Contacts}, {codex.ResAsset, tot.Assets},
				{codex.ResNetwork, tot.Equipment}, {codex.ResTicket, tot.OpenTickets}, {codex.ResTicket, tot.OpenAlerts}} {
				if (x.n != nil) != p.Can(codex.Read, x.res) {
					t.Errorf("%s Totals count of %s = %v; want one only when it may read them (%v)", tc.who, x.res, deref(x.n), p.Can(codex.Read, x.res))
				}
			}
		}
		if _, err := w.svc.Dashboard.Totals(w.anonymous, all); codex.ErrorCode(err) != codex.Unauthenticated {
			t.Errorf("anonymous Totals = %v; want unauthenticated", err)
		}
	})
}

func joined(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

func deref(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}
