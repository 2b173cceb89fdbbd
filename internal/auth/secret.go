package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// NewToken returns a random secret with a prefix saying what it is, e.g.
// "oikos_…" for API tokens. 32 random bytes.
func NewToken(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is how high-entropy secrets (session ids, API tokens, recovery
// codes, set-up links) are stored: SHA-256 is enough when the secret itself
// cannot be guessed, and it lets a lookup be one indexed query.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

var recoveryEncoding = base32.NewEncoding("abcdefghjkmnpqrstuvwxyz023456789").WithPadding(base32.NoPadding)

// NewRecoveryCodes returns n one-time codes like "k7dm-q2xa-9fhn".
func NewRecoveryCodes(n int) []string {
	out := make([]string, n)
	for i := range out {
		b := make([]byte, 8)
		rand.Read(b)
		s := recoveryEncoding.EncodeToString(b)[:12]
		out[i] = s[:4] + "-" + s[4:8] + "-" + s[8:]
	}
	return out
}

// NormaliseRecoveryCode lets people type a code with or without dashes,
// spaces or capitals.
func NormaliseRecoveryCode(s string) string {
	s = strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s)))
	if len(s) != 12 {
		return s
	}
	return s[:4] + "-" + s[4:8] + "-" + s[8:]
}
