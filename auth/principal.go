package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// servicePrefix starts the `sub` of service tokens: "service:<name>".
const servicePrefix = "service:"

// principal maps verified claims to the caller they describe.
func (v *Verifier) principal(ctx context.Context, c *claims) (*codex.Principal, error) {
	if c.Type == "service" {
		return v.servicePrincipal(c)
	}
	if strings.HasPrefix(c.Subject, servicePrefix) {
		// Such a subject would be audited as a service it is not.
		return nil, forbidden("a person's token names a service subject", nil)
	}
	subject := firstNonEmpty(c.Subject, c.PreferredUsername, c.Email)
	if subject == "" {
		return nil, unauthenticated(msgMalformed, fmt.Errorf("token has no subject"))
	}
	level, err := v.level(c)
	if err != nil {
		return nil, err
	}
	p := &codex.Principal{
		Subject: subject,
		Email:   c.Email,
		Name:    firstNonEmpty(c.Name, c.PreferredUsername, c.Email, subject),
		Level:   level,
	}
	if level == codex.LevelClient {
		if p.CompanyID, err = v.company(ctx, c); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// servicePrincipal maps a service token: its rights come from the configured grant,
// never from a level.
func (v *Verifier) servicePrincipal(c *claims) (*codex.Principal, error) {
	name, ok := strings.CutPrefix(c.Subject, servicePrefix)
	if !ok || strings.TrimSpace(name) == "" {
		return nil, forbidden("service token has no service name", fmt.Errorf("sub %q", c.Subject))
	}
	if c.CallingService != "" && c.CallingService != name {
		return nil, forbidden("service token names two different services",
			fmt.Errorf("sub %q, calling_service %q", c.Subject, c.CallingService))
	}
	if c.TargetService != "" && c.TargetService != serviceName {
		// A token minted for another service must not be replayed against Codex.
		return nil, unauthenticated(msgAudience, fmt.Errorf("target_service %q", c.TargetService))
	}
	grant, ok := v.cfg.Services[name]
	if !ok {
		grant = codex.Grant{Read: true}
	}
	return &codex.Principal{Subject: c.Subject, Name: name, Service: name, Grant: grant, Redact: grant.Redact}, nil
}

// level returns a person's level from the claims the issuer is trusted for: Keycloak's
// roles, or the permission_level of HiveMatrix Core and the dev issuer. Reading only one
// source keeps a user-editable Keycloak attribute mapped to `permission_level` from
// granting a level.
func (v *Verifier) level(c *claims) (codex.Level, error) {
	if v.levels == fromPermissionLevel {
		if c.PermissionLevel == "" {
			return "", forbidden("token has no permission level", nil)
		}
		level, err := codex.ParseLevel(c.PermissionLevel)
		if err != nil {
			return "", forbidden("unknown permission level", err)
		}
		return level, nil
	}
	roles := c.RealmAccess.Roles
	if v.cfg.RoleClient != "" {
		roles = append(roles[:len(roles):len(roles)], c.ResourceAccess[v.cfg.RoleClient].Roles...)
	}
	var best codex.Level
	for _, role := range roles {
		if level, ok := v.roles[strings.ToLower(role)]; ok && rank(level) > rank(best) {
			best = level
		}
	}
	if best == "" {
		return "", forbidden("no Codex role", fmt.Errorf("roles %q", roles))
	}
	return best, nil
}

// rank orders levels by privilege: admin > technician > billing > client.
func rank(l codex.Level) int {
	switch l {
	case codex.LevelAdmin:
		return 4
	case codex.LevelTechnician:
		return 3
	case codex.LevelBilling:
		return 2
	case codex.LevelClient:
		return 1
	}
	return 0
}

// company returns a client user's company id from the company claim (a numeric id, or
// an account number to resolve) or, failing that, from an account_number claim; 0 when
// the token has neither.
func (v *Verifier) company(ctx context.Context, c *claims) (int64, error) {
	names := []string{v.cfg.CompanyClaim}
	if v.cfg.CompanyClaim != accountNumberClaim {
		names = append(names, accountNumberClaim)
	}
	for _, name := range names {
		raw := bytes.TrimSpace(c.all[name])
		if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
			continue
		}
		var id int64
		var account string
		var err error
		if name == accountNumberClaim {
			// Account numbers may be all digits; in this claim they are never ids.
			account, err = claimText(raw)
		} else {
			id, account, err = companyValue(raw)
		}
		if err != nil {
			return 0, forbidden("client token has an unreadable company claim", fmt.Errorf("claim %s: %w", name, err))
		}
		if account == "" {
			return id, nil
		}
		return v.resolveAccount(ctx, account)
	}
	// HiveMatrix Core gives every user outside its staff groups the client level and no
	// company: such a person is signed in but sees no company (0), only their own
	// preferences (see codex.Principal.Can).
	return 0, nil
}

// companyValue reads a company claim: a positive integer, as a number or a numeric
// string, is an id; any other non-empty string is an account number.
func companyValue(raw json.RawMessage) (id int64, account string, err error) {
	s, err := claimText(raw)
	if err != nil {
		return 0, "", err
	}
	id, perr := strconv.ParseInt(s, 10, 64)
	switch {
	case perr == nil && id > 0:
		return id, "", nil
	case perr == nil:
		return 0, "", fmt.Errorf("not a positive id: %d", id)
	case bytes.HasPrefix(raw, []byte(`"`)):
		return 0, s, nil
	default:
		return 0, "", fmt.Errorf("not an integer: %s", s)
	}
}

// claimText returns the text of a claim holding a JSON number or a non-empty string.
func claimText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	var s string
	switch {
	case bytes.HasPrefix(raw, []byte(`"`)):
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
	default:
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", fmt.Errorf("neither a number nor a string")
		}
		s = n.String()
	}
	if s = strings.TrimSpace(s); s == "" {
		return "", fmt.Errorf("empty value")
	}
	return s, nil
}

// resolveAccount looks up the company with an account number. A company that does not
// exist makes the token useless (Forbidden); a failing store stays what it is, so a
// database outage is not reported as a permission problem.
func (v *Verifier) resolveAccount(ctx context.Context, account string) (int64, error) {
	if v.resolve == nil {
		return 0, forbidden("client token has no company", fmt.Errorf("account number %q but no resolver", account))
	}
	id, err := v.resolve(ctx, account)
	switch code := codex.ErrorCode(err); {
	case err == nil && id > 0:
		return id, nil
	case err == nil, code == codex.NotFound, code == codex.Invalid, code == codex.Forbidden:
		return 0, forbidden("no company matches the token's account number", err)
	case code == codex.Internal:
		return 0, codex.Wrap(err, "resolving the token's account number")
	default:
		return 0, err
	}
}

// firstNonEmpty returns the first of ss that is not empty.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
