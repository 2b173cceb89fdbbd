-- Text messages and reminders before a first session.
--
-- The outbox carries each message's channel: email (as before) or sms,
-- sent through a GOV.UK Notify-shaped API. For sms the recipient is a UK
-- mobile number in +447… form and the subject is empty.
ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email','sms'))
-- ;
-- The date of the person's first session, given by the provider when it
-- accepts or by the link worker later ('' while unknown).
ALTER TABLE connections ADD COLUMN first_session TEXT NOT NULL DEFAULT ''
-- ;
CREATE INDEX connections_first_session ON connections (first_session, status) WHERE first_session <> ''
-- ;
-- Whether the person wants a reminder before a first session, and how:
-- their own choice (or the link worker's record of it), which holds for
-- every connection made for them. Goes with the person when they are erased.
CREATE TABLE reminder_choices (
	person_id TEXT PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
	channel TEXT NOT NULL CHECK (channel IN ('none','email','sms')),
	chosen_by TEXT NOT NULL,
	chosen_at BIGINT NOT NULL
)
-- ;
-- One row per reminder owed and written to the outbox: the primary key
-- makes the reminder for a connection's first session go once, whichever
-- process's sweep finds it first; a new date owes a new reminder.
CREATE TABLE session_reminders (
	connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
	first_session TEXT NOT NULL,
	channel TEXT NOT NULL CHECK (channel IN ('email','sms')),
	outbox_id TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (connection_id, first_session)
)
