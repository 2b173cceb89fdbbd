package connection

import (
	"fmt"
	"net/url"

	"oikos/internal/notify"
)

// Message kinds for connections.
const (
	KindConnectionSent     = "connection_sent"
	KindConnectionAnswer   = "connection_answer"
	KindConnectionLink     = "connection_link"
	KindConnectionUpdate   = "connection_update"
	KindConnectionAttended = "connection_attendance"
)

// Email is not a safe channel for health data: every message names the
// service and the referral's reference and links to Oikos, and never says
// who the person is, why they were referred, or what anyone wrote.
const privacyFooter = "\nTo protect the person's privacy, this email does not say who they are.\n\n" +
	"This message was sent automatically by Oikos. Replies are not read.\n"

func answerLink(baseURL, token string) string { return baseURL + "/answer/" + url.PathEscape(token) }

func referralLink(baseURL, referralID string) string {
	return baseURL + "/referrals/" + url.PathEscape(referralID)
}

// NewConnectionMessage tells a provider organisation that someone has been
// connected to one of its services, with a single-use link to answer
// without an account and the page to sign in to.
func NewConnectionMessage(to, service, reference string, kind Kind, baseURL, connectionID, token string) notify.Message {
	return notify.Message{Kind: KindConnectionSent, To: to,
		Subject: fmt.Sprintf("Oikos: a new referral to %s (%s)", service, reference),
		Body: fmt.Sprintf("Hello,\n\nA link worker has referred someone to %s (%s, reference %s).\n\n"+
			"See the details the person agreed to share, and accept, decline or put them on your waiting list:\n%s\n\n"+
			"The link works once and expires in 14 days. If you have an Oikos account, you can also sign in:\n%s\n"+privacyFooter,
			service, kind.Label(), reference, answerLink(baseURL, token), baseURL+"/connections/"+url.PathEscape(connectionID))}
}

// NextLinkMessage gives a provider without an account a fresh link after
// they used one, so they can record the next session.
func NextLinkMessage(to, service, reference, baseURL, token string) notify.Message {
	return notify.Message{Kind: KindConnectionLink, To: to,
		Subject: fmt.Sprintf("Oikos: record attendance for %s (%s)", service, reference),
		Body: fmt.Sprintf("Hello,\n\nThank you for your answer about reference %s at %s.\n\n"+
			"When the person has been to a session, record it here:\n%s\n\nThe link works once and expires in 14 days.\n"+privacyFooter,
			reference, service, answerLink(baseURL, token))}
}

// DecisionMessage tells the link worker a provider's answer, or that a
// connection was completed or dropped.
func DecisionMessage(to, service, reference string, st Status, baseURL, referralID string) notify.Message {
	return notify.Message{Kind: KindConnectionAnswer, To: to,
		Subject: fmt.Sprintf("Oikos: %s, %s: %s", reference, service, st.Label()),
		Body: fmt.Sprintf("Hello,\n\nThe connection for referral %s to %s is now: %s.\n\nSee it in Oikos (you will need to sign in):\n%s\n"+privacyFooter,
			reference, service, st.Label(), referralLink(baseURL, referralID))}
}

// AttendanceMessage tells the link worker a session was recorded.
func AttendanceMessage(to, service, reference, date string, attended bool, baseURL, referralID string) notify.Message {
	word := "did not attend"
	if attended {
		word = "attended"
	}
	return notify.Message{Kind: KindConnectionAttended, To: to,
		Subject: fmt.Sprintf("Oikos: %s, %s: session on %s", reference, service, date),
		Body: fmt.Sprintf("Hello,\n\n%s recorded that the person %s the session on %s (referral %s).\n\nSee it in Oikos (you will need to sign in):\n%s\n"+privacyFooter,
			service, word, date, reference, referralLink(baseURL, referralID))}
}

// UpdateMessage tells the link worker a provider sent an update, without
// what it says.
func UpdateMessage(to, service, reference, baseURL, referralID string) notify.Message {
	return notify.Message{Kind: KindConnectionUpdate, To: to,
		Subject: fmt.Sprintf("Oikos: an update from %s about %s", service, reference),
		Body: fmt.Sprintf("Hello,\n\n%s sent you an update about referral %s.\n\nRead it in Oikos (you will need to sign in):\n%s\n"+privacyFooter,
			service, reference, referralLink(baseURL, referralID))}
}
