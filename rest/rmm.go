package rest

import (
	"context"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/hivematrix/codex/codex"
)

// RMMDevice is an asset the RMM (Datto RMM) manages, as the platform's assistant
// (Brainhair) reads it. ID is the RMM's device uid; CompanyID is the company's account
// number (the platform's key), or its id when it has none.
type RMMDevice struct {
	ID               string            `json:"id"`
	AssetID          int64             `json:"asset_id"`
	Name             string            `json:"name"`
	Hostname         string            `json:"hostname"`
	CompanyID        string            `json:"company_id"`
	CompanyName      string            `json:"company_name"`
	Status           string            `json:"status"` // online or offline
	Online           bool              `json:"online"`
	OS               string            `json:"os"`
	HardwareType     string            `json:"hardware_type"`
	IPAddress        string            `json:"ip_address"`
	ExtIPAddress     string            `json:"ext_ip_address"`
	LastSeen         *time.Time        `json:"last_seen"`
	LastLoggedInUser string            `json:"last_logged_in_user"`
	Domain           string            `json:"domain"`
	Antivirus        string            `json:"antivirus"`
	AntivirusStatus  string            `json:"antivirus_status"`
	PatchStatus      string            `json:"patch_status"`
	BackupDataBytes  int64             `json:"backup_data_bytes"`
	UDF              map[string]string `json:"udf"`
	// SecretUDF holds the UDFs with keys (BitLocker, Windows); present for admins only:
	// the policy strips secret fields for everyone else, services included.
	SecretUDF map[string]string `json:"secret_udf,omitempty"`
}

// RMMDevices is the answer of GET /rmm/devices.
type RMMDevices struct {
	Devices []RMMDevice `json:"devices"`
	Count   int         `json:"count"`
}

func rmmDevice(uid string, a *codex.Asset, c *codex.Company) RMMDevice {
	p := platformAsset(a)
	d := RMMDevice{ID: uid, AssetID: a.ID, Name: a.Name, Hostname: p.Hostname, Status: "offline", Online: a.Online,
		OS: a.OperatingSystem, HardwareType: p.HardwareType, IPAddress: p.IntIPAddress, ExtIPAddress: a.ExtIPAddress,
		LastSeen: a.LastSeen, LastLoggedInUser: a.LastLoggedInUser, Domain: a.Domain, Antivirus: a.AntivirusProduct,
		AntivirusStatus: a.AntivirusStatus, PatchStatus: a.PatchStatus, BackupDataBytes: p.BackupDataBytes,
		UDF: a.CustomFields, SecretUDF: a.SecretFields}
	if d.UDF == nil {
		d.UDF = map[string]string{}
	}
	if len(d.SecretUDF) == 0 {
		d.SecretUDF = nil
	}
	if a.Online {
		d.Status = "online"
	}
	if c != nil {
		d.CompanyName = c.Name
		d.CompanyID = idText(c.ID)
		if c.AccountNumber != nil {
			d.CompanyID = *c.AccountNumber
		}
	}
	return d
}

// idText is a company reference by id, in companyByRef's explicit form.
func idText(id int64) string { return "id:" + strconv.FormatInt(id, 10) }

func (a *API) rmmRoutes() []route {
	return []route{
		{method: http.MethodGet, pattern: "/rmm/devices", tag: "platform",
			summary: "The RMM's devices the caller may see, of one company (company_id: account number or id) and/or one status",
			params: []param{
				{name: "company_id", typ: "string", doc: "The company, by account number or id (see companyByRef)."},
				{name: "status", typ: "string", enum: []string{"online", "offline"}, doc: "Only online or offline devices."},
			},
			result: reflect.TypeFor[RMMDevices](), status: http.StatusOK, handler: a.rmmDevices},
		{method: http.MethodGet, pattern: "/rmm/device/{uid}", tag: "platform",
			summary: "One RMM device by its RMM uid, with its audit and user-defined fields (secret ones for admins only)",
			result:  reflect.TypeFor[RMMDevice](), status: http.StatusOK, handler: a.rmmDeviceOne},
	}
}

// system is ctx as Codex itself, for lookups whose results are only used to find a row
// that is then read as the caller (external references carry no data of their own).
func system(ctx context.Context) context.Context {
	return codex.WithPrincipal(ctx, codex.SystemPrincipal("rmm"))
}

func (a *API) rmmDevices(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	var f codex.AssetFilter
	switch q.Get("status") {
	case "":
	case "online", "offline":
		on := q.Get("status") == "online"
		f.Online = &on
	default:
		a.problem(w, r, paramError("status", "must be online or offline"))
		return
	}
	companies := map[int64]*codex.Company{}
	if ref := q.Get("company_id"); ref != "" {
		c, _, err := a.companyByRef(ctx, ref)
		if err != nil {
			a.problem(w, r, err)
			return
		}
		f.CompanyID = &c.ID
		companies[c.ID] = c
	}
	var assets []*codex.Asset
	err := a.svc.Assets.EachAsset(ctx, f, func(x *codex.Asset) error {
		assets = append(assets, x)
		return nil
	})
	ids := make([]int64, len(assets))
	for i, x := range assets {
		ids[i] = x.ID
	}
	var refs [][]*codex.ExternalRef
	if err == nil && len(ids) > 0 {
		refs, err = a.svc.Sync.ExternalRefsByEntity(system(ctx), codex.EntityAsset, ids)
	}
	if err == nil && f.CompanyID == nil && len(assets) > 0 {
		err = a.svc.Companies.EachCompany(ctx, codex.CompanyFilter{}, func(c *codex.Company) error {
			companies[c.ID] = c
			return nil
		})
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	out := RMMDevices{Devices: []RMMDevice{}}
	for i, x := range assets {
		for _, ref := range refs[i] {
			if ref.Source == codex.SourceDatto {
				out.Devices = append(out.Devices, rmmDevice(ref.ExternalID, x, companies[x.CompanyID]))
				break
			}
		}
	}
	out.Count = len(out.Devices)
	writeJSON(w, http.StatusOK, out)
}

func (a *API) rmmDeviceOne(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	uid := chi.URLParam(r, "uid")
	ref, err := a.svc.Sync.ExternalRef(system(ctx), codex.SourceDatto, codex.EntityAsset, uid)
	var x *codex.Asset
	if err == nil {
		x, err = a.svc.Assets.Asset(ctx, ref.EntityID) // as the caller: scope and secrets apply
	}
	var c *codex.Company
	if err == nil {
		c, err = a.svc.Companies.Company(ctx, x.CompanyID)
	}
	if codex.IsNotFound(err) {
		err = codex.Errorf(codex.NotFound, "no RMM device %q", uid)
	}
	if err != nil {
		a.problem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rmmDevice(uid, x, c))
}
