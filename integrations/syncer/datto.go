package syncer

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/integrations/datto"
)

// AccountNumberVariable is the Datto site variable that holds a site's account number.
const AccountNumberVariable = "AccountNumber"

// datto syncs sites, devices and alerts, in that order.
func (r *runner) datto(ctx context.Context) error {
	dc := r.e.datto
	companies := r.dattoCompanies(dc)
	assets := r.dattoAssets(dc)
	equipment := r.dattoEquipment()
	r.archivers = append(r.archivers, companies, assets, equipment)
	if err := r.loadTriage(ctx); err != nil {
		return err
	}

	err := syncPages(ctx, companies, dc.Sites,
		func(ctx context.Context, p datto.Page[datto.Site]) (*page[codex.Company], error) {
			out := dattoPage[codex.Company](len(p.Items), p.Total, p.Skipped)
			for _, s := range p.Items {
				out.recs = append(out.recs, dattoSite(s))
			}
			return out, nil
		})
	if err != nil {
		return err
	}
	if err := r.accountNumbers(ctx, companies); err != nil {
		return err
	}

	siteCompany := map[string]int64{}
	err = r.e.svc.Sync.EachExternalRef(ctx, r.source, codex.EntityCompany, func(x *codex.ExternalRef) error {
		siteCompany[x.ExternalID] = x.EntityID
		return nil
	})
	if err != nil {
		return err
	}

	// One listing feeds two entities: devices become assets, network devices equipment.
	type devicePage struct {
		devs *page[codex.Asset]
		nets []*record[codex.NetworkEquipment]
	}
	var mu sync.Mutex
	done := 0
	err = pipeline(ctx, r.e.writers,
		func(ctx context.Context, fn func(devicePage) error) error {
			return dc.Devices(ctx, func(p datto.Page[datto.Device]) error {
				dp := devicePage{devs: dattoPage[codex.Asset](len(p.Items), p.Total, p.Skipped)}
				for _, d := range p.Items {
					if d.Deleted {
						continue // gone: its row is archived when the listing completes
					}
					company := siteCompany[d.SiteUID]
					switch {
					case company == 0:
						dp.devs.recs = append(dp.devs.recs, &record[codex.Asset]{extID: d.UID,
							label: "device " + d.UID + " (" + d.Hostname + ")", values: map[string]string{"site": d.SiteUID}})
					case d.DeviceClass == datto.ClassNetworkDevice:
						dp.nets = append(dp.nets, dattoNetworkDevice(d, company))
					default:
						dp.devs.recs = append(dp.devs.recs, dattoDevice(d, company))
					}
				}
				return fn(dp)
			})
		},
		func(ctx context.Context, dp devicePage) error {
			if err := assets.prepare(ctx, linkedSites(dp.devs.recs)); err != nil {
				return err
			}
			return equipment.prepare(ctx, dp.nets)
		},
		func(ctx context.Context, dp devicePage) error {
			r.skipped(ctx, codex.EntityAsset, codex.EntityAsset, dp.devs.skipped, dp.devs.skippedIDs)
			var devs []*record[codex.Asset]
			for _, rec := range dp.devs.recs {
				if rec.build == nil {
					r.markSeen(codex.EntityAsset, rec.extID)
					r.markSeen(codex.EntityEquipment, rec.extID)
					r.failed(ctx, codex.EntityAsset, rec.label, codex.Errorf(codex.Invalid, "its site %s is not linked to a company", rec.values["site"]))
					continue
				}
				devs = append(devs, rec)
			}
			if err := assets.page(ctx, devs); err != nil {
				return err
			}
			if err := equipment.page(ctx, dp.nets); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			done += dp.devs.size
			r.report(codex.EntityAsset, done, dp.devs.total, false)
			return nil
		})
	if err != nil {
		return err
	}
	r.listedAll(codex.EntityAsset)
	r.listedAll(codex.EntityEquipment)
	r.report(codex.EntityAsset, done, done, true)

	return r.dattoAlerts(ctx, dc, siteCompany)
}

// dattoPage starts the page of a Datto listing of n good records.
func dattoPage[T any](n, total int, skipped []datto.SkipError) *page[T] {
	p := &page[T]{recs: make([]*record[T], 0, n), size: n + len(skipped), total: total}
	for _, s := range skipped {
		p.skipped, p.skippedIDs = append(p.skipped, s), append(p.skippedIDs, s.ID)
	}
	return p
}

