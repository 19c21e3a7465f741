package rest

import (
	"net/http"

	"github.com/hivematrix/codex/codex"
)

// AssetFilter parameters.
var assetParams = []filterParam[codex.AssetFilter]{
	textParam("search", "Name, serial number, hostname, model or an IP address contains this text.",
		func(f *codex.AssetFilter) *string { return &f.Search }),
	idParam("company_id", "Assets of this company.", func(f *codex.AssetFilter) **int64 { return &f.CompanyID }),
	idParam("subtree_of", "Assets of any company in this company's subtree.",
		func(f *codex.AssetFilter) **int64 { return &f.SubtreeOf }),
	enumParam("type", "Asset types.", codex.AssetTypes, func(f *codex.AssetFilter) *[]codex.AssetType { return &f.Type }),
	enumParam("status", "Asset statuses.", []codex.AssetStatus{codex.AssetActive, codex.AssetInRepair, codex.AssetRetired},
		func(f *codex.AssetFilter) *[]codex.AssetStatus { return &f.Status }),
	dateParam("warranty_expires_before", "Warranty ends before this date.",
		func(f *codex.AssetFilter) **codex.Date { return &f.WarrantyExpiresBefore }),
	triParam("online", "Only online (true) or offline (false) assets.", func(f *codex.AssetFilter) **bool { return &f.Online }),
	cidrParam("ip_in", "Assets with an address inside this CIDR prefix.", func(f *codex.AssetFilter) *string { return &f.IPIn }),
	idParam("contact_id", "Assets assigned to this contact.", func(f *codex.AssetFilter) **int64 { return &f.ContactID }),
	textParam("serial_number", "Exactly this serial number.", func(f *codex.AssetFilter) *string { return &f.SerialNumber }),
	textParam("hostname", "Exactly this hostname.", func(f *codex.AssetFilter) *string { return &f.Hostname }),
	flagParam("include_archived", "Include archived assets.", func(f *codex.AssetFilter) *bool { return &f.IncludeArchived }),
	orderParam(codex.AssetOrders, func(f *codex.AssetFilter) *codex.Order { return &f.Order }),
}

func (a *API) assetRoutes() []route {
	as := a.svc.Assets
	l := list[codex.AssetFilter, codex.Asset, *codex.Asset]{
		name: "assets", params: assetParams, page: as.Assets, each: as.EachAsset,
		view: func(x *codex.Asset) *codex.Asset { return x },
	}
	nested := l
	nested.params = without(assetParams, "company_id")
	nested.scope = func(r *http.Request, f *codex.AssetFilter) error {
		id, err := a.companyInPath(r)
		f.CompanyID = &id
		return err
	}
	e := entity[codex.Asset, codex.AssetPatch, *codex.Asset]{
		noun: "asset", get: as.Asset, create: as.CreateAsset, update: as.UpdateAsset,
		archive: as.ArchiveAsset, restore: as.RestoreAsset,
		blank:  func() *codex.Asset { return &codex.Asset{} },
		decode: decodeRow[codex.Asset],
		view:   func(x *codex.Asset) *codex.Asset { return x },
		id:     func(x *codex.Asset) int64 { return x.ID },
	}
	return append([]route{
		listRoute(a, l, "/assets", "List assets", "assets"),
		listRoute(a, nested, "/companies/{id}/assets", "List a company's assets", "companies"),
	}, entityRoutes(a, e, "/assets", "assets")...)
}
