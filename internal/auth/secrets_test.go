package auth

import (
	"strings"
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1 rows (secret "12345678901234567890"), last 6 digits.
func TestTOTPRFC6238Vectors(t *testing.T) {
	secret := totpEncoding.EncodeToString([]byte("12345678901234567890"))
	cases := []struct {
		unix int64
		want string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	}
	for _, c := range cases {
		got, err := TOTPCode(secret, TOTPStep(time.Unix(c.unix, 0)))
		if err != nil || got != c.want {
			t.Errorf("at %d: got %q, %v; want %q", c.unix, got, err, c.want)
		}
	}
}

func TestCheckTOTP(t *testing.T) {
	secret := NewTOTPSecret()
	now := time.Unix(1_800_000_000, 0)
	step := TOTPStep(now)
	code := func(s int64) string { c, _ := TOTPCode(secret, s); return c }
	cases := []struct {
		name     string
		code     string
		lastStep int64
		ok       bool
	}{
		{"current", code(step), 0, true},
		{"one step early", code(step - 1), 0, true},
		{"one step late", code(step + 1), 0, true},
		{"two steps old", code(step - 2), 0, false},
		{"replayed", code(step), step, false},
		{"with spaces", code(step)[:3] + " " + code(step)[3:], 0, true},
		{"too short", "12345", 0, false},
		{"letters", "abcdef", 0, false},
		{"empty", "", 0, false},
	}
	for _, c := range cases {
		if _, ok := CheckTOTP(secret, c.code, now, c.lastStep); ok != c.ok {
			t.Errorf("%s: ok = %v", c.name, ok)
		}
	}
	if !strings.HasPrefix(TOTPURI("Oikos", "a@b.org", secret), "otpauth://totp/Oikos:a@b.org?") {
		t.Errorf("uri %s", TOTPURI("Oikos", "a@b.org", secret))
	}
}

func TestPasswordHashing(t *testing.T) {
	p := PasswordParams{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32}
	h, err := HashPassword("correct horse battery", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %s does not carry its parameters", h)
	}
	if ok, err := CheckPassword(h, "correct horse battery"); !ok || err != nil {
		t.Errorf("right password refused: %v", err)
	}
	if ok, _ := CheckPassword(h, "correct horse batterY"); ok {
		t.Error("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse battery", p)
	if h == h2 {
		t.Error("two hashes of one password are equal: salt not random")
	}
	for _, bad := range []string{"", "$argon2id$", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$AAAA$AAAA"} {
		if ok, err := CheckPassword(bad, "x"); ok || err == nil {
			t.Errorf("CheckPassword(%q) = %v, %v", bad, ok, err)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	cases := map[string]bool{
		"short":                     false,
		"twelve chars":              true,
		"a@b.org":                   false,
		strings.Repeat("x", 257):    false,
		"long enough passphrase ok": true,
	}
	for pw, ok := range cases {
		if got := ValidatePassword(pw, "a@b.org") == ""; got != ok {
			t.Errorf("%q: ok = %v", pw, got)
		}
	}
	if ValidatePassword("someone@example.org", "someone@example.org") == "" {
		t.Error("email as password accepted")
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes := NewRecoveryCodes(10)
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 14 || seen[c] {
			t.Fatalf("bad or repeated code %q", c)
		}
		seen[c] = true
		if NormaliseRecoveryCode(strings.ToUpper(strings.ReplaceAll(c, "-", " "))) != c {
			t.Errorf("normalise %q", c)
		}
	}
}
