package datto

import "context"

// Alert priorities of Datto RMM.
const (
	PriorityCritical    = "Critical"
	PriorityHigh        = "High"
	PriorityModerate    = "Moderate"
	PriorityLow         = "Low"
	PriorityInformation = "Information"
)

// Alert is a Datto RMM alert.
type Alert struct {
	AlertUID    string `json:"alertUid"`
	Priority    string `json:"priority"`
	Diagnostics string `json:"diagnostics"`
	Resolved    bool   `json:"resolved"`
	ResolvedBy  string `json:"resolvedBy"`
	ResolvedOn  Time   `json:"resolvedOn"`
	Muted       bool   `json:"muted"`
	// TicketNumber is the PSA ticket raised for the alert, if any.
	TicketNumber string `json:"ticketNumber"`
	Timestamp    Time   `json:"timestamp"`
	// AlertContext describes what was monitored; its "@class" names the monitor type.
	AlertContext    map[string]any  `json:"alertContext"`
	AlertSourceInfo AlertSourceInfo `json:"alertSourceInfo"`
}

// AlertSourceInfo names the device and site an alert is about.
type AlertSourceInfo struct {
	DeviceUID  string `json:"deviceUid"`
	DeviceName string `json:"deviceName"`
	SiteUID    string `json:"siteUid"`
	SiteName   string `json:"siteName"`
}

// OpenAlerts calls fn with each page of the account's open alerts.
func (c *Client) OpenAlerts(ctx context.Context, fn func(Page[Alert]) error) error {
	return list(ctx, c, "/account/alerts/open", "alerts", alertUID, fn)
}

// ResolvedAlerts calls fn with each page of the account's resolved alerts.
func (c *Client) ResolvedAlerts(ctx context.Context, fn func(Page[Alert]) error) error {
	return list(ctx, c, "/account/alerts/resolved", "alerts", alertUID, fn)
}

func alertUID(a *Alert) string { return a.AlertUID }
