package main

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"oikos"
	"oikos/internal/app"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/notify"
	"oikos/internal/org"
	"oikos/internal/outcome"
	"oikos/internal/web"
)

type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// listening, when set, receives the server's address once it listens
	// (tests use it to find a free port).
	listening chan<- string
	// metricsListening, likewise, receives the metrics listener's address.
	metricsListening chan<- string
}

func (e *env) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("oikos "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: oikos %s\n\nOptions:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func (e *env) dbFlag(fs *flag.FlagSet) *string {
	def := e.getenv("OIKOS_DB")
	if def == "" {
		def = db.DefaultURL
	}
	return fs.String("db", def, "database: sqlite:PATH or postgres://… (env OIKOS_DB)")
}

// parse parses flags, turning -h into flag.ErrHelp after usage is printed.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	return nil
}

func (e *env) open(ctx context.Context, url string) (*db.DB, error) {
	d, err := db.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, d); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// openApp opens and migrates the database, and builds the application on
// it with cfg.
func (e *env) openApp(ctx context.Context, url string, cfg app.Config) (*app.App, error) {
	d, err := e.open(ctx, url)
	if err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = e.logger()
	}
	return app.New(d, cfg), nil
}

// migrate brings the schema up to date, then the figures kept beside it
// that a migration left for Go to work out (outcome.CatchUp).
func migrate(ctx context.Context, d *db.DB) error {
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	_, err := outcome.CatchUp(ctx, d)
	return err
}

func (e *env) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if e.getenv("OIKOS_LOG_FORMAT") == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

