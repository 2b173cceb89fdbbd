-- Grants for community groups (CONTRACT.md, "Grants for community
-- groups"), courses with dated sessions, groups registering themselves,
-- and the history of each service's status for the citizen-led trend.

-- A grant round of a scheme ('' without schemes). needs and areas are
-- space-separated codes and postcode districts. awarded_pence is the sum
-- of its awards, moved by one conditional UPDATE per award; the CHECK is
-- the last word that awards never exceed the pot.
CREATE TABLE grant_rounds (
	id TEXT PRIMARY KEY,
	scheme_id TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL,
	pot_pence BIGINT NOT NULL CHECK (pot_pence > 0),
	awarded_pence BIGINT NOT NULL DEFAULT 0 CHECK (awarded_pence >= 0),
	opens_on TEXT NOT NULL,
	closes_on TEXT NOT NULL,
	criteria TEXT NOT NULL DEFAULT '',
	needs TEXT NOT NULL DEFAULT '',
	areas TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	CHECK (awarded_pence <= pot_pence),
	CHECK (opens_on <= closes_on)
)
-- ;
CREATE INDEX grant_rounds_scheme ON grant_rounds (scheme_id, opens_on)
-- ;
-- An application by an organisation to a round, and its decision. paid
-- never exceeds the award (the CHECK, behind one conditional UPDATE per
-- payment).
CREATE TABLE grant_applications (
	id TEXT PRIMARY KEY,
	round_id TEXT NOT NULL REFERENCES grant_rounds (id),
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	needs TEXT NOT NULL DEFAULT '',
	areas TEXT NOT NULL DEFAULT '',
	amount_pence BIGINT NOT NULL CHECK (amount_pence > 0),
	starts_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('submitted','awarded','declined')),
	awarded_pence BIGINT NOT NULL DEFAULT 0 CHECK (awarded_pence >= 0),
	paid_pence BIGINT NOT NULL DEFAULT 0 CHECK (paid_pence >= 0),
	score INTEGER,
	decision_reason TEXT NOT NULL DEFAULT '',
	decided_by TEXT,
	decided_at BIGINT,
	submitted_by TEXT NOT NULL,
	submitted_at BIGINT NOT NULL,
	CHECK (paid_pence <= awarded_pence),
	CHECK (status = 'awarded' OR awarded_pence = 0)
)
-- ;
CREATE INDEX grant_applications_round ON grant_applications (round_id, submitted_at)
-- ;
CREATE INDEX grant_applications_organisation ON grant_applications (organisation_id, submitted_at)
-- ;
CREATE INDEX grant_applications_decided ON grant_applications (decided_at) WHERE status = 'awarded'
-- ;
-- Payments of an award, in instalments.
CREATE TABLE grant_payments (
	id TEXT PRIMARY KEY,
	application_id TEXT NOT NULL REFERENCES grant_applications (id),
	amount_pence BIGINT NOT NULL CHECK (amount_pence > 0),
	paid_on TEXT NOT NULL,
	by_user TEXT NOT NULL,
	created_at BIGINT NOT NULL
)
-- ;
CREATE INDEX grant_payments_application ON grant_payments (application_id, paid_on)
-- ;
CREATE INDEX grant_payments_paid ON grant_payments (paid_on)
-- ;
-- The grants report counts the people who first attended a funded group:
-- for each funded service, a range of this index, without a pass over
-- every connection.
CREATE INDEX connections_attended ON connections (service_id, first_attended_at, scheme_id, referral_id) WHERE first_attended_at IS NOT NULL
-- ;
-- A service names the award that funds it.
ALTER TABLE services ADD COLUMN grant_application_id TEXT REFERENCES grant_applications (id)
-- ;
CREATE INDEX services_grant ON services (grant_application_id) WHERE grant_application_id IS NOT NULL
-- ;
-- A service may run as a course: an RFC 5545 rule (package course) from
-- its first session, UK local time, each session lasting course_minutes.
-- '' and 0 when it does not.
ALTER TABLE services ADD COLUMN course_rrule TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE services ADD COLUMN course_start TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE services ADD COLUMN course_minutes INTEGER NOT NULL DEFAULT 0
-- ;
-- A community group registering itself and its first service from the
-- public form, held until a manager of the scheme covering its postcode
-- approves it (then it is listed) or declines it. service is the service
-- as the directory takes it (JSON).
CREATE TABLE group_registrations (
	id TEXT PRIMARY KEY,
	scheme_id TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('pending','approved','declined')),
	group_name TEXT NOT NULL,
	group_description TEXT NOT NULL DEFAULT '',
	website TEXT NOT NULL DEFAULT '',
	contact_name TEXT NOT NULL,
	contact_email TEXT NOT NULL DEFAULT '',
	contact_phone TEXT NOT NULL DEFAULT '',
	service TEXT NOT NULL,
	organisation_id TEXT REFERENCES organisations (id),
	service_id TEXT REFERENCES services (id),
	reason TEXT NOT NULL DEFAULT '',
	decided_by TEXT,
	decided_at BIGINT,
	created_at BIGINT NOT NULL
)
-- ;
CREATE INDEX group_registrations_queue ON group_registrations (scheme_id, status, created_at)
-- ;
-- Each service's status (and whether it is citizen-led) over time, kept by
-- the database itself whatever code changes a service, so that the trend
-- of citizen-led groups shows the status each had in each month.
CREATE TABLE service_status_events (
	id INTEGER PRIMARY KEY,
	service_id TEXT NOT NULL REFERENCES services (id),
	at BIGINT NOT NULL,
	status TEXT NOT NULL,
	citizen_led BOOLEAN NOT NULL
)
-- ;
CREATE INDEX service_status_events_service ON service_status_events (service_id, at)
-- ;
CREATE INDEX service_status_events_citizen ON service_status_events (service_id) WHERE citizen_led
-- ;
INSERT INTO service_status_events (service_id, at, status, citizen_led) SELECT id, created_at, 'active', citizen_led FROM services
-- ;
INSERT INTO service_status_events (service_id, at, status, citizen_led) SELECT id, updated_at, status, citizen_led FROM services WHERE status <> 'active'
-- ;
CREATE TRIGGER services_status_insert AFTER INSERT ON services BEGIN
	INSERT INTO service_status_events (service_id, at, status, citizen_led) VALUES (new.id, new.created_at, new.status, new.citizen_led);
END
-- ;
CREATE TRIGGER services_status_update AFTER UPDATE OF status, citizen_led ON services
WHEN old.status IS NOT new.status OR old.citizen_led IS NOT new.citizen_led BEGIN
	INSERT INTO service_status_events (service_id, at, status, citizen_led) VALUES (new.id, new.updated_at, new.status, new.citizen_led);
END
