// Package config reads Codex's configuration into one typed struct: the defaults below,
// then the INI file instance/codex.conf (another file with CODEX_CONFIG), then CODEX_*
// environment variables, each overriding the one before. Every key is declared once, in
// bindings, which drives the file reader, the environment reader, the printed form (with
// secrets masked) and the error messages.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/ini.v1"

	"github.com/hivematrix/codex/codex"
)

// DefaultPath is the configuration file read when neither CODEX_CONFIG nor
// CODEX_INSTANCE is set. A missing file at the default path is not an error: the defaults
// (and the environment) apply.
const DefaultPath = "instance/codex.conf"

// DefaultInstance is the instance directory used when CODEX_INSTANCE is not set: it holds
// codex.conf, the embedded database codex.db and the development key.
const DefaultInstance = "instance"

// The listen addresses when none is configured: every interface with a real issuer,
// only the loopback interface with the development issuer, whose tokens anyone holding
// the key file can mint.
const (
	DefaultListen    = ":5010"
	DefaultDevListen = "127.0.0.1:5010"
)

// Config is Codex's whole configuration.
type Config struct {
	Server       Server
	Database     Database
	Auth         Auth
	Integrations Integrations
	Scheduler    Scheduler
	Sync         Sync
	Helm         Helm
	Log          Log
	Metrics      Metrics
	Otel         Otel
	Cache        Cache

	// Instance is the instance directory holding the configuration file, the embedded
	// database and the development key by default ("instance"; CODEX_INSTANCE).
	Instance string

	// Source is the file the configuration was read from, or "" when there was none.
	Source string
}

// Server is the [server] section: the HTTP listener.
type Server struct {
	// Listen is the address the HTTP server listens on (host:port; ":5010" = every interface).
	Listen string
	// RequestTimeout bounds the handling of one request.
	RequestTimeout time.Duration
	// ShutdownTimeout bounds how long a stopping server waits for requests in flight.
	ShutdownTimeout time.Duration
	// Pprof serves Go's runtime profiles (net/http/pprof) under /debug/pprof/ to
	// administrators (an admin token); off by default.
	Pprof bool
	// GCPercent is the Go garbage collector's GOGC: how far the heap may grow over the
	// live data before a collection. Codex's live heap is small (tens of MB) and nearly
	// all of its garbage is per request, so collecting less often saves CPU; MemoryLimitMB
	// keeps the process near its budget regardless. The GOGC variable, when set, wins.
	GCPercent int
	// MemoryLimitMB is the Go runtime's soft memory limit (GOMEMLIMIT) in MiB: the
	// collector works harder as the process nears it; 0 means none. GOMEMLIMIT, when set,
	// wins.
	MemoryLimitMB int
	// CORSOrigins lists the browser origins (scheme://host[:port]) allowed to call the
	// APIs from another origin; empty means no cross-origin access.
	CORSOrigins []string
	// Compression compresses JSON, CSV and HTML responses (gzip or zstd, as the client
	// accepts).
	Compression bool
	// RequireIfMatch makes a REST PATCH, PUT or DELETE of a row without If-Match a 428, so
	// that no client overwrites a change it has not seen (see codex.VersionOf).
	RequireIfMatch bool
	// RateLimit is how many requests one principal (a person or a service) may send per
	// minute; more are answered 429 with Retry-After. 0 turns the limit off.
	RateLimit int
	// PublicRateLimit is how many requests one IP address may send per minute to the
	// routes that need no token (the theme lookup, the explorer, the development JWKS).
	// 0 turns the limit off.
	PublicRateLimit int
}

// Cache is the [cache] section: the read cache between the policy layer and the
// database (package cache).
type Cache struct {
	// Enabled turns the read cache on.
	Enabled bool
	// SizeMB bounds the cached values' estimated size in MiB; the Go memory limit is
	// raised by one and a half times it so that a full cache does not make the collector thrash.
	SizeMB int
}

// Metrics is the [metrics] section: Prometheus metrics.
type Metrics struct {
	// Listen, when set, serves /metrics without a token on this separate address (keep
	// it private); /metrics on the main listener always needs an admin token.
	Listen string
}

// Otel is the [otel] section: OpenTelemetry traces.
type Otel struct {
	// Endpoint is an OTLP/HTTP collector's root (http://collector:4318); traces are sent
	// to {Endpoint}/v1/traces. Empty turns tracing off.
	Endpoint string
	// FieldThreshold is how long a GraphQL resolver must take to get its own span.
	FieldThreshold time.Duration
	// SampleRatio is the share of new traces recorded (0..1); a caller's sampled
	// traceparent is always followed.
	SampleRatio float64
}

