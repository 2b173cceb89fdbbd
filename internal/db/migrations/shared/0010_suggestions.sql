-- Suggestions: what the person said suits them (days and times they are
-- free, how far they can travel, what they can spend, what access they
-- need), and the needs for which nothing suitable was in reach, which the
-- grants programme counts by area.

CREATE TABLE referral_preferences (
	referral_id TEXT PRIMARY KEY REFERENCES referrals (id) ON DELETE CASCADE,
	days TEXT NOT NULL DEFAULT '[]',
	times TEXT NOT NULL DEFAULT '[]',
	max_km DOUBLE PRECISION NOT NULL,
	max_cost_pence BIGINT,
	accessibility TEXT NOT NULL DEFAULT '[]',
	updated_at BIGINT NOT NULL,
	updated_by TEXT NOT NULL
)
-- ;
-- One row per referral, need and day however often suggestions are read:
-- the count is of people left without something suitable, not of page views.
CREATE TABLE unmet_needs (
	id TEXT PRIMARY KEY,
	referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
	need TEXT NOT NULL,
	priority INTEGER NOT NULL,
	area TEXT NOT NULL,
	on_date TEXT NOT NULL,
	within_km DOUBLE PRECISION NOT NULL,
	found INTEGER NOT NULL,
	recorded_at BIGINT NOT NULL,
	UNIQUE (referral_id, need, on_date)
)
-- ;
CREATE INDEX unmet_needs_date ON unmet_needs (on_date, need, area)
-- ;
-- Suggestions read, for every active service around a person's home, what
-- ranking weighs; with all of it in one index they never read the wide
-- rows (descriptions), which in a city's box was most of the time.
CREATE INDEX services_suggest ON services (latitude, longitude, status, id, name, categories, days, cost_pence, capacity, citizen_led)
