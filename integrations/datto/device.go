package datto

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// Device classes of Datto RMM.
const (
	ClassDevice        = "device"
	ClassPrinter       = "printer"
	ClassESXiHost      = "esxihost"
	ClassNetworkDevice = "rmmnetworkdevice"
	ClassUnknown       = "unknown"
)

// MaxUDF is the highest user-defined field number SetUDF accepts (udf1..udf100; older
// accounts have 30).
const MaxUDF = 100

// Device is a device that Datto RMM manages or has discovered.
type Device struct {
	ID               int64      `json:"id"`
	UID              string     `json:"uid"`
	SiteID           int64      `json:"siteId"`
	SiteUID          string     `json:"siteUid"`
	SiteName         string     `json:"siteName"`
	DeviceType       DeviceType `json:"deviceType"`
	Hostname         string     `json:"hostname"`
	IntIPAddress     string     `json:"intIpAddress"`
	ExtIPAddress     string     `json:"extIpAddress"`
	OperatingSystem  string     `json:"operatingSystem"`
	LastLoggedInUser string     `json:"lastLoggedInUser"`
	Domain           string     `json:"domain"`
	Description      string     `json:"description"`
	Online           bool       `json:"online"`
	Suspended        bool       `json:"suspended"`
	Deleted          bool       `json:"deleted"`
	LastSeen         Time       `json:"lastSeen"`
	LastReboot       Time       `json:"lastReboot"`
	LastAuditDate    Time       `json:"lastAuditDate"`
	CreationDate     Time       `json:"creationDate"`
	// UDF holds the user-defined fields udf1..udf30 (more on newer accounts); a null field
	// reads as "".
	UDF         map[string]string `json:"udf"`
	DeviceClass string            `json:"deviceClass"`
	// WarrantyDate is "yyyy-mm-dd", or "" when unset; see Warranty.
	WarrantyDate    string          `json:"warrantyDate"`
	Antivirus       Antivirus       `json:"antivirus"`
	PatchManagement PatchManagement `json:"patchManagement"`
	PortalURL       string          `json:"portalUrl"`
	WebRemoteURL    string          `json:"webRemoteUrl"`
}

// DeviceType is what kind of device Datto thinks a device is.
type DeviceType struct {
	Category string `json:"category"`
	Type     string `json:"type"`
}

// Antivirus is a device's antivirus product and its state.
type Antivirus struct {
	AntivirusProduct string `json:"antivirusProduct"`
	AntivirusStatus  string `json:"antivirusStatus"`
}

// PatchManagement is a device's patch state.
type PatchManagement struct {
	PatchStatus            string `json:"patchStatus"`
	PatchesApprovedPending int    `json:"patchesApprovedPending"`
	PatchesNotApproved     int    `json:"patchesNotApproved"`
	PatchesInstalled       int    `json:"patchesInstalled"`
}

// Warranty returns the device's warranty date; ok is false when it is unset or unreadable.
func (d Device) Warranty() (date codex.Date, ok bool) {
	if d.WarrantyDate == "" {
		return codex.Date{}, false
	}
	s := d.WarrantyDate
	if len(s) > len("2006-01-02") {
		s = s[:len("2006-01-02")] // a timestamp's date
	}
	date, err := codex.ParseDate(s)
	return date, err == nil
}

// Devices calls fn with each page of the account's devices.
func (c *Client) Devices(ctx context.Context, fn func(Page[Device]) error) error {
	return list(ctx, c, "/account/devices", "devices", deviceUID, fn)
}

// SiteDevices calls fn with each page of the devices of the site with siteUID.
func (c *Client) SiteDevices(ctx context.Context, siteUID string, fn func(Page[Device]) error) error {
	return list(ctx, c, "/site/"+url.PathEscape(siteUID)+"/devices", "devices", deviceUID, fn)
}

func deviceUID(d *Device) string { return d.UID }

// Device returns the device with uid, or a codex.NotFound error.
func (c *Client) Device(ctx context.Context, uid string) (Device, error) {
	var d Device
	err := c.getJSON(ctx, "/device/"+url.PathEscape(uid), &d)
	return d, err
}

// SetWarranty sets the warranty date of device uid to date ("yyyy-mm-dd"); "" clears it
// (sent as null, which we take Datto to read as "no warranty date").
func (c *Client) SetWarranty(ctx context.Context, uid, date string) error {
	var v any // null
	if date != "" {
		d, err := codex.ParseDate(date)
		if err != nil {
			return &codex.Error{Code: codex.Invalid, Message: "datto: bad warranty date", Fields: map[string]string{"warrantyDate": err.Error()}}
		}
		v = d.String()
	}
	_, err := c.do(ctx, http.MethodPost, c.api("/device/"+url.PathEscape(uid)+"/warranty"), map[string]any{"warrantyDate": v})
	return err
}

// SetUDF sets user-defined fields of device uid, e.g. {"udf1": "Codex:123"}. Fields not
// named keep their values; an empty value clears a field.
func (c *Client) SetUDF(ctx context.Context, uid string, udf map[string]string) error {
	if len(udf) == 0 {
		return nil
	}
	var v codex.Validation
	for _, k := range slices.Sorted(maps.Keys(udf)) {
		n, err := strconv.Atoi(strings.TrimPrefix(k, "udf"))
		v.Check(strings.HasPrefix(k, "udf") && err == nil && n >= 1 && n <= MaxUDF && k == fmt.Sprintf("udf%d", n),
			k, "is not a user-defined field (udf1..udf%d)", MaxUDF)
	}
	if err := v.Err(); err != nil {
		e := err.(*codex.Error)
		e.Message = "datto: " + e.Message
		return e
	}
	_, err := c.do(ctx, http.MethodPost, c.api("/device/"+url.PathEscape(uid)+"/udf"), udf)
	return err
}