// Database is the [database] section.
type Database struct {
	// ConnectionString selects the database: postgres://... for PostgreSQL, otherwise the
	// path of an SQLite file (the embedded default).
	ConnectionString string
	// DemoData loads the demo MSP into an empty embedded (SQLite) database when serve starts.
	DemoData bool
	// StartupWait is how long `codex serve` keeps retrying, with back-off, a PostgreSQL
	// server that does not answer yet (a compose stack starting); 0 fails at once.
	StartupWait time.Duration
}

// Auth is the [auth] section: who issues the bearer tokens Codex accepts. With neither
// IssuerURL nor Issuer/JWKSURL set, Codex runs its own development issuer.
type Auth struct {
	// IssuerURL is an OpenID provider with discovery (Keycloak: {base}/realms/{realm}).
	IssuerURL string
	// Issuer is the `iss` of a bare-JWKS issuer (HiveMatrix Core: "hivematrix-core").
	Issuer string
	// JWKSURL is that issuer's key set ({core}/.well-known/jwks.json).
	JWKSURL string
	// Audience, when set, must appear in every token's `aud`.
	Audience string
	// ClockSkew is the leeway for exp, nbf and iat.
	ClockSkew time.Duration
	// RoleClient is the Keycloak client whose resource_access roles are mapped too.
	RoleClient string
	// CompanyClaim is the claim holding a client user's company (an id or account number).
	CompanyClaim string
	// ClientID and ClientSecret are Codex's OpenID Connect client at IssuerURL, for the
	// web UI's sign-in (the authorization-code flow); empty leaves it off.
	ClientID     string
	ClientSecret string
	// DevKeyFile is the development issuer's RSA key, created on first start.
	DevKeyFile string
	// Roles maps Keycloak role names to permission levels ([auth.roles]); nil keeps the
	// default mapping, where each level is granted by the role of the same name.
	Roles map[string]codex.Level
	// Services holds each calling service's rights ([auth.services]); a service not
	// listed may only read.
	Services map[string]codex.Grant
}

// DevIssuer reports whether no real issuer is configured, so the development issuer is on.
func (a Auth) DevIssuer() bool { return a.IssuerURL == "" && a.Issuer == "" && a.JWKSURL == "" }

// Integrations is the [integrations] section: the PSA (Freshservice) and RMM (Datto RMM).
// A source is enabled when its API key is set.
type Integrations struct {
	FreshserviceAPIKey string
	// FreshserviceDomain is the account name in https://{domain}.freshservice.com.
	FreshserviceDomain string
	// FreshserviceBaseURL overrides the API root derived from the domain (tests, proxies).
	FreshserviceBaseURL string
	DattoAPIKey         string
	DattoAPISecret      string
	// DattoAPIURL is the Datto platform's root, e.g. https://merlot-api.centrastage.net.
	DattoAPIURL string

	// FreshserviceWebDomain is the PSA's web host for the platform's ticket links, when it
	// is not {domain}.freshservice.com (a custom portal domain).
	FreshserviceWebDomain string
	// FreshserviceStatuses names the account's own ticket statuses by id (6 on).
	FreshserviceStatuses map[int]string
	// FreshserviceWebhookSecret authenticates the PSA's ticket webhook; empty turns it off.
	FreshserviceWebhookSecret string
	// FreshserviceWebhookAllow, when set, lists the networks the webhook may come from.
	FreshserviceWebhookAllow []netip.Prefix
}

// FreshserviceEnabled reports whether Freshservice is configured.
func (i Integrations) FreshserviceEnabled() bool { return i.FreshserviceAPIKey != "" }

// DattoEnabled reports whether Datto RMM is configured.
func (i Integrations) DattoEnabled() bool { return i.DattoAPIKey != "" }

// FreshserviceURL returns the Freshservice API root: the base URL when set, otherwise
// https://{domain}.freshservice.com/api/v2.
func (i Integrations) FreshserviceURL() string {
	if i.FreshserviceBaseURL != "" {
		return strings.TrimRight(i.FreshserviceBaseURL, "/")
	}
	if i.FreshserviceDomain == "" {
		return ""
	}
	return "https://" + i.FreshserviceDomain + ".freshservice.com/api/v2"
}

// Scheduler is the [scheduler] section: periodic sync runs while serving.
type Scheduler struct {
	// Enabled runs each enabled integration every Interval while `codex serve` runs.
	Enabled bool
	// Interval is the time between two runs of one source.
	Interval time.Duration
}

// Sync is the [sync] section: what the sync engine hands out.
type Sync struct {
	// AccountNumberFormat formats the account numbers Codex gives client companies that
	// have none: a fmt verb for one integer ("%06d" makes 000042).
	AccountNumberFormat string
	// AccountNumberStart is the first number handed out; numbers are never reused.
	AccountNumberStart int
}

