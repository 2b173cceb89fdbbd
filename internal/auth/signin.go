package auth

import (
	"context"
	"database/sql"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/db"
)

var errBadCredentials = &oikos.Error{Code: oikos.EUNAUTHORIZED, Message: "The email address or password is not right. Check them and try again."}

// dummyHash is checked against when the email is unknown, so that a wrong
// email takes as long as a wrong password and reveals nothing.
var dummyHash, _ = HashPassword("not a real password", DefaultPasswordParams)

// CheckPassword is the first step of signing in. It returns the user when
// the email and password match an active account with a password.
//
// The order keeps a flood cheap. A place in the hashers' queue comes first,
// so at most that many sign-ins do anything at all; beyond it they are
// refused as busy, uncounted, without touching the database. A locked
// account or client is then refused on a read; the attempt waits for a
// hasher, is reserved in the database, and only then is the password
// checked.
func (s *Store) CheckPassword(ctx context.Context, email, password, client string) (User, error) {
	if !oikos.PlainText(email, false) || len(email) > 254 {
		return User{}, errBadCredentials
	}
	slot, err := s.Hashers.queue()
	if err != nil {
		return User{}, err
	}
	defer slot.release()
	ak, ck := accountKey(email), clientKey(client)
	if err := s.notLocked(ctx, ak, ck); err != nil {
		return User{}, err
	}
	if err := slot.wait(ctx); err != nil {
		return User{}, err
	}
	// Read again: the attempts let through while this one waited may have
	// spent the ration, and a read is cheaper than a refused upsert.
	if err := s.notLocked(ctx, ak, ck); err != nil {
		return User{}, err
	}
	n, err := s.reserveSignIn(ctx, ak, ck)
	if err != nil {
		return User{}, err
	}
	u, err := s.GetUserByEmail(ctx, email)
	if err != nil && oikos.ErrorCode(err) != oikos.ENOTFOUND {
		s.giveBack(ctx, ak, ck)
		return User{}, err
	}
	hash := u.passwordHash
	if hash == "" || !u.Active {
		hash = dummyHash
	}
	ok, err := slot.check(hash, password)
	slot.release()
	if err != nil || !ok || hash == dummyHash {
		s.holdFailure(n)
		return User{}, errBadCredentials
	}
	s.giveBack(ctx, ak, ck)
	return u, nil
}

// holdFailure holds a wrong answer a little longer at each attempt.
func (s *Store) holdFailure(attempts int) {
	if s.Sleep != nil {
		s.Sleep(failureDelay(attempts))
	}
}

var errBadCode = &oikos.Error{Code: oikos.EUNAUTHORIZED, Message: "That code is not right. Enter the 6-digit code your authenticator app shows now, or one of your recovery codes."}

// CheckSecondFactor is the second step: a TOTP code from the user's app, or
// one of their unused recovery codes (which is then spent).
func (s *Store) CheckSecondFactor(ctx context.Context, userID, code, client string) error {
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	if !u.TwoFactor {
		return errBadCode
	}
	// Codes share the account's ration with passwords: a guesser who has
	// the password gets no more tries at the code than at the password.
	ak, ck := accountKey(u.Email), clientKey(client)
	if err := s.notLocked(ctx, ak, ck); err != nil {
		return err
	}
	n, err := s.reserveSignIn(ctx, ak, ck)
	if err != nil {
		return err
	}
	if step, ok := CheckTOTP(u.totpSecret, code, s.now(), u.totpLastStep); ok {
		// Record the step so the same code cannot be replayed. The condition
		// makes two simultaneous uses of one code succeed only once.
		res, err := s.DB.Exec(ctx, "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1", step, u.ID)
		if err != nil {
			s.giveBack(ctx, ak, ck)
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			s.giveBack(ctx, ak, ck)
			return nil
		}
	} else if s.spendRecoveryCode(ctx, u.ID, code) {
		s.giveBack(ctx, ak, ck)
		return nil
	}
	s.holdFailure(n)
	return errBadCode
}

func (s *Store) spendRecoveryCode(ctx context.Context, userID, code string) bool {
	res, err := s.DB.Exec(ctx, "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
		db.Millis(s.now()), userID, HashToken(NormaliseRecoveryCode(code)))
	if err != nil {
		return false
	}
	n, _ := res.RowsAffected()
	return n == 1
}