// linkedSites leaves out the records of devices whose site is not linked.
func linkedSites(recs []*record[codex.Asset]) []*record[codex.Asset] {
	out := make([]*record[codex.Asset], 0, len(recs))
	for _, rec := range recs {
		if rec.build != nil {
			out = append(out, rec)
		}
	}
	return out
}

// skippedDatto counts Datto's malformed records.
func (r *runner) skippedDatto(ctx context.Context, entity, key string, skipped []datto.SkipError) {
	errs := make([]error, len(skipped))
	ids := make([]string, len(skipped))
	for i, s := range skipped {
		errs[i], ids[i] = s, s.ID
	}
	r.skipped(ctx, entity, key, errs, ids)
}

// Companies from sites.

func dattoSite(s datto.Site) *record[codex.Company] {
	v := map[string]string{
		"name":        text(s.Name),
		"description": text(s.Description),
	}
	return &record[codex.Company]{
		extID: s.UID, label: "site " + s.UID + " (" + v["name"] + ")", values: v, upstream: s,
		build: func() (*codex.Company, error) {
			c := &codex.Company{Name: v["name"], Description: v["description"]}
			if a := v["account_number"]; a != "" {
				c.AccountNumber = &a
			}
			return c, nil
		},
	}
}

func (r *runner) dattoCompanies(dc *datto.Client) *companyMirror {
	m := newCompanyMirror(r)
	m.fields = dattoCompanyFields
	// A site's variables are read when it is first seen; later its account number is
	// Codex's, pushed when it differs.
	m.observedKeys = []string{"account_number"}
	m.observe = func(ctx context.Context, recs []*record[codex.Company]) error {
		return r.concurrently(ctx, len(recs), func(ctx context.Context, i int) error {
			vars, err := dc.SiteVariables(ctx, recs[i].extID)
			if err != nil {
				if fatal(err) && ctx.Err() != nil {
					return err
				}
				r.problem(ctx, "site %s: reading its variables: %s", recs[i].extID, errorText(err))
				return nil
			}
			recs[i].values["account_number"] = ""
			for _, v := range vars {
				if v.Name == AccountNumberVariable && !v.Masked {
					recs[i].values["account_number"] = text(v.Value)
				}
			}
			return nil
		})
	}
	m.match = func(ctx context.Context, recs []*record[codex.Company]) error {
		if err := r.matchByAccountNumber(ctx, recs); err != nil {
			return err
		}
		return r.matchByName(ctx, recs)
	}
	m.pushKey = pushSites
	m.push = func(ctx context.Context, rec *record[codex.Company], c *codex.Company, changed map[string]string) ([]string, error) {
		v, ok := changed["account_number"]
		if !ok || v == "" {
			return nil, nil
		}
		if err := dc.SetSiteVariable(ctx, rec.extID, AccountNumberVariable, v); err != nil {
			return nil, err
		}
		return []string{"account_number"}, nil
	}
	return m
}

// matchByName links sites without an account number to the one company of that exact
// name that no other site is linked to.
func (r *runner) matchByName(ctx context.Context, recs []*record[codex.Company]) error {
	for _, rec := range recs {
		if rec.matchID != 0 || rec.values["account_number"] != "" || rec.values["name"] == "" {
			continue
		}
		n := 20
		page, err := r.e.svc.Companies.Companies(ctx, codex.CompanyFilter{Search: rec.values["name"]}, codex.PageArgs{First: &n})
		if err != nil {
			return err
		}
		var same []int64
		for _, c := range page.Items {
			if strings.EqualFold(c.Name, rec.values["name"]) {
				same = append(same, c.ID)
			}
		}
		linked, err := r.linkedTo(ctx, codex.EntityCompany, same)
		if err != nil {
			return err
		}
		same = slices.DeleteFunc(same, func(id int64) bool { return linked[id] || r.claimed(codex.EntityCompany, id) })
		if len(same) == 1 && r.take(codex.EntityCompany, same[0]) {
			rec.matchID = same[0]
		}
	}
	return nil
}

// Assets from devices.

