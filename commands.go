package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/hivematrix/codex/auth"
	"github.com/hivematrix/codex/codex"
	"github.com/hivematrix/codex/config"
	"github.com/hivematrix/codex/integrations/syncer"
	"github.com/hivematrix/codex/policy"
	"github.com/hivematrix/codex/seed"
	"github.com/hivematrix/codex/store"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// buildVersion is set at link time: go build -ldflags "-X main.buildVersion=1.2.3".
var buildVersion string

// command is one sub-command of codex.
type command struct {
	name     string
	synopsis string // the arguments, for the usage line
	summary  string
	run      func(ctx context.Context, c *cli, args []string) error
}

// commands returns codex's sub-commands, in the order help lists them. (A function, not
// a variable: help refers back to the list.)
func commands() []command {
	return []command{
		{"serve", "", "serve GraphQL and REST on [server] listen (default :5010); the default command", runServe},
		{"migrate", "[status]", "apply pending database migrations, or list them with status", runMigrate},
		{"seed", "(--demo | --scale N) [--reset]", "load the demo MSP, or N synthetic companies for benchmarks, into an empty database", runSeed},
		{"token", "--email E --level L [--company C] | --service S", "print a token signed by the development issuer", runToken},
		{"sync", "freshservice | datto | all | account-numbers", "pull from the PSA and the RMM and push Codex's fields back, now (account-numbers: only number the client companies without one and push the numbers)", runSync},
		{"backup", "FILE", "write a backup: FILE.jsonl exports every table (either dialect); another name gets an SQLite copy (VACUUM INTO)", runBackup},
		{"restore", "FILE", "load a .jsonl export into an empty database of either dialect, or put an SQLite copy in place", runRestore},
		{"config", "", "print the effective configuration, secrets masked", runConfig},
		{"version", "", "print the version", runVersion},
		{"help", "[command]", "show this help, or a command's flags", runHelp},
	}
}

// cli is what a sub-command runs with. The configuration and the logger are loaded on
// first use, so that `codex help` works even with a broken configuration.
type cli struct {
	getenv         func(string) string
	stdout, stderr io.Writer
	cfg            *config.Config
	log            *slog.Logger
}

// usageError is a mistake on the command line; codex exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// run runs the sub-command named by args[0] (serve when there is none) and returns the
// process's exit status: 0 ok, 1 failure, 2 usage.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	instance := ""
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		flagName, value, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		switch flagName {
		case "version":
			args = append([]string{"version"}, args[1:]...)
		case "instance":
			if !hasValue {
				if len(args) < 2 {
					fmt.Fprintln(stderr, "codex: --instance needs a directory")
					return exitUsage
				}
				value, args = args[1], args[1:]
			}
			instance, args = value, args[1:]
			continue
		}
		break
	}
	if instance != "" {
		getenv = override(getenv, "CODEX_INSTANCE", instance)
	}
	name := "serve"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	}
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprintf(stderr, "codex: unknown command %q\n\n", name)
		usage(stderr)
		return exitUsage
	}
	c := &cli{getenv: getenv, stdout: stdout, stderr: stderr}
	err := cmd.run(ctx, c, args)
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "codex %s: %v\nUsage: codex %s %s\nRun `codex help %s` for its flags.\n", name, err, name, cmd.synopsis, name)
		return exitUsage
	case errors.Is(err, errFlags):
		return exitUsage // the flag package has printed the problem and the flags
	default:
		fmt.Fprintf(stderr, "codex %s: %v\n", name, err)
		return exitFailure
	}
}

// override returns getenv with key set to value.
func override(getenv func(string) string, key, value string) func(string) string {
	return func(k string) string {
		if k == key {
			return value
		}
		return getenv(k)
	}
}