// Helm is the [helm] section: the platform's log service.
type Helm struct {
	// URL is Helm's root; when set, logs are also shipped to {URL}/api/logs/ingest.
	URL string
	// Token is the service token sent to Helm (one HiveMatrix Core issued for service
	// "codex"); empty means one asked of HiveMatrix Core (CoreURL), or else one minted by
	// the development issuer, when it is on.
	Token string
	// CoreURL is HiveMatrix Core's root: service tokens for Helm come from
	// {CoreURL}/service-token, renewed before their five minutes run out.
	CoreURL string
}

// Log is the [log] section.
type Log struct {
	// Format is "text", "json", or "auto": text on a terminal, JSON otherwise.
	Format string
	// Level is the lowest level logged: debug, info, warn or error.
	Level slog.Level
}

// Default returns the configuration used when nothing is configured: the one place
// where defaults are set. Listen is resolved by Load (DefaultListen or DefaultDevListen).
func Default() *Config { return DefaultIn(DefaultInstance) }

// DefaultIn is Default with the instance directory dir.
func DefaultIn(dir string) *Config {
	return &Config{
		Server: Server{
			Listen:          "",
			RequestTimeout:  60 * time.Second,
			ShutdownTimeout: 15 * time.Second,
			GCPercent:       400,
			MemoryLimitMB:   112,
			Compression:     true,
			RateLimit:       1200,
			PublicRateLimit: 60,
		},
		Otel:     Otel{FieldThreshold: 50 * time.Millisecond, SampleRatio: 1},
		Instance: dir,
		Database: Database{ConnectionString: filepath.Join(dir, "codex.db"), DemoData: true, StartupWait: 2 * time.Minute},
		Auth: Auth{
			ClockSkew:    60 * time.Second,
			CompanyClaim: "company_id",
			DevKeyFile:   filepath.Join(dir, "dev-signing-key.pem"),
		},
		Scheduler: Scheduler{Enabled: true, Interval: 4 * time.Hour},
		Sync:      Sync{AccountNumberFormat: "%06d", AccountNumberStart: 1},
		Log:       Log{Format: "auto", Level: slog.LevelInfo},
		Cache:     Cache{Enabled: true, SizeMB: 32},
	}
}

// binding ties one configuration key to its field: its place in the file, its
// environment variable, and whether it is a secret that is never printed.
type binding struct {
	section, key, env string
	secret            bool
	value             value
}

// value is a field that can be set from text and printed; like flag.Value.
type value interface {
	Set(string) error
	String() string
}

// The sections holding free-form keys rather than the bindings' fixed ones.
const (
	rolesSection    = "auth.roles"
	servicesSection = "auth.services"
	rolesEnv        = "CODEX_AUTH_ROLES"
	servicesEnv     = "CODEX_AUTH_SERVICES"
)

