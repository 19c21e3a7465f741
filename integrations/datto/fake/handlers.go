package fake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// siteWire is a site as Datto serves it.
type siteWire struct {
	ID                   int64         `json:"id"`
	UID                  string        `json:"uid"`
	AccountUID           string        `json:"accountUid"`
	Name                 string        `json:"name"`
	Description          string        `json:"description"`
	Notes                string        `json:"notes"`
	OnDemand             bool          `json:"onDemand"`
	SplashtopAutoInstall bool          `json:"splashtopAutoInstall"`
	DevicesStatus        devicesStatus `json:"devicesStatus"`
	PortalURL            string        `json:"portalUrl"`
}

type devicesStatus struct {
	NumberOfDevices        int `json:"numberOfDevices"`
	NumberOfOnlineDevices  int `json:"numberOfOnlineDevices"`
	NumberOfOfflineDevices int `json:"numberOfOfflineDevices"`
}

// deviceWire is a device as Datto serves it.
type deviceWire struct {
	ID               int64           `json:"id"`
	UID              string          `json:"uid"`
	SiteID           int64           `json:"siteId"`
	SiteUID          string          `json:"siteUid"`
	SiteName         string          `json:"siteName"`
	DeviceType       DeviceType      `json:"deviceType"`
	Hostname         string          `json:"hostname"`
	IntIPAddress     string          `json:"intIpAddress"`
	ExtIPAddress     string          `json:"extIpAddress"`
	OperatingSystem  string          `json:"operatingSystem"`
	LastLoggedInUser *string         `json:"lastLoggedInUser"`
	Domain           string          `json:"domain"`
	Description      string          `json:"description"`
	A64Bit           bool            `json:"a64Bit"`
	Online           bool            `json:"online"`
	Suspended        bool            `json:"suspended"`
	Deleted          bool            `json:"deleted"`
	LastSeen         any             `json:"lastSeen"`
	LastReboot       any             `json:"lastReboot"`
	LastAuditDate    any             `json:"lastAuditDate"`
	CreationDate     any             `json:"creationDate"`
	UDF              map[string]any  `json:"udf"`
	SNMPEnabled      bool            `json:"snmpEnabled"`
	DeviceClass      string          `json:"deviceClass"`
	PortalURL        string          `json:"portalUrl"`
	WarrantyDate     *string         `json:"warrantyDate"`
	Antivirus        antivirusWire   `json:"antivirus"`
	PatchManagement  patchWire       `json:"patchManagement"`
	SoftwareStatus   string          `json:"softwareStatus"`
	WebRemoteURL     string          `json:"webRemoteUrl"`
	NetworkProbe     json.RawMessage `json:"networkProbe,omitempty"`
}

type antivirusWire struct {
	AntivirusProduct string `json:"antivirusProduct"`
	AntivirusStatus  string `json:"antivirusStatus"`
}

type patchWire struct {
	PatchStatus            string `json:"patchStatus"`
	PatchesApprovedPending int    `json:"patchesApprovedPending"`
	PatchesNotApproved     int    `json:"patchesNotApproved"`
	PatchesInstalled       int    `json:"patchesInstalled"`
}

// alertWire is an alert as Datto serves it.
type alertWire struct {
	AlertUID         string         `json:"alertUid"`
	Priority         string         `json:"priority"`
	Diagnostics      string         `json:"diagnostics"`
	Resolved         bool           `json:"resolved"`
	ResolvedBy       *string        `json:"resolvedBy"`
	ResolvedOn       any            `json:"resolvedOn"`
	Muted            bool           `json:"muted"`
	TicketNumber     *string        `json:"ticketNumber"`
	Timestamp        any            `json:"timestamp"`
	AlertMonitorInfo map[string]any `json:"alertMonitorInfo"`
	AlertContext     map[string]any `json:"alertContext"`
	AlertSourceInfo  map[string]any `json:"alertSourceInfo"`
	ResponseActions  []any          `json:"responseActions"`
	AutoresolveMins  *int           `json:"autoresolveMins"`
}

