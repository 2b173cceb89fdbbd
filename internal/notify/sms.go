package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Text messages go through an API shaped like GOV.UK Notify's, documented
// at https://docs.notifications.service.gov.uk/rest-api.html ("Send a text
// message", "Headers", "Error codes"):
//
//   - POST {base}/v2/notifications/sms with a JSON body of phone_number,
//     template_id, personalisation (an object of strings) and an optional
//     reference, answered 201 with the new notification's id;
//   - authorised by "Authorization: Bearer <JWT>", a JSON Web Token with
//     header {"typ":"JWT","alg":"HS256"} and claims {"iss": service id,
//     "iat": epoch seconds}, signed with HMAC-SHA256 under the secret key;
//     Notify refuses a token whose iat is more than 30 seconds off, so a
//     new token is made for every request;
//   - the API key has the form {key_name}-{service id uuid}-{secret uuid},
//     and the key name may itself hold hyphens;
//   - 400 (BadRequestError, ValidationError: a number Notify will not text,
//     a wrong template) and 403 (AuthError: a bad or revoked key) will not
//     get better by trying again; 429 (RateLimitError, TooManyRequestsError)
//     and 500 will.
//
// Oikos writes the whole text itself, so the Notify template it uses holds
// one placeholder, ((body)), filled from the message.

// Channels a message goes by, as stored in outbox.channel.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// DefaultNotifyURL is GOV.UK Notify's API.
const DefaultNotifyURL = "https://api.notifications.service.gov.uk"

// maxSMS is the longest text Notify sends (918 characters, six fragments).
const maxSMS = 918

// PermanentError is a failure that trying again will not mend: the worker
// marks the message failed at once, keeping it in the outbox.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error { return &PermanentError{Err: err} }