// bindings lists every fixed key of c, in the order of the example file.
func (c *Config) bindings() []binding {
	return []binding{
		{"server", "listen", "CODEX_LISTEN", false, listenValue{&c.Server.Listen}},
		{"server", "request_timeout", "CODEX_REQUEST_TIMEOUT", false, durationValue{&c.Server.RequestTimeout, time.Second}},
		{"server", "shutdown_timeout", "CODEX_SHUTDOWN_TIMEOUT", false, durationValue{&c.Server.ShutdownTimeout, 0}},
		{"server", "pprof", "CODEX_PPROF", false, boolValue{&c.Server.Pprof}},
		{"server", "gc_percent", "CODEX_GC_PERCENT", false, intValue{&c.Server.GCPercent, 10}},
		{"server", "memory_limit_mb", "CODEX_MEMORY_LIMIT_MB", false, intValue{&c.Server.MemoryLimitMB, 0}},
		{"server", "cors_origins", "CODEX_CORS_ORIGINS", false, originsValue{&c.Server.CORSOrigins}},
		{"server", "compression", "CODEX_COMPRESSION", false, boolValue{&c.Server.Compression}},
		{"server", "require_if_match", "CODEX_REQUIRE_IF_MATCH", false, boolValue{&c.Server.RequireIfMatch}},
		{"server", "rate_limit", "CODEX_RATE_LIMIT", false, intValue{&c.Server.RateLimit, 0}},
		{"server", "public_rate_limit", "CODEX_PUBLIC_RATE_LIMIT", false, intValue{&c.Server.PublicRateLimit, 0}},

		{"database", "connection_string", "CODEX_DATABASE_URL", true, dsnValue{&c.Database.ConnectionString}},
		{"database", "demo_data", "CODEX_DEMO_DATA", false, boolValue{&c.Database.DemoData}},
		{"database", "startup_wait", "CODEX_DATABASE_STARTUP_WAIT", false, durationValue{&c.Database.StartupWait, 0}},

		{"auth", "issuer_url", "CODEX_AUTH_ISSUER_URL", false, urlValue{&c.Auth.IssuerURL}},
		{"auth", "issuer", "CODEX_AUTH_ISSUER", false, stringValue{&c.Auth.Issuer}},
		{"auth", "jwks_url", "CODEX_AUTH_JWKS_URL", false, urlValue{&c.Auth.JWKSURL}},
		{"auth", "audience", "CODEX_AUTH_AUDIENCE", false, stringValue{&c.Auth.Audience}},
		{"auth", "clock_skew", "CODEX_AUTH_CLOCK_SKEW", false, durationValue{&c.Auth.ClockSkew, 0}},
		{"auth", "role_client", "CODEX_AUTH_ROLE_CLIENT", false, stringValue{&c.Auth.RoleClient}},
		{"auth", "company_claim", "CODEX_AUTH_COMPANY_CLAIM", false, nonEmptyValue{&c.Auth.CompanyClaim}},
		{"auth", "client_id", "CODEX_AUTH_CLIENT_ID", false, stringValue{&c.Auth.ClientID}},
		{"auth", "client_secret", "CODEX_AUTH_CLIENT_SECRET", true, stringValue{&c.Auth.ClientSecret}},
		{"auth", "dev_key_file", "CODEX_AUTH_DEV_KEY_FILE", false, nonEmptyValue{&c.Auth.DevKeyFile}},

		{"integrations", "freshservice_api_key", "CODEX_FRESHSERVICE_API_KEY", true, stringValue{&c.Integrations.FreshserviceAPIKey}},
		{"integrations", "freshservice_domain", "CODEX_FRESHSERVICE_DOMAIN", false, domainValue{&c.Integrations.FreshserviceDomain}},
		{"integrations", "freshservice_base_url", "CODEX_FRESHSERVICE_BASE_URL", false, urlValue{&c.Integrations.FreshserviceBaseURL}},
		{"integrations", "datto_api_key", "CODEX_DATTO_API_KEY", true, stringValue{&c.Integrations.DattoAPIKey}},
		{"integrations", "datto_api_secret", "CODEX_DATTO_API_SECRET", true, stringValue{&c.Integrations.DattoAPISecret}},
		{"integrations", "datto_api_url", "CODEX_DATTO_API_URL", false, urlValue{&c.Integrations.DattoAPIURL}},
		{"integrations", "freshservice_web_domain", "CODEX_FRESHSERVICE_WEB_DOMAIN", false, stringValue{&c.Integrations.FreshserviceWebDomain}},
		{"integrations", "freshservice_statuses", "CODEX_FRESHSERVICE_STATUSES", false, statusesValue{&c.Integrations.FreshserviceStatuses}},
		{"integrations", "freshservice_webhook_secret", "CODEX_FRESHSERVICE_WEBHOOK_SECRET", true, stringValue{&c.Integrations.FreshserviceWebhookSecret}},
		{"integrations", "freshservice_webhook_allow", "CODEX_FRESHSERVICE_WEBHOOK_ALLOW", false, prefixesValue{&c.Integrations.FreshserviceWebhookAllow}},

		{"scheduler", "enabled", "CODEX_SCHEDULER_ENABLED", false, boolValue{&c.Scheduler.Enabled}},
		{"scheduler", "interval", "CODEX_SCHEDULER_INTERVAL", false, durationValue{&c.Scheduler.Interval, time.Minute}},

		{"sync", "account_number_format", "CODEX_SYNC_ACCOUNT_NUMBER_FORMAT", false, accountFormatValue{&c.Sync.AccountNumberFormat}},
		{"sync", "account_number_start", "CODEX_SYNC_ACCOUNT_NUMBER_START", false, intValue{&c.Sync.AccountNumberStart, 1}},

		{"helm", "url", "CODEX_HELM_URL", false, urlValue{&c.Helm.URL}},
		{"helm", "token", "CODEX_HELM_TOKEN", true, stringValue{&c.Helm.Token}},
		{"helm", "core_url", "CODEX_HELM_CORE_URL", false, urlValue{&c.Helm.CoreURL}},

		{"log", "format", "CODEX_LOG_FORMAT", false, choiceValue{&c.Log.Format, []string{"auto", "text", "json"}}},
		{"log", "level", "CODEX_LOG_LEVEL", false, levelValue{&c.Log.Level}},

		{"metrics", "listen", "CODEX_METRICS_LISTEN", false, optionalListenValue{&c.Metrics.Listen}},

		{"cache", "enabled", "CODEX_CACHE_ENABLED", false, boolValue{&c.Cache.Enabled}},
		{"cache", "size_mb", "CODEX_CACHE_SIZE_MB", false, intValue{&c.Cache.SizeMB, 1}},

		{"otel", "endpoint", "CODEX_OTEL_ENDPOINT", false, urlValue{&c.Otel.Endpoint}},
		{"otel", "field_threshold", "CODEX_OTEL_FIELD_THRESHOLD", false, durationValue{&c.Otel.FieldThreshold, time.Millisecond}},
		{"otel", "sample_ratio", "CODEX_OTEL_SAMPLE_RATIO", false, ratioValue{&c.Otel.SampleRatio}},
	}
}

