package web_test

import (
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/store"
	"github.com/hivematrix/codex/store/storetest"
)

// The dashboard's counts equal the lists' totals for the same principal, and its expiry
// list holds the warranties and licences of the principal's companies only.
func TestDashboardCountsAndExpiries(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, true)
		for _, tc := range []struct {
			level     codex.Level
			company   string
			shows     []string
			leavesOut []string
		}{
			{codex.LevelAdmin, "", []string{">MCSO-MDT-07</a></td><td>warranty<", ">Duo Advanced Authentication (CJIS MFA)</a></td><td>licence<"}, nil},
			{codex.LevelClient, "ACC-1001", nil, []string{"MCSO-MDT-07", "Duo Advanced"}},
		} {
			ctx := asPrincipal(f, tc.level, tc.company)
			_, body, _ := f.get("/?view=dashboard", f.token(tc.level, tc.company))
			assets, err := f.svc.Assets.Assets(ctx, codex.AssetFilter{}, codex.PageArgs{WantTotal: true})
			if err != nil {
				t.Fatal(err)
			}
			contacts, err := f.svc.Contacts.Contacts(ctx, codex.ContactFilter{}, codex.PageArgs{WantTotal: true})
			if err != nil {
				t.Fatal(err)
			}
			tickets, err := f.svc.Tickets.Tickets(ctx, codex.TicketFilter{OpenOnly: true}, codex.PageArgs{WantTotal: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range append([]string{
				`<a href="assets">Assets</a><strong>` + itoa(int64(assets.TotalCount)) + `</strong>`,
				`<a href="contacts">Contacts</a><strong>` + itoa(int64(contacts.TotalCount)) + `</strong>`,
				`Open tickets<strong>` + itoa(int64(tickets.TotalCount)) + `</strong>`,
			}, tc.shows...) {
				if !strings.Contains(body, want) {
					t.Errorf("%s dashboard lacks %s:\n%.3000s", tc.level, want, body)
				}
			}
			for _, not := range tc.leavesOut {
				if strings.Contains(body, not) {
					t.Errorf("%s dashboard shows %s of another company", tc.level, not)
				}
			}
		}
	})
}
