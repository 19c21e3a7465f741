package datto

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hivematrix/codex/codex"
)

// Site is a Datto RMM site: one customer of the MSP.
type Site struct {
	ID                   int64         `json:"id"`
	UID                  string        `json:"uid"`
	AccountUID           string        `json:"accountUid"`
	Name                 string        `json:"name"`
	Description          string        `json:"description"`
	Notes                string        `json:"notes"`
	OnDemand             bool          `json:"onDemand"`
	SplashtopAutoInstall bool          `json:"splashtopAutoInstall"`
	DevicesStatus        DevicesStatus `json:"devicesStatus"`
	PortalURL            string        `json:"portalUrl"`
}

// DevicesStatus counts a site's devices.
type DevicesStatus struct {
	NumberOfDevices        int `json:"numberOfDevices"`
	NumberOfOnlineDevices  int `json:"numberOfOnlineDevices"`
	NumberOfOfflineDevices int `json:"numberOfOfflineDevices"`
}

// SiteVariable is a variable of a site; MSPs link a site to their account number with one
// such as AccountNumber.
type SiteVariable struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Value  string `json:"value"`
	Masked bool   `json:"masked"`
}

// Sites calls fn with each page of the account's sites.
func (c *Client) Sites(ctx context.Context, fn func(Page[Site]) error) error {
	return list(ctx, c, "/account/sites", "sites", func(s *Site) string { return s.UID }, fn)
}

// Site returns the site with uid, or a codex.NotFound error.
func (c *Client) Site(ctx context.Context, uid string) (Site, error) {
	var s Site
	err := c.getJSON(ctx, "/site/"+url.PathEscape(uid), &s)
	return s, err
}

// SiteVariables returns every variable of the site with siteUID. A variable that does not
// decode is left out and logged.
func (c *Client) SiteVariables(ctx context.Context, siteUID string) ([]SiteVariable, error) {
	var vars []SiteVariable
	err := list(ctx, c, "/site/"+url.PathEscape(siteUID)+"/variables", "variables",
		func(v *SiteVariable) string {
			if v.ID == 0 {
				return ""
			}
			return strconv.FormatInt(v.ID, 10)
		},
		func(p Page[SiteVariable]) error {
			vars = append(vars, p.Items...)
			return nil
		})
	return vars, err
}

// SetSiteVariable sets the site variable called name to value, creating it (unmasked) when
// the site has none of that name. As in Datto's API v2, a variable is created with
// PUT /site/{uid}/variable {name, value, masked} and changed with
// POST /site/{uid}/variable/{variableId} {name, value}. Creating is not retried after a
// 5xx answer or a network error, since it may have taken effect; a later run finds the
// variable and updates it instead.
func (c *Client) SetSiteVariable(ctx context.Context, siteUID, name, value string) error {
	if name == "" {
		return &codex.Error{Code: codex.Invalid, Message: "datto: site variable needs a name", Fields: map[string]string{"name": "must not be empty"}}
	}
	vars, err := c.SiteVariables(ctx, siteUID)
	if err != nil {
		return err
	}
	base := c.api("/site/" + url.PathEscape(siteUID) + "/variable")
	for _, v := range vars {
		if v.Name == name {
			if v.Value == value && !v.Masked {
				return nil
			}
			_, err := c.do(ctx, http.MethodPost, base+"/"+strconv.FormatInt(v.ID, 10), map[string]string{"name": name, "value": value})
			return err
		}
	}
	_, err = c.do(ctx, http.MethodPut, base, map[string]any{"name": name, "value": value, "masked": false})
	return err
}
