-- A referral keeps the person as its referrer sent them (sent_*), apart
-- from the person record it belongs to: intake never joins a referral to
-- someone already known, and once a link worker reconciles the two the
-- referrer is still shown only what they sent. match_strength says how
-- strongly the person resembled the one in possible_match_id
-- (same_nhs_number, same_details, possible) for the link worker.
ALTER TABLE referrals ADD COLUMN sent_given_name TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE referrals ADD COLUMN sent_family_name TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE referrals ADD COLUMN sent_date_of_birth TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE referrals ADD COLUMN sent_nhs_number TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE referrals ADD COLUMN sent_postcode TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE referrals ADD COLUMN sent_phone TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE referrals ADD COLUMN sent_email TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE referrals ADD COLUMN match_strength TEXT NOT NULL DEFAULT ''
-- ;
-- What was sent before is no longer known apart from the person record:
-- the record it is on now is the nearest there is.
UPDATE referrals SET sent_given_name = p.given_name, sent_family_name = p.family_name, sent_date_of_birth = p.date_of_birth,
	sent_nhs_number = p.nhs_number, sent_postcode = p.postcode, sent_phone = p.phone, sent_email = p.email
	FROM people p WHERE p.id = referrals.person_id
-- ;
-- Until now only a possible match was flagged; a sure one was joined.
UPDATE referrals SET match_strength = 'possible' WHERE possible_match_id IS NOT NULL
