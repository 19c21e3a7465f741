package fake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hivematrix/codex/integrations/datto/fake"
)

// do sends a request and decodes the JSON answer.
func do(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// token requests a token with the given client and user credentials.
func token(t *testing.T, f *fake.Server, client, secret string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "username": {fake.APIKey}, "password": {secret}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, f.URL()+fake.TokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	user, pass, _ := strings.Cut(client, ":")
	req.SetBasicAuth(user, pass)
	return do(t, req)
}

func TestTokenGrant(t *testing.T) {
	f := fake.New()
	t.Cleanup(f.Close)
	tests := []struct {
		client, secret string
		wantStatus     int
	}{
		{"public-client:wrong", fake.APISecret, 401},
		{"public-client:public", "wrong", 400},
		{"public-client:public", fake.APISecret, 200},
	}
	for _, tt := range tests {
		status, body := token(t, f, tt.client, tt.secret)
		if status != tt.wantStatus {
			t.Errorf("token(%s, %s) = %d %v; want %d", tt.client, tt.secret, status, body, tt.wantStatus)
		}
		if status == 200 && (body["token_type"] != "bearer" || body["expires_in"] != float64(359999) || body["access_token"] == "") {
			t.Errorf("token answer = %v; want a bearer token for 359999s", body)
		}
	}
}

func TestPaging(t *testing.T) {
	f := fake.New()
	t.Cleanup(f.Close)
	f.Generate(1, 12)
	_, tok := token(t, f, "public-client:public", fake.APISecret)
	get := func(path, bearer string) (int, map[string]any) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, f.URL()+path, nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		return do(t, req)
	}
	if status, _ := get("/api/v2/account/devices", ""); status != 401 {
		t.Errorf("no bearer: %d; want 401", status)
	}
	bearer := tok["access_token"].(string)
	if status, _ := get("/api/v2/account/devices?max=251", bearer); status != 400 {
		t.Errorf("max=251: %d; want 400", status)
	}
	status, body := get("/api/v2/account/devices?max=5&page=1", bearer)
	pd, _ := body["pageDetails"].(map[string]any)
	want := map[string]any{
		"count":       float64(5),
		"totalCount":  float64(12),
		"prevPageUrl": f.URL() + "/api/v2/account/devices?max=5&page=0",
		"nextPageUrl": f.URL() + "/api/v2/account/devices?max=5&page=2",
	}
	if status != 200 || fmt.Sprint(pd) != fmt.Sprint(want) {
		t.Errorf("page 1 pageDetails = %v (%d); want %v", pd, status, want)
	}
	devices := body["devices"].([]any)
	// Device 7 (index 1 of page 1) serves epoch milliseconds as a string, device 10 ISO.
	seven := devices[1].(map[string]any)
	if _, isString := seven["lastSeen"].(string); !isString || seven["hostname"] != fake.Hostname(1, 7) {
		t.Errorf("device 7 lastSeen = %#v; want a string", seven["lastSeen"])
	}
	if udf, _ := seven["udf"].(map[string]any); len(udf) != 30 || udf["udf1"] != nil {
		t.Errorf("udf = %v; want udf1..udf30, null when unset", seven["udf"])
	}
	_, last := get("/api/v2/account/devices?max=5&page=2", bearer)
	if pd := last["pageDetails"].(map[string]any); pd["nextPageUrl"] != nil || pd["count"] != float64(2) {
		t.Errorf("last page pageDetails = %v; want count 2 and nextPageUrl null", pd)
	}
	f.ExpireTokens()
	if status, _ := get("/api/v2/account/devices", bearer); status != 401 {
		t.Errorf("expired token: %d; want 401", status)
	}
}