// warnUnknownEnv writes a warning for each CODEX_* variable in environ that Codex does
// not read (a misspelt key would otherwise be ignored silently, where an unknown INI key
// is refused).
func warnUnknownEnv(w io.Writer, environ []string) {
	for _, name := range config.UnknownEnv(environ) {
		fmt.Fprintf(w, "codex: warning: unknown environment variable %s (ignored; every variable is listed in instance/codex.conf.example)\n", name)
	}
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func usage(w io.Writer) {
	fmt.Fprint(w, "Codex, the MSP data hub.\n\nUsage: codex [command] [flags]    (from a checkout: go run . [command] [flags])\n\nCommands:\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s %s\t%s\n", c.name, c.synopsis, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, "\nGlobal flags (before the command): --instance DIR (or CODEX_INSTANCE; default instance),\n"+
		"--version. Only serve, migrate, seed and restore create an instance's database and key.\n"+
		"\nConfiguration: DIR/codex.conf (or the file named by CODEX_CONFIG), then CODEX_*\n"+
		"environment variables; every key is described in instance/codex.conf.example.\n")
}

// errFlags reports a flag the flag package has already complained about.
var errFlags = errors.New("bad flags")

// parse parses a sub-command's flags; positional arguments are refused unless the
// command takes them.
func (c *cli) parse(fs *flag.FlagSet, args []string, synopsis string, positional bool) error {
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: codex %s %s\n", fs.Name(), synopsis)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errFlags
	}
	if !positional && fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// load reads the configuration and builds the logger.
func (c *cli) load() error {
	if c.cfg != nil {
		return nil
	}
	cfg, err := config.Load(c.getenv)
	if err != nil {
		return err
	}
	c.cfg, c.log = cfg, newLogger(c.stderr, cfg.Log)
	slog.SetDefault(c.log)
	return nil
}

func runServe(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", "", "listen on `host:port` (overrides [server] listen and CODEX_LISTEN)")
	conf := fs.String("config", "", "read the configuration `file` (overrides CODEX_CONFIG)")
	if err := c.parse(fs, args, "[--listen ADDR] [--config FILE]", false); err != nil {
		return err
	}
	if *listen != "" {
		c.getenv = override(c.getenv, "CODEX_LISTEN", *listen)
	}
	if *conf != "" {
		c.getenv = override(c.getenv, "CODEX_CONFIG", *conf)
	}
	if err := c.load(); err != nil {
		return err
	}
	c.log.Debug("configuration", "config", c.cfg)
	return serve(ctx, c.cfg, c.log)
}

// openStore opens the configured database, creating it (and the development key) when
// missing, and applies pending migrations: for the commands that may create an instance.
func (c *cli) openStore(ctx context.Context) (*store.DB, error) {
	if err := c.load(); err != nil {
		return nil, err
	}
	if err := c.ensureDevKey(); err != nil {
		return nil, err
	}
	return openDatabase(ctx, c.cfg, c.log, false)
}

// ensureDevKey creates the development issuer's key when that issuer is on and the key
// is missing, so that `codex token` works once an instance exists.
func (c *cli) ensureDevKey() error {
	if !c.cfg.Auth.DevIssuer() {
		return nil
	}
	_, err := auth.LoadOrCreateDevIssuer(c.cfg.Auth.DevKeyFile)
	return err
}

// openExisting opens the configured database for a command that must not create one
// (token, sync, backup): a missing SQLite file is an error naming the path looked at.
func (c *cli) openExisting(ctx context.Context) (*store.DB, error) {
	if err := c.load(); err != nil {
		return nil, err
	}
	if err := c.requireDatabase(); err != nil {
		return nil, err
	}
	return openDatabase(ctx, c.cfg, c.log, false)
}

// requireDatabase fails when the embedded database file does not exist.
func (c *cli) requireDatabase() error {
	path := sqlitePath(c.cfg.Database.ConnectionString)
	if !c.cfg.Database.Embedded() || path == "" {
		return nil
	}
	if _, err := os.Stat(path); errors.Is(err, iofs.ErrNotExist) {
		return fmt.Errorf("no database at %s: `codex serve`, `codex migrate` or `codex seed` creates it in the instance directory; "+
			"run this where the instance is, or name it with --instance DIR or CODEX_INSTANCE", absPath(path))
	}
	return nil
}

// absPath is path made absolute for messages, so that a person sees where Codex looked.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

func runMigrate(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	if err := c.parse(fs, args, "[status]", true); err != nil {
		return err
	}
	status := false
	switch {
	case fs.NArg() == 0:
	case fs.NArg() == 1 && fs.Arg(0) == "status":
		status = true
	default:
		return usagef("unexpected argument %q (want nothing, or status)", fs.Arg(0))
	}
	if err := c.load(); err != nil {
		return err
	}
	if err := ensureDir(c.cfg); err != nil {
		return err
	}
	if err := c.ensureDevKey(); err != nil {
		return err
	}
	db, err := store.Open(ctx, c.cfg.Database.ConnectionString)
	if err != nil {
		return err
	}
	defer db.Close()
	if status {
		return printMigrations(ctx, c.stdout, db)
	}
	before, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	applied := 0
	for _, m := range before {
		if !m.Applied {
			fmt.Fprintf(c.stdout, "applied %s\n", m.Name)
			applied++
		}
	}
	fmt.Fprintf(c.stdout, "%d migration(s) applied; %s is up to date (%d in all)\n", applied, db.Dialect(), len(before))
	return nil
}

func printMigrations(ctx context.Context, w io.Writer, db *store.DB) error {
	ms, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MIGRATION\tSTATUS\tAPPLIED AT")
	pending := 0
	for _, m := range ms {
		state, at := "applied", m.MigratedAt.UTC().Format(time.RFC3339)
		if !m.Applied {
			state, at = "pending", "-"
			pending++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Name, state, at)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d migration(s), %d pending (%s)\n", len(ms), pending, db.Dialect())
	return nil
}

func runSeed(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "load the demo MSP (a dozen clients with contacts, assets, network, tickets), through the services")
	scale := fs.Int("scale", 0, "load `N` synthetic companies (rounded down to a multiple of 5) with the ratios of the benchmark: 10 contacts, 50 assets, 8 devices, 12 links and 40 tickets each")
	reset := fs.Bool("reset", false, "delete every row first, including the audit log (for development and benchmark databases)")
	if err := c.parse(fs, args, "(--demo | --scale N) [--reset]", false); err != nil {
		return err
	}
	switch {
	case *demo == (*scale != 0):
		return usagef("give exactly one of --demo and --scale N")
	case *scale != 0 && *scale < 5:
		return usagef("--scale must be at least 5 (got %d)", *scale)
	}
	db, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if *reset {
		if err := seed.Reset(ctx, db.Bun()); err != nil {
			return err
		}
		c.log.Warn("deleted every row", "database", config.RedactDSN(c.cfg.Database.ConnectionString))
	} else {
		empty, err := seed.IsEmpty(ctx, db.Bun())
		if err != nil {
			return err
		}
		if !empty {
			return errors.New("the database already holds companies; seeding needs an empty one (--reset deletes every row first)")
		}
	}
	start := time.Now()
	if *demo {
		if err := seed.Demo(ctx, policy.New(db.Services())); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "loaded demo data in %s; try: codex token --email %s --level admin\n",
			time.Since(start).Round(time.Millisecond), seed.DemoAdmin)
		return nil
	}
	if err := seed.Scale(ctx, db.Bun(), *scale); err != nil {
		return err
	}
	n := seed.ScaleCounts(*scale)
	fmt.Fprintf(c.stdout, "seeded %d companies, %d contacts, %d assets, %d devices, %d links, %d tickets, %d subnets in %s\n",
		n.Companies, n.Contacts, n.Assets, n.Devices, n.Links, n.Tickets, n.Subnets, time.Since(start).Round(time.Millisecond))
	return nil
}

