-- Referrals from every door: the people referred, their referrals with
-- consent and status history, contacts, what-matters conversations, plans,
-- raw measures, the person's own sign-in, and the notification outbox.

CREATE TABLE people (
	id TEXT PRIMARY KEY,
	given_name TEXT NOT NULL,
	family_name TEXT NOT NULL,
	date_of_birth TEXT NOT NULL,
	nhs_number TEXT NOT NULL DEFAULT '',
	postcode TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	preferred_contact TEXT NOT NULL DEFAULT '',
	age_band TEXT NOT NULL DEFAULT '',
	sex TEXT NOT NULL DEFAULT '',
	ethnicity TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
)
-- ;
CREATE INDEX people_nhs_number ON people (nhs_number) WHERE nhs_number <> ''
-- ;
CREATE INDEX people_name_birth ON people (lower(family_name), date_of_birth)
-- ;
CREATE TABLE referrals (
	id TEXT PRIMARY KEY,
	reference TEXT NOT NULL UNIQUE,
	person_id TEXT NOT NULL REFERENCES people (id),
	status TEXT NOT NULL CHECK (status IN ('received','accepted','contacted','active','closed')),
	source_type TEXT NOT NULL,
	source_organisation_id TEXT REFERENCES organisations (id),
	referrer_user_id TEXT REFERENCES users (id),
	referrer_name TEXT NOT NULL DEFAULT '',
	reasons TEXT NOT NULL DEFAULT '',
	urgency TEXT NOT NULL DEFAULT 'routine' CHECK (urgency IN ('routine','urgent')),
	notes TEXT NOT NULL DEFAULT '',
	consent_given BOOLEAN NOT NULL,
	consent_share BOOLEAN NOT NULL,
	consent_by TEXT NOT NULL,
	consent_at BIGINT NOT NULL,
	assigned_to TEXT REFERENCES users (id),
	possible_match_id TEXT REFERENCES people (id),
	closed_reason TEXT NOT NULL DEFAULT '',
	external_id TEXT NOT NULL DEFAULT '',
	channel TEXT NOT NULL DEFAULT 'api',
	received_at BIGINT NOT NULL,
	first_contact_at BIGINT,
	closed_at BIGINT,
	updated_at BIGINT NOT NULL
)
-- ;
CREATE INDEX referrals_status ON referrals (status, received_at)
-- ;
CREATE INDEX referrals_assigned ON referrals (assigned_to, status)
-- ;
CREATE INDEX referrals_person ON referrals (person_id)
-- ;
CREATE INDEX referrals_referrer ON referrals (referrer_user_id)
-- ;
CREATE INDEX referrals_received ON referrals (received_at)
-- ;
CREATE UNIQUE INDEX referrals_external ON referrals (channel, external_id) WHERE external_id <> ''
-- ;
CREATE TABLE referral_events (
	referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	at BIGINT NOT NULL,
	actor_id TEXT NOT NULL,
	from_status TEXT NOT NULL,
	to_status TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	assigned_to TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (referral_id, position)
)
-- ;
CREATE TABLE contacts (
	id TEXT PRIMARY KEY,
	referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
	at BIGINT NOT NULL,
	mode TEXT NOT NULL,
	duration_minutes INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	by_user TEXT NOT NULL,
	created_at BIGINT NOT NULL
)
-- ;
CREATE INDEX contacts_referral ON contacts (referral_id, at)
-- ;
CREATE TABLE conversations (
	id TEXT PRIMARY KEY,
	referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
	held_at TEXT NOT NULL,
	mode TEXT NOT NULL,
	what_matters TEXT NOT NULL DEFAULT '',
	strengths TEXT NOT NULL DEFAULT '[]',
	interests TEXT NOT NULL DEFAULT '',
	notes TEXT NOT NULL DEFAULT '',
	needs TEXT NOT NULL DEFAULT '[]',
	by_user TEXT NOT NULL,
	created_at BIGINT NOT NULL
)
-- ;
CREATE INDEX conversations_referral ON conversations (referral_id, created_at)
-- ;
CREATE TABLE plans (
	referral_id TEXT PRIMARY KEY REFERENCES referrals (id) ON DELETE CASCADE,
	goals TEXT NOT NULL DEFAULT '[]',
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL
)
-- ;
CREATE TABLE measures (
	id TEXT PRIMARY KEY,
	referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
	instrument TEXT NOT NULL,
	timepoint TEXT NOT NULL,
	answers TEXT NOT NULL,
	score TEXT NOT NULL DEFAULT '{}',
	recorded_at BIGINT NOT NULL,
	by_actor TEXT NOT NULL
)
-- ;
CREATE INDEX measures_referral ON measures (referral_id, instrument, recorded_at)
-- ;
CREATE TABLE person_access (
	token_hash TEXT PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('link','code','session')),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at BIGINT,
	last_seen_at BIGINT
)
-- ;
CREATE INDEX person_access_person ON person_access (person_id)
-- ;
CREATE TABLE outbox (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','sent','failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at BIGINT NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	sent_at BIGINT
)
-- ;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at)