// Load reads the configuration: defaults, then the file named by CODEX_CONFIG (or
// DefaultPath when that is unset and the file exists), then the CODEX_* variables that
// getenv returns. An empty variable counts as unset. The result is validated; the error
// names every offending key with where its value came from.
func Load(getenv func(string) string) (*Config, error) {
	inst := strings.TrimSpace(getenv("CODEX_INSTANCE"))
	if inst == "" {
		inst = DefaultInstance
	}
	path, explicit := getenv("CODEX_CONFIG"), true
	if path == "" {
		path, explicit = filepath.Join(inst, "codex.conf"), false
	}
	c := DefaultIn(inst)
	var errs []error
	switch err := c.readFile(path); {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		// No file: defaults and environment only.
	case err != nil:
		errs = append(errs, err)
	default:
		c.Source = path
	}
	errs = append(errs, c.readEnv(getenv)...)
	if c.Server.Listen == "" {
		c.Server.Listen = DefaultListen
		if c.Auth.DevIssuer() {
			c.Server.Listen = DefaultDevListen
		}
	}
	if len(errs) == 0 {
		errs = c.validate()
	}
	if len(errs) > 0 {
		return nil, &Error{Problems: errs}
	}
	return c, nil
}

// Error lists everything wrong with a configuration.
type Error struct {
	Problems []error
}

// Error implements error, one problem per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return "config: " + strings.Join(lines, "\n  ")
}

// readFile applies the INI file at path over c.
func (c *Config) readFile(path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	f, err := ini.LoadSources(ini.LoadOptions{
		// A '#' or ';' inside a value (a password) is kept; only " #" starts a comment.
		SpaceBeforeInlineComment: true,
		KeyValueDelimiters:       "=",
	}, path)
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	byKey := map[string]binding{}
	for _, b := range c.bindings() {
		byKey[b.section+"."+b.key] = b
	}
	var problems []string
	for _, sec := range f.Sections() {
		name := sec.Name()
		switch name {
		case ini.DefaultSection:
			for _, k := range sec.Keys() {
				problems = append(problems, fmt.Sprintf("%q is outside any section", k.Name()))
			}
			continue
		case rolesSection:
			c.Auth.Roles = map[string]codex.Level{}
			for _, k := range sec.Keys() {
				if err := setRole(c.Auth.Roles, k.Name(), k.Value()); err != nil {
					problems = append(problems, fmt.Sprintf("[%s] %s: %v", name, k.Name(), err))
				}
			}
			continue
		case servicesSection:
			c.Auth.Services = map[string]codex.Grant{}
			for _, k := range sec.Keys() {
				if err := setGrant(c.Auth.Services, k.Name(), k.Value()); err != nil {
					problems = append(problems, fmt.Sprintf("[%s] %s: %v", name, k.Name(), err))
				}
			}
			continue
		}
		if !knownSection(name) {
			problems = append(problems, fmt.Sprintf("unknown section [%s]", name))
			continue
		}
		for _, k := range sec.Keys() {
			b, ok := byKey[name+"."+k.Name()]
			if !ok {
				problems = append(problems, fmt.Sprintf("[%s] unknown key %q", name, k.Name()))
				continue
			}
			if err := b.value.Set(strings.TrimSpace(k.Value())); err != nil {
				problems = append(problems, fmt.Sprintf("[%s] %s: %v", name, k.Name(), err))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("config file %s:\n    %s", path, strings.Join(problems, "\n    "))
	}
	return nil
}

func knownSection(name string) bool {
	switch name {
	case "server", "database", "auth", "integrations", "scheduler", "sync", "helm", "log", "metrics", "otel", "cache":
		return true
	}
	return false
}

// readEnv applies the CODEX_* variables over c.
func (c *Config) readEnv(getenv func(string) string) []error {
	var errs []error
	for _, b := range c.bindings() {
		if v := strings.TrimSpace(getenv(b.env)); v != "" {
			if err := b.value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %v", b.env, err))
			}
		}
	}
	if v := getenv(rolesEnv); v != "" {
		c.Auth.Roles = map[string]codex.Level{}
		for _, entry := range splitList(v, ";") {
			role, level, _ := strings.Cut(entry, "=")
			if err := setRole(c.Auth.Roles, role, level); err != nil {
				errs = append(errs, fmt.Errorf("%s: %q: %v", rolesEnv, entry, err))
			}
		}
	}
	if v := getenv(servicesEnv); v != "" {
		c.Auth.Services = map[string]codex.Grant{}
		for _, entry := range splitList(v, ";") {
			name, grant, _ := strings.Cut(entry, "=")
			if err := setGrant(c.Auth.Services, name, grant); err != nil {
				errs = append(errs, fmt.Errorf("%s: %q: %v", servicesEnv, entry, err))
			}
		}
	}
	return errs
}

// validate checks the rules that span several keys.
func (c *Config) validate() []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	a := c.Auth
	switch {
	case a.IssuerURL != "" && (a.Issuer != "" || a.JWKSURL != ""):
		fail("[auth] set issuer_url (OpenID discovery, e.g. Keycloak) or issuer + jwks_url (bare JWKS, e.g. HiveMatrix Core), not both")
	case (a.Issuer == "") != (a.JWKSURL == ""):
		fail("[auth] issuer and jwks_url (CODEX_AUTH_ISSUER, CODEX_AUTH_JWKS_URL) must be set together")
	}

	i := c.Integrations
	if i.FreshserviceAPIKey != "" && i.FreshserviceDomain == "" && i.FreshserviceBaseURL == "" {
		fail("[integrations] freshservice_api_key needs freshservice_domain (or freshservice_base_url)")
	}
	if i.FreshserviceAPIKey == "" && (i.FreshserviceDomain != "" || i.FreshserviceBaseURL != "") {
		fail("[integrations] freshservice_domain is set but freshservice_api_key (CODEX_FRESHSERVICE_API_KEY) is not")
	}
	if i.DattoAPIKey != "" || i.DattoAPISecret != "" {
		if i.DattoAPIKey == "" || i.DattoAPISecret == "" {
			fail("[integrations] datto_api_key and datto_api_secret must be set together")
		}
		if i.DattoAPIURL == "" {
			fail("[integrations] datto_api_key needs datto_api_url (the platform root, e.g. https://merlot-api.centrastage.net)")
		}
	}
	return errs
}