func runToken(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	email := fs.String("email", "", "the person's e-mail (their identity)")
	name := fs.String("name", "", "the person's display name (default: the e-mail)")
	level := fs.String("level", "", "permission `level`: admin, technician, billing or client")
	company := fs.String("company", "", "a client's company: its id or account number")
	service := fs.String("service", "", "mint a service token for this service `name` instead of a person's")
	ttl := fs.Duration("ttl", 0, "lifetime (default 1h for people, 5m for services)")
	if err := c.parse(fs, args, "--email E --level L [--name N] [--company C] [--ttl D] | --service S [--ttl D]", false); err != nil {
		return err
	}
	if err := c.load(); err != nil {
		return err
	}
	if !c.cfg.Auth.DevIssuer() {
		return fmt.Errorf("a real token issuer is configured (%s): get tokens from it; `codex token` works with the development issuer only",
			firstNonEmpty(c.cfg.Auth.IssuerURL, c.cfg.Auth.Issuer))
	}
	opts := auth.MintOptions{Email: *email, Name: *name, Service: *service, TTL: *ttl, Audience: c.cfg.Auth.Audience}
	if *level != "" {
		l, err := codex.ParseLevel(*level)
		if err != nil {
			return usagef("--level %q: want admin, technician, billing or client", *level)
		}
		opts.Level = l
	}
	check := opts
	if *company != "" {
		check.CompanyID = 1 // looked up below, once the rest is valid
	}
	if err := check.Validate(); codex.ErrorCode(err) == codex.Invalid {
		return usagef("%s", flagProblems(err))
	}
	if *company != "" {
		id, err := c.companyID(ctx, *company)
		if err != nil {
			return err
		}
		opts.CompanyID = id
	}
	dev, err := auth.LoadDevIssuer(c.cfg.Auth.DevKeyFile)
	if errors.Is(err, iofs.ErrNotExist) {
		return fmt.Errorf("no development signing key at %s: `codex serve` (or migrate, or seed) creates it in the instance directory; "+
			"run this where the instance is, or name it with --instance DIR or CODEX_INSTANCE (a new key would sign tokens the server refuses)",
			absPath(c.cfg.Auth.DevKeyFile))
	}
	if err != nil {
		return err
	}
	token, err := dev.Mint(opts)
	if codex.ErrorCode(err) == codex.Invalid {
		return usagef("%s", flagProblems(err))
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, token)
	return nil
}

