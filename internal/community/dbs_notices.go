package community

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"oikos/internal/db"
	"oikos/internal/notify"
)

// KindDBSExpiring is the outbox kind of the email that a volunteer's DBS
// check runs out soon.
const KindDBSExpiring = "dbs_expiring"

// dbsNotice is one volunteer whose check runs out within DBSWarningDays,
// not yet told about.
type dbsNotice struct {
	volunteerID, name, scheme, expiresOn string
	// coordinator is the coordinating health champion's address when they
	// have one who can be told (active, with an email).
	coordinator string
}

// SweepDBSExpiry writes to the outbox, once per volunteer and expiry
// date, an email that a volunteer's DBS check runs out within
// DBSWarningDays: to the health champion who coordinates them, or, when
// they have none (or theirs cannot be reached), to their scheme's
// managers. The row in dbs_expiry_notices, written in the same
// transaction as the messages, keeps a second sweep (in this process or
// another, now or on any later day) from writing them again; a renewed
// check, with a new date, is told about again when it too runs out. The
// email names the volunteer and the date, with a link, and nothing else
// of them. It answers how many volunteers were told about.
func (v *Volunteering) SweepDBSExpiry(ctx context.Context, now time.Time) (int, error) {
	today := dayOf(now)
	rows, err := v.DB.R().QueryContext(ctx, `SELECT vo.user_id, u.name, vo.scheme_id, vo.dbs_expires_on,
		COALESCE((SELECT c.email FROM users c WHERE c.id = vo.coordinator_id AND c.active), '')
		FROM volunteers vo JOIN users u ON u.id = vo.user_id
		WHERE vo.dbs_expires_on >= $1 AND vo.dbs_expires_on <= $2 AND vo.dbs_checked_on IS NOT NULL AND u.active
		AND NOT EXISTS (SELECT 1 FROM dbs_expiry_notices n WHERE n.volunteer_id = vo.user_id AND n.expires_on = vo.dbs_expires_on)
		ORDER BY vo.user_id`, today, addDays(today, DBSWarningDays))
	if err != nil {
		return 0, fmt.Errorf("find DBS checks running out: %w", err)
	}
	var due []dbsNotice
	for rows.Next() {
		var n dbsNotice
		if err := rows.Scan(&n.volunteerID, &n.name, &n.scheme, &n.expiresOn, &n.coordinator); err != nil {
			rows.Close()
			return 0, err
		}
		due = append(due, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	told := 0
	for _, n := range due {
		err := v.DB.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `INSERT INTO dbs_expiry_notices (volunteer_id, expires_on, created_at) VALUES ($1, $2, $3)
				ON CONFLICT (volunteer_id, expires_on) DO NOTHING`, n.volunteerID, n.expiresOn, db.Millis(now))
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return nil // another sweep told them
			}
			var msgs []notify.Message
			if n.coordinator != "" {
				if m := DBSExpiringMessage(n.coordinator, v.BaseURL, n.name, n.expiresOn, true, n.volunteerID); m.Validate() == nil {
					msgs = append(msgs, m)
				}
			}
			if len(msgs) == 0 {
				managers, err := db.Strings(ctx, tx, `SELECT u.email FROM users u WHERE u.active AND u.role = 'manager' AND u.email <> ''
					AND `+userSchemeSQL+` = $1 ORDER BY u.email`, n.scheme)
				if err != nil {
					return err
				}
				for _, to := range managers {
					if m := DBSExpiringMessage(to, v.BaseURL, n.name, n.expiresOn, false, n.volunteerID); m.Validate() == nil {
						msgs = append(msgs, m)
					}
				}
			}
			if len(msgs) == 0 {
				// Nobody to tell: the notice row stays, so that the sweep
				// does not look again every minute; the profile still
				// shows the flag to whoever opens it.
				slog.Default().Warn("DBS check running out: no health champion or manager with an email to tell", "volunteer", n.volunteerID)
			}
			for _, m := range msgs {
				if err := notify.Enqueue(ctx, tx, m); err != nil {
					return err
				}
			}
			told++
			return nil
		})
		if err != nil {
			return told, fmt.Errorf("tell of the DBS check of volunteer %s: %w", n.volunteerID, err)
		}
	}
	return told, nil
}

// DBSExpiringMessage is the email that a volunteer's DBS check runs out:
// the volunteer's name, the date and where to see them (a health
// champion, the volunteers they coordinate; a manager, the profile), and
// nothing else of them.
func DBSExpiringMessage(to, baseURL, name, expiresOn string, coordinator bool, volunteerID string) notify.Message {
	base := strings.TrimRight(baseURL, "/")
	link, who := base+"/volunteers/"+url.PathEscape(volunteerID), "Please arrange a new check, and record it on their profile"
	if coordinator {
		link, who = base+"/volunteering/coordinated", "As their health champion, please help them arrange a new check; a manager records it on their profile"
	}
	when := expiresOn
	if t, ok := parseDay(expiresOn); ok {
		when = t.Format("2 January 2006")
	}
	return notify.Message{Kind: KindDBSExpiring, To: to, Subject: "Oikos: a volunteer's DBS check runs out on " + when,
		Body: "Hello,\n\nThe DBS check of " + name + " runs out on " + when + ". After that date they cannot be matched with anyone new. " +
			who + " (you will need to sign in):\n" + link + "\n\nThis message was sent automatically by Oikos. Replies are not read.\n"}
}

// Sweep is SweepDBSExpiry, and CountClosedMonths for at most a second, in
// the shape of notify.Worker's Sweep. One failing does not keep the other
// from running.
func (v *Volunteering) Sweep(ctx context.Context, now time.Time) error {
	n, err := v.SweepDBSExpiry(ctx, now)
	if n > 0 {
		slog.Default().Info("DBS checks running out told to health champions and managers", "volunteers", n)
	}
	months, merr := v.CountClosedMonths(ctx, now, time.Second)
	if months > 0 {
		slog.Default().Info("volunteering report: closed months counted and kept", "months", months)
	}
	return errors.Join(err, merr)
}
