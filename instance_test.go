package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOnlySomeCommandsCreateState runs the commands in an empty directory with no
// configuration: token and sync fail naming the path they looked at and create nothing;
// migrate creates the instance, after which token works; --instance and CODEX_INSTANCE
// name another directory.
func TestOnlySomeCommandsCreateState(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	env := func(k string) string {
		if k == "CODEX_LOG_LEVEL" {
			return "warn"
		}
		return ""
	}
	for _, args := range [][]string{
		{"token", "--email", "ada@example.com", "--level", "admin"},
		{"token", "--email", "c@example.com", "--level", "client", "--company", "ACC-1001"},
		{"sync", "datto"},
		{"backup", "out.jsonl"},
	} {
		code, _, stderr := runCLI(t, env, args...)
		if code != exitFailure || !strings.Contains(stderr, filepath.Join(dir, "instance")) || !strings.Contains(stderr, "--instance") {
			t.Errorf("codex %s in an empty directory = %d, %q; want 1 naming %s/instance/... and --instance",
				strings.Join(args, " "), code, stderr, dir)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the commands created %v; want nothing", entries)
	}

	other := filepath.Join(dir, "site")
	if code, _, stderr := runCLI(t, env, "--instance", other, "migrate"); code != exitOK {
		t.Fatalf("codex --instance %s migrate = %d: %s", other, code, stderr)
	}
	for _, f := range []string{"codex.db", "dev-signing-key.pem"} {
		if _, err := os.Stat(filepath.Join(other, f)); err != nil {
			t.Errorf("migrate did not create %s: %v", f, err)
		}
	}
	if code, stdout, stderr := runCLI(t, override(env, "CODEX_INSTANCE", other), "token", "--service", "ledger"); code != exitOK || !strings.HasPrefix(stdout, "eyJ") {
		t.Errorf("codex token with CODEX_INSTANCE = %d %q %s; want a token", code, stdout, stderr)
	}
	if code, stdout, _ := runCLI(t, env, "--instance="+other, "config"); code != exitOK || !strings.Contains(stdout, filepath.Join(other, "codex.db")) {
		t.Errorf("codex --instance=DIR config = %d:\n%s\nwant the instance's database", code, stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "instance")); err == nil {
		t.Error("a default instance/ was created")
	}
}

func TestGlobalFlagsAndUsage(t *testing.T) {
	env := cliEnv(t)
	tests := []struct {
		args   []string
		code   int
		output string
	}{
		{[]string{"--version"}, exitOK, "codex "},
		{[]string{"sync", "nope"}, exitUsage, `unknown source "nope"`},
		{[]string{"sync"}, exitUsage, "needs one source"},
		{[]string{"--instance"}, exitUsage, "needs a directory"},
		{[]string{"serve", "--listen"}, exitUsage, "flag needs an argument"},
		{[]string{"serve", "extra"}, exitUsage, "unexpected argument"},
		{[]string{"backup"}, exitUsage, "FILE"},
		{[]string{"restore", "a", "b"}, exitUsage, "FILE"},
	}
	for _, tc := range tests {
		code, stdout, stderr := runCLI(t, env, tc.args...)
		out := stdout
		if code != exitOK {
			out = stderr
		}
		if code != tc.code || !strings.Contains(out, tc.output) {
			t.Errorf("codex %s = %d, %q; want %d and %q", strings.Join(tc.args, " "), code, out, tc.code, tc.output)
		}
	}
}

func TestWarnUnknownEnv(t *testing.T) {
	var b bytes.Buffer
	warnUnknownEnv(&b, []string{"CODEX_LISTEN=:1", "CODEX_LISTNE=:2", "PATH=/bin"})
	if got := b.String(); !strings.Contains(got, "CODEX_LISTNE") || strings.Contains(got, "CODEX_LISTEN ") {
		t.Errorf("warnings = %q; want one for CODEX_LISTNE only", got)
	}
}

// TestServeFlags runs `codex serve --listen ADDR --config FILE`: the flags win over the
// environment, and the server answers on ADDR with the file's settings.
func TestServeFlags(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "other.conf")
	text := "[database]\nconnection_string = " + filepath.Join(dir, "db", "codex.db") + "\ndemo_data = false\n" +
		"[auth]\ndev_key_file = " + filepath.Join(dir, "key.pem") + "\n[log]\nlevel = warn\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := func(k string) string {
		return map[string]string{"CODEX_LISTEN": "127.0.0.1:1", "CODEX_CONFIG": filepath.Join(dir, "missing.conf")}[k]
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "--listen", addr, "--config", conf}, env, io.Discard, &stderr)
	}()
	var resp *http.Response
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err = http.Get("http://" + addr + "/health/live"); err == nil {
			resp.Body.Close()
			break
		}
	}
	cancel()
	if err != nil {
		t.Fatalf("serve --listen %s did not answer: %v\n%s", addr, err, stderr.String())
	}
	if code := <-done; code != exitOK {
		t.Errorf("serve exited %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "db", "codex.db")); err != nil {
		t.Errorf("the --config file's database was not used: %v", err)
	}
}
