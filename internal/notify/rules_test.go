package notify

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/referral"
)

func TestReferralMessages(t *testing.T) {
	facts := ReferralFacts{Reference: "OIK-ABCD-EFGH", ReferrerUserID: "usr_gp", ReferrerEmail: "gp@example.org", LinkWorkerEmail: "lw@example.org"}
	manager := referral.Actor{UserID: "usr_manager"}
	lw := referral.Actor{UserID: "usr_lw"}
	noReferrer := facts
	noReferrer.ReferrerUserID, noReferrer.ReferrerEmail = "", ""
	inactiveLW := facts
	inactiveLW.LinkWorkerEmail = ""
	for _, c := range []struct {
		name        string
		change      referral.Change
		facts       ReferralFacts
		kind, to    string
		subject     string
		bodyHas     string
		wantNothing bool
	}{
		{name: "assigned by a manager tells the link worker",
			change: referral.Change{ReferralID: "ref_1", From: referral.Received, To: referral.Received, AssignedTo: "usr_lw", By: manager},
			facts:  facts, kind: KindReferralAssigned, to: "lw@example.org", subject: "Oikos: referral OIK-ABCD-EFGH is assigned to you", bodyHas: "has been assigned to you"},
		{name: "a link worker taking a referral is not told of it",
			change: referral.Change{ReferralID: "ref_1", From: referral.Accepted, To: referral.Accepted, AssignedTo: "usr_lw", By: lw},
			facts:  facts, wantNothing: true},
		{name: "assigned to an inactive link worker: nobody to tell",
			change: referral.Change{ReferralID: "ref_1", From: referral.Received, To: referral.Received, AssignedTo: "usr_lw", By: manager},
			facts:  inactiveLW, wantNothing: true},
		{name: "accepted tells the referrer",
			change: referral.Change{ReferralID: "ref_1", From: referral.Received, To: referral.Accepted, By: lw},
			facts:  facts, kind: KindReferralAccepted, to: "gp@example.org", subject: "Oikos: referral OIK-ABCD-EFGH was accepted", bodyHas: "has been accepted"},
		{name: "closed tells the referrer the reason in words",
			change: referral.Change{ReferralID: "ref_1", From: referral.Active, To: referral.Closed, Reason: "goals_met", By: lw},
			facts:  facts, kind: KindReferralClosed, to: "gp@example.org", subject: "Oikos: referral OIK-ABCD-EFGH was closed", bodyHas: "Reason: Goals met"},
		{name: "closed links to the summary for the person's record",
			change: referral.Change{ReferralID: "ref_1", From: referral.Active, To: referral.Closed, Reason: "goals_met", By: lw},
			facts:  facts, kind: KindReferralClosed, to: "gp@example.org", bodyHas: "ready to file:\nhttps://oikos.example.org/referrals/ref_1/summary\n"},
		{name: "closed from received (not appropriate)",
			change: referral.Change{ReferralID: "ref_1", From: referral.Received, To: referral.Closed, Reason: "not_appropriate", By: lw},
			facts:  facts, kind: KindReferralClosed, to: "gp@example.org", bodyHas: "Reason: Not appropriate for social prescribing"},
		{name: "a self-referral has no referrer to tell",
			change: referral.Change{ReferralID: "ref_1", From: referral.Received, To: referral.Accepted, By: lw},
			facts:  noReferrer, wantNothing: true},
		{name: "the referrer is not told of their own action",
			change: referral.Change{ReferralID: "ref_1", From: referral.Received, To: referral.Closed, Reason: "other", By: referral.Actor{UserID: "usr_gp"}},
			facts:  facts, wantNothing: true},
		{name: "contacted and active are the link worker's business",
			change: referral.Change{ReferralID: "ref_1", From: referral.Accepted, To: referral.Contacted, By: lw},
			facts:  facts, wantNothing: true},
		{name: "active", change: referral.Change{ReferralID: "ref_1", From: referral.Contacted, To: referral.Active, By: lw},
			facts: facts, wantNothing: true},
		{name: "a reopening is not a new acceptance",
			change: referral.Change{ReferralID: "ref_1", From: referral.Closed, To: referral.Accepted, Reason: "Closed in error", By: lw},
			facts:  facts, wantNothing: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ReferralMessages(c.change, c.facts, "https://oikos.example.org/")
			if c.wantNothing {
				if len(got) != 0 {
					t.Fatalf("want no message, got %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one message, got %+v", got)
			}
			m := got[0]
			if m.Kind != c.kind || m.To != c.to || (c.subject != "" && m.Subject != c.subject) {
				t.Errorf("got %s to %s %q", m.Kind, m.To, m.Subject)
			}
			for _, want := range []string{c.bodyHas, "https://oikos.example.org/referrals/ref_1\n", "OIK-ABCD-EFGH"} {
				if !strings.Contains(m.Body, want) {
					t.Errorf("body lacks %q:\n%s", want, m.Body)
				}
			}
			if err := m.Validate(); err != nil {
				t.Errorf("message does not validate: %v", err)
			}
		})
	}
}

