-- One baseline per referral and questionnaire. The measures store already
-- refuses a second, but only after reading: two saved at the same moment
-- could both pass. The summary report pairs each follow-up with the
-- baseline by a plain join and counts on there being one.
CREATE UNIQUE INDEX measures_one_baseline ON measures (referral_id, instrument) WHERE timepoint = 'baseline'