// String prints the effective configuration as INI, with secrets masked.
func (c *Config) String() string {
	var b strings.Builder
	section := ""
	for _, k := range c.bindings() {
		if k.section != section {
			if section != "" {
				b.WriteString("\n")
			}
			section = k.section
			fmt.Fprintf(&b, "[%s]\n", section)
		}
		fmt.Fprintf(&b, "%s = %s\n", k.key, k.printed())
	}
	if c.Auth.Roles != nil {
		fmt.Fprintf(&b, "\n[%s]\n", rolesSection)
		for _, role := range sortedKeys(c.Auth.Roles) {
			fmt.Fprintf(&b, "%s = %s\n", role, c.Auth.Roles[role])
		}
	}
	if c.Auth.Services != nil {
		fmt.Fprintf(&b, "\n[%s]\n", servicesSection)
		for _, name := range sortedKeys(c.Auth.Services) {
			fmt.Fprintf(&b, "%s = %s\n", name, grantString(c.Auth.Services[name]))
		}
	}
	return b.String()
}

// LogValue logs the configuration as groups per section, with secrets masked.
func (c *Config) LogValue() slog.Value {
	var groups []slog.Attr
	var attrs []slog.Attr
	section := ""
	flush := func() {
		if len(attrs) > 0 {
			groups = append(groups, slog.Attr{Key: section, Value: slog.GroupValue(attrs...)})
		}
		attrs = nil
	}
	for _, k := range c.bindings() {
		if k.section != section {
			flush()
			section = k.section
		}
		attrs = append(attrs, slog.String(k.key, k.printed()))
	}
	flush()
	if c.Source != "" {
		groups = append(groups, slog.String("file", c.Source))
	}
	return slog.GroupValue(groups...)
}

// Masked is what a set secret prints as.
const Masked = "********"

// printed is the value as shown in logs and `codex config`: secrets masked, except the
// non-secret parts of a connection string.
func (b binding) printed() string {
	s := b.value.String()
	switch {
	case s == "" || !b.secret:
		return s
	case b.section == "database":
		return RedactDSN(s)
	default:
		return Masked
	}
}

// RedactDSN masks the password of a PostgreSQL connection string (URL form or key=value
// form); an SQLite path is returned unchanged.
func RedactDSN(dsn string) string {
	if IsPostgres(dsn) {
		u, err := url.Parse(dsn)
		if err != nil {
			return "postgres://" + Masked
		}
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), Masked)
		}
		q := u.Query()
		masked := false
		for _, k := range secretDSNKeys {
			if q.Has(k) {
				q.Set(k, Masked)
				masked = true
			}
		}
		if masked {
			u.RawQuery = q.Encode()
		}
		return strings.Replace(u.String(), url.QueryEscape(Masked), Masked, -1)
	}
	if strings.Contains(dsn, "password=") {
		fields := strings.Fields(dsn)
		for i, f := range fields {
			for _, k := range secretDSNKeys {
				if strings.HasPrefix(f, k+"=") {
					fields[i] = k + "=" + Masked
				}
			}
		}
		return strings.Join(fields, " ")
	}
	return dsn
}