var wordDecoder = new(mime.WordDecoder)

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		attempt int
		jitter  float64
		want    time.Duration
	}{
		{0, 0, 30 * time.Second}, // never tried counts as the first
		{1, 0, 30 * time.Second},
		{2, 0, time.Minute},
		{3, 0, 2 * time.Minute},
		{7, 0, 32 * time.Minute},
		{8, 0, time.Hour}, // 64 min, capped
		{9, 0, time.Hour},
		{20, 0, time.Hour},
		{1000, 0, time.Hour}, // no overflow
		{1, 0.5, 28500 * time.Millisecond},
		{1, 0.999999, 27 * time.Second},
		{20, 0.5, 57 * time.Minute},
		{2, 7, 54 * time.Second}, // jitter out of range is clamped
		{2, -1, time.Minute},
	} {
		got := Backoff(c.attempt, c.jitter)
		if d := got - c.want; d > time.Millisecond || d < -time.Millisecond {
			t.Errorf("Backoff(%d, %v) = %v, want %v", c.attempt, c.jitter, got, c.want)
		}
	}
}

func TestMessageValidateRefusesHeaderInjection(t *testing.T) {
	good := Message{Kind: "referral_assigned", To: "lw@example.org", Subject: "Oikos: referral OIK-ABCD-EFGH", Body: "Line one\nLine two\r\n"}
	if err := good.Validate(); err != nil {
		t.Fatalf("good message: %v", err)
	}
	for _, c := range []struct {
		field string
		edit  func(*Message)
	}{
		{"to", func(m *Message) { m.To = "lw@example.org\r\nBcc: everyone@example.org" }},
		{"to", func(m *Message) { m.To = "lw@example.org\nBcc: everyone@example.org" }},
		{"to", func(m *Message) { m.To = "lw@example.org, other@example.org" }},
		{"to", func(m *Message) { m.To = "not an address" }},
		{"to", func(m *Message) { m.To = "" }},
		{"subject", func(m *Message) { m.Subject = "Hello\r\nBcc: everyone@example.org" }},
		{"subject", func(m *Message) { m.Subject = "Hello\rX-Injected: yes" }},
		{"subject", func(m *Message) { m.Subject = "   " }},
		{"subject", func(m *Message) { m.Subject = strings.Repeat("a", 201) }},
		{"body", func(m *Message) { m.Body = "nul \x00 byte" }},
		{"body", func(m *Message) { m.Body = "bad utf-8 \xff" }},
		{"kind", func(m *Message) { m.Kind = "Referral Assigned" }},
		{"kind", func(m *Message) { m.Kind = "" }},
	} {
		m := good
		c.edit(&m)
		err := m.Validate()
		var e *oikos.Error
		if !errors.As(err, &e) || e.Code != oikos.EINVALID || e.Fields[c.field] == "" {
			t.Errorf("%q/%q: want invalid %s, got %v", m.To, m.Subject, c.field, err)
		}
		if _, err := Format(m, &mail.Address{Address: "oikos@example.org"}, "<x@example.org>", time.Now()); err == nil {
			t.Errorf("%q/%q: Format accepted it", m.To, m.Subject)
		}
	}
}

func TestFormat(t *testing.T) {
	date := time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC)
	from := &mail.Address{Name: "Oikos", Address: "oikos@example.org"}
	m := Message{Kind: "referral_closed", To: "gp@example.org", Subject: "Oikos: referral OIK-ABCD-EFGH was closed",
		Body: "Hello,\n\n.A line starting with a dot\n" + strings.Repeat("long ", 40) + "\nCafé\n"}
	raw, err := Format(m, from, "<msg_1.oikos@example.org>", date)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, want := range []string{
		`From: "Oikos" <oikos@example.org>`, "To: <gp@example.org>", "Subject: Oikos: referral OIK-ABCD-EFGH was closed",
		"Date: Sun, 22 Nov 2026 09:30:00 +0000", "Message-ID: <msg_1.oikos@example.org>", "MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "Auto-Submitted: auto-generated",
	} {
		if !bytes.Contains(head, []byte(want+"\r\n")) && !bytes.HasSuffix(head, []byte(want)) {
			t.Errorf("headers lack %q:\n%s", want, head)
		}
	}
	for line := range strings.SplitSeq(string(raw), "\r\n") {
		if len(line) > 78 || strings.Contains(line, "\n") {
			t.Errorf("line not folded or not CRLF: %q", line)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Subject") != m.Subject {
		t.Errorf("subject read back as %q", msg.Header.Get("Subject"))
	}

	// A long subject beyond ASCII is encoded and folded, and reads back whole.
	m.Subject = strings.Repeat("Café ", 40)
	raw, err = Format(m, from, "<msg_1.oikos@example.org>", date)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ = mail.ReadMessage(bytes.NewReader(raw))
	if got, err := msg.Header.Date(); err != nil || !got.Equal(date) {
		t.Errorf("date read back as %v, %v", got, err)
	}
	dec, err := wordDecoder.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || dec != strings.TrimSpace(m.Subject) {
		t.Errorf("long subject read back as %q (%v)", dec, err)
	}
	for line := range strings.SplitSeq(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line of %d bytes", len(line))
		}
	}
}