func (e *env) serve(ctx context.Context, args []string) error {
	fs := e.flags("serve", "serve [--addr HOST:PORT] [--db URL] [--secure-cookies] [--base-url URL] [--smtp-url URL] [--notify-key KEY --notify-sms-template ID]\n"+
		"                   [--retention-years N] [--default-scheme ORG_ID] [--trusted-proxies CIDR,...] [--metrics-addr HOST:PORT]")
	defAddr := e.getenv("OIKOS_ADDR")
	if defAddr == "" {
		defAddr = "127.0.0.1:8080"
	}
	addr := fs.String("addr", defAddr, "address to listen on (env OIKOS_ADDR)")
	dbURL := e.dbFlag(fs)
	secure := fs.Bool("secure-cookies", e.getenv("OIKOS_SECURE_COOKIES") == "true",
		"mark cookies Secure and send HSTS: set when served over HTTPS (env OIKOS_SECURE_COOKIES=true)")
	baseURL := fs.String("base-url", e.getenv("OIKOS_BASE_URL"),
		"the address people reach Oikos at, for links in emails and on printed codes (env OIKOS_BASE_URL;\n"+
			"without it, http:// and the address served on)")
	// No default shown: it would print the password from the environment.
	smtpURL := fs.String("smtp-url", "", "send email through this SMTP server (env OIKOS_SMTP_URL, better than the flag for a password):\n"+
		"smtp://user:pass@host:587?from=oikos%40example.org (STARTTLS when the server offers it) or\n"+
		"smtps://user:pass@host:465?from=… (TLS from the start).\n"+
		"Without it, emails are written to the server log instead of sent: fine for the demo, not for real use")
	notifyURL := fs.String("notify-url", envOr(e.getenv, "OIKOS_NOTIFY_URL", notify.DefaultNotifyURL),
		"send text messages through this GOV.UK Notify-shaped API (env OIKOS_NOTIFY_URL)")
	notifyKey := fs.String("notify-key", "", "GOV.UK Notify API key for text messages (env OIKOS_NOTIFY_API_KEY, better than the flag for a secret).\n"+
		"Without it, text messages are written to the server log instead of sent")
	smsTemplate := fs.String("notify-sms-template", e.getenv("OIKOS_NOTIFY_SMS_TEMPLATE"),
		"id of the Notify text message template whose content is ((body)) (env OIKOS_NOTIFY_SMS_TEMPLATE)")
	defaultScheme := fs.String("default-scheme", e.getenv("OIKOS_DEFAULT_SCHEME"),
		"id of the scheme a referral belongs to when several schemes exist and none covers the person's postcode district\n"+
			"(env OIKOS_DEFAULT_SCHEME; without it, the first scheme made)")
	retentionYears := e.retentionFlag(fs)
	trustedProxies := fs.String("trusted-proxies", e.getenv("OIKOS_TRUSTED_PROXIES"),
		"reverse proxies whose X-Forwarded-For names the client, as addresses or CIDR blocks separated by commas,\n"+
			"e.g. 10.0.0.0/8,2001:db8::/32 (env OIKOS_TRUSTED_PROXIES). Without it, the connection's address is the client")
	metricsAddr := fs.String("metrics-addr", e.getenv("OIKOS_METRICS_ADDR"),
		"serve GET /metrics on this address of its own, e.g. 127.0.0.1:9090 (env OIKOS_METRICS_ADDR).\n"+
			"On the main address /metrics answers 404, unless OIKOS_METRICS_TOKEN is set: then it answers a scraper\n"+
			"that sends Authorization: Bearer TOKEN")
	auditKey := e.auditKeyFlag(fs)
	anchorFile := fs.String("audit-anchor", e.getenv("OIKOS_AUDIT_ANCHOR"),
		"append the audit log's latest entry to this file every minute and at shutdown, somewhere the database cannot\n"+
			"rewrite (env OIKOS_AUDIT_ANCHOR); oikos audit verify --audit-anchor then notices entries cut from the end")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := e.useAuditKey(*auditKey); err != nil {
		return err
	}
	if err := checkRetention(*retentionYears); err != nil {
		return err
	}
	proxies, err := web.ParseTrustedProxies(*trustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	if *smtpURL == "" {
		*smtpURL = e.getenv("OIKOS_SMTP_URL")
	}
	if *notifyKey == "" {
		*notifyKey = e.getenv("OIKOS_NOTIFY_API_KEY")
	}
	if *baseURL == "" {
		*baseURL = defaultBaseURL(*addr)
	}
	if u, err := url.Parse(*baseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--base-url %q: want http(s)://host[:port]", *baseURL)
	}
	log := e.logger()
	sender, err := notify.NewSender(*smtpURL, log)
	if err != nil {
		return err
	}
	if s, ok := sender.(*notify.SMTPSender); ok {
		log.Info("email goes out through SMTP", "server", s.Addr, "from", s.From.Address)
	} else {
		log.Warn("no SMTP server set (--smtp-url or OIKOS_SMTP_URL): emails are written to this log, not sent")
	}
	texter, err := notify.NewSMSSenderOrLog(*notifyURL, *notifyKey, *smsTemplate, log)
	if err != nil {
		return err
	}
	if s, ok := texter.(*notify.SMSSender); ok {
		log.Info("text messages go out through Notify", "api", s.BaseURL, "service", s.Key.ServiceID)
	} else {
		log.Warn("no Notify API key set (--notify-key or OIKOS_NOTIFY_API_KEY): text messages are written to this log, not sent")
	}
	a, err := e.openApp(ctx, *dbURL, app.Config{BaseURL: strings.TrimRight(*baseURL, "/"), DefaultScheme: *defaultScheme, Logger: log})
	if err != nil {
		return err
	}
	d := a.DB
	defer d.Close()
	if audit.Sealing() {
		log.Info("audit entries are sealed with the audit key")
	} else if tail, ok, err := audit.Tail(ctx, d.R()); err != nil {
		return err
	} else if ok && tail.MAC != "" {
		return audit.ErrSealedWithoutKey
	} else {
		log.Warn("no audit key set (--audit-key or OIKOS_AUDIT_KEY): audit entries are not sealed, so a recomputed audit chain would pass oikos audit verify")
	}
	anchorDone := make(chan struct{})
	var anchorer *audit.Anchorer
	if *anchorFile != "" {
		anchorer = &audit.Anchorer{DB: d, Path: *anchorFile, Log: log}
		if err := anchorer.Open(ctx); err != nil {
			return err
		}
		// Runs after the requests and background work have stopped, before
		// the database closes: the last anchor is the log's last entry.
		defer func() {
			<-anchorDone
			if err := anchorer.Write(context.Background()); err != nil {
				log.Error("could not anchor the audit log at shutdown", "file", *anchorFile, "err", err)
			}
		}()
	} else {
		close(anchorDone)
		log.Warn("no audit anchor file set (--audit-anchor or OIKOS_AUDIT_ANCHOR): entries cut from the end of the audit log would not be noticed")
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(notify.NewCollector(d))
	srv, err := web.New(a, web.Config{SecureCookies: *secure, Registry: reg, TrustedProxies: proxies,
		MetricsToken: e.getenv("OIKOS_METRICS_TOKEN")})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	if len(proxies) > 0 {
		log.Info("client addresses are read from X-Forwarded-For when a trusted proxy sends it", "proxies", *trustedProxies)
	}
	var metricsServer *http.Server
	if *metricsAddr != "" {
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on --metrics-addr %s: %w", *metricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", srv.MetricsHandler())
		metricsServer = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		go metricsServer.Serve(mln)
		defer metricsServer.Close()
		log.Info("metrics are served on a listener of their own", "addr", mln.Addr().String())
		if e.metricsListening != nil {
			e.metricsListening <- mln.Addr().String()
		}
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	hkCtx, stopHK := context.WithCancel(context.Background())
	defer stopHK()
	go srv.Housekeeping(hkCtx)
	mailer := &notify.Worker{DB: d, Sender: notify.ByChannel{Email: sender, SMS: texter}, Log: log,
		Sweep: a.Sweep}
	mailerDone := make(chan struct{})
	go func() { defer close(mailerDone); mailer.Run(hkCtx) }()
	// Once a day, on one server of however many share the database.
	retentionDone := make(chan struct{})
	go func() { defer close(retentionDone); a.Privacy.Daily(hkCtx, *retentionYears, log) }()
	defer func() { stopHK(); <-retentionDone }()
	if anchorer != nil {
		go func() { defer close(anchorDone); anchorer.Run(hkCtx, audit.AnchorEvery) }()
	}
	// Before the database closes: let a message being sent finish and be
	// recorded, so that it is neither lost nor sent twice.
	defer func() { stopHK(); <-mailerDone }()

	fmt.Fprintf(e.stdout, "Oikos is serving on http://%s (%s database). Press Ctrl+C to stop.\n", ln.Addr(), d.Dialect)
	if e.listening != nil {
		e.listening <- ln.Addr().String()
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func (e *env) migrate(ctx context.Context, args []string) error {
	fs := e.flags("migrate", "migrate [--db URL]")
	dbURL := e.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := db.Open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	applied, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	if n, err := outcome.CatchUp(ctx, d); err != nil {
		return err
	} else if n > 0 {
		fmt.Fprintf(e.stdout, "Paired %d review and exit measures with their baselines for the reports.\n", n)
	}
	v, err := d.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(e.stdout, "Schema is up to date at version %d.\n", v)
	} else {
		fmt.Fprintf(e.stdout, "Applied %d migrations; schema is at version %d.\n", len(applied), v)
	}
	return nil
}

var cliActor = auth.Actor{UserID: "system", Client: "command line"}

func (e *env) userAdd(ctx context.Context, args []string) error {
	fs := e.flags("user add", "user add --email E --name N --role ROLE [--org ORG_ID] [--password-stdin] [--db URL]")
	email := fs.String("email", "", "the user's email address; they sign in with it")
	name := fs.String("name", "", "the user's full name")
	role := fs.String("role", "", "one of "+rolesList())
	orgID := fs.String("org", "", "the id of the user's organisation (not needed for admin)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input; without it, print a set-up link")
	baseURL := fs.String("base-url", envOr(e.getenv, "OIKOS_BASE_URL", "http://127.0.0.1:8080"), "the address people reach Oikos at, for the set-up link (env OIKOS_BASE_URL)")
	dbURL := e.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	password := ""
	if *pwStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
		if password == "" {
			return errors.New("--password-stdin: standard input held no password")
		}
	}
	a, err := e.openApp(ctx, *dbURL, app.Config{BaseURL: *baseURL})
	if err != nil {
		return err
	}
	defer a.DB.Close()
	store := a.Auth
	u, err := store.CreateUser(ctx, cliActor, auth.UserInput{Email: *email, Name: *name, Role: auth.Role(*role), OrganisationID: *orgID}, password)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintln(e.stdout, u.ID)
	if password == "" {
		token, err := store.CreateSetupLink(ctx, cliActor, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "Send %s this set-up link (it works once, for 7 days):\n%s/setup/%s\n", u.Name, strings.TrimRight(*baseURL, "/"), token)
	}
	return nil
}

func rolesList() string {
	var s []string
	for _, r := range auth.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// cliError turns a validation error into one line naming the fields.
func cliError(err error) error {
	var e *oikos.Error
	if !errors.As(err, &e) {
		return err
	}
	if len(e.Fields) == 0 {
		return errors.New(e.Message)
	}
	var parts []string
	for _, f := range []string{"email", "name", "role", "organisation_id", "password", "label", "kind"} {
		if msg, ok := e.Fields[f]; ok {
			flagName := map[string]string{"organisation_id": "org"}[f]
			if flagName == "" {
				flagName = f
			}
			parts = append(parts, "--"+flagName+": "+msg)
		}
	}
	return errors.New(strings.Join(parts, " "))
}

func (e *env) tokenCreate(ctx context.Context, args []string) error {
	fs := e.flags("token create", "token create --email E [--label TEXT] [--db URL]")
	email := fs.String("email", "", "the email address of the user the token acts as")
	label := fs.String("label", "", "what the token is for, e.g. the system that will use it")
	dbURL := e.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	a, err := e.openApp(ctx, *dbURL, app.Config{})
	if err != nil {
		return err
	}
	defer a.DB.Close()
	store := a.Auth
	u, err := store.GetUserByEmail(ctx, *email)
	if err != nil {
		return fmt.Errorf("--email: no user has the address %s", *email)
	}
	secret, _, err := store.CreateToken(ctx, cliActor, u.ID, *label)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintln(e.stdout, secret)
	return nil
}

func (e *env) backup(ctx context.Context, args []string) error {
	fs := e.flags("backup", "backup FILE [--db URL]")
	dbURL := e.dbFlag(fs)
	// Allow the file before or after the flags.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" {
		return errors.New("backup: name the file to write, as in oikos backup oikos-backup.db")
	}
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file name", file)
	}
	d, err := db.Open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	switch d.Dialect {
	case db.SQLite:
		// VACUUM INTO writes a consistent snapshot while others keep working.
		if _, err := d.Exec(ctx, "VACUUM INTO $1", file); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	case db.Postgres:
		pgDump, err := lookPGDump()
		if err != nil {
			return errors.New("backup: pg_dump was not found; install the PostgreSQL client tools (apt-get install postgresql-client) and try again")
		}
		cmd := exec.CommandContext(ctx, pgDump, "--format=custom", "--file", file, "--dbname", *dbURL)
		cmd.Stderr = e.stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("backup: pg_dump failed: %w", err)
		}
	}
	info, err := os.Stat(file)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Backed up to %s (%d bytes) in %s.\n", file, info.Size(), time.Since(start).Round(time.Millisecond))
	return nil
}

