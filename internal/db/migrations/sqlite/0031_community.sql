-- The community half of social prescribing (issue 16): safeguarding
-- concerns, volunteers and their matches with people, the contacts they
-- log, and the graduate pathway to peer mentoring.
--
-- No table here holds a person_id: a person is reached through the
-- referral, because reconciling a referral with a person already known
-- moves it to that person's record (referral.ResolveMatch).
--
-- Safeguarding concerns. Never deleted (a trigger refuses it); their
-- actions are a history, added to and never changed.
CREATE TABLE concerns (
	id TEXT PRIMARY KEY,
	referral_id TEXT NOT NULL REFERENCES referrals (id),
	scheme_id TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL CHECK (category IN ('self_neglect','abuse_or_neglect','self_harm_or_suicide','domestic_abuse','financial_abuse','other')),
	level TEXT NOT NULL CHECK (level IN ('low','medium','high','immediate')),
	description TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open','closed')),
	raised_by TEXT NOT NULL,
	raised_by_role TEXT NOT NULL,
	raised_at BIGINT NOT NULL,
	first_action_at BIGINT,
	closed_at BIGINT,
	closed_by TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL DEFAULT '',
	updated_at BIGINT NOT NULL
)
-- ;
-- A manager's log (the scheme's, open first) and the report.
CREATE INDEX concerns_scheme ON concerns (scheme_id, status, raised_at)
-- ;
CREATE INDEX concerns_referral ON concerns (referral_id, status)
-- ;
CREATE INDEX concerns_raised_by ON concerns (raised_by, raised_at)
-- ;
CREATE TABLE concern_actions (
	concern_id TEXT NOT NULL REFERENCES concerns (id),
	position INTEGER NOT NULL,
	action TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open','closed')),
	outcome TEXT NOT NULL DEFAULT '',
	by_user TEXT NOT NULL,
	at BIGINT NOT NULL,
	PRIMARY KEY (concern_id, position)
)
-- ;
-- Who has seen an immediate-level concern: until they have, it stands at
-- the top of every page they open.
CREATE TABLE concern_acknowledgements (
	concern_id TEXT NOT NULL REFERENCES concerns (id),
	user_id TEXT NOT NULL,
	at BIGINT NOT NULL,
	PRIMARY KEY (concern_id, user_id)
)
-- ;
-- Volunteer profiles, kept by the scheme's managers. Dates are
-- YYYY-MM-DD text (NULL: not known), which compare as dates. available
-- packs the availability into bits (day × part of day) so that ranking
-- reads it from the index; latitude and longitude place the postcode.
CREATE TABLE volunteers (
	user_id TEXT PRIMARY KEY REFERENCES users (id),
	scheme_id TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL CHECK (kind IN ('volunteer','befriender','health_champion','peer_mentor')),
	postcode TEXT NOT NULL,
	latitude DOUBLE PRECISION NOT NULL,
	longitude DOUBLE PRECISION NOT NULL,
	skills TEXT NOT NULL DEFAULT '[]',
	interests TEXT NOT NULL DEFAULT '[]',
	languages TEXT NOT NULL DEFAULT '[]',
	-- terms: the stems of the interests' words (community.InterestTerms),
	-- which ranking compares without reading the list itself.
	terms TEXT NOT NULL DEFAULT '',
	availability TEXT NOT NULL DEFAULT '[]',
	available INTEGER NOT NULL DEFAULT 0,
	dbs_checked_on TEXT,
	dbs_expires_on TEXT,
	training TEXT NOT NULL DEFAULT '[]',
	coordinator_id TEXT REFERENCES users (id),
	graduate BOOLEAN NOT NULL DEFAULT false,
	phone TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL
)
-- ;
-- Suggestions read, for the scheme's volunteers around a person's home,
-- everything ranking weighs from this one index: a box of latitude and
-- longitude, the DBS date that rules a volunteer in or out, and the
-- interests (as stems), languages and availability ranked on. The table's
-- rows are never read for the many, only for the few shown.
CREATE INDEX volunteers_suggest ON volunteers (scheme_id, latitude, longitude, dbs_expires_on, available, user_id, terms, languages)
-- ;
CREATE INDEX volunteers_coordinator ON volunteers (coordinator_id)
-- ;
CREATE INDEX volunteers_dbs ON volunteers (scheme_id, dbs_expires_on)
-- ;
-- A volunteer matched to a person, with what the link worker chose to
-- share. Ending keeps the row: the history stays. Dates started_on and
-- ended_on are the scheme's days (Europe/London), for the report.
CREATE TABLE volunteer_matches (
	id TEXT PRIMARY KEY,
	referral_id TEXT NOT NULL REFERENCES referrals (id),
	scheme_id TEXT NOT NULL DEFAULT '',
	volunteer_id TEXT NOT NULL REFERENCES users (id),
	status TEXT NOT NULL CHECK (status IN ('active','ended')),
	share_contact BOOLEAN NOT NULL,
	share_what_matters BOOLEAN NOT NULL,
	share_plan BOOLEAN NOT NULL,
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	started_on TEXT NOT NULL,
	ended_at BIGINT,
	ended_on TEXT,
	ended_by TEXT NOT NULL DEFAULT '',
	end_reason TEXT NOT NULL DEFAULT '',
	updated_at BIGINT NOT NULL
)
-- ;
-- One active match of a volunteer with a referral, however many ask at once.
CREATE UNIQUE INDEX volunteer_matches_one_active ON volunteer_matches (referral_id, volunteer_id) WHERE status = 'active'
-- ;
CREATE INDEX volunteer_matches_volunteer ON volunteer_matches (volunteer_id, status, created_at)
-- ;
CREATE INDEX volunteer_matches_referral ON volunteer_matches (referral_id, created_at)
-- ;
-- The report: the scheme's matches that overlap a period, with whom.
CREATE INDEX volunteer_matches_report ON volunteer_matches (scheme_id, started_on, ended_on, volunteer_id, referral_id)
-- ;
-- Each contact a volunteer logs with a person they are matched to.
CREATE TABLE volunteer_contacts (
	id TEXT PRIMARY KEY,
	match_id TEXT NOT NULL REFERENCES volunteer_matches (id),
	referral_id TEXT NOT NULL REFERENCES referrals (id),
	scheme_id TEXT NOT NULL DEFAULT '',
	volunteer_id TEXT NOT NULL,
	on_date TEXT NOT NULL,
	minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
	mode TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL
)
-- ;
CREATE INDEX volunteer_contacts_match ON volunteer_contacts (match_id, on_date, minutes)
-- ;
CREATE INDEX volunteer_contacts_referral ON volunteer_contacts (referral_id)
-- ;
-- The minutes logged a day in each scheme, kept with every contact in its
-- transaction: a year's hours are 365 rows whatever the millions of
-- contacts behind them.
CREATE TABLE volunteer_days (
	scheme_id TEXT NOT NULL,
	on_date TEXT NOT NULL,
	minutes BIGINT NOT NULL,
	contacts INTEGER NOT NULL,
	PRIMARY KEY (scheme_id, on_date)
)
-- ;
-- The graduate pathway: a person whose referral closed with their goals
-- met, invited to become a peer mentor. One invitation a referral; each
-- stage it passes through is kept.
CREATE TABLE mentor_invitations (
	id TEXT PRIMARY KEY,
	referral_id TEXT NOT NULL UNIQUE REFERENCES referrals (id),
	scheme_id TEXT NOT NULL DEFAULT '',
	stage TEXT NOT NULL CHECK (stage IN ('invited','interested','training','active','declined')),
	volunteer_id TEXT REFERENCES users (id),
	invited_by TEXT NOT NULL,
	invited_at BIGINT NOT NULL,
	stage_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
)
-- ;
CREATE INDEX mentor_invitations_scheme ON mentor_invitations (scheme_id, stage)
-- ;
CREATE TABLE mentor_stages (
	invitation_id TEXT NOT NULL REFERENCES mentor_invitations (id),
	position INTEGER NOT NULL,
	stage TEXT NOT NULL,
	by_user TEXT NOT NULL,
	at BIGINT NOT NULL,
	PRIMARY KEY (invitation_id, position)
)
-- ;
CREATE TRIGGER concerns_never_deleted BEFORE DELETE ON concerns
BEGIN
	SELECT RAISE(ABORT, 'safeguarding concerns are never deleted');
END
-- ;
CREATE TRIGGER concern_actions_never_changed BEFORE UPDATE ON concern_actions
BEGIN
	SELECT RAISE(ABORT, 'the actions on a safeguarding concern are never changed');
END
-- ;
CREATE TRIGGER concern_actions_never_deleted BEFORE DELETE ON concern_actions
BEGIN
	SELECT RAISE(ABORT, 'the actions on a safeguarding concern are never deleted');
END