// secretDSNKeys are the connection parameters that hold secrets: the password, and the
// passphrase of the client's TLS key.
var secretDSNKeys = []string{"password", "sslpassword"}

// IsPostgres reports whether dsn selects PostgreSQL rather than an SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Embedded reports whether the database is an SQLite file, the embedded default.
func (d Database) Embedded() bool { return !IsPostgres(d.ConnectionString) }

func setRole(roles map[string]codex.Level, role, level string) error {
	role = strings.TrimSpace(role)
	if role == "" {
		return errors.New("role name is empty (want role = level)")
	}
	l, err := codex.ParseLevel(level)
	if err != nil {
		return fmt.Errorf("%q is not a level (admin, technician, billing, client)", strings.TrimSpace(level))
	}
	roles[role] = l
	return nil
}

// setGrant parses a service grant: a comma-separated set of read, write, sync, redact, cjis
// and platform, or "none".
func setGrant(grants map[string]codex.Grant, name, words string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return errors.New("service name is empty (want name = read, write, sync, redact, cjis)")
	}
	var g codex.Grant
	for _, w := range splitList(words, ",") {
		switch strings.ToLower(w) {
		case "read":
			g.Read = true
		case "write":
			g.Write = true
		case "sync":
			g.Sync = true
		case "redact":
			g.Redact = true
		case "cjis":
			g.CJIS = true
		case "platform":
			g.Platform = true
		case "none":
		default:
			return fmt.Errorf("%q is not a right (read, write, sync, redact, cjis, platform or none)", w)
		}
	}
	grants[name] = g
	return nil
}

func grantString(g codex.Grant) string {
	var words []string
	for _, r := range []struct {
		on   bool
		word string
	}{{g.Read, "read"}, {g.Write, "write"}, {g.Sync, "sync"}, {g.Redact, "redact"}, {g.CJIS, "cjis"}, {g.Platform, "platform"}} {
		if r.on {
			words = append(words, r.word)
		}
	}
	if len(words) == 0 {
		return "none"
	}
	return strings.Join(words, ", ")
}

func splitList(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// The value types of the bindings.

type stringValue struct{ p *string }

func (v stringValue) Set(s string) error { *v.p = s; return nil }
func (v stringValue) String() string     { return *v.p }

type nonEmptyValue struct{ p *string }

func (v nonEmptyValue) Set(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	*v.p = s
	return nil
}
func (v nonEmptyValue) String() string { return *v.p }

type listenValue struct{ p *string }

func (v listenValue) Set(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q is not a listen address (want host:port or :port, e.g. :5010)", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q has an invalid port", s)
	}
	*v.p = s
	return nil
}
func (v listenValue) String() string { return *v.p }

type dsnValue struct{ p *string }

func (v dsnValue) Set(s string) error {
	if IsPostgres(s) {
		if _, err := url.Parse(s); err != nil {
			// The parse error would repeat the password.
			return errors.New("not a valid postgres:// URL")
		}
	}
	*v.p = s
	return nil
}
func (v dsnValue) String() string { return *v.p }

type urlValue struct{ p *string }

func (v urlValue) Set(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	*v.p = s
	return nil
}
func (v urlValue) String() string { return *v.p }

// statusesValue reads "6=Waiting on Customer;7=On Hold".
type statusesValue struct{ p *map[int]string }

func (v statusesValue) Set(s string) error {
	m := map[int]string{}
	for part := range strings.SplitSeq(s, ";") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		id, name, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(strings.TrimSpace(id))
		if !ok || err != nil || n <= 0 || strings.TrimSpace(name) == "" {
			return fmt.Errorf("%q is not ID=Name (e.g. 6=Waiting on Customer)", part)
		}
		m[n] = strings.TrimSpace(name)
	}
	*v.p = m
	return nil
}

func (v statusesValue) String() string {
	ids := slices.Sorted(maps.Keys(*v.p))
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id) + "=" + (*v.p)[id]
	}
	return strings.Join(parts, ";")
}

// prefixesValue reads a comma-separated list of networks or addresses.
type prefixesValue struct{ p *[]netip.Prefix }

func (v prefixesValue) Set(s string) error {
	var out []netip.Prefix
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, aerr := netip.ParseAddr(part)
			if aerr != nil {
				return fmt.Errorf("%q is not a network (10.0.0.0/8) or an address", part)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p)
	}
	*v.p = out
	return nil
}

