package deploy

import (
	"bufio"
	"context"
	"debug/elf"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nonRoot is distroless's "nonroot" user, which the Dockerfile runs Codex as.
const nonRoot = 65532

// dockerBuild is the Dockerfile's build step: its environment and go build arguments,
// with ARG defaults substituted.
type dockerBuild struct {
	env  []string
	args []string
	user string
	base string
}

func readDockerfile(t *testing.T) dockerBuild {
	t.Helper()
	f, err := os.Open("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var d dockerBuild
	argDefaults := map[string]string{}
	var lines []string
	sc := bufio.NewScanner(f)
	var cont string
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasSuffix(l, "\\") {
			cont += strings.TrimSuffix(l, "\\") + " "
			continue
		}
		lines = append(lines, cont+l)
		cont = ""
	}
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "ARG "):
			k, v, _ := strings.Cut(strings.TrimPrefix(l, "ARG "), "=")
			argDefaults[k] = v
		case strings.HasPrefix(l, "FROM "):
			d.base = strings.Fields(l)[1]
		case strings.HasPrefix(l, "USER "):
			d.user = strings.TrimSpace(strings.TrimPrefix(l, "USER "))
		case strings.HasPrefix(l, "RUN ") && strings.Contains(l, "go build"):
			cmd, _, _ := strings.Cut(strings.TrimPrefix(l, "RUN "), "&&")
			cmd = regexp.MustCompile(`\$\{(\w+)\}`).ReplaceAllStringFunc(cmd, func(m string) string { return argDefaults[m[2:len(m)-1]] })
			words := splitShell(cmd)
			i := slices.Index(words, "go")
			d.env, d.args = words[:i], words[i+1:]
		}
	}
	if d.args == nil {
		t.Fatal("the Dockerfile has no go build step")
	}
	return d
}

// splitShell splits a command line on spaces, keeping double-quoted words whole.
func splitShell(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, any := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, any = !quoted, true
		case r == ' ' && !quoted:
			if any {
				out = append(out, cur.String())
			}
			cur.Reset()
			any = false
		default:
			cur.WriteRune(r)
			any = true
		}
	}
	if any {
		out = append(out, cur.String())
	}
	return out
}

// TestContainerBinary builds Codex exactly as the Dockerfile does (no registry is
// reachable here, so the image itself is not built), checks that the binary is static
// and that the image runs it as a non-root user on a small base, then runs it as that
// user: it must serve /health/live from its instance directory.
func TestContainerBinary(t *testing.T) {
	if os.Getenv("CODEX_PACKAGING_TEST") == "" {
		t.Skip("set CODEX_PACKAGING_TEST=1 (or run deploy/check-binary.sh): rebuilds every package with the image's flags, minutes on a cold cache")
	}
	d := readDockerfile(t)
	if d.user == "" || d.user == "root" || strings.HasPrefix(d.user, "0") {
		t.Errorf("Dockerfile USER = %q; want a non-root user", d.user)
	}
	if !strings.Contains(d.base, "distroless/static") && !strings.Contains(d.base, "alpine") {
		t.Errorf("final base image %q; want distroless static or alpine", d.base)
	}
	if !slices.Contains(d.env, "CGO_ENABLED=0") {
		t.Errorf("build environment %q lacks CGO_ENABLED=0", d.env)
	}

	bin := filepath.Join(t.TempDir(), "codex")
	args := slices.Clone(d.args)
	if i := slices.Index(args, "-o"); i >= 0 {
		args[i+1] = bin
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), d.env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("built with: %s go %s", strings.Join(d.env, " "), strings.Join(args, " "))

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has an ELF interpreter: it is dynamically linked")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %q", libs)
	}
	f.Close()

	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "codex container") {
		t.Errorf("codex --version = %q, %v; want the version set by -ldflags", out, err)
	}
	runAsNonRoot(t, bin)
}

// runAsNonRoot serves with the image's environment as uid 65532 (when the test runs as
// root and may switch users; otherwise as the current, non-root, user).
func runAsNonRoot(t *testing.T, bin string) {
	inst := filepath.Join(t.TempDir(), "var-lib-codex")
	if err := os.Mkdir(inst, 0o700); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env = []string{"CODEX_INSTANCE=" + inst, "CODEX_LISTEN=" + addr, "CODEX_LOG_FORMAT=json", "CODEX_DEMO_DATA=false"}
	uid := os.Geteuid()
	if uid == 0 {
		if err := os.Chown(inst, nonRoot, nonRoot); err != nil {
			t.Fatal(err)
		}
		// The temporary directories above it must be searchable by that user.
		for dir := filepath.Dir(inst); dir != os.TempDir() && dir != "/"; dir = filepath.Dir(dir) {
			_ = os.Chmod(dir, 0o755)
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nonRoot, Gid: nonRoot}}
		uid = nonRoot
	}
	var logs strings.Builder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/health/live")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /health/live = %d", resp.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the binary did not serve within 30s: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err == nil {
		m := regexp.MustCompile(`(?m)^Uid:\s+(\d+)`).FindSubmatch(status)
		if m == nil || string(m[1]) != strconv.Itoa(uid) || uid == 0 {
			t.Errorf("the server runs as uid %s; want %d (non-root)", m[1], uid)
		}
	}
	if _, err := os.Stat(filepath.Join(inst, "codex.db")); err != nil {
		t.Errorf("no database in the instance directory: %v", err)
	}
}

// TestKeycloakRealm checks the realm compose.yaml imports: a realm role for each
// permission level Codex maps by default, and users whose roles exist.
func TestKeycloakRealm(t *testing.T) {
	b, err := os.ReadFile("keycloak/realm.json")
	if err != nil {
		t.Fatal(err)
	}
	var realm struct {
		Realm string
		Roles struct{ Realm []struct{ Name string } }
		Users []struct {
			Username   string
			RealmRoles []string
		}
	}
	if err := json.Unmarshal(b, &realm); err != nil {
		t.Fatalf("realm.json: %v", err)
	}
	var roles []string
	for _, r := range realm.Roles.Realm {
		roles = append(roles, r.Name)
	}
	for _, level := range []string{"admin", "technician", "billing", "client"} {
		if !slices.Contains(roles, level) {
			t.Errorf("realm %q lacks the role %q", realm.Realm, level)
		}
	}
	for _, u := range realm.Users {
		for _, r := range u.RealmRoles {
			if !slices.Contains(roles, r) {
				t.Errorf("user %s has the undefined role %q", u.Username, r)
			}
		}
	}
	compose, err := os.ReadFile("../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"./deploy/keycloak:/opt/keycloak/data/import", "/realms/" + realm.Realm, "postgres://", "condition: service_healthy"} {
		if !strings.Contains(string(compose), want) {
			t.Errorf("compose.yaml lacks %q", want)
		}
	}
}

// TestSystemdUnit checks the unit runs the binary as a dedicated user with its state
// directory as the instance.
func TestSystemdUnit(t *testing.T) {
	b, err := os.ReadFile("codex.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ExecStart=/usr/local/bin/codex serve", "User=codex", "StateDirectory=codex",
		"Environment=CODEX_INSTANCE=/var/lib/codex", "NoNewPrivileges=true", "[Install]"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("codex.service lacks %q", want)
		}
	}
}
