package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// NewSender returns the sender for an OIKOS_SMTP_URL: SMTP when one is
// given, otherwise a LogSender, so that the demo works without a mail
// server.
func NewSender(rawURL string, log *slog.Logger) (Sender, error) {
	if rawURL == "" {
		return &LogSender{Log: log}, nil
	}
	return ParseSMTPURL(rawURL)
}

// LogSender writes each message to the log instead of sending it, and
// counts it as sent. It is for demonstrations and development only: the
// log then holds what the email would have, sign-in links included.
type LogSender struct{ Log *slog.Logger }

// Send logs m.
func (s *LogSender) Send(ctx context.Context, id string, m Message) error {
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	if m.Channel == ChannelSMS {
		log.Info("text message written to the log, not sent (no Notify API key set: OIKOS_NOTIFY_API_KEY)",
			"id", id, "kind", m.Kind, "to", m.To, "body", m.Body)
		return nil
	}
	log.Info("email written to the log, not sent (no SMTP server set: OIKOS_SMTP_URL)",
		"id", id, "kind", m.Kind, "to", m.To, "subject", m.Subject, "body", m.Body)
	return nil
}

// SMTPSender sends messages through one SMTP server.
type SMTPSender struct {
	// Addr is the server's host:port.
	Addr string
	// ImplicitTLS speaks TLS from the first byte (smtps, usually port
	// 465); otherwise the connection is upgraded with STARTTLS whenever the
	// server offers it.
	ImplicitTLS bool
	// Username and Password, when set, sign in with AUTH PLAIN, which
	// net/smtp sends only over TLS (or to localhost).
	Username, Password string
	// From is the sender's address.
	From *mail.Address
	// Hello is the name given in EHLO (default "localhost").
	Hello string
	// TLSConfig is used for TLS; nil trusts the system's roots.
	TLSConfig *tls.Config
	// Now is the clock for the Date header (default time.Now).
	Now func() time.Time
}

// ParseSMTPURL reads smtp://user:pass@host:port?from=oikos%40example.org
// (STARTTLS when offered; port 587 by default) or smtps://… (implicit TLS;
// port 465 by default). Optional: helo=NAME. Errors never repeat the
// password.
func ParseSMTPURL(raw string) (*SMTPSender, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the whole URL, password and all.
		return nil, errors.New("SMTP URL: not a URL; want smtp://user:pass@host:port?from=address or smtps://…")
	}
	s := &SMTPSender{}
	port := ""
	switch u.Scheme {
	case "smtp":
		port = "587"
	case "smtps":
		s.ImplicitTLS, port = true, "465"
	default:
		return nil, fmt.Errorf("SMTP URL: scheme %q: want smtp:// or smtps://", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("SMTP URL: no server host; want smtp://host:port?from=address")
	}
	if u.Port() != "" {
		port = u.Port()
	}
	s.Addr = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	q := u.Query()
	for k := range q {
		if k != "from" && k != "helo" {
			return nil, fmt.Errorf("SMTP URL: unknown parameter %q; known: from, helo", k)
		}
	}
	from := q.Get("from")
	if from == "" {
		return nil, errors.New("SMTP URL: no sender; add ?from=oikos%40example.org")
	}
	if s.From, err = parseRecipient(from); err != nil {
		return nil, fmt.Errorf("SMTP URL: from: %v", err)
	}
	s.Hello = q.Get("helo")
	if strings.ContainsAny(s.Hello, " \r\n") {
		return nil, errors.New("SMTP URL: helo must be a host name")
	}
	return s, nil
}

// Send delivers m by SMTP in one connection.
func (s *SMTPSender) Send(ctx context.Context, id string, m Message) error {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	msg, err := Format(m, s.From, messageID(id, s.From), now())
	if err != nil {
		return err
	}
	to, err := parseRecipient(m.To)
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("SMTP server address %q: %w", s.Addr, err)
	}
	tlsConfig := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if s.TLSConfig != nil {
		tlsConfig = s.TLSConfig.Clone()
		if tlsConfig.ServerName == "" {
			tlsConfig.ServerName = host
		}
	}
	dialer := &net.Dialer{Timeout: 30 * time.Second}
	conn, err := dialer.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("connect to SMTP server: %w", err)
	}
	defer conn.Close()
	// net/smtp knows no contexts: the deadline bounds the whole exchange,
	// and closing the connection stops it when ctx ends first.
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(2 * time.Minute)
	}
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if s.ImplicitTLS {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("TLS with SMTP server: %w", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("SMTP greeting: %w", err)
	}
	defer c.Close()
	if s.Hello != "" {
		if err := c.Hello(s.Hello); err != nil {
			return fmt.Errorf("SMTP EHLO: %w", err)
		}
	}
	if !s.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				return fmt.Errorf("SMTP STARTTLS: %w", err)
			}
		}
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("SMTP server does not offer AUTH, but the SMTP URL has a user name")
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("SMTP AUTH: %w", err)
		}
	}
	if err := c.Mail(s.From.Address); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("SMTP RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP message refused: %w", err)
	}
	// The message is accepted once DATA ends well; a failed QUIT changes
	// nothing.
	c.Quit()
	return nil
}

// messageID names a message by its outbox id, the same on every retry.
func messageID(id string, from *mail.Address) string {
	domain := "oikos.invalid"
	if at := strings.LastIndexByte(from.Address, '@'); at >= 0 {
		domain = from.Address[at+1:]
	}
	return "<" + id + ".oikos@" + domain + ">"
}

// Format renders m as an RFC 5322 plain-text message. It refuses a
// recipient or subject that could break out of its header line.
func Format(m Message, from *mail.Address, messageID string, date time.Time) ([]byte, error) {
	to, err := parseRecipient(m.To)
	if err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if strings.ContainsAny(messageID, "\r\n") {
		return nil, errors.New("message id must be one line")
	}
	// An encoded subject is a run of encoded words separated by spaces
	// (spaces inside are encoded); folding at those spaces keeps every line
	// short whatever the subject's length.
	subject := strings.TrimSpace(m.Subject)
	if enc := mime.QEncoding.Encode("utf-8", subject); enc != subject {
		subject = strings.ReplaceAll(enc, " ", "\r\n ")
	} else if strings.Contains(subject, "=?") {
		// Plain ASCII that a mail reader would take for encoded words:
		// encode it so that it reads as written.
		subject = encodeASCII(subject)
	}
	var b bytes.Buffer
	for _, h := range [][2]string{
		{"From", from.String()},
		{"To", to.String()},
		{"Subject", subject},
		{"Date", date.Format(time.RFC1123Z)},
		{"Message-ID", messageID},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
		// RFC 3834: no out-of-office replies to a machine.
		{"Auto-Submitted", "auto-generated"},
	} {
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(m.Body)))
	qp.Close()
	return b.Bytes(), nil
}

// encodeASCII writes an ASCII header value as base64 encoded words, folded.
func encodeASCII(s string) string {
	var words []string
	for len(s) > 0 {
		n := min(len(s), 45)
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, "\r\n ")
}