// dattoAssetType maps a device's class and type to an asset type.
func dattoAssetType(d datto.Device) codex.AssetType {
	if d.DeviceClass == datto.ClassPrinter {
		return codex.AssetPrinter
	}
	if d.DeviceClass == datto.ClassESXiHost {
		return codex.AssetServer
	}
	t := strings.ToLower(d.DeviceType.Category + " " + d.DeviceType.Type)
	switch {
	case strings.Contains(t, "laptop"), strings.Contains(t, "notebook"):
		return codex.AssetLaptop
	case strings.Contains(t, "server"):
		return codex.AssetServer
	case strings.Contains(t, "virtual"):
		return codex.AssetVirtualMachine
	case strings.Contains(t, "desktop"), strings.Contains(t, "workstation"):
		return codex.AssetWorkstation
	case strings.Contains(t, "mobile"), strings.Contains(t, "phone"), strings.Contains(t, "tablet"):
		return codex.AssetMobile
	case strings.Contains(t, "printer"):
		return codex.AssetPrinter
	}
	return codex.AssetOther
}

func dattoDevice(d datto.Device, company int64) *record[codex.Asset] {
	v := map[string]string{
		"hostname":         text(d.Hostname),
		"name":             text(d.Hostname),
		"company_id":       idText(company),
		"operating_system": text(d.OperatingSystem),
		"online":           boolText(d.Online),
		"type":             string(dattoAssetType(d)),
		"ip_addresses":     validIP(d.IntIPAddress),
		"last_seen":        "",
		"warranty_expires": "",
		// The device audit the platform reads.
		"ext_ip_address":      validIP(d.ExtIPAddress),
		"last_logged_in_user": text(d.LastLoggedInUser),
		"domain":              text(d.Domain),
		"antivirus_product":   text(d.Antivirus.AntivirusProduct),
		"antivirus_status":    text(d.Antivirus.AntivirusStatus),
		"patch_status":        text(d.PatchManagement.PatchStatus),
		"backup_data_bytes":   backupBytes(d),
	}
	v["custom_fields"], v["secret_fields"] = deviceUDFs(d)
	if !d.LastSeen.IsZero() {
		v["last_seen"] = timeText(&d.LastSeen.Time)
	}
	if w, ok := d.Warranty(); ok {
		v["warranty_expires"] = w.String()
	}
	if v["name"] == "" {
		v["name"] = d.UID
	}
	return &record[codex.Asset]{
		extID: d.UID, label: "device " + d.UID + " (" + v["hostname"] + ")", values: v, upstream: d,
		build: func() (*codex.Asset, error) {
			a := &codex.Asset{CompanyID: company, Name: v["name"], Type: codex.AssetType(v["type"]), Hostname: v["hostname"],
				SerialNumber: v["serial_number"], Manufacturer: v["manufacturer"], Model: v["model"],
				OperatingSystem: v["operating_system"], Online: d.Online, LastSeen: parseTime(v["last_seen"]),
				WarrantyExpires: datePtr(v["warranty_expires"]), IPAddresses: parseList(v["ip_addresses"]),
				ExtIPAddress: v["ext_ip_address"], LastLoggedInUser: v["last_logged_in_user"], Domain: v["domain"],
				AntivirusProduct: v["antivirus_product"], AntivirusStatus: v["antivirus_status"], PatchStatus: v["patch_status"],
				BackupDataBytes: parseInt64Ptr(v["backup_data_bytes"]),
				CustomFields:    parseMap(v["custom_fields"]), SecretFields: parseMap(v["secret_fields"])}
			return a, nil
		},
	}
}

