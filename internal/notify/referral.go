package notify

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"oikos/internal/referral"
)

// Message kinds for referrals.
const (
	KindReferralAssigned = "referral_assigned"
	KindReferralAccepted = "referral_accepted"
	KindReferralClosed   = "referral_closed"
)

// ReferralFacts is what a referral change's messages need beyond the change
// itself, looked up in the same transaction. An email is empty when there is
// nobody to tell (no referrer recorded, or the user is no longer active).
type ReferralFacts struct {
	Reference       string
	ReferrerUserID  string
	ReferrerEmail   string
	LinkWorkerEmail string
}

// ReferralMessages says which emails a referral change owes: an assignment
// tells the link worker; acceptance and closure tell the referrer (closure
// with a link to the summary for the person's record). Nobody is
// told of their own action. Email is not a safe channel for health data, so
// a message names the referral by its reference and links to it, and never
// says who the person is or why they were referred.
func ReferralMessages(c referral.Change, f ReferralFacts, baseURL string) []Message {
	link := strings.TrimRight(baseURL, "/") + "/referrals/" + url.PathEscape(c.ReferralID)
	var m Message
	switch {
	case c.AssignedTo != "":
		if f.LinkWorkerEmail == "" || c.AssignedTo == c.By.UserID {
			return nil
		}
		m = Message{Kind: KindReferralAssigned, To: f.LinkWorkerEmail,
			Subject: fmt.Sprintf("Oikos: referral %s is assigned to you", f.Reference),
			Body:    fmt.Sprintf("Referral %s has been assigned to you.\n", f.Reference)}
	case c.From == c.To || f.ReferrerEmail == "" || f.ReferrerUserID == c.By.UserID:
		return nil
	case c.From == referral.Closed:
		// A reopening (referral.Store.Reopen) undoes a closing the referrer
		// was told of; "accepted" would tell them of a new start that is not.
		return nil
	case c.To == referral.Accepted:
		m = Message{Kind: KindReferralAccepted, To: f.ReferrerEmail,
			Subject: fmt.Sprintf("Oikos: referral %s was accepted", f.Reference),
			Body: fmt.Sprintf("The referral you made, %s, has been accepted. "+
				"A link worker will contact the person.\n", f.Reference)}
	case c.To == referral.Closed:
		m = Message{Kind: KindReferralClosed, To: f.ReferrerEmail,
			Subject: fmt.Sprintf("Oikos: referral %s was closed", f.Reference),
			Body: fmt.Sprintf("The referral you made, %s, has been closed.\n\nReason: %s\n\n"+
				"A summary for the person's record (what they took part in and what changed) is ready to file:\n%s/summary\n",
				f.Reference, referral.CloseReasonLabel(c.Reason), link)}
	default:
		return nil
	}
	m.Body = "Hello,\n\n" + m.Body + "\nSee it in Oikos (you will need to sign in):\n" + link + "\n\n" +
		"To protect the person's privacy, this email does not say who the referral is about.\n\n" +
		"This message was sent automatically by Oikos. Replies are not read.\n"
	return []Message{m}
}

// Notifier turns referral changes into messages in the outbox.
type Notifier struct {
	// BaseURL is where people reach Oikos, for the links in messages.
	BaseURL string
	// Log hears of messages that could not be formed; nil means slog.Default().
	Log *slog.Logger
}

// OnReferralChange is a referral.Store OnChange hook: it runs inside the
// change's transaction, so the messages it owes are written with the change
// or not at all.
func (n *Notifier) OnReferralChange(ctx context.Context, tx *sql.Tx, c referral.Change) error {
	var f ReferralFacts
	err := tx.QueryRowContext(ctx, `SELECT r.reference, COALESCE(r.referrer_user_id, ''), COALESCE(ru.email, ''), COALESCE(lw.email, '')
		FROM referrals r
		LEFT JOIN users ru ON ru.id = r.referrer_user_id AND ru.active
		LEFT JOIN users lw ON lw.id = $2 AND lw.active
		WHERE r.id = $1`, c.ReferralID, c.AssignedTo).Scan(&f.Reference, &f.ReferrerUserID, &f.ReferrerEmail, &f.LinkWorkerEmail)
	if err != nil {
		return fmt.Errorf("look up who to tell about referral %s: %w", c.ReferralID, err)
	}
	for _, m := range ReferralMessages(c, f, n.BaseURL) {
		// A user's address that cannot take mail must not stop the triage
		// it would have reported: skip the message and say so.
		if err := m.Validate(); err != nil {
			n.log().Warn("referral message not sent: bad address or subject", "referral", c.ReferralID, "kind", m.Kind, "err", err)
			continue
		}
		if err := Enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

func (n *Notifier) log() *slog.Logger {
	if n.Log == nil {
		return slog.Default()
	}
	return n.Log
}
