package datto

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
	// Number is the 0-based page number.
	Number int
	// Total is pageDetails.totalCount, or -1 when Datto left it out.
	Total int
	// Items are the records of the page that decoded, in the order received.
	Items []T
	// Skipped are the records of the page that did not decode or lack their uid.
	Skipped []SkipError
}

// SkipError describes a record that was left out of a page because it did not decode.
type SkipError struct {
	// Index is the record's position in the page as received.
	Index int
	// ID is the record's uid (or id) as far as it could be read, or "".
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
	return fmt.Sprintf("datto: record %d (id %s) skipped: %v", e.Index, id, e.Err)
}

// Unwrap returns the decoding error.
func (e SkipError) Unwrap() error { return e.Err }

// pageDetails is Datto's paging block.
type pageDetails struct {
	Count       int     `json:"count"`
	TotalCount  *int    `json:"totalCount"`
	PrevPageURL *string `json:"prevPageUrl"`
	NextPageURL *string `json:"nextPageUrl"`
}

// list pages through path, calling fn once per non-empty page. key returns a record's key
// (its uid); a record whose key is "" is skipped as malformed.
func list[T any](ctx context.Context, c *Client, path, listKey string, key func(*T) string, fn func(Page[T]) error) error {
	next := c.api(path) + "?max=" + strconv.Itoa(pageSize) + "&page=0"
	for n := 0; next != ""; n++ {
		resp, err := c.do(ctx, http.MethodGet, next, nil)
		if err != nil {
			return err
		}
		raws, pd, err := decodePage(resp.body, listKey)
		if err != nil {
			return codex.Errorf(codex.Unavailable, "datto: GET %s page %d: %v", path, n, err)
		}
		page := Page[T]{Number: n, Total: -1}
		if pd.TotalCount != nil {
			page.Total = *pd.TotalCount
		}
		for i, raw := range raws {
			var v T
			if err := json.Unmarshal(raw, &v); err != nil {
				page.Skipped = append(page.Skipped, SkipError{Index: i, ID: rawID(raw), Raw: raw, Err: err})
				continue
			}
			if key(&v) == "" {
				page.Skipped = append(page.Skipped, SkipError{Index: i, Raw: raw, Err: fmt.Errorf("no uid")})
				continue
			}
			page.Items = append(page.Items, v)
		}
		if len(page.Skipped) > 0 {
			c.log.WarnContext(ctx, "datto: skipped malformed records", "path", path, "page", n, "count", len(page.Skipped))
		}
		if len(raws) > 0 {
			if err := fn(page); err != nil {
				return err
			}
		}
		prev := next
		if next, err = c.nextPage(pd, prev); err != nil {
			return err
		}
		if next == prev {
			return codex.Errorf(codex.Unavailable, "datto: GET %s page %d links to itself", path, n)
		}
	}
	return nil
}

// decodePage returns the records of a list answer {"pageDetails":{...},"<key>":[...]},
// each still encoded, reading the body in one pass. A null or missing list is empty.
func decodePage(body []byte, key string) ([]json.RawMessage, pageDetails, error) {
	var pd pageDetails
	var items []json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, pd, fmt.Errorf("answer is not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, pd, fmt.Errorf("answer is not valid JSON")
		}
		switch name, _ := tok.(string); name {
		case "pageDetails":
			if err := dec.Decode(&pd); err != nil {
				return nil, pd, fmt.Errorf("bad pageDetails: %v", err)
			}
		case key:
			tok, err := dec.Token()
			if err != nil {
				return nil, pd, fmt.Errorf("%q is not valid JSON", key)
			}
			if tok == nil {
				continue // null
			}
			if tok != json.Delim('[') {
				return nil, pd, fmt.Errorf("%q is not a list", key)
			}
			for dec.More() {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, pd, fmt.Errorf("%q is not a valid JSON list", key)
				}
				items = append(items, raw)
			}
			if _, err := dec.Token(); err != nil {
				return nil, pd, fmt.Errorf("%q is not a valid JSON list", key)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, pd, fmt.Errorf("answer is not valid JSON")
			}
		}
	}
	return items, pd, nil
}

// nextPage returns the absolute URL of the next page, or "" on the last page. A URL on
// another host or scheme (say, http behind a TLS-terminating proxy) is moved onto the
// configured APIURL's scheme and host, so the token only ever goes there.
func (c *Client) nextPage(pd pageDetails, current string) (string, error) {
	if pd.NextPageURL == nil || *pd.NextPageURL == "" {
		return "", nil
	}
	cur, err := url.Parse(current)
	if err != nil {
		return "", codex.Errorf(codex.Internal, "datto: bad page URL")
	}
	u, err := cur.Parse(*pd.NextPageURL)
	if err != nil {
		return "", codex.Errorf(codex.Unavailable, "datto: pageDetails has a bad nextPageUrl")
	}
	if u.Scheme != c.root.Scheme || u.Host != c.root.Host {
		c.log.Warn("datto: nextPageUrl names another host; using the configured one", "host", u.Host)
		u.Scheme, u.Host, u.User = c.root.Scheme, c.root.Host, nil
	}
	return u.String(), nil
}

// rawID reads the uid (or id) of a record that did not decode, for reporting.
func rawID(raw json.RawMessage) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	for _, k := range []string{"uid", "alertUid", "id"} {
		v := strings.TrimSpace(string(m[k]))
		if v == "" || v == "null" {
			continue
		}
		if s, err := strconv.Unquote(v); err == nil {
			return s
		}
		return v
	}
	return ""
}