func (r *runner) dattoAssets(dc *datto.Client) *assetMirror {
	m := newAssetMirror(r)
	m.fields = dattoAssetFields
	// Only devices seen for the first time are audited, which keeps later runs fast.
	m.observedKeys = []string{"serial_number", "manufacturer", "model", "mac_addresses"}
	m.observe = func(ctx context.Context, recs []*record[codex.Asset]) error {
		return r.concurrently(ctx, len(recs), func(ctx context.Context, i int) error {
			rec := recs[i]
			rec.values["serial_number"], rec.values["manufacturer"], rec.values["model"] = "", "", ""
			if rec.upstream.(datto.Device).DeviceClass != datto.ClassDevice {
				return nil // Datto audits only devices of class "device" this way
			}
			a, err := dc.DeviceAudit(ctx, rec.extID)
			if err != nil {
				if fatal(err) && ctx.Err() != nil {
					return err
				}
				r.problem(ctx, "device %s: reading its audit: %s", rec.extID, errorText(err))
				return nil
			}
			rec.values["serial_number"] = text(a.BIOS.SerialNumber)
			rec.values["manufacturer"] = text(a.SystemInfo.Manufacturer)
			rec.values["model"] = text(a.SystemInfo.Model)
			var macs []string
			for _, n := range a.NetworkInterface {
				macs = append(macs, n.MACAddress)
			}
			if m := macList(macs...); m != "" {
				rec.values["mac_addresses"] = m // matching only: no asset column holds it
			}
			return nil
		})
	}
	m.match = r.matchAssets
	m.pushKey = pushDevices
	m.push = func(ctx context.Context, rec *record[codex.Asset], a *codex.Asset, changed map[string]string) ([]string, error) {
		v, ok := changed["warranty_expires"]
		if !ok {
			return nil, nil
		}
		if err := dc.SetWarranty(ctx, rec.extID, v); err != nil {
			return nil, err
		}
		return []string{"warranty_expires"}, nil
	}
	return m
}

// Network equipment from network devices.

// dattoEquipmentType maps a network device's type to an equipment type.
func dattoEquipmentType(d datto.Device) codex.EquipmentType {
	t := strings.ToLower(d.DeviceType.Category + " " + d.DeviceType.Type)
	switch {
	case strings.Contains(t, "firewall"):
		return codex.EquipmentFirewall
	case strings.Contains(t, "router"):
		return codex.EquipmentRouter
	case strings.Contains(t, "switch"):
		return codex.EquipmentSwitch
	case strings.Contains(t, "access point"), strings.Contains(t, "wireless"), strings.Contains(t, "wifi"):
		return codex.EquipmentAccessPoint
	}
	return codex.EquipmentOther
}

func dattoNetworkDevice(d datto.Device, company int64) *record[codex.NetworkEquipment] {
	status := "offline"
	if d.Online {
		status = "online"
	}
	v := map[string]string{
		"name":       text(d.Hostname),
		"ip_address": validIP(d.IntIPAddress),
		"status":     status,
		"last_seen":  "",
		"company_id": idText(company),
		"type":       string(dattoEquipmentType(d)),
	}
	if !d.LastSeen.IsZero() {
		v["last_seen"] = timeText(&d.LastSeen.Time)
	}
	if v["name"] == "" {
		v["name"] = d.UID
	}
	return &record[codex.NetworkEquipment]{
		extID: d.UID, label: "network device " + d.UID + " (" + v["name"] + ")", values: v, upstream: d,
		build: func() (*codex.NetworkEquipment, error) {
			return &codex.NetworkEquipment{CompanyID: company, Name: v["name"], Type: codex.EquipmentType(v["type"]),
				IPAddress: v["ip_address"], Status: status, LastSeen: parseTime(v["last_seen"])}, nil
		},
	}
}

func (r *runner) dattoEquipment() *equipmentMirror {
	m := newEquipmentMirror(r)
	m.fields = dattoEquipmentFields
	m.match = func(ctx context.Context, recs []*record[codex.NetworkEquipment]) error {
		var companies []int64
		for _, rec := range recs {
			companies = append(companies, parseID(rec.values["company_id"]))
		}
		companies = uniqIDs(companies)
		lists, err := r.e.svc.Network.EquipmentByCompanies(ctx, companies, codex.EquipmentFilter{IncludeArchived: true}, 0)
		if err != nil {
			return err
		}
		byCompany := map[int64][]*codex.NetworkEquipment{}
		for i, l := range lists {
			byCompany[companies[i]] = l
		}
		cands := make([][]int64, len(recs))
		var all []int64
		for i, rec := range recs {
			for _, e := range byCompany[parseID(rec.values["company_id"])] {
				if strings.EqualFold(e.Name, rec.values["name"]) {
					cands[i] = append(cands[i], e.ID)
				}
			}
			all = append(all, cands[i]...)
		}
		return pick(ctx, r, codex.EntityEquipment, recs, cands, uniqIDs(all))
	}
	return m
}

// Alerts.