// flagProblems words the per-field problems of a mint request in terms of token's flags.
func flagProblems(err error) string {
	flags := map[string]string{"company_id": "company"}
	var out []string
	for field, msg := range codex.ErrorFields(err) {
		name := field
		if f, ok := flags[field]; ok {
			name = f
		}
		out = append(out, "--"+name+": "+msg)
	}
	if len(out) == 0 {
		return codex.ErrorMessage(err)
	}
	slices.Sort(out)
	return strings.Join(out, "; ")
}

// companyID resolves --company: a number is an id; anything else an account number,
// looked up in the database.
func (c *cli) companyID(ctx context.Context, s string) (int64, error) {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		if id <= 0 {
			return 0, usagef("--company %d: ids are positive", id)
		}
		return id, nil
	}
	db, err := c.openExisting(ctx)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	co, err := db.CompanyByAccountNumber(ctx, s)
	if codex.IsNotFound(err) {
		return 0, usagef("--company %q: no company has that account number", s)
	}
	if err != nil {
		return 0, err
	}
	return co.ID, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func runConfig(ctx context.Context, c *cli, args []string) error {
	if err := c.parse(flag.NewFlagSet("config", flag.ContinueOnError), args, "", false); err != nil {
		return err
	}
	if err := c.load(); err != nil {
		return err
	}
	source := "no file; defaults and environment"
	if c.cfg.Source != "" {
		source = c.cfg.Source + " and the environment"
	}
	fmt.Fprintf(c.stdout, "; effective configuration (%s); secrets masked\n%s", source, c.cfg)
	return nil
}

func runVersion(ctx context.Context, c *cli, args []string) error {
	if err := c.parse(flag.NewFlagSet("version", flag.ContinueOnError), args, "", false); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "codex", version())
	return nil
}

// version is buildVersion, or what the Go toolchain recorded: the module version, or the
// VCS revision of a build from a checkout.
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
		if rev != "" {
			v += "+" + rev[:min(12, len(rev))]
			if modified == "true" {
				v += "-dirty"
			}
		}
	}
	return v + " (" + bi.GoVersion + ")"
}

func runHelp(ctx context.Context, c *cli, args []string) error {
	switch len(args) {
	case 0:
		usage(c.stdout)
		return nil
	case 1:
		cmd, ok := lookup(args[0])
		if !ok {
			return usagef("unknown command %q", args[0])
		}
		if cmd.name == "help" {
			usage(c.stdout)
			return nil
		}
		fmt.Fprintf(c.stdout, "codex %s: %s\n", cmd.name, cmd.summary)
		c.stderr = c.stdout // the flag package prints usage to the command's output
		return cmd.run(ctx, c, []string{"-h"})
	default:
		return usagef("help takes at most one command")
	}
}

// runSync runs the integrations once, in the foreground: a progress bar on a terminal,
// plain lines otherwise, then a summary per source. A run already in progress (here or in
// another Codex sharing the database) is a failure with a clear message.
func runSync(ctx context.Context, c *cli, args []string) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	if err := c.parse(fs, args, "freshservice | datto | all | account-numbers", true); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("sync needs one source: freshservice, datto or all (or account-numbers)")
	}
	switch fs.Arg(0) {
	case codex.SourceFreshservice, codex.SourceDatto, syncer.SourceAll, "account-numbers":
	default:
		return usagef("unknown source %q: want freshservice, datto, all or account-numbers", fs.Arg(0))
	}
	db, err := c.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	fc, dc := syncer.ClientsFromConfig(c.cfg.Integrations, c.log)
	engine := syncer.New(syncer.Config{Services: policy.New(db.Services()), Locker: db, Freshservice: fc, Datto: dc, Logger: c.log,
		AccountNumberFormat: c.cfg.Sync.AccountNumberFormat, AccountNumberStart: int64(c.cfg.Sync.AccountNumberStart),
		StatusNames: c.cfg.Integrations.FreshserviceStatuses})
	defer engine.Shutdown(context.WithoutCancel(ctx))
	ctx = codex.WithPrincipal(ctx, codex.SystemPrincipal("sync"))
	if fs.Arg(0) == "account-numbers" {
		return syncer.RunAccountNumbersCLI(ctx, engine, c.stdout)
	}
	f, isFile := c.stdout.(*os.File)
	return syncer.RunCLI(ctx, engine, fs.Arg(0), c.stdout, isFile && term.IsTerminal(int(f.Fd())))
}
