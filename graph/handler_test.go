package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/graph"
)

// brokenCompanies fails the way a broken database or a bug would.
type brokenCompanies struct{ codex.CompanyService }

func (brokenCompanies) Company(context.Context, int64) (*codex.Company, error) {
	return nil, errors.New("pq: connection refused to 10.0.0.5:5432")
}

func (brokenCompanies) CompanyByAccountNumber(context.Context, string) (*codex.Company, error) {
	panic("nil map in the store")
}

// TestInternalErrors checks that internal errors and panics reach the caller as
// INTERNAL "internal error" while the log gets the cause and the request id.
func TestInternalErrors(t *testing.T) {
	var logs bytes.Buffer
	h := graph.NewHandler(codex.Services{Companies: brokenCompanies{}}, graph.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	srv := httptest.NewServer(h)
	defer srv.Close()
	e := &env{t: t, srv: srv}
	for _, q := range []string{
		`{ company(id: "` + gid("Company", 1) + `") { name } }`,
		`{ companyByAccountNumber(accountNumber: "X") { name } }`,
	} {
		logs.Reset()
		b, _ := json.Marshal(map[string]string{"query": q})
		body := bytes.NewReader(b)
		req, _ := http.NewRequest(http.MethodPost, srv.URL, body)
		req.Header.Set("Content-Type", "application/json")
		req = req.WithContext(codex.WithRequestID(context.Background(), "req-42"))
		r := e.send(req)
		if r.code() != "INTERNAL" || r.Errors[0].Message != "internal error" {
			t.Errorf("%s: %+v; want INTERNAL \"internal error\"", q, r.Errors)
		}
		if strings.Contains(r.Errors[0].Message, "10.0.0.5") || strings.Contains(r.Errors[0].Message, "nil map") {
			t.Errorf("%s: the cause leaks to the caller: %q", q, r.Errors[0].Message)
		}
		if log := logs.String(); !strings.Contains(log, "request_id=") || !(strings.Contains(log, "connection refused") || strings.Contains(log, "nil map")) {
			t.Errorf("%s: log lacks the cause or the request id:\n%s", q, log)
		}
	}
}