// auditKeyFlag is the --audit-key flag. Its default is not shown, so that
// usage does not print the key from the environment.
func (e *env) auditKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("audit-key", "", "the key that seals each audit entry (env OIKOS_AUDIT_KEY, better than the flag for a secret):\n"+
		"at least 32 characters, the same for every server on one database; make one with: openssl rand -hex 32")
}

// defaultBaseURL is the address links point at when none is set: the one
// served on, with a wildcard host ("0.0.0.0:8080", ":8080") read as this
// machine, which is right for a demo and wrong for anything public: set
// --base-url there.
func defaultBaseURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://127.0.0.1:8080"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// useAuditKey seals this process's audit entries with the flag's key, or
// the environment's.
func (e *env) useAuditKey(flagKey string) error {
	k := flagKey
	if k == "" {
		k = e.getenv("OIKOS_AUDIT_KEY")
	}
	if k == "" {
		// Each run of the program has the key its own settings give, and
		// none without them, even when run twice in one process (tests).
		audit.ForgetKey()
		return nil
	}
	if err := audit.UseKey([]byte(k)); err != nil {
		return fmt.Errorf("--audit-key: %w", err)
	}
	return nil
}

func (e *env) auditVerify(ctx context.Context, args []string) error {
	fs := e.flags("audit verify", "audit verify [--db URL] [--audit-key KEY] [--audit-anchor FILE]")
	dbURL := e.dbFlag(fs)
	keyFlag := e.auditKeyFlag(fs)
	anchorFile := fs.String("audit-anchor", e.getenv("OIKOS_AUDIT_ANCHOR"), "the anchor file oikos serve writes (env OIKOS_AUDIT_ANCHOR)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var o audit.CheckOptions
	if k := cmp.Or(*keyFlag, e.getenv("OIKOS_AUDIT_KEY")); k != "" {
		if len(k) < audit.MinKeyLength {
			return fmt.Errorf("--audit-key: the audit key must be at least %d characters", audit.MinKeyLength)
		}
		o.Key = []byte(k)
	}
	torn := false
	if *anchorFile != "" {
		var err error
		if o.Anchors, torn, err = audit.ReadAnchorFile(*anchorFile); err != nil {
			return err
		}
	}
	d, err := db.Open(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	r, err := audit.Check(ctx, d.R(), o)
	if err != nil {
		return fmt.Errorf("audit log broken after %d good entries: %w", r.Entries, err)
	}
	fmt.Fprintf(e.stdout, "Audit log intact: %d entries checked.\n", r.Entries)
	switch {
	case o.Key == nil:
		fmt.Fprintln(e.stdout, "Not checked: no audit key (--audit-key or OIKOS_AUDIT_KEY), so a chain recomputed after changing an entry would also pass.")
	case r.Unsealed > 0:
		fmt.Fprintf(e.stdout, "Seals checked with the audit key on %d entries; the %d oldest, written before the key was set, rest on the chain alone.\n", r.Sealed, r.Unsealed)
	default:
		fmt.Fprintf(e.stdout, "Seals checked with the audit key on all %d entries.\n", r.Sealed)
	}
	switch {
	case *anchorFile == "":
		fmt.Fprintln(e.stdout, "Not checked: no anchor file (--audit-anchor or OIKOS_AUDIT_ANCHOR), so entries cut from the end of the log would not be noticed.")
	case r.Anchored == 0:
		fmt.Fprintln(e.stdout, "The anchor file holds no anchors yet, so entries cut from the end of the log would not be noticed.")
	default:
		fmt.Fprintf(e.stdout, "Anchors matched: %d. The log holds entry %d as anchored at %s, and everything before it unchanged; entries after it rest on the chain",
			r.Anchored, r.Latest.ID, r.Latest.At.Format(time.RFC3339))
		if o.Key != nil {
			fmt.Fprint(e.stdout, " and seals")
		}
		fmt.Fprintln(e.stdout, ".")
	}
	if torn {
		fmt.Fprintln(e.stdout, "The anchor file's last line was cut short (a server stopped while writing it) and was skipped.")
	}
	return nil
}

// demoPassword makes a readable random password for the demo accounts.
func demoPassword() string {
	words := []string{"river", "meadow", "lantern", "harbour", "willow", "garden", "kettle", "orchard", "pebble", "sparrow", "thistle", "beacon"}
	var parts []string
	for range 3 {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
		parts = append(parts, words[n.Int64()])
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(90))
	return strings.Join(parts, "-") + fmt.Sprint(n.Int64()+10)
}

func (e *env) demo(ctx context.Context, args []string) error {
	fs := e.flags("demo", "demo [--db URL]")
	dbURL := e.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := e.openApp(ctx, *dbURL, app.Config{BaseURL: envOr(e.getenv, "OIKOS_BASE_URL", "")})
	if err != nil {
		return err
	}
	d := a.DB
	defer d.Close()
	orgs, store := a.Orgs, a.Auth

	orgIDs := map[string]string{}
	existing, _, err := orgs.List(ctx, org.ListOptions{Limit: 1000})
	if err != nil {
		return err
	}
	for _, o := range existing {
		orgIDs[o.Name] = o.ID
	}
	for _, o := range demoOrganisations {
		if _, ok := orgIDs[o.Name]; ok {
			continue
		}
		created, err := orgs.Create(ctx, org.Actor{UserID: "system", Client: "demo"}, o)
		if err != nil {
			return err
		}
		orgIDs[o.Name] = created.ID
	}
	if err := loadDemoDirectory(ctx, d, e.stdout); err != nil {
		return err
	}

	password := demoPassword()
	fmt.Fprintf(e.stdout, "Demo accounts (password for each: %s)\n", password)
	for _, u := range demoUsers {
		in := auth.UserInput{Email: u.email, Name: u.name, Role: u.role, OrganisationID: orgIDs[u.org]}
		existing, err := store.GetUserByEmail(ctx, u.email)
		switch {
		case err == nil:
			err = store.SetPassword(ctx, cliActor, existing.ID, password)
		case oikos.ErrorCode(err) == oikos.ENOTFOUND:
			_, err = store.CreateUser(ctx, cliActor, in, password)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "  %-14s %s\n", u.role, u.email)
	}
	fmt.Fprintln(e.stdout, "Each account sets up two-factor sign-in (an authenticator app) the first time it signs in.")
	if err := loadDemoPopulation(ctx, d, e.stdout); err != nil {
		return err
	}
	if err := loadDemoCasework(ctx, a, e.stdout); err != nil {
		return err
	}
	if err := loadDemoHistory(ctx, a, e.stdout); err != nil {
		return err
	}
	if err := loadDemoCommunity(ctx, a, password, e.stdout); err != nil {
		return err
	}
	if err := loadDemoUnmetNeeds(ctx, a, e.stdout); err != nil {
		return err
	}
	// Grants follow the gap map, so they come after the unmet needs.
	if err := loadDemoFunds(ctx, a, e.stdout); err != nil {
		return err
	}
	return loadDemoProvider(ctx, a, e.stdout)
}

// demoSchemePhone is in the range Ofcom keeps for drama (01632 960xxx),
// so that nobody real is rung from the demo.
var demoSchemePhone = "01632 960100"

var demoOrganisations = []org.Input{
	{Name: "Northgate Social Prescribing", Kind: "scheme", Areas: demoSchemeAreas(), Phone: &demoSchemePhone},
	{Name: "Riverside Surgery", Kind: "gp_practice"},
	{Name: "Hillside Medical Centre", Kind: "gp_practice"},
	{Name: "Northgate Borough Council", Kind: "council"},
	{Name: "Greenway Community Trust", Kind: "vcse"},
	{Name: "Northgate and District NHS Trust", Kind: "nhs_trust"},
	{Name: "Northgate Integrated Care Board", Kind: "other"},
}

var demoUsers = []struct {
	email, name string
	role        auth.Role
	org         string
}{
	{"admin@oikos.example", "Demo Administrator", auth.Admin, ""},
	{"manager@oikos.example", "Morgan Ellis", auth.Manager, "Northgate Social Prescribing"},
	{"linkworker@oikos.example", "Priya Shah", auth.LinkWorker, "Northgate Social Prescribing"},
	{"gp@oikos.example", "Dr Tom Okafor", auth.Referrer, "Riverside Surgery"},
	{"provider@oikos.example", "Jess Murray", auth.Provider, "Greenway Community Trust"},
	// Volunteers and commissioners work within a scheme: its organisation
	// is theirs (CONTRACT.md, "Schemes").
	{"volunteer@oikos.example", "Alan Brooks", auth.Volunteer, "Northgate Social Prescribing"},
	{"commissioner@oikos.example", "Sarah Lin", auth.Commissioner, "Northgate Social Prescribing"},
}

// demoSchemeAreas are the districts the demo scheme covers: those of
// Exeter, Plymouth and Torbay, where the demo's people live.
func demoSchemeAreas() []string {
	var out []string
	for _, d := range []struct {
		area string
		n    int
	}{{"EX", 39}, {"PL", 21}, {"TQ", 14}} {
		for i := 1; i <= d.n; i++ {
			out = append(out, fmt.Sprintf("%s%d", d.area, i))
		}
	}
	return out
}

// lookPGDump finds pg_dump on PATH or where Debian's PostgreSQL puts it.
func lookPGDump() (string, error) {
	if p, err := exec.LookPath("pg_dump"); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump")
	if len(matches) > 0 {
		return matches[len(matches)-1], nil
	}
	return "", errors.New("pg_dump not found")
}