// IsPermanent reports whether err says trying again is no use.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// NotifyKey is a GOV.UK Notify API key taken apart.
type NotifyKey struct {
	Name      string
	ServiceID string
	Secret    string
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ParseNotifyKey reads {key_name}-{service id}-{secret}, the two ids being
// UUIDs read from the end (the name may hold hyphens). Errors never repeat
// the key.
func ParseNotifyKey(key string) (NotifyKey, error) {
	key = strings.TrimSpace(key)
	const uuidLen = 36
	bad := errors.New("Notify API key: want key_name-<service id>-<secret>, both UUIDs, as Notify shows it once when made")
	if len(key) < 2*uuidLen+3 {
		return NotifyKey{}, bad
	}
	secret := key[len(key)-uuidLen:]
	rest := key[:len(key)-uuidLen-1]
	if key[len(key)-uuidLen-1] != '-' || len(rest) < uuidLen+2 {
		return NotifyKey{}, bad
	}
	service := rest[len(rest)-uuidLen:]
	name := rest[:len(rest)-uuidLen-1]
	if rest[len(rest)-uuidLen-1] != '-' || name == "" || !uuidPattern.MatchString(service) || !uuidPattern.MatchString(secret) {
		return NotifyKey{}, bad
	}
	return NotifyKey{Name: name, ServiceID: service, Secret: secret}, nil
}

// NotifyJWT makes the bearer token for one request: HS256 over the
// standard header and {iss, iat}, keyed with the secret.
func NotifyJWT(serviceID, secret string, issuedAt time.Time) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"typ":"JWT","alg":"HS256"}`))
	claims, _ := json.Marshal(struct {
		Iss string `json:"iss"`
		Iat int64  `json:"iat"`
	}{serviceID, issuedAt.Unix()})
	signing := header + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

// SMSSender sends text messages through a GOV.UK Notify-shaped API.
type SMSSender struct {
	// BaseURL is the API's root (default DefaultNotifyURL).
	BaseURL string
	Key     NotifyKey
	// TemplateID is the Notify text message template whose content is
	// ((body)).
	TemplateID string
	// Client makes the requests (default: one with a 30 s timeout).
	Client *http.Client
	// Now is the clock for the token's iat (default time.Now).
	Now func() time.Time
}

// NewSMSSender checks the configuration and returns a sender.
func NewSMSSender(baseURL, apiKey, templateID string) (*SMSSender, error) {
	if baseURL == "" {
		baseURL = DefaultNotifyURL
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("Notify URL %q: want https://host", baseURL)
	}
	key, err := ParseNotifyKey(apiKey)
	if err != nil {
		return nil, err
	}
	templateID = strings.TrimSpace(templateID)
	if !uuidPattern.MatchString(templateID) {
		return nil, errors.New("Notify text message template: want the template's id (a UUID) from Notify's Templates page")
	}
	return &SMSSender{BaseURL: strings.TrimRight(baseURL, "/"), Key: key, TemplateID: templateID}, nil
}

// smsRequest is Notify's "send a text message" body.
type smsRequest struct {
	PhoneNumber     string            `json:"phone_number"`
	TemplateID      string            `json:"template_id"`
	Personalisation map[string]string `json:"personalisation"`
	Reference       string            `json:"reference,omitempty"`
}

// Send posts one text message. The outbox id goes as the reference, so a
// message can be found in Notify from the outbox and back.
func (s *SMSSender) Send(ctx context.Context, id string, m Message) error {
	if m.Channel != ChannelSMS {
		return Permanent(fmt.Errorf("not a text message (channel %q)", m.Channel))
	}
	if err := m.Validate(); err != nil {
		return Permanent(err)
	}
	body, _ := json.Marshal(smsRequest{PhoneNumber: m.To, TemplateID: s.TemplateID,
		Personalisation: map[string]string{"body": m.Body}, Reference: id})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(s.BaseURL, "/")+"/v2/notifications/sms", bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("Notify request: %w", err))
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	req.Header.Set("Authorization", "Bearer "+NotifyJWT(s.Key.ServiceID, s.Key.Secret, now()))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "oikos")
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		// Unreachable, timed out: try again later.
		return fmt.Errorf("Notify: %w", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	switch {
	case res.StatusCode == http.StatusCreated:
		return nil
	case res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500 || res.StatusCode == http.StatusRequestTimeout:
		return fmt.Errorf("Notify answered %d: %s", res.StatusCode, notifyErrors(answer))
	default:
		// 400 and 403 above all, and any other answer Notify does not
		// document: sending the same again would get the same answer.
		return Permanent(fmt.Errorf("Notify refused the message (%d): %s", res.StatusCode, notifyErrors(answer)))
	}
}

// notifyErrors reads Notify's error body, {"errors": [{"error", "message"}]},
// into one line; anything else is quoted short.
func notifyErrors(body []byte) string {
	var e struct {
		Errors []struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) == nil && len(e.Errors) > 0 {
		var parts []string
		for _, x := range e.Errors {
			parts = append(parts, x.Error+": "+x.Message)
		}
		return strings.Join(parts, "; ")
	}
	s := string(body)
	if len(s) > 200 {
		s = s[:200]
	}
	return strconv.Quote(s)
}

// ByChannel hands each message to the sender for its channel.
type ByChannel struct {
	Email Sender
	SMS   Sender
}

// Send delivers m by its channel.
func (b ByChannel) Send(ctx context.Context, id string, m Message) error {
	s := b.Email
	if m.Channel == ChannelSMS {
		s = b.SMS
	}
	if s == nil {
		return Permanent(fmt.Errorf("no sender for %s messages", m.channel()))
	}
	return s.Send(ctx, id, m)
}

// NewSMSSenderOrLog returns the text message sender for a Notify API key,
// or, without one, a LogSender that writes texts to the log (for the demo
// and development, as for email without an SMTP server).
func NewSMSSenderOrLog(baseURL, apiKey, templateID string, log *slog.Logger) (Sender, error) {
	if strings.TrimSpace(apiKey) == "" {
		return &LogSender{Log: log}, nil
	}
	return NewSMSSender(baseURL, apiKey, templateID)
}

// NormaliseUKMobile reads a UK mobile number as people write it (07700
// 900123, +44 7700 900123, +44 (0)7700-900123, 0044 7700 900123) and
// returns it as +447700900123. Texts go only to mobiles: 071–075 and
// 077–079, and 07624 (the Isle of Man); 070 (personal numbers), 076
// (pagers) and landlines are refused.
func NormaliseUKMobile(s string) (string, error) {
	const ask = "enter a UK mobile number, like 07700 900123"
	if len(s) > 40 {
		return "", errors.New(ask)
	}
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	if plus {
		s = s[1:]
	}
	var d strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", errors.New(ask)
		}
	}
	n := d.String()
	switch {
	case plus && strings.HasPrefix(n, "44"):
		n = n[2:]
	case plus:
		return "", errors.New("enter a UK mobile number: texts can only go to UK mobiles")
	case strings.HasPrefix(n, "0044"):
		n = n[4:]
	case strings.HasPrefix(n, "44") && len(n) == 12:
		n = n[2:]
	case strings.HasPrefix(n, "0"):
		n = n[1:]
	default:
		return "", errors.New(ask)
	}
	// "+44 (0)7700 900123": the trunk 0 written after the country code.
	if len(n) == 11 && strings.HasPrefix(n, "07") {
		n = n[1:]
	}
	if len(n) != 10 || n[0] != '7' {
		return "", errors.New(ask)
	}
	switch n[1] {
	case '1', '2', '3', '4', '5', '7', '8', '9':
	case '6':
		if !strings.HasPrefix(n, "7624") {
			return "", errors.New("this is a pager number, not a mobile: " + ask)
		}
	default:
		return "", errors.New("this is a personal number, not a mobile: " + ask)
	}
	return "+44" + n, nil
}