// BeginTOTP gives a user a new TOTP secret to enrol in their app. It is not
// required at sign-in until ConfirmTOTP proves the app has it.
func (s *Store) BeginTOTP(ctx context.Context, userID string) (string, error) {
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return "", err
	}
	if u.totpSecret != "" && !u.TwoFactor {
		return u.totpSecret, nil // keep the one already shown, so a reload does not break the scan
	}
	if u.TwoFactor {
		return "", &oikos.Error{Code: oikos.ECONFLICT, Message: "Two-factor sign-in is already set up."}
	}
	secret := NewTOTPSecret()
	_, err = s.DB.Exec(ctx, "UPDATE users SET totp_secret = $1 WHERE id = $2", secret, userID)
	return secret, err
}

// PendingTOTPSecret is the secret being enrolled, for showing again.
func (s *Store) PendingTOTPSecret(ctx context.Context, userID string) (string, error) {
	u, err := s.GetUser(ctx, userID)
	return u.totpSecret, err
}

// ConfirmTOTP turns two-factor sign-in on once the user proves their app
// makes the right codes, and returns fresh recovery codes to show once.
func (s *Store) ConfirmTOTP(ctx context.Context, by Actor, userID, code string) ([]string, error) {
	u, err := s.GetUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.totpSecret == "" || u.TwoFactor {
		return nil, &oikos.Error{Code: oikos.ECONFLICT, Message: "Start setting up two-factor sign-in again."}
	}
	step, ok := CheckTOTP(u.totpSecret, code, s.now(), u.totpLastStep)
	if !ok {
		return nil, oikos.Invalid(map[string]string{"code": "That code is not right. Enter the 6-digit code your app shows now."})
	}
	codes := NewRecoveryCodes(10)
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET totp_enabled = true, totp_last_step = $1, updated_at = $2 WHERE id = $3",
			step, db.Millis(s.now()), userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE user_id = $1", userID); err != nil {
			return err
		}
		for _, c := range codes {
			if _, err := tx.ExecContext(ctx, "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)", userID, HashToken(c)); err != nil {
				return err
			}
		}
		return s.auditTx(ctx, tx, by, audit.Update, "user", userID)
	})
	return codes, err
}

// ResetTwoFactor turns a user's two-factor sign-in off (an administrator does
// this when a phone is lost), so they enrol again at next sign-in.
func (s *Store) ResetTwoFactor(ctx context.Context, by Actor, userID string) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET totp_enabled = false, totp_secret = '', totp_last_step = 0, updated_at = $1 WHERE id = $2",
			db.Millis(s.now()), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return oikos.NotFound("User")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM recovery_codes WHERE user_id = $1", userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1", userID); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, by, audit.Update, "user", userID)
	})
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.DB.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL", userID).Scan(&n)
	return n, err
}

// SetupLinkLifetime is how long a set-up link works.
const SetupLinkLifetime = 7 * 24 * time.Hour

// CreateSetupLink makes a one-time token with which a new user chooses their
// password. Earlier unused links for the user stop working.
func (s *Store) CreateSetupLink(ctx context.Context, by Actor, userID string) (string, error) {
	token := NewToken("")
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM setup_links WHERE user_id = $1", userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO setup_links (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
			HashToken(token), userID, db.Millis(s.now().Add(SetupLinkLifetime))); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, by, audit.Update, "user", userID)
	})
	return token, err
}

var errLinkExpired = &oikos.Error{Code: oikos.ENOTFOUND, Message: "This set-up link has expired or has already been used. Ask your administrator for a new one."}

// SetupLinkUser returns the user a set-up link is for, if it still works.
func (s *Store) SetupLinkUser(ctx context.Context, token string) (User, error) {
	var userID string
	err := s.DB.R().QueryRowContext(ctx, "SELECT user_id FROM setup_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
		HashToken(token), db.Millis(s.now())).Scan(&userID)
	if err == sql.ErrNoRows {
		return User{}, errLinkExpired
	}
	if err != nil {
		return User{}, err
	}
	u, err := s.GetUser(ctx, userID)
	if err == nil && !u.Active {
		return User{}, errLinkExpired
	}
	return u, err
}

// UseSetupLink sets the user's password and spends the link.
func (s *Store) UseSetupLink(ctx context.Context, token, password, client string) (User, error) {
	u, err := s.SetupLinkUser(ctx, token)
	if err != nil {
		return User{}, err
	}
	if msg := ValidatePassword(password, u.Email); msg != "" {
		return User{}, oikos.Invalid(map[string]string{"password": msg})
	}
	hash, err := s.Hashers.Hash(ctx, password, s.PasswordParams)
	if err != nil {
		return User{}, err
	}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE setup_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL", db.Millis(s.now()), HashToken(token))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errLinkExpired
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3", hash, db.Millis(s.now()), u.ID); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, Actor{UserID: u.ID, Client: client}, audit.Update, "user", u.ID)
	})
	if err != nil {
		return User{}, err
	}
	return s.GetUser(ctx, u.ID)
}
