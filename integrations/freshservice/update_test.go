package freshservice_test

import (
	"reflect"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/freshservice"
	"github.com/hivematrix/codex/integrations/freshservice/fake"
)

func TestUpdateDepartment(t *testing.T) {
	f := newFake(t)
	d := f.AddDepartment(fake.Department{Name: "Acme", Description: "old", CustomFields: map[string]any{"account_number": "A1", "tier": "gold"}})
	f.AddDepartment(fake.Department{Name: "Globex"})
	c := newClient(t, f)

	got, err := c.UpdateDepartment(t.Context(), d.ID, freshservice.DepartmentUpdate{
		Name:         new("Acme Corp"),
		CustomFields: map[string]any{"account_number": "A2"},
	})
	if err != nil {
		t.Fatalf("UpdateDepartment: %v", err)
	}
	if got.Name != "Acme Corp" || got.Description != "old" || got.CustomField("account_number") != "A2" || got.CustomField("tier") != "gold" {
		t.Errorf("UpdateDepartment = %+v; want renamed, description kept, account number A2, tier kept", got)
	}
	ups := f.Updates()
	if len(ups) != 1 {
		t.Fatalf("Updates() = %+v; want one", ups)
	}
	wantBody := map[string]any{"name": "Acme Corp", "custom_fields": map[string]any{"account_number": "A2"}}
	if ups[0].Kind != "department" || ups[0].ID != d.ID || !reflect.DeepEqual(ups[0].Body, wantBody) || ups[0].Status != 200 {
		t.Errorf("Updates()[0] = %+v; want department %d with body %v and status 200", ups[0], d.ID, wantBody)
	}
	if stored, _ := f.Department(d.ID); stored.Name != "Acme Corp" {
		t.Errorf("fake department name = %q; want Acme Corp", stored.Name)
	}

	tests := []struct {
		name       string
		id         int64
		update     freshservice.DepartmentUpdate
		wantCode   codex.Code
		wantFields map[string]string
	}{
		{"blank name", d.ID, freshservice.DepartmentUpdate{Name: new("  ")}, codex.Invalid,
			map[string]string{"name": "It should not be blank as this is a mandatory field"}},
		{"duplicate name", d.ID, freshservice.DepartmentUpdate{Name: new("Globex")}, codex.Conflict,
			map[string]string{"name": "It should be a unique value"}},
		{"missing department", 1, freshservice.DepartmentUpdate{Name: new("X")}, codex.NotFound, nil},
		{"clear domains", d.ID, freshservice.DepartmentUpdate{Domains: []string{}}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.UpdateDepartment(t.Context(), tt.id, tt.update)
			if got := codex.ErrorCode(err); got != tt.wantCode {
				t.Errorf("UpdateDepartment error = %v (code %q); want code %q", err, got, tt.wantCode)
			}
			if got := codex.ErrorFields(err); !reflect.DeepEqual(got, tt.wantFields) {
				t.Errorf("error fields = %v; want %v", got, tt.wantFields)
			}
		})
	}
	last := f.Updates()[len(f.Updates())-1]
	if want := map[string]any{"domains": []any{}}; !reflect.DeepEqual(last.Body, want) {
		t.Errorf("clearing domains sent %v; want %v", last.Body, want)
	}
}

func TestUpdateRequester(t *testing.T) {
	f := newFake(t)
	dept := f.AddDepartment(fake.Department{Name: "Acme"})
	r := f.AddRequester(fake.Requester{FirstName: "Jane", LastName: "Doe", PrimaryEmail: "jane@acme.example", Active: true})
	f.AddRequester(fake.Requester{FirstName: "John", PrimaryEmail: "john@acme.example", Active: true})
	c := newClient(t, f)

	got, err := c.UpdateRequester(t.Context(), r.ID, freshservice.RequesterUpdate{
		JobTitle:      new("CTO"),
		DepartmentIDs: []int64{dept.ID},
	})
	if err != nil {
		t.Fatalf("UpdateRequester: %v", err)
	}
	if got.JobTitle != "CTO" || !reflect.DeepEqual(got.DepartmentIDs, []int64{dept.ID}) || got.FirstName != "Jane" {
		t.Errorf("UpdateRequester = %+v; want job title CTO in department %d", got, dept.ID)
	}
	ups := f.Updates()
	wantBody := map[string]any{"job_title": "CTO", "department_ids": []any{float64(dept.ID)}}
	if len(ups) != 1 || ups[0].Kind != "requester" || !reflect.DeepEqual(ups[0].Body, wantBody) {
		t.Errorf("Updates() = %+v; want one requester update with body %v", ups, wantBody)
	}

	tests := []struct {
		name       string
		update     freshservice.RequesterUpdate
		wantCode   codex.Code
		wantFields map[string]string
	}{
		{"bad email", freshservice.RequesterUpdate{PrimaryEmail: new("not-an-email")}, codex.Invalid,
			map[string]string{"primary_email": "It should be in the 'valid email address' format"}},
		{"taken email", freshservice.RequesterUpdate{PrimaryEmail: new("JOHN@acme.example")}, codex.Conflict,
			map[string]string{"primary_email": "It should be a unique value"}},
		{"unknown department", freshservice.RequesterUpdate{DepartmentIDs: []int64{7}}, codex.Invalid,
			map[string]string{"department_ids": "There are no records matching the ids: '7'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.UpdateRequester(t.Context(), r.ID, tt.update)
			if got := codex.ErrorCode(err); got != tt.wantCode {
				t.Errorf("UpdateRequester error = %v (code %q); want code %q", err, got, tt.wantCode)
			}
			if got := codex.ErrorFields(err); !reflect.DeepEqual(got, tt.wantFields) {
				t.Errorf("error fields = %v; want %v", got, tt.wantFields)
			}
		})
	}
}

func TestRequesters(t *testing.T) {
	f := newFake(t)
	dept := f.AddDepartment(fake.Department{Name: "Acme"})
	want := f.AddRequester(fake.Requester{
		FirstName: "Jane", LastName: "Doe", JobTitle: "CEO", PrimaryEmail: "jane@acme.example",
		SecondaryEmails: []string{"jd@acme.example"}, WorkPhoneNumber: "+1 555 0100", MobilePhoneNumber: "+1 555 0101",
		DepartmentIDs: []int64{dept.ID}, Active: true, VIPUser: true, CustomFields: map[string]any{"badge": 7},
	})
	c := newClient(t, f)
	pages := collect(t, c.Requesters)
	if len(pages) != 1 || len(pages[0].Items) != 1 {
		t.Fatalf("pages = %+v; want one requester", pages)
	}
	got := pages[0].Items[0]
	if got.ID != want.ID || got.FirstName != "Jane" || got.LastName != "Doe" || got.JobTitle != "CEO" ||
		got.PrimaryEmail != want.PrimaryEmail || !reflect.DeepEqual(got.SecondaryEmails, want.SecondaryEmails) ||
		got.WorkPhoneNumber != want.WorkPhoneNumber || got.MobilePhoneNumber != want.MobilePhoneNumber ||
		!reflect.DeepEqual(got.DepartmentIDs, want.DepartmentIDs) || !got.Active || !got.VIPUser ||
		got.CustomField("badge") != "7" || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("requester = %+v; want %+v", got, want)
	}
}