// alertValues are the fields of a that an alert's fingerprint covers.
func alertValues(a *codex.Alert) map[string]string {
	var asset string
	if a.AssetID != nil {
		asset = idText(*a.AssetID)
	}
	return map[string]string{
		"company_id": idText(a.CompanyID), "asset_id": asset, "priority": string(a.Priority), "message": a.Message,
		"resolved": boolText(a.Resolved), "raised_at": timeText(&a.RaisedAt), "resolved_at": timeText(a.ResolvedAt),
	}
}

// dattoAlerts syncs the open alerts, then the resolved ones.
func (r *runner) dattoAlerts(ctx context.Context, dc *datto.Client, siteCompany map[string]int64) error {
	done := 0
	each := func(p datto.Page[datto.Alert]) error {
		r.skippedDatto(ctx, codex.EntityAlert, codex.EntityAlert, p.Skipped)
		ids := make([]string, len(p.Items))
		var devices []string
		for i, a := range p.Items {
			ids[i] = a.AlertUID
			if a.AlertSourceInfo.DeviceUID != "" {
				devices = append(devices, a.AlertSourceInfo.DeviceUID)
			}
		}
		refs, err := r.e.svc.Sync.ExternalRefsByExternalIDs(ctx, r.source, codex.EntityAlert, ids)
		if err != nil {
			return err
		}
		deviceAsset, err := r.rowsOf(ctx, codex.EntityAsset, devices)
		if err != nil {
			return err
		}
		var save []*codex.ExternalRef
		for i, da := range p.Items {
			label := "alert " + da.AlertUID
			a := dattoAlert(da, siteCompany, deviceAsset)
			if a.CompanyID == 0 {
				r.failed(ctx, codex.EntityAlert, label, codex.Errorf(codex.Invalid, "its site %s is not linked to a company", da.AlertSourceInfo.SiteUID))
				continue
			}
			values := alertValues(a)
			fp := fingerprint(values)
			if refs[i] != nil && refs[i].Fingerprint == fp {
				r.add(codex.EntityAlert, func(c *codex.SyncCounts) { c.Unchanged++ })
				continue
			}
			created, err := r.e.svc.Tickets.SaveAlert(ctx, a)
			if err != nil {
				if fatal(err) {
					return err
				}
				r.failed(ctx, codex.EntityAlert, label, err)
				continue
			}
			r.add(codex.EntityAlert, func(c *codex.SyncCounts) {
				if created {
					c.Created++
				} else {
					c.Updated++
				}
			})
			save = append(save, &codex.ExternalRef{Source: r.source, Entity: codex.EntityAlert, ExternalID: da.AlertUID,
				EntityID: a.ID, Fingerprint: fp, Upstream: values})
		}
		if err := r.e.svc.Sync.SaveExternalRefs(ctx, save); err != nil {
			return err
		}
		done += len(p.Items) + len(p.Skipped)
		r.report(codex.EntityAlert, done, -1, false)
		return nil
	}
	if err := dc.OpenAlerts(ctx, each); err != nil {
		return err
	}
	if err := dc.ResolvedAlerts(ctx, each); err != nil {
		return err
	}
	r.report(codex.EntityAlert, done, done, true)
	return nil
}

func dattoAlert(da datto.Alert, siteCompany, deviceAsset map[string]int64) *codex.Alert {
	a := &codex.Alert{
		Source: codex.SourceDatto, ExternalID: da.AlertUID,
		CompanyID: siteCompany[da.AlertSourceInfo.SiteUID],
		Priority:  codex.AlertPriority(strings.ToLower(da.Priority)),
		Message:   text(da.Diagnostics),
		Resolved:  da.Resolved,
		RaisedAt:  da.Timestamp.UTC().Truncate(time.Microsecond),
	}
	if !a.Priority.Valid() {
		a.Priority = codex.AlertInformation
	}
	if a.Message == "" {
		if class, _ := da.AlertContext["@class"].(string); class != "" {
			a.Message = class
		}
	}
	if id, ok := deviceAsset[da.AlertSourceInfo.DeviceUID]; ok {
		a.AssetID = &id
	}
	if da.Resolved && !da.ResolvedOn.IsZero() {
		t := da.ResolvedOn.UTC().Truncate(time.Microsecond)
		a.ResolvedAt = &t
	}
	return a
}

// concurrently calls fn for 0..n-1 with at most the engine's audit concurrency at once.
func (r *runner) concurrently(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(r.e.audits)
	for i := range n {
		g.Go(func() error { return fn(ctx, i) })
	}
	return g.Wait()
}
