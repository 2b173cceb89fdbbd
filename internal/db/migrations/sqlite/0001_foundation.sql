-- Foundation: organisations, users and their sign-in secrets, sessions,
-- API tokens, sign-in throttling, and the hash-chained audit log.
-- Timestamps are BIGINT Unix milliseconds (UTC) on both databases.

CREATE TABLE organisations (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('gp_practice','nhs_trust','council','vcse','scheme','other')),
	active BOOLEAN NOT NULL DEFAULT true,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
)
-- ;
CREATE UNIQUE INDEX organisations_name_key ON organisations (lower(name))
-- ;
CREATE TABLE users (
	id TEXT PRIMARY KEY,
	email TEXT NOT NULL,
	name TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('admin','manager','link_worker','referrer','provider','volunteer','commissioner')),
	organisation_id TEXT REFERENCES organisations (id),
	password_hash TEXT NOT NULL DEFAULT '',
	totp_secret TEXT NOT NULL DEFAULT '',
	totp_enabled BOOLEAN NOT NULL DEFAULT false,
	totp_last_step BIGINT NOT NULL DEFAULT 0,
	active BOOLEAN NOT NULL DEFAULT true,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
)
-- ;
CREATE UNIQUE INDEX users_email_key ON users (email)
-- ;
CREATE INDEX users_organisation ON users (organisation_id)
-- ;
CREATE TABLE recovery_codes (
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	code_hash TEXT NOT NULL,
	used_at BIGINT,
	PRIMARY KEY (user_id, code_hash)
)
-- ;
CREATE TABLE setup_links (
	token_hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	expires_at BIGINT NOT NULL,
	used_at BIGINT
)
-- ;
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	stage TEXT NOT NULL CHECK (stage IN ('second_factor','enrol','full')),
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	client TEXT NOT NULL DEFAULT ''
)
-- ;
CREATE INDEX sessions_user ON sessions (user_id)
-- ;
CREATE TABLE api_tokens (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	label TEXT NOT NULL DEFAULT '',
	token_hash TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	last_used_at BIGINT,
	revoked_at BIGINT
)
-- ;
CREATE TABLE sign_in_failures (
	key TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	first_at BIGINT NOT NULL,
	locked_until BIGINT NOT NULL DEFAULT 0
)
-- ;
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at BIGINT NOT NULL,
	actor_id TEXT NOT NULL,
	action TEXT NOT NULL,
	object_kind TEXT NOT NULL,
	object_id TEXT NOT NULL,
	client TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
)
-- ;
CREATE INDEX audit_log_object ON audit_log (object_kind, object_id)
-- ;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END
-- ;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END
