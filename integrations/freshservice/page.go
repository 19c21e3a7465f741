package freshservice

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hivematrix/codex/codex"
)

// Page is one page of a list: the records that decoded and the ones that did not.
type Page[T any] struct {
	// Number is the 1-based page number.
	Number int
	// Items are the records of the page that decoded, in the order received.
	Items []T
	// Skipped are the records of the page that did not decode or lack an id.
	Skipped []SkipError
}

// SkipError describes a record that was left out of a page because it did not decode.
type SkipError struct {
	// Index is the record's position in the page as received.
	Index int
	// ID is the record's id as far as it could be read, or "".
	ID string
	// Raw is the record as received. It may hold personal data: do not log it.
	Raw json.RawMessage
	// Err says what was wrong.
	Err error
}

// Error describes the skipped record without its content.
func (e SkipError) Error() string {
	id := e.ID
	if id == "" {
		id = "unknown"
	}
	return fmt.Sprintf("freshservice: record %d (id %s) skipped: %v", e.Index, id, e.Err)
}

// Unwrap returns the decoding error.
func (e SkipError) Unwrap() error { return e.Err }

// list pages through path, calling fn once per non-empty page. id returns a record's id;
// a record whose id is 0 is skipped as malformed.
func list[T any](ctx context.Context, c *Client, path string, q url.Values, key string, id func(*T) int64, fn func(Page[T]) error) error {
	if q == nil {
		q = url.Values{}
	}
	q.Set("page", "1")
	q.Set("per_page", strconv.Itoa(perPage))
	next := c.baseURL + path + "?" + q.Encode()
	for n := 1; next != ""; n++ {
		resp, err := c.do(ctx, http.MethodGet, next, nil)
		if err != nil {
			return err
		}
		raws, err := decodeList(resp.body, key)
		if err != nil {
			return codex.Errorf(codex.Unavailable, "freshservice: GET %s page %d: %v", path, n, err)
		}
		page := Page[T]{Number: n}
		for i, raw := range raws {
			var v T
			if err := json.Unmarshal(raw, &v); err != nil {
				page.Skipped = append(page.Skipped, SkipError{Index: i, ID: rawID(raw), Raw: raw, Err: err})
				continue
			}
			if id(&v) == 0 {
				page.Skipped = append(page.Skipped, SkipError{Index: i, Raw: raw, Err: fmt.Errorf("no id")})
				continue
			}
			page.Items = append(page.Items, v)
		}
		if len(page.Skipped) > 0 {
			c.log.WarnContext(ctx, "freshservice: skipped malformed records", "path", path, "page", n, "count", len(page.Skipped))
		}
		if len(raws) > 0 {
			if err := fn(page); err != nil {
				return err
			}
		}
		prev := next
		if next, err = c.nextLink(resp.header, prev); err != nil {
			return err
		}
		if next == prev {
			return codex.Errorf(codex.Unavailable, "freshservice: GET %s page %d links to itself", path, n)
		}
	}
	return nil
}

// decodeList returns the records of a list answer {"<key>":[...]}, each still encoded. It
// reads the body in one pass, which matters for lists of many thousand records.
func decodeList(body []byte, key string) ([]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("answer is not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("answer is not valid JSON")
		}
		if name, _ := tok.(string); name != key {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fmt.Errorf("answer is not valid JSON")
			}
			continue
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return nil, fmt.Errorf("%q is not a list", key)
		}
		items := []json.RawMessage{}
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, fmt.Errorf("%q is not a valid JSON list", key)
			}
			items = append(items, raw)
		}
		return items, nil
	}
	return nil, fmt.Errorf("answer has no %q list", key)
}

// rawID reads the id of a record that did not decode, for reporting.
func rawID(raw json.RawMessage) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	id := strings.TrimSpace(string(m["id"]))
	if id == "null" {
		return ""
	}
	if s, err := strconv.Unquote(id); err == nil {
		return s
	}
	return id
}

// nextLink returns the URL of the rel="next" entry of the Link header, resolved against
// current, or "" on the last page. A link to another host (a vanity domain, say) is moved
// onto the configured base URL's scheme and host, so the API key only ever goes there.
func (c *Client) nextLink(h http.Header, current string) (string, error) {
	link := parseNextLink(h.Values("Link"))
	if link == "" {
		return "", nil
	}
	cur, err := url.Parse(current)
	if err != nil {
		return "", codex.Errorf(codex.Internal, "freshservice: bad page URL")
	}
	u, err := cur.Parse(link)
	if err != nil {
		return "", codex.Errorf(codex.Unavailable, "freshservice: Link header has a bad next URL")
	}
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		c.log.Warn("freshservice: next page link names another host; using the configured one", "host", u.Host)
		u.Scheme, u.Host, u.User = c.base.Scheme, c.base.Host, nil
	}
	return u.String(), nil
}

// parseNextLink finds the rel="next" URL in Link header values such as
// `<https://x/api/v2/tickets?include=requester,stats&page=2>; rel="next", <...>; rel="prev"`.
// The URL may itself hold commas, so entries are split outside the angle brackets only.
func parseNextLink(values []string) string {
	for _, v := range values {
		for {
			open := strings.IndexByte(v, '<')
			if open < 0 {
				break
			}
			end := strings.IndexByte(v[open:], '>')
			if end < 0 {
				break
			}
			target := v[open+1 : open+end]
			rest := v[open+end+1:]
			params := rest
			if i := strings.IndexByte(rest, '<'); i >= 0 {
				params = rest[:i]
			}
			for p := range strings.SplitSeq(params, ";") {
				name, val, ok := strings.Cut(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p), ",")), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(name), "rel") {
					continue
				}
				for rel := range strings.FieldsSeq(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						return target
					}
				}
			}
			v = rest
		}
	}
	return ""
}
