-- Wrong dates of birth given with a person's paper sign-in code: after a
-- few, the code stops working, so that someone holding a lost code cannot
-- go on guessing the date from many addresses.
ALTER TABLE person_access ADD COLUMN failures INTEGER NOT NULL DEFAULT 0
