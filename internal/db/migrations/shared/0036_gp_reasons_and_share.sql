-- What a GP system says and what goes back to the GP record (issue 14).
-- reason_text keeps the GP's own words for a reason that maps to no need
-- (or says more than the needs do), for the link worker: a referral is
-- never refused for a reason Oikos does not understand.
ALTER TABLE referrals ADD COLUMN reason_text TEXT NOT NULL DEFAULT ''
-- ;
-- gp_share is what the person chose, with their link worker, to go back
-- to the GP record when the referral closes (PRSB social prescribing
-- standard): 'full' (the outcome summary in full) or 'codes_only'. ''
-- is not chosen yet, which shares codes only. gp_share_by and gp_share_at
-- say who recorded the choice and when (milliseconds, as every time here).
ALTER TABLE referrals ADD COLUMN gp_share TEXT NOT NULL DEFAULT '' CHECK (gp_share IN ('', 'full', 'codes_only'))
-- ;
ALTER TABLE referrals ADD COLUMN gp_share_by TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE referrals ADD COLUMN gp_share_at BIGINT