func (v prefixesValue) String() string {
	parts := make([]string, len(*v.p))
	for i, p := range *v.p {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

type domainValue struct{ p *string }

func (v domainValue) Set(s string) error {
	// Accept "acme" as well as "acme.freshservice.com", as people paste either.
	s = strings.TrimSuffix(strings.TrimPrefix(s, "https://"), ".freshservice.com")
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("%q is not a Freshservice account name (the NAME in NAME.freshservice.com)", s)
		}
	}
	*v.p = s
	return nil
}
func (v domainValue) String() string { return *v.p }

type boolValue struct{ p *bool }

func (v boolValue) Set(s string) error {
	switch strings.ToLower(s) {
	case "1", "t", "true", "yes", "on":
		*v.p = true
	case "0", "f", "false", "no", "off":
		*v.p = false
	default:
		return fmt.Errorf("%q is not a boolean (true or false)", s)
	}
	return nil
}
func (v boolValue) String() string { return strconv.FormatBool(*v.p) }

// durationValue is a Go duration ("90s", "4h") of at least min.
type durationValue struct {
	p   *time.Duration
	min time.Duration
}

func (v durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration (e.g. 30s, 15m, 4h)", s)
	}
	if d < v.min || d < 0 {
		return fmt.Errorf("%s is too short (at least %s)", d, max(v.min, 0))
	}
	*v.p = d
	return nil
}
func (v durationValue) String() string { return v.p.String() }

// intValue is a whole number of at least min.
type intValue struct {
	p   *int
	min int
}

func (v intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	if n < v.min {
		return fmt.Errorf("%d is too small (at least %d)", n, v.min)
	}
	*v.p = n
	return nil
}
func (v intValue) String() string { return strconv.Itoa(*v.p) }

type choiceValue struct {
	p       *string
	choices []string
}

func (v choiceValue) Set(s string) error {
	s = strings.ToLower(s)
	if !slices.Contains(v.choices, s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(v.choices, ", "))
	}
	*v.p = s
	return nil
}
func (v choiceValue) String() string { return *v.p }

type levelValue struct{ p *slog.Level }

func (v levelValue) Set(s string) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return fmt.Errorf("%q is not a log level (debug, info, warn, error)", s)
	}
	*v.p = l
	return nil
}
func (v levelValue) String() string { return strings.ToLower(v.p.String()) }

// accountFormatValue is a fmt format of one integer.
type accountFormatValue struct{ p *string }

func (v accountFormatValue) Set(s string) error {
	a, b := fmt.Sprintf(s, 1), fmt.Sprintf(s, 2)
	if s == "" || a == b || strings.Contains(a, "%!") {
		return fmt.Errorf("%q must format one integer, like %%06d", s)
	}
	*v.p = s
	return nil
}
func (v accountFormatValue) String() string { return *v.p }

type optionalListenValue struct{ p *string }

func (v optionalListenValue) Set(s string) error {
	if s == "" {
		*v.p = ""
		return nil
	}
	return listenValue(v).Set(s)
}
func (v optionalListenValue) String() string { return *v.p }

// originsValue is a comma-separated list of browser origins.
type originsValue struct{ p *[]string }

func (v originsValue) Set(s string) error {
	var out []string
	for _, o := range splitList(s, ",") {
		if o == "*" {
			return errors.New(`"*" would let every web page call Codex with its users' tokens: list the origins`)
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("%q is not an origin (want scheme://host[:port], e.g. https://ui.example.com)", o)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	*v.p = out
	return nil
}
func (v originsValue) String() string { return strings.Join(*v.p, ", ") }

// ratioValue is a number from 0 to 1.
type ratioValue struct{ p *float64 }

func (v ratioValue) Set(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1 {
		return fmt.Errorf("%q is not a ratio from 0 to 1", s)
	}
	*v.p = f
	return nil
}
func (v ratioValue) String() string { return strconv.FormatFloat(*v.p, 'g', -1, 64) }

// The CODEX_* variables that are no configuration key but are read by Codex's tests and
// benchmark scripts, or select the file and directory.
var toolEnv = []string{"CODEX_CONFIG", "CODEX_INSTANCE", "CODEX_TEST_POSTGRES_URL", "CODEX_ADDR", "CODEX_TOKEN",
	"CODEX_SCALE_TEST", "CODEX_BENCH_PPROF", "CODEX_PACKAGING_TEST"}

// UnknownEnv returns the names of the CODEX_* variables in environ ("NAME=value"
// entries, as os.Environ returns) that Codex does not read: most likely misspelt keys,
// which would otherwise be ignored silently.
func UnknownEnv(environ []string) []string {
	known := map[string]bool{rolesEnv: true, servicesEnv: true}
	for _, e := range toolEnv {
		known[e] = true
	}
	for _, b := range Default().bindings() {
		known[b.env] = true
	}
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "CODEX_") && !known[name] {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
