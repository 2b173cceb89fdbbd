// Package app is Oikos assembled: it builds every store once from the
// database and the configuration, wires the hooks between them, and owns
// their long-lived caches. The web server, the commands and the benchmarks
// all run on one *App, so each sees the same wiring.
package app

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"oikos/internal/auth"
	"oikos/internal/budget"
	"oikos/internal/casefile"
	"oikos/internal/casework"
	"oikos/internal/community"
	"oikos/internal/connection"
	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/grant"
	"oikos/internal/notify"
	"oikos/internal/org"
	"oikos/internal/outcome"
	"oikos/internal/portal"
	"oikos/internal/privacy"
	"oikos/internal/referral"
)

// Config is what the application needs beyond its database.
type Config struct {
	// BaseURL is where people reach Oikos, for links in emails
	// (default http://127.0.0.1:8080).
	BaseURL string
	// ServiceName names the service in pages, letters and emails
	// (default Oikos).
	ServiceName string
	// DefaultScheme is the scheme a referral belongs to when several
	// exist and none covers the person's district (default: the first).
	DefaultScheme string
	// Logger hears what goes wrong in the background; nil means
	// slog.Default().
	Logger *slog.Logger
	// Now is every store's clock; nil means time.Now. The demo sets it to
	// write a history that happened over months.
	Now func() time.Time
	// Quiet tells nobody of referrals' changes (no messages in the outbox):
	// for the demo's made-up past, which must not email anyone when the
	// server starts. Everything else that follows a change still does.
	Quiet bool
}

// App holds one of each store, wired together.
type App struct {
	Config Config
	DB     *db.DB
	Log    *slog.Logger

	Auth        *auth.Store
	Orgs        *org.Store
	Directory   *directory.Store
	Referrals   *referral.Store
	Casework    *casework.Store
	Connections *connection.Store
	Suggester   *connection.Suggester
	Outcomes    *outcome.Store
	Portal      *portal.Store
	Privacy     *privacy.Store
	// Budgets are people's personal budgets and their ledger.
	Budgets *budget.Store
	// Grants are grant rounds, applications, awards, payments and groups
	// registering themselves.
	Grants *grant.Store
	// CaseFiles is how a person's record is reached: who may see what,
	// and a whole page of it read at once.
	CaseFiles *casefile.Reader
	// Notifier writes the messages a referral's changes owe to the outbox.
	Notifier *notify.Notifier
	// Safeguarding keeps safeguarding concerns; Volunteering the
	// volunteers, their matches with people and the graduate pathway.
	Safeguarding *community.Safeguarding
	Volunteering *community.Volunteering
}

// New builds the application on d.
func New(d *db.DB, cfg Config) *App {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ServiceName == "" {
		cfg.ServiceName = "Oikos"
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://127.0.0.1:8080"
	}
	a := &App{
		Config: cfg, DB: d, Log: cfg.Logger,
		Auth:         auth.NewStore(d),
		Orgs:         &org.Store{DB: d},
		Directory:    directory.NewStore(d),
		Referrals:    referral.NewStore(d),
		Casework:     casework.NewStore(d),
		Connections:  connection.NewStore(d, cfg.BaseURL),
		Suggester:    connection.NewSuggester(d),
		Outcomes:     outcome.NewStore(d),
		Portal:       portal.NewStore(d),
		Privacy:      privacy.NewStore(d),
		Budgets:      budget.NewStore(d),
		Grants:       grant.NewStore(d),
		Notifier:     &notify.Notifier{BaseURL: cfg.BaseURL, Log: cfg.Logger},
		Safeguarding: community.NewSafeguarding(d),
		Volunteering: community.NewVolunteering(d),
	}
	a.Safeguarding.BaseURL, a.Safeguarding.Log = cfg.BaseURL, cfg.Logger
	a.Volunteering.BaseURL = cfg.BaseURL
	// One directory, and so one set of its caches, for searches and
	// suggestions alike.
	a.Suggester.Directory = a.Directory
	// An approved registration lists its group's service in the same
	// directory; a service may name only an award made to its own
	// organisation.
	a.Grants.Directory = a.Directory
	a.Directory.CheckAward = grant.CheckServiceAward
	a.CaseFiles = casefile.NewReader(d, a.Outcomes)
	if cfg.Now != nil {
		a.Auth.Now, a.Directory.Now, a.Referrals.Now, a.Casework.Now = cfg.Now, cfg.Now, cfg.Now, cfg.Now
		a.Connections.Now, a.Suggester.Now, a.Outcomes.Now = cfg.Now, cfg.Now, cfg.Now
		a.Portal.Now, a.Privacy.Now, a.CaseFiles.Now = cfg.Now, cfg.Now, cfg.Now
		a.Budgets.Now, a.Grants.Now = cfg.Now, cfg.Now
		a.Safeguarding.Now, a.Volunteering.Now = cfg.Now, cfg.Now
	}
	a.Referrals.DefaultScheme = cfg.DefaultScheme
	a.Referrals.OnChange = a.onReferralChange
	// A reached contact moves its referral on, with these hooks.
	a.Casework.Referrals = a.Referrals
	return a
}

// onReferralChange runs inside the transaction of every status change and
// assignment of a referral: who is told of it is written to the outbox, and
// a closing referral closes its open connections and ends its volunteer
// matches, with the change or not at all.
func (a *App) onReferralChange(ctx context.Context, tx *sql.Tx, c referral.Change) error {
	if !a.Config.Quiet {
		if err := a.Notifier.OnReferralChange(ctx, tx, c); err != nil {
			return err
		}
	}
	if err := a.Connections.OnReferralChange(ctx, tx, c); err != nil {
		return err
	}
	return a.Volunteering.OnReferralChange(ctx, tx, c)
}

// Sweep writes to the outbox what falls due by the clock rather than by a
// change: reminders before first sessions, and DBS checks running out
// told to the volunteer's health champion or managers. notify.Worker runs
// it at most once a minute; each part claims what it writes in the same
// transaction, so that any number of servers may sweep at once. One part
// failing does not keep the other from running.
func (a *App) Sweep(ctx context.Context, now time.Time) error {
	return errors.Join(a.Connections.Sweep(ctx, now), a.Volunteering.Sweep(ctx, now))
}
