package helm

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hivematrix/codex/codex"
)

// ServiceTokenPath is HiveMatrix Core's service-token endpoint, below its root URL.
const ServiceTokenPath = "/service-token"

// coreTokenTTL is how long Core's service tokens live when a token does not say.
const coreTokenTTL = 5 * time.Minute

// CoreToken is a TokenSource that asks HiveMatrix Core for a service token, as every
// platform service does: POST {core}/service-token {"calling_service", "target_service"}
// answers {"token"}. The token is reused until a minute (or a fifth of its life, if
// shorter) before the expiry its exp claim states, then asked for again, so a batch never
// goes with an expired token. A failure is an error: the batch is not sent (never
// unauthenticated). client nil means a client with DefaultTimeout.
func CoreToken(coreURL, calling, target string, client *http.Client) TokenSource {
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	url := strings.TrimRight(coreURL, "/") + ServiceTokenPath
	var mu sync.Mutex
	var tok string
	var renew time.Time
	return func(ctx context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if tok != "" && time.Now().Before(renew) {
			return tok, nil
		}
		t, exp, err := fetchCoreToken(ctx, client, url, calling, target)
		if err != nil {
			return "", err
		}
		life := time.Until(exp)
		tok, renew = t, time.Now().Add(life-min(life/5, time.Minute))
		return tok, nil
	}
}

func fetchCoreToken(ctx context.Context, client *http.Client, url, calling, target string) (string, time.Time, error) {
	body, _ := json.Marshal(map[string]string{"calling_service": calling, "target_service": target})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("core: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hivematrix-codex")
	if id := codex.CorrelationIDFrom(ctx); id != "" {
		req.Header.Set(codex.CorrelationIDHeader, id)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("core: POST %s: %w", ServiceTokenPath, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	var out struct {
		Token string `json:"token"`
		Error string `json:"error"`
	}
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode != http.StatusOK {
		msg := out.Error
		if msg == "" {
			msg = resp.Status
		}
		return "", time.Time{}, fmt.Errorf("core: POST %s: %s", ServiceTokenPath, msg)
	}
	if out.Token == "" {
		return "", time.Time{}, fmt.Errorf("core: POST %s: no token in the answer", ServiceTokenPath)
	}
	return out.Token, expiry(out.Token), nil
}

// expiry reads a JWT's exp claim without verifying it (Helm verifies; this only decides
// when to ask again), defaulting to now plus Core's five minutes.
func expiry(token string) time.Time {
	def := time.Now().Add(coreTokenTTL)
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return def
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return def
	}
	var c struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(payload, &c) != nil || c.Exp == 0 {
		return def
	}
	exp := time.Unix(c.Exp, 0)
	if exp.After(def) || exp.Before(time.Now()) {
		return def
	}
	return exp
}
