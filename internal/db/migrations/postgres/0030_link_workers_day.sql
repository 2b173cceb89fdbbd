-- The link worker's day (issue 15).
--
-- Finding a person among a million by name: given_key and family_key are
-- the names folded to lower case without accents, spaces, hyphens or
-- apostrophes (referral.NameKey). Whoever writes a name writes its key
-- with it (intake, corrections; erasure blanks both). A search is a
-- prefix range on one of the two indexes, read in order, so that a common
-- name stops at the page it needs rather than sorting thousands; a date
-- of birth is one equality.
--
-- The keys are plain columns rather than generated ones: the fold is a
-- chain of some 250 replace() calls on SQLite (referral.NameKeySQL; a
-- test checks it agrees with NameKey), which SQLite before 3.46, as
-- Debian's sqlite3 shell, cannot parse in a schema. Here it runs once,
-- to key the people held already.
-- COLLATE "C": keys compare byte by byte, so that a prefix is one range
-- in the index whatever the cluster's locale.
ALTER TABLE people ADD COLUMN given_key TEXT COLLATE "C" NOT NULL DEFAULT ''
-- ;
ALTER TABLE people ADD COLUMN family_key TEXT COLLATE "C" NOT NULL DEFAULT ''
-- ;
UPDATE people SET given_key = translate(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(given_name, 'Æ', 'ae'), 'Þ', 'th'), 'ß', 'ss'), 'æ', 'ae'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'Œ', 'oe'), 'œ', 'oe'), 'Ǽ', 'ae'), 'ǽ', 'ae'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĸĹĺĻļĽľĿŀŁłŃńŅņŇňŉŊŋŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſȘșȚțΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩЀЁЂЃЄЅІЇЈЉЊЋЌЍЎЏАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯẀẁẂẃẄẅỲỳ '',-.`‐‑‘’', 'abcdefghijklmnopqrstuvwxyzaaaaaaceeeeiiiidnoooooouuuuyaaaaaaceeeeiiiidnoooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkkkllllllllllnnnnnnnnnoooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzsssttαβγδεζηθικλμνξοπρστυφχψωѐёђѓєѕіїјљњћќѝўџабвгдежзийклмнопрстуфхцчшщъыьэюяwwwwwwyy'),
	family_key = translate(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(family_name, 'Æ', 'ae'), 'Þ', 'th'), 'ß', 'ss'), 'æ', 'ae'), 'þ', 'th'), 'Ĳ', 'ij'), 'ĳ', 'ij'), 'Œ', 'oe'), 'œ', 'oe'), 'Ǽ', 'ae'), 'ǽ', 'ae'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĸĹĺĻļĽľĿŀŁłŃńŅņŇňŉŊŋŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſȘșȚțΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩЀЁЂЃЄЅІЇЈЉЊЋЌЍЎЏАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯẀẁẂẃẄẅỲỳ '',-.`‐‑‘’', 'abcdefghijklmnopqrstuvwxyzaaaaaaceeeeiiiidnoooooouuuuyaaaaaaceeeeiiiidnoooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkkkllllllllllnnnnnnnnnoooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzsssttαβγδεζηθικλμνξοπρστυφχψωѐёђѓєѕіїјљњћќѝўџабвгдежзийклмнопрстуфхцчшщъыьэюяwwwwwwyy')
-- ;
CREATE INDEX people_family_key ON people (family_key, given_key, id)
-- ;
CREATE INDEX people_given_key ON people (given_key, family_key, id)
-- ;
CREATE INDEX people_birth ON people (date_of_birth)
-- ;
-- A person's details beyond those a referral gives: what a link worker
-- records and corrects (referral.Details). access_needs is a JSON list.
ALTER TABLE people ADD COLUMN interpreter_language TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE people ADD COLUMN access_needs TEXT NOT NULL DEFAULT '[]'
-- ;
ALTER TABLE people ADD COLUMN next_of_kin_name TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE people ADD COLUMN next_of_kin_relationship TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE people ADD COLUMN next_of_kin_phone TEXT NOT NULL DEFAULT ''
-- ;
-- A search checks each person found has a referral in the caller's
-- scheme, and lists those referrals, from this index alone. It leads with
-- person_id as referrals_person did, which it replaces.
CREATE INDEX referrals_person_scheme ON referrals (person_id, scheme_id, status)
-- ;
DROP INDEX referrals_person
-- ;
-- The same person's other open referrals include those flagged as
-- possibly them.
CREATE INDEX referrals_possible_match ON referrals (possible_match_id) WHERE possible_match_id IS NOT NULL
-- ;
-- The triage queue: urgent first, then oldest, read in order a page at a
-- time however many wait ('urgent' sorts after 'routine', hence DESC).
CREATE INDEX referrals_triage ON referrals (scheme_id, urgency DESC, received_at, id, assigned_to, person_id) WHERE status = 'received'
-- ;
-- A call nobody answered is recorded too; only a reached contact counts
-- as the first contact.
ALTER TABLE contacts ADD COLUMN outcome TEXT NOT NULL DEFAULT 'reached' CHECK (outcome IN ('reached','no_answer','left_message','wrong_number'))
