package auth

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/hivematrix/codex/codex"
)

// DevIssuerName is the `iss` of tokens minted by the development issuer.
const DevIssuerName = "codex-dev"

// DefaultDevKeyFile is where the development issuer keeps its key unless configured otherwise.
const DefaultDevKeyFile = "instance/dev-signing-key.pem"

const (
	devKeyBits     = 2048
	devUserTTL     = time.Hour
	devServiceTTL  = 5 * time.Minute
	privateKeyType = "PRIVATE KEY"
)

// DevIssuer mints RS256 tokens for local development when no real issuer is configured.
// Its tokens look like HiveMatrix Core's, with iss "codex-dev".
type DevIssuer struct {
	key    *rsa.PrivateKey
	kid    string
	signer jose.Signer
}

// LoadOrCreateDevIssuer loads the development issuer's RSA key from the PEM file at path
// (DefaultDevKeyFile when empty), or creates a 2048-bit key there on first use: the file
// 0600, its directory 0700.
func LoadOrCreateDevIssuer(path string) (*DevIssuer, error) {
	if path == "" {
		path = DefaultDevKeyFile
	}
	key, err := loadDevKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createDevKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: dev issuer key %s: %w", path, err)
	}
	return newDevIssuer(key)
}

// loadDevKey reads an RSA private key in PKCS #8 or PKCS #1 PEM form.
func loadDevKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	var parsed any
	switch block.Type {
	case privateKeyType:
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key", block.Type)
	}
	if err != nil {
		return nil, err
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%T is not an RSA key", parsed)
	}
	if key.N.BitLen() < devKeyBits {
		return nil, fmt.Errorf("RSA key has %d bits; want at least %d", key.N.BitLen(), devKeyBits)
	}
	return key, nil
}

// createDevKey writes a new key to path. If another process creates the file first,
// its key is used, so two processes starting together agree on one key.
func createDevKey(path string) (*rsa.PrivateKey, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, devKeyBits)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadDevKey(path)
	}
	if err != nil {
		return nil, err
	}
	err = pem.Encode(f, &pem.Block{Type: privateKeyType, Bytes: der})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	return key, nil
}

// newDevIssuer builds the issuer for key; its kid is the key's RFC 7638 thumbprint, so
// it stays the same across restarts.
func newDevIssuer(key *rsa.PrivateKey) (*DevIssuer, error) {
	thumb, err := (&jose.JSONWebKey{Key: key.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("auth: dev issuer key thumbprint: %w", err)
	}
	kid := base64.RawURLEncoding.EncodeToString(thumb)
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return nil, fmt.Errorf("auth: dev issuer signer: %w", err)
	}
	return &DevIssuer{key: key, kid: kid, signer: signer}, nil
}

// KeyID returns the kid of the development issuer's key.
func (d *DevIssuer) KeyID() string { return d.kid }

// JWKSHandler serves the public key as a JWK set, for /.well-known/jwks.json.
func (d *DevIssuer) JWKSHandler() http.Handler {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key:       d.key.Public(),
		KeyID:     d.kid,
		Algorithm: string(jose.RS256),
		Use:       "sig",
	}}}
	body, err := json.Marshal(set)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err != nil {
			http.Error(w, "jwks unavailable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(body)
	})
}

// MintOptions describes a token for the development issuer to mint: a person's token, or
// a service token when Service is set.
type MintOptions struct {
	// Email identifies a person and is their `sub`; required unless Service is set.
	Email string
	// Name is a person's display name; defaults to Email.
	Name string
	// Level is a person's permission level; required unless Service is set.
	Level codex.Level
	// CompanyID is a client user's company; required when Level is client.
	CompanyID int64
	// Service makes a service token for this service name ("service:<name>").
	Service string
	// Audience sets `aud`, for a Codex configured with an audience; empty leaves it out.
	Audience string
	// TTL is the token's lifetime; zero means an hour for people and 5 minutes for
	// services, like HiveMatrix Core.
	TTL time.Duration
}

// claims validates o and returns the token's claims, issued at now.
func (o MintOptions) claims(now time.Time) (map[string]any, error) {
	var check codex.Validation
	check.Check(o.TTL >= 0, "ttl", "must not be negative")
	c := map[string]any{
		"iss": DevIssuerName,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"jti": rand.Text(),
	}
	ttl := o.TTL
	if o.Service != "" {
		check.Check(o.Level == "", "level", "a service token has no level")
		check.Check(o.Email == "", "email", "a service token has no email")
		c["sub"] = servicePrefix + o.Service
		c["type"] = "service"
		c["calling_service"] = o.Service
		c["target_service"] = serviceName
		if ttl == 0 {
			ttl = devServiceTTL
		}
	} else {
		check.Check(o.Email != "", "email", "required for a person's token")
		check.Check(o.Level.Valid(), "level", "must be admin, technician, billing or client")
		check.Check(o.Level != codex.LevelClient || o.CompanyID > 0, "company_id", "required for a client")
		c["sub"] = o.Email
		c["email"] = o.Email
		c["preferred_username"] = o.Email
		c["name"] = firstNonEmpty(o.Name, o.Email)
		c["permission_level"] = string(o.Level)
		if o.Level == codex.LevelClient {
			c["company_id"] = o.CompanyID
		}
		if ttl == 0 {
			ttl = devUserTTL
		}
	}
	if err := check.Err(); err != nil {
		return nil, err
	}
	c["exp"] = now.Add(ttl).Unix()
	if o.Audience != "" {
		c["aud"] = o.Audience
	}
	return c, nil
}

// Validate reports what is wrong with o, as Mint would (a codex.Invalid error naming
// each field), without a key.
func (o MintOptions) Validate() error {
	_, err := o.claims(time.Now())
	return err
}

// Mint returns a signed RS256 JWT (with kid) for o.
func (d *DevIssuer) Mint(o MintOptions) (string, error) {
	c, err := o.claims(time.Now())
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", codex.Wrap(err, "encoding token claims")
	}
	jws, err := d.signer.Sign(payload)
	if err != nil {
		return "", codex.Wrap(err, "signing token")
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		return "", codex.Wrap(err, "serializing token")
	}
	return token, nil
}

// LoadDevIssuer reads the development issuer's key from path without creating one: a
// missing file is an error wrapping fs.ErrNotExist (commands that only mint tokens must
// not make a key the server does not know).
func LoadDevIssuer(path string) (*DevIssuer, error) {
	if path == "" {
		path = DefaultDevKeyFile
	}
	key, err := loadDevKey(path)
	if err != nil {
		return nil, fmt.Errorf("auth: dev issuer key %s: %w", path, err)
	}
	return newDevIssuer(key)
}
