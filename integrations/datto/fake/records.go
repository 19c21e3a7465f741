package fake

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
)

// Site is a site as the fake stores it; devicesStatus is computed from its devices.
type Site struct {
	ID                   int64
	UID                  string
	Name                 string
	Description          string
	Notes                string
	OnDemand             bool
	SplashtopAutoInstall bool
	PortalURL            string
}

// DeviceType is what kind of device Datto thinks a device is.
type DeviceType struct {
	Category string `json:"category"`
	Type     string `json:"type"`
}

// Time formats a device can serve its timestamps in.
const (
	TimeMillis       = ""       // epoch milliseconds as a JSON number, Datto's usual form
	TimeISO          = "iso"    // ISO-8601 strings, as some accounts send
	TimeMillisString = "string" // epoch milliseconds as a JSON string
)

// Device is a device as the fake stores it. SerialNumber, Manufacturer and Model are served
// in the device's audit; TimeFormat chooses how its timestamps travel.
type Device struct {
	ID               int64
	UID              string
	SiteUID          string
	DeviceType       DeviceType
	Hostname         string
	IntIPAddress     string
	ExtIPAddress     string
	OperatingSystem  string
	LastLoggedInUser string
	Domain           string
	Description      string
	Online           bool
	Suspended        bool
	Deleted          bool
	LastSeen         time.Time
	LastReboot       time.Time
	LastAuditDate    time.Time
	CreationDate     time.Time
	// UDF holds udf1..udf30 (or up to udf100); missing fields are served as null.
	UDF              map[string]string
	DeviceClass      string
	WarrantyDate     string // "yyyy-mm-dd" or ""
	AntivirusProduct string
	AntivirusStatus  string
	PatchStatus      string

	SerialNumber string
	Manufacturer string
	Model        string
	TimeFormat   string
}

// Alert is an alert as the fake stores it; alertSourceInfo is computed from DeviceUID.
type Alert struct {
	AlertUID     string
	Priority     string
	Diagnostics  string
	Resolved     bool
	ResolvedBy   string
	ResolvedOn   time.Time
	Muted        bool
	TicketNumber string
	Timestamp    time.Time
	Context      map[string]any
	DeviceUID    string
}

// SiteVariable is a site variable. The fake, assuming Datto hides masked values, serves the
// value of a masked variable as "********".
type SiteVariable struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Value  string `json:"value"`
	Masked bool   `json:"masked"`
}

func (d Device) clone() Device {
	d.UDF = maps.Clone(d.UDF)
	return d
}

func (a Alert) clone() Alert {
	a.Context = maps.Clone(a.Context)
	return a
}

func siteUID(n int64) string   { return fmt.Sprintf("5e1a0000-0000-4000-8000-%012x", n) }
func deviceUID(n int64) string { return fmt.Sprintf("de7c0000-0000-4000-8000-%012x", n) }
func alertUID(n int64) string  { return fmt.Sprintf("a1e70000-0000-4000-8000-%012x", n) }

// AddSite stores site, giving it an id and uid when they are empty, and returns it as stored.
func (s *Server) AddSite(site Site) Site {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addSite(site)
}

func (s *Server) addSite(site Site) Site {
	if site.ID == 0 {
		site.ID = s.nextSite
	}
	s.nextSite = max(s.nextSite, site.ID+1)
	if site.UID == "" {
		site.UID = siteUID(site.ID)
	}
	if site.PortalURL == "" {
		site.PortalURL = "https://merlot.centrastage.net/csm/profile/summary/" + strconv.FormatInt(site.ID, 10)
	}
	p := &site
	if _, ok := s.siteByUID[site.UID]; ok {
		*s.siteByUID[site.UID] = site
		return site
	}
	s.siteByUID[site.UID] = p
	s.sites = append(s.sites, siteRow{site: p})
	return site
}

// RenameSite renames site uid; it reports whether the site exists.
func (s *Server) RenameSite(uid, name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	site, ok := s.siteByUID[uid]
	if ok {
		site.Name = name
	}
	return ok
}

// DeleteSite removes site uid with its devices and variables; it reports whether it existed.
func (s *Server) DeleteSite(uid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.siteByUID[uid]; !ok {
		return false
	}
	delete(s.siteByUID, uid)
	delete(s.variables, uid)
	s.sites = slices.DeleteFunc(s.sites, func(r siteRow) bool { return r.site != nil && r.site.UID == uid })
	s.devices = slices.DeleteFunc(s.devices, func(r deviceRow) bool {
		if r.dev != nil && r.dev.SiteUID == uid {
			delete(s.deviceByUID, r.dev.UID)
			return true
		}
		return false
	})
	s.bySite = nil
	return true
}

// SetSiteVariable sets variable name of site uid to value, creating it when missing, and
// returns it as stored. It does not count as a push.
func (s *Server) SetSiteVariable(uid, name, value string, masked bool) SiteVariable {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.setVariable(uid, name, value, masked)
}

