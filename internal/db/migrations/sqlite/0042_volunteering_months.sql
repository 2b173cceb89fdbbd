-- The volunteering report is counted month by month (as the summary
-- report is: see internal/community/volunteering_report.go). A closed
-- month's figures change only when its rows do, so they are kept here once
-- counted: a year's report reads twelve rows and counts only the month
-- still open (from the month before it and its own new matches), instead
-- of half a million matches and the people behind them. Nothing of a person is here, only a scheme's counts.
CREATE TABLE volunteering_months (
	scheme_id TEXT NOT NULL,
	month TEXT NOT NULL,
	volunteers_active INTEGER NOT NULL,
	matches INTEGER NOT NULL,
	people_supported INTEGER NOT NULL,
	-- Of the matches still running at the month's end: the month after
	-- it, while open, is counted from these and its own new matches.
	running_volunteers INTEGER NOT NULL,
	running_people INTEGER NOT NULL,
	counted_at BIGINT NOT NULL,
	PRIMARY KEY (scheme_id, month)
)
-- ;
-- A scheme's changes to what the months count: raised by the triggers
-- below in the transaction of every change, so that a month counted from
-- rows read before a change that commits before it is kept is not kept
-- (the count reads gen first and keeps the month only if gen is unchanged,
-- holding the row).
CREATE TABLE volunteering_changes (
	scheme_id TEXT PRIMARY KEY,
	gen BIGINT NOT NULL
)
-- ;
-- People supported are counted by person: each match carries its
-- referral's person, so that a month's people are counted from the
-- report's index alone, the referrals not read at all (SQLite: 0.65 s of
-- CPU to count the 230,000 people of a month of the national benchmark
-- through referrals_person_of; 0.23 s from the index). A referral moved to
-- another person's record (referral.ResolveMatch) moves its matches too,
-- by the trigger below.
ALTER TABLE volunteer_matches ADD COLUMN person_id TEXT NOT NULL DEFAULT ''
-- ;
UPDATE volunteer_matches SET person_id = (SELECT r.person_id FROM referrals r WHERE r.id = volunteer_matches.referral_id)
-- ;
DROP INDEX volunteer_matches_report
-- ;
CREATE INDEX volunteer_matches_report ON volunteer_matches (scheme_id, started_on, ended_on, volunteer_id, person_id)
-- ;
-- The month still open is counted from the matches started in it, each
-- looked up by its volunteer and by its person among the matches running
-- into the month.
CREATE INDEX volunteer_matches_volunteer_days ON volunteer_matches (volunteer_id, scheme_id, started_on, ended_on)
-- ;
CREATE INDEX volunteer_matches_person ON volunteer_matches (person_id, scheme_id, started_on, ended_on)
-- ;
-- Made for the report's people (0041), which no longer read it.
DROP INDEX referrals_person_of
-- ;
-- Whatever writes a match (made, ended, moved, removed, by the application
-- or by hand), the months it changes are forgotten and counted again when
-- next asked for. A match runs in the months from its start to its end (or
-- on): a new or removed one changes those from its start on; a change of
-- its end those from the earlier of the two ends on.
CREATE TRIGGER volunteer_matches_counted_new AFTER INSERT ON volunteer_matches
BEGIN
	INSERT OR IGNORE INTO volunteering_changes (scheme_id, gen) VALUES (NEW.scheme_id, 0);
	UPDATE volunteering_changes SET gen = gen + 1 WHERE scheme_id = NEW.scheme_id;
	DELETE FROM volunteering_months WHERE scheme_id = NEW.scheme_id AND month >= substr(NEW.started_on, 1, 7);
END
-- ;
CREATE TRIGGER volunteer_matches_counted_changed AFTER UPDATE OF scheme_id, started_on, ended_on, volunteer_id, referral_id, person_id ON volunteer_matches
BEGIN
	INSERT OR IGNORE INTO volunteering_changes (scheme_id, gen) VALUES (OLD.scheme_id, 0), (NEW.scheme_id, 0);
	UPDATE volunteering_changes SET gen = gen + 1 WHERE scheme_id IN (OLD.scheme_id, NEW.scheme_id);
	DELETE FROM volunteering_months WHERE scheme_id IN (OLD.scheme_id, NEW.scheme_id) AND month >= substr(CASE
		WHEN OLD.scheme_id = NEW.scheme_id AND OLD.started_on = NEW.started_on AND OLD.volunteer_id = NEW.volunteer_id AND OLD.referral_id = NEW.referral_id
			AND OLD.person_id = NEW.person_id
		THEN COALESCE(min(OLD.ended_on, NEW.ended_on), OLD.ended_on, NEW.ended_on)
		ELSE min(OLD.started_on, NEW.started_on) END, 1, 7);
END
-- ;
CREATE TRIGGER volunteer_matches_counted_gone AFTER DELETE ON volunteer_matches
BEGIN
	INSERT OR IGNORE INTO volunteering_changes (scheme_id, gen) VALUES (OLD.scheme_id, 0);
	UPDATE volunteering_changes SET gen = gen + 1 WHERE scheme_id = OLD.scheme_id;
	DELETE FROM volunteering_months WHERE scheme_id = OLD.scheme_id AND month >= substr(OLD.started_on, 1, 7);
END
-- ;
-- A referral moved to another person's record (referral.ResolveMatch)
-- moves its matches, whose trigger above forgets their months.
CREATE TRIGGER referrals_person_counted AFTER UPDATE OF person_id ON referrals
WHEN OLD.person_id IS NOT NEW.person_id
BEGIN
	UPDATE volunteer_matches SET person_id = NEW.person_id WHERE referral_id = NEW.id;
END
