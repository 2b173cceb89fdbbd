-- Sign-in attempts are rationed before they are checked: one statement
-- counts an attempt and refuses it when the key's ration is spent, so that
-- however many arrive at once, no more than the limit are checked. The
-- count starts again once a whole window has passed since last_at, the
-- latest attempt let through (Unix milliseconds). Keys are "account:EMAIL"
-- and "client:ADDRESS" (an IPv6 address grouped to its /64).
-- It replaces sign_in_failures, whose read-then-write lost counts under
-- load; that table is left in place so that servers of the previous
-- version still answer during a rolling upgrade.
CREATE TABLE sign_in_attempts (
	key TEXT PRIMARY KEY,
	attempts INTEGER NOT NULL,
	last_at BIGINT NOT NULL
)