func (s *Server) setVariable(uid, name, value string, masked bool) SiteVariable {
	for _, v := range s.variables[uid] {
		if v.Name == name {
			v.Value, v.Masked = value, masked
			return *v
		}
	}
	v := &SiteVariable{ID: s.nextVariable, Name: name, Value: value, Masked: masked}
	s.nextVariable++
	s.variables[uid] = append(s.variables[uid], v)
	return *v
}

// SiteVariables returns the variables of site uid as stored (values unmasked).
func (s *Server) SiteVariables(uid string) []SiteVariable {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SiteVariable
	for _, v := range s.variables[uid] {
		out = append(out, *v)
	}
	return out
}

// AddDevice stores d, giving it an id and uid when they are empty and the class "device"
// and a desktop type when it has none, and returns it as stored. Its site must exist.
func (s *Server) AddDevice(d Device) Device {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addDevice(d)
}

func (s *Server) addDevice(d Device) Device {
	if _, ok := s.siteByUID[d.SiteUID]; !ok {
		panic(fmt.Sprintf("fake: AddDevice: no site %q", d.SiteUID))
	}
	d = d.clone()
	if d.ID == 0 {
		d.ID = s.nextDevice
	}
	s.nextDevice = max(s.nextDevice, d.ID+1)
	if d.UID == "" {
		d.UID = deviceUID(d.ID)
	}
	if d.DeviceClass == "" {
		d.DeviceClass = "device"
	}
	if d.DeviceType == (DeviceType{}) {
		d.DeviceType = DeviceType{Category: "Desktop", Type: "Desktop"}
	}
	if d.CreationDate.IsZero() {
		d.CreationDate = time.Now().UTC().Truncate(time.Millisecond)
	}
	if old, ok := s.deviceByUID[d.UID]; ok {
		*old = d
	} else {
		p := &d
		s.deviceByUID[d.UID] = p
		s.devices = append(s.devices, deviceRow{dev: p})
	}
	s.bySite = nil
	return d.clone()
}

// EditDevice applies edit to device uid; it reports whether the device exists.
func (s *Server) EditDevice(uid string, edit func(*Device)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deviceByUID[uid]
	if ok {
		edit(d)
		s.bySite = nil
	}
	return ok
}

// DeleteDevice removes device uid; it reports whether it existed.
func (s *Server) DeleteDevice(uid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.deviceByUID[uid]; !ok {
		return false
	}
	delete(s.deviceByUID, uid)
	s.devices = slices.DeleteFunc(s.devices, func(r deviceRow) bool { return r.dev != nil && r.dev.UID == uid })
	s.bySite = nil
	return true
}

// Device returns the stored device uid.
func (s *Server) Device(uid string) (Device, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deviceByUID[uid]
	if !ok {
		return Device{}, false
	}
	return d.clone(), true
}

// AddAlert stores a, giving it a uid when it has none, and returns it as stored.
func (s *Server) AddAlert(a Alert) Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	a = a.clone()
	if a.AlertUID == "" {
		a.AlertUID = alertUID(s.nextAlert)
		s.nextAlert++
	}
	if a.Priority == "" {
		a.Priority = "Moderate"
	}
	if a.Timestamp.IsZero() {
		a.Timestamp = time.Now().UTC().Truncate(time.Millisecond)
	}
	if a.Context == nil {
		a.Context = map[string]any{"@class": "online_offline_status_ctx", "status": "OFFLINE"}
	}
	if a.Resolved && a.ResolvedOn.IsZero() {
		a.ResolvedOn = time.Now().UTC().Truncate(time.Millisecond)
	}
	p := &a
	s.alertByUID[a.AlertUID] = p
	s.alerts = append(s.alerts, alertRow{alert: p})
	return a.clone()
}

// ResolveAlert marks alert uid resolved now; it reports whether the alert exists.
func (s *Server) ResolveAlert(uid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.alertByUID[uid]
	if ok && !a.Resolved {
		a.Resolved = true
		a.ResolvedBy = "fake"
		a.ResolvedOn = time.Now().UTC().Truncate(time.Millisecond)
	}
	return ok
}

// AddMalformed appends a raw record that the client cannot decode (e.g. `{"uid":42}` or a
// device without a uid) to a list: "sites", "devices" (the account's list only),
// "alerts/open" or "alerts/resolved". It is served as sent, wherever it falls in the paging.
func (s *Server) AddMalformed(list, raw string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := json.RawMessage(raw)
	switch list {
	case "sites":
		s.sites = append(s.sites, siteRow{raw: r})
	case "devices":
		s.devices = append(s.devices, deviceRow{raw: r})
	case "alerts/open":
		s.alerts = append(s.alerts, alertRow{raw: r})
	case "alerts/resolved":
		s.alerts = append(s.alerts, alertRow{raw: r, resolved: true})
	default:
		panic(fmt.Sprintf("fake: AddMalformed: unknown list %q", list))
	}
}

// Counts returns how many sites, devices and alerts are stored.
func (s *Server) Counts() (sites, devices, alerts int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.siteByUID), len(s.deviceByUID), len(s.alertByUID)
}