// timeWire renders t in format; the zero time is null.
func timeWire(t time.Time, format string) any {
	if t.IsZero() {
		return nil
	}
	switch format {
	case TimeISO:
		return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	case TimeMillisString:
		return strconv.FormatInt(t.UnixMilli(), 10)
	default:
		return t.UnixMilli()
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// siteDevices returns the devices of each site, rebuilding the index when stale; the caller
// holds s.mu.
func (s *Server) siteDevices() map[string][]*Device {
	if s.bySite == nil {
		s.bySite = map[string][]*Device{}
		for _, r := range s.devices {
			if r.dev != nil {
				s.bySite[r.dev.SiteUID] = append(s.bySite[r.dev.SiteUID], r.dev)
			}
		}
	}
	return s.bySite
}

// siteWire renders site; the caller holds s.mu.
func (s *Server) siteWire(site *Site) siteWire {
	var st devicesStatus
	for _, d := range s.siteDevices()[site.UID] {
		st.NumberOfDevices++
		if d.Online {
			st.NumberOfOnlineDevices++
		} else {
			st.NumberOfOfflineDevices++
		}
	}
	return siteWire{
		ID: site.ID, UID: site.UID, AccountUID: s.accountUID, Name: site.Name, Description: site.Description,
		Notes: site.Notes, OnDemand: site.OnDemand, SplashtopAutoInstall: site.SplashtopAutoInstall,
		DevicesStatus: st, PortalURL: site.PortalURL,
	}
}

// deviceWire renders d; the caller holds s.mu.
func (s *Server) deviceWire(d *Device) deviceWire {
	site := s.siteByUID[d.SiteUID]
	udf := map[string]any{}
	for i := 1; i <= 30; i++ {
		udf["udf"+strconv.Itoa(i)] = nil
	}
	for k, v := range d.UDF {
		if v != "" {
			udf[k] = v
		}
	}
	w := deviceWire{
		ID: d.ID, UID: d.UID, SiteUID: d.SiteUID, DeviceType: d.DeviceType, Hostname: d.Hostname,
		IntIPAddress: d.IntIPAddress, ExtIPAddress: d.ExtIPAddress, OperatingSystem: d.OperatingSystem,
		LastLoggedInUser: optional(d.LastLoggedInUser), Domain: d.Domain, Description: d.Description, A64Bit: true,
		Online: d.Online, Suspended: d.Suspended, Deleted: d.Deleted,
		LastSeen: timeWire(d.LastSeen, d.TimeFormat), LastReboot: timeWire(d.LastReboot, d.TimeFormat),
		LastAuditDate: timeWire(d.LastAuditDate, d.TimeFormat), CreationDate: timeWire(d.CreationDate, d.TimeFormat),
		UDF: udf, DeviceClass: d.DeviceClass, WarrantyDate: optional(d.WarrantyDate),
		Antivirus:       antivirusWire{d.AntivirusProduct, d.AntivirusStatus},
		PatchManagement: patchWire{PatchStatus: d.PatchStatus},
		PortalURL:       fmt.Sprintf("https://merlot.centrastage.net/csm/search?qs=uid%%3A%s", d.UID),
		WebRemoteURL:    fmt.Sprintf("https://merlot.centrastage.net/csm/remote/rto/%d", d.ID),
		SoftwareStatus:  "Compliant",
	}
	if site != nil {
		w.SiteID, w.SiteName = site.ID, site.Name
	}
	return w
}

// alertWire renders a; the caller holds s.mu.
func (s *Server) alertWire(a *Alert) alertWire {
	src := map[string]any{"deviceUid": a.DeviceUID, "deviceName": nil, "siteUid": nil, "siteName": nil}
	if d, ok := s.deviceByUID[a.DeviceUID]; ok {
		src["deviceName"] = d.Hostname
		src["siteUid"] = d.SiteUID
		if site, ok := s.siteByUID[d.SiteUID]; ok {
			src["siteName"] = site.Name
		}
	}
	w := alertWire{
		AlertUID: a.AlertUID, Priority: a.Priority, Diagnostics: a.Diagnostics, Resolved: a.Resolved,
		ResolvedBy: optional(a.ResolvedBy), ResolvedOn: timeWire(a.ResolvedOn, TimeMillis), Muted: a.Muted,
		TicketNumber: optional(a.TicketNumber), Timestamp: timeWire(a.Timestamp, TimeMillis),
		AlertMonitorInfo: map[string]any{"sendsEmails": false, "createsTicket": false},
		AlertContext:     a.Context, AlertSourceInfo: src, ResponseActions: []any{},
	}
	return w
}

func (s *Server) listSites(w http.ResponseWriter, r *http.Request) {
	page, size, ok := paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := make(rows, 0, len(s.sites))
	for _, row := range s.sites {
		if row.raw != nil {
			list = append(list, row.raw)
		} else {
			list = append(list, row.site)
		}
	}
	s.writePage(w, r, "sites", list, page, size, func(v any) any { return s.siteWire(v.(*Site)) })
}

func (s *Server) getSite(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	site, ok := s.siteByUID[r.PathValue("uid")]
	if !ok {
		writeError(w, http.StatusNotFound, "Site not found")
		return
	}
	writeJSON(w, http.StatusOK, s.siteWire(site))
}

func (s *Server) listVariables(w http.ResponseWriter, r *http.Request) {
	page, size, ok := paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	uid := r.PathValue("uid")
	if _, ok := s.siteByUID[uid]; !ok {
		writeError(w, http.StatusNotFound, "Site not found")
		return
	}
	list := make(rows, 0, len(s.variables[uid]))
	for _, v := range s.variables[uid] {
		list = append(list, v)
	}
	s.writePage(w, r, "variables", list, page, size, func(v any) any {
		sv := *v.(*SiteVariable)
		if sv.Masked {
			sv.Value = "********"
		}
		return sv
	})
}

// readBody decodes a JSON object body, answering 400 when it is not one.
func readBody(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var body map[string]any
	if err == nil {
		err = json.Unmarshal(data, &body)
	}
	if err != nil || body == nil {
		writeError(w, http.StatusBadRequest, "Request body must be a JSON object")
		return nil, false
	}
	return body, true
}

// push records a push and writes its answer; the caller holds s.mu.
func (s *Server) push(w http.ResponseWriter, r *http.Request, body map[string]any, status int, msg string) {
	s.updates = append(s.updates, Update{Method: r.Method, Path: r.URL.Path, Body: body, Status: status})
	if status == http.StatusOK {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeError(w, status, msg)
}

func (s *Server) createVariable(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	uid := r.PathValue("uid")
	name, _ := body["name"].(string)
	value, valueOK := body["value"].(string)
	masked, _ := body["masked"].(bool)
	switch {
	case s.siteByUID[uid] == nil:
		s.push(w, r, body, http.StatusNotFound, "Site not found")
	case name == "" || !valueOK:
		s.push(w, r, body, http.StatusBadRequest, "Variable name and value are required")
	default:
		for _, v := range s.variables[uid] {
			if v.Name == name {
				s.push(w, r, body, http.StatusConflict, "A variable with this name already exists")
				return
			}
		}
		s.setVariable(uid, name, value, masked)
		s.push(w, r, body, http.StatusOK, "")
	}
}

func (s *Server) updateVariable(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	uid := r.PathValue("uid")
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	name, _ := body["name"].(string)
	value, valueOK := body["value"].(string)
	for _, v := range s.variables[uid] {
		if v.ID == id {
			if name == "" || !valueOK {
				s.push(w, r, body, http.StatusBadRequest, "Variable name and value are required")
				return
			}
			v.Name, v.Value = name, value
			s.push(w, r, body, http.StatusOK, "")
			return
		}
	}
	s.push(w, r, body, http.StatusNotFound, "Variable not found")
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) {
	page, size, ok := paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writePage(w, r, "devices", deviceRows(s.devices), page, size, func(v any) any { return s.deviceWire(v.(*Device)) })
}

// deviceRows lists the account's devices without copying them.
type deviceRows []deviceRow

func (l deviceRows) len() int { return len(l) }
func (l deviceRows) at(i int) any {
	if l[i].raw != nil {
		return l[i].raw
	}
	return l[i].dev
}

func (s *Server) listSiteDevices(w http.ResponseWriter, r *http.Request) {
	page, size, ok := paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	uid := r.PathValue("uid")
	if _, ok := s.siteByUID[uid]; !ok {
		writeError(w, http.StatusNotFound, "Site not found")
		return
	}
	devs := s.siteDevices()[uid]
	list := make(rows, 0, len(devs))
	for _, d := range devs {
		list = append(list, d)
	}
	s.writePage(w, r, "devices", list, page, size, func(v any) any { return s.deviceWire(v.(*Device)) })
}

func (s *Server) getDevice(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deviceByUID[r.PathValue("uid")]
	if !ok {
		writeError(w, http.StatusNotFound, "Device not found")
		return
	}
	writeJSON(w, http.StatusOK, s.deviceWire(d))
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func (s *Server) setWarranty(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, found := s.deviceByUID[r.PathValue("uid")]
	raw, present := body["warrantyDate"]
	date, isString := raw.(string)
	switch {
	case !found:
		s.push(w, r, body, http.StatusNotFound, "Device not found")
	case !present || (raw != nil && !isString):
		s.push(w, r, body, http.StatusBadRequest, "warrantyDate is required")
	case isString && !validDate(date):
		s.push(w, r, body, http.StatusBadRequest, "warrantyDate must be in the format yyyy-mm-dd")
	default:
		d.WarrantyDate = date // "" when null
		s.push(w, r, body, http.StatusOK, "")
	}
}

func validDate(s string) bool {
	if !dateRE.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

var udfRE = regexp.MustCompile(`^udf([1-9][0-9]?|100)$`)

func (s *Server) setUDF(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, found := s.deviceByUID[r.PathValue("uid")]
	if !found {
		s.push(w, r, body, http.StatusNotFound, "Device not found")
		return
	}
	for k, v := range body {
		if _, isString := v.(string); !udfRE.MatchString(k) || (v != nil && !isString) {
			s.push(w, r, body, http.StatusBadRequest, "Invalid user defined field "+k)
			return
		}
	}
	if d.UDF == nil {
		d.UDF = map[string]string{}
	}
	for k, v := range body {
		if str, _ := v.(string); str != "" {
			d.UDF[k] = str
		} else {
			delete(d.UDF, k)
		}
	}
	s.push(w, r, body, http.StatusOK, "")
}

func (s *Server) getAudit(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deviceByUID[r.PathValue("uid")]
	if !ok {
		writeError(w, http.StatusNotFound, "Device not found")
		return
	}
	if d.DeviceClass != "device" {
		writeError(w, http.StatusBadRequest, "Device audit is only available for devices of class device")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"portalUrl":    fmt.Sprintf("https://merlot.centrastage.net/csm/audit/%d", d.ID),
		"webRemoteUrl": fmt.Sprintf("https://merlot.centrastage.net/csm/remote/rto/%d", d.ID),
		"systemInfo": map[string]any{
			"manufacturer": d.Manufacturer, "model": d.Model, "totalPhysicalMemory": 17179869184,
			"username": d.LastLoggedInUser, "dotNetVersion": "4.8.09032", "totalCpuCores": 8,
		},
		"networkInterface": []any{map[string]any{
			"instance": "Intel(R) Ethernet Connection", "ipv4": d.IntIPAddress, "ipv6": nil,
			"macAddress": fmt.Sprintf("00:50:56:%02x:%02x:%02x", (d.ID>>16)&0xff, (d.ID>>8)&0xff, d.ID&0xff), "type": "Ethernet",
		}},
		"bios": map[string]any{
			"instance": "BIOS Date: 01/01/21", "releaseDate": time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(),
			"serialNumber": d.SerialNumber, "smBiosVersion": "3.3",
		},
		"baseBoard":       map[string]any{"manufacturer": d.Manufacturer, "product": "0ABC12", "serialNumber": "/" + d.SerialNumber + "/"},
		"displays":        []any{},
		"logicalDisks":    []any{map[string]any{"diskIdentifier": "C:", "freespace": 107374182400, "size": 256060514304}},
		"mobileInfo":      []any{},
		"processors":      []any{map[string]any{"name": "Intel(R) Core(TM) i7-11700 @ 2.50GHz"}},
		"videoBoards":     []any{},
		"attachedDevices": []any{},
		"snmpInfo":        nil,
		"physicalMemory":  []any{map[string]any{"module": "DIMM1", "size": 17179869184, "manufacturer": "Samsung", "serialNumber": "M0001"}},
	})
}

// listAlerts serves the open or the resolved alerts.
func (s *Server) listAlerts(resolved bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		page, size, ok := paging(w, r)
		if !ok {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		var list rows
		for _, row := range s.alerts {
			switch {
			case row.raw != nil && row.resolved == resolved:
				list = append(list, row.raw)
			case row.alert != nil && row.alert.Resolved == resolved:
				list = append(list, row.alert)
			}
		}
		s.writePage(w, r, "alerts", list, page, size, func(v any) any { return s.alertWire(v.(*Alert)) })
	}
}