func TestParseSMTPURL(t *testing.T) {
	for _, c := range []struct {
		url              string
		addr, user, pass string
		implicit         bool
		from, helo       string
		err              string
	}{
		{url: "smtp://mail.example.org?from=oikos%40example.org", addr: "mail.example.org:587", from: "oikos@example.org"},
		{url: "smtp://u%40x:p%3Ass@mail.example.org:2525?from=Oikos+%3Coikos%40example.org%3E&helo=oikos.example.org",
			addr: "mail.example.org:2525", user: "u@x", pass: "p:ss", from: "oikos@example.org", helo: "oikos.example.org"},
		{url: "smtps://u:secret@mail.example.org?from=oikos%40example.org", addr: "mail.example.org:465", user: "u", pass: "secret", implicit: true, from: "oikos@example.org"},
		{url: "smtp://[::1]:25?from=oikos%40example.org", addr: "[::1]:25", from: "oikos@example.org"},
		{url: "http://mail.example.org?from=oikos%40example.org", err: "scheme"},
		{url: "smtp://u:secret@mail.example.org", err: "no sender"},
		{url: "smtp://u:secret@mail.example.org?from=nobody", err: "from"},
		{url: "smtp://u:secret@mail.example.org?from=a%40b%0D%0ABcc%3A+c%40d", err: "from"},
		{url: "smtp://u:secret@mail.example.org?from=a%40b&tls=off", err: "unknown parameter"},
		{url: "smtp://u:secret@?from=a%40b", err: "no server host"},
		{url: "smtp://u:secret@mail.example.org:bad?from=a%40b", err: "not a URL"},
		{url: "smtp://u:secret@mail.example.org?from=a%40b&helo=a+b", err: "helo"},
	} {
		s, err := ParseSMTPURL(c.url)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: want error with %q, got %v", c.url, c.err, err)
			} else if strings.Contains(err.Error(), "secret") {
				t.Errorf("%s: error repeats the password: %v", c.url, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if s.Addr != c.addr || s.Username != c.user || s.Password != c.pass || s.ImplicitTLS != c.implicit || s.From.Address != c.from || s.Hello != c.helo {
			t.Errorf("%s: got %+v", c.url, s)
		}
	}
}

// FuzzFormat: whatever the recipient, subject and body, a message is either
// refused or rendered with exactly the headers Oikos writes, one recipient,
// and the body intact.
func FuzzFormat(f *testing.F) {
	f.Add("gp@example.org", "Oikos: referral OIK-ABCD-EFGH was closed", "Hello,\n\nReason: Goals met\n")
	f.Add("lw@example.org\r\nBcc: x@example.org", "Hi", "")
	f.Add("Dr Okafor <gp@example.org>", "Subject\nX-Injected: 1", "body\r\n.\r\n")
	f.Add("\"a\\\"b\"@example.org", strings.Repeat("Café ", 40), "=3D\n")
	f.Add("a@b", "=?utf-8?q?encoded?=", "\xff")
	// Found by fuzzing: a lone CR, a leading space, ASCII that looks encoded.
	f.Add("a@b", " 0", "\r")
	f.Add("a@b", "=??B??=", "")
	from := &mail.Address{Name: "Oikos", Address: "oikos@example.org"}
	f.Fuzz(func(t *testing.T, to, subject, body string) {
		m := Message{Kind: "test", To: to, Subject: subject, Body: body}
		raw, err := Format(m, from, "<msg_1.oikos@example.org>", time.Unix(0, 0))
		if err != nil {
			return
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("unreadable message: %v\n%q", err, raw)
		}
		if len(msg.Header) != 9 {
			t.Fatalf("headers %v", msg.Header)
		}
		for k, v := range msg.Header {
			if len(v) != 1 {
				t.Fatalf("header %s appears %d times", k, len(v))
			}
		}
		list, err := msg.Header.AddressList("To")
		if err != nil || len(list) != 1 {
			t.Fatalf("To %q: %v %v", msg.Header.Get("To"), list, err)
		}
		if got, err := wordDecoder.DecodeHeader(msg.Header.Get("Subject")); err != nil || got != strings.TrimSpace(subject) {
			t.Fatalf("subject %q read back as %q (%v)", subject, got, err)
		}
		b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
		if err != nil {
			t.Fatal(err)
		}
		// Line breaks of any kind come out as CRLF, as RFC 5322 wants.
		lf := strings.NewReplacer("\r\n", "\n", "\r", "\n")
		if lf.Replace(string(b)) != lf.Replace(body) {
			t.Fatalf("body %q read back as %q", body, b)
		}
	})
}
