package rest

import (
	"context"
	"net/http"
	"reflect"

	"github.com/hivematrix/codex/codex"
)

// EquipmentFilter parameters.
var equipmentParams = []filterParam[codex.EquipmentFilter]{
	textParam("search", "Name, address, model or serial contains this text.",
		func(f *codex.EquipmentFilter) *string { return &f.Search }),
	idParam("company_id", "Equipment of this company.", func(f *codex.EquipmentFilter) **int64 { return &f.CompanyID }),
	idParam("subtree_of", "Equipment of any company in this company's subtree.",
		func(f *codex.EquipmentFilter) **int64 { return &f.SubtreeOf }),
	enumParam("type", "Equipment types.", []codex.EquipmentType{codex.EquipmentRouter, codex.EquipmentSwitch,
		codex.EquipmentFirewall, codex.EquipmentAccessPoint, codex.EquipmentOther},
		func(f *codex.EquipmentFilter) *[]codex.EquipmentType { return &f.Type }),
	enumParam("status", "Statuses reported by the RMM.", []string{"online", "offline", "unknown"},
		func(f *codex.EquipmentFilter) *[]string { return &f.Status }),
	cidrParam("ip_in", "Equipment whose address is inside this CIDR prefix.",
		func(f *codex.EquipmentFilter) *string { return &f.IPIn }),
	flagParam("include_archived", "Include archived equipment.",
		func(f *codex.EquipmentFilter) *bool { return &f.IncludeArchived }),
	orderParam(codex.EquipmentOrders, func(f *codex.EquipmentFilter) *codex.Order { return &f.Order }),
}

func (a *API) networkRoutes() []route {
	ns := a.svc.Network
	l := list[codex.EquipmentFilter, codex.NetworkEquipment, *codex.NetworkEquipment]{
		name: "network_equipment", params: equipmentParams, page: ns.EquipmentList, each: ns.EachEquipment,
		view: func(e *codex.NetworkEquipment) *codex.NetworkEquipment { return e },
	}
	nested := l
	nested.params = without(equipmentParams, "company_id")
	nested.scope = func(r *http.Request, f *codex.EquipmentFilter) error {
		id, err := a.companyInPath(r)
		f.CompanyID = &id
		return err
	}
	e := entity[codex.NetworkEquipment, codex.EquipmentPatch, *codex.NetworkEquipment]{
		noun: "network device", get: ns.Equipment, create: ns.CreateEquipment, update: ns.UpdateEquipment,
		archive: ns.ArchiveEquipment, restore: ns.RestoreEquipment,
		blank:  func() *codex.NetworkEquipment { return &codex.NetworkEquipment{} },
		decode: decodeRow[codex.NetworkEquipment],
		view:   func(e *codex.NetworkEquipment) *codex.NetworkEquipment { return e },
		id:     func(e *codex.NetworkEquipment) int64 { return e.ID },
	}
	rts := []route{
		listRoute(a, l, "/network_equipment", "List network equipment", "network"),
		listRoute(a, nested, "/companies/{id}/network_equipment", "List a company's network equipment", "companies"),
	}
	rts = append(rts, entityRoutes(a, e, "/network_equipment", "network")...)
	return append(rts,
		rowsRoute(a, "/companies/{id}/subnets", "List a company's subnets", "network", "subnets",
			func(ctx context.Context, id int64) ([]*codex.Subnet, error) {
				rows, err := ns.SubnetsByCompanies(ctx, []int64{id})
				return first(rows), err
			}),
		rowsRoute(a, "/companies/{id}/duplicate_ips", "Addresses used more than once within a company", "network", "duplicate_ips",
			func(ctx context.Context, id int64) ([]codex.DuplicateIP, error) {
				return ns.DuplicateIPs(ctx, id, nil)
			}),
		route{method: http.MethodGet, pattern: "/subnets", summary: "List the subnets of every visible company, or of one",
			tag: "network", list: true, status: http.StatusOK, result: reflect.TypeFor[*codex.Subnet](),
			params:  append([]param{companyIDParam}, csvParams...),
			handler: a.subnets},
		route{method: http.MethodGet, pattern: "/network/inside", tag: "network", list: true, status: http.StatusOK,
			summary: "The equipment and assets whose addresses fall inside a CIDR prefix",
			result:  reflect.TypeFor[codex.IPUser](),
			params: []param{{name: "cidr", typ: "string", format: "cidr", required: true, doc: "The prefix, such as 10.20.0.0/16."},
				companyIDParam, csvParams[0], csvParams[1]},
			handler: a.inside},
	)
}

var companyIDParam = param{name: "company_id", typ: "integer", format: "int64", doc: "Only this company."}

// optionalCompany reads the company_id parameter of the small network lists.
func optionalCompany(r *http.Request) (int64, error) {
	vs, ok := r.URL.Query()["company_id"]
	if !ok {
		return 0, nil
	}
	s, err := single("company_id", vs)
	if err != nil {
		return 0, err
	}
	return parseID("company_id", s)
}

// subnetBatch is how many companies one SubnetsByCompanies call asks about.
const subnetBatch = 500

func (a *API) subnets(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := optionalCompany(r)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	var ids []int64
	if id > 0 {
		_, err = a.svc.Companies.Company(ctx, id)
		ids = []int64{id}
	} else {
		err = a.svc.Companies.EachCompany(ctx, codex.CompanyFilter{}, func(c *codex.Company) error {
			ids = append(ids, c.ID)
			return nil
		})
	}
	var out []*codex.Subnet
	for i := 0; err == nil && i < len(ids); i += subnetBatch {
		var rows [][]*codex.Subnet
		rows, err = a.svc.Network.SubnetsByCompanies(ctx, ids[i:min(i+subnetBatch, len(ids))])
		for _, rs := range rows {
			out = append(out, rs...)
		}
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	writeRows(a, w, r, "subnets", out)
}

func (a *API) inside(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	vs, ok := q["cidr"]
	if !ok {
		a.problem(w, r, paramError("cidr", "is required"))
		return
	}
	s, err := single("cidr", vs)
	if err != nil {
		a.problem(w, r, err)
		return
	}
	p, err := codex.ParseCIDR(s)
	if err != nil {
		a.problem(w, r, paramError("cidr", "must be a CIDR prefix such as 10.0.0.0/24"))
		return
	}
	id, err := optionalCompany(r)
	var rows []codex.IPUser
	if err == nil {
		rows, err = a.svc.Network.Inside(r.Context(), id, p.String(), nil)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	writeRows(a, w, r, "inside", rows)
}
