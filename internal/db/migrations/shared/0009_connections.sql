-- Connections (social prescriptions): a referral sent to one community
-- service, the provider's answer, attendance session by session, the
-- messages between provider and link worker, and the single-use links that
-- let a provider without an account answer from an email.

-- organisation_id is the service's organisation, copied when the
-- connection is made, so that a provider's queue and every access check is
-- one indexed column away, and a service moving organisation later does not
-- hand its past connections to someone else.
CREATE TABLE connections (
	id TEXT PRIMARY KEY,
	referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
	service_id TEXT NOT NULL REFERENCES services (id),
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	kind TEXT NOT NULL CHECK (kind IN ('signpost','active_signpost','supported')),
	status TEXT NOT NULL CHECK (status IN ('sent','accepted','declined','waitlisted','completed','dropped')),
	reason TEXT NOT NULL DEFAULT '',
	note_for_provider TEXT NOT NULL DEFAULT '',
	-- Only what the person agreed to share with providers, as JSON.
	shared_contact TEXT NOT NULL DEFAULT '{}',
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	decided_at BIGINT,
	first_attended_at BIGINT,
	closed_at BIGINT,
	updated_at BIGINT NOT NULL
)
-- ;
CREATE INDEX connections_provider_queue ON connections (organisation_id, status, created_at)
-- ;
CREATE INDEX connections_referral ON connections (referral_id, created_at)
-- ;
CREATE INDEX connections_service ON connections (service_id, created_at)
-- ;
CREATE INDEX connections_created ON connections (created_at)
-- ;
CREATE TABLE connection_attendance (
	connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
	date TEXT NOT NULL,
	attended BOOLEAN NOT NULL,
	recorded_by TEXT NOT NULL,
	recorded_at BIGINT NOT NULL,
	PRIMARY KEY (connection_id, date)
)
-- ;
-- What happened to a connection, in order: made, answered, attended,
-- closed, and the short updates a provider sends the link worker.
CREATE TABLE connection_events (
	connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	at BIGINT NOT NULL,
	actor_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT '',
	text TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (connection_id, position)
)
-- ;
CREATE TABLE connection_links (
	token_hash TEXT PRIMARY KEY,
	connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
	scope TEXT NOT NULL CHECK (scope IN ('answer')),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at BIGINT
)
-- ;
CREATE INDEX connection_links_connection ON connection_links (connection_id)
