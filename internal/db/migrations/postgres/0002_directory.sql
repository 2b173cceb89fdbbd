-- The community asset directory: services in the shape of Open Referral
-- (HSDS 3.0), full-text search (a weighted tsvector with a GIN index, and
-- pg_trgm for typos), and full UK postcodes from the ONS Postcode Directory.

ALTER TABLE organisations ADD COLUMN description TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE organisations ADD COLUMN website TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE organisations ADD COLUMN email TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE organisations ADD COLUMN source TEXT NOT NULL DEFAULT ''
-- ;
ALTER TABLE organisations ADD COLUMN source_id TEXT NOT NULL DEFAULT ''
-- ;
CREATE UNIQUE INDEX organisations_source_key ON organisations (source, source_id) WHERE source <> ''
-- ;
-- pk mirrors the SQLite schema, where the FTS index needs a stable key.
CREATE TABLE services (
	pk BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	url TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','closed')),
	cost_pence BIGINT,
	fees_description TEXT NOT NULL DEFAULT '',
	eligibility TEXT NOT NULL DEFAULT '',
	min_age INTEGER,
	max_age INTEGER,
	capacity INTEGER,
	citizen_led BOOLEAN NOT NULL DEFAULT false,
	started_on TEXT NOT NULL DEFAULT '',
	accessibility TEXT NOT NULL DEFAULT '[]',
	languages TEXT NOT NULL DEFAULT '[]',
	categories TEXT NOT NULL DEFAULT '',
	category_labels TEXT NOT NULL DEFAULT '',
	location_id TEXT NOT NULL DEFAULT '',
	location_name TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	postcode TEXT NOT NULL DEFAULT '',
	latitude DOUBLE PRECISION,
	longitude DOUBLE PRECISION,
	days INTEGER NOT NULL DEFAULT 0,
	last_checked_at BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	source TEXT NOT NULL DEFAULT '',
	source_id TEXT NOT NULL DEFAULT ''
)
-- ;
CREATE INDEX services_geo ON services (latitude, longitude)
-- ;
CREATE INDEX services_organisation ON services (organisation_id)
-- ;
CREATE INDEX services_checked ON services (last_checked_at)
-- ;
CREATE INDEX services_updated ON services (updated_at)
-- ;
CREATE UNIQUE INDEX services_source_key ON services (source, source_id) WHERE source <> ''
-- ;
CREATE TABLE service_categories (
	service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	category TEXT NOT NULL,
	PRIMARY KEY (service_id, category)
)
-- ;
CREATE INDEX service_categories_category ON service_categories (category, service_id)
-- ;
CREATE TABLE service_schedules (
	service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	day INTEGER NOT NULL CHECK (day BETWEEN 1 AND 7),
	opens TEXT NOT NULL,
	closes TEXT NOT NULL,
	source_id TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (service_id, position)
)
-- ;
-- Terms from other taxonomies, kept as imported so an export keeps them.
CREATE TABLE service_terms (
	service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	taxonomy TEXT NOT NULL DEFAULT '',
	term_id TEXT NOT NULL DEFAULT '',
	code TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL,
	PRIMARY KEY (service_id, position)
)
-- ;
CREATE TABLE postcodes (
	postcode TEXT PRIMARY KEY,
	latitude DOUBLE PRECISION NOT NULL,
	longitude DOUBLE PRECISION NOT NULL
)
-- ;
CREATE EXTENSION IF NOT EXISTS pg_trgm
-- ;
ALTER TABLE services ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
	setweight(to_tsvector('english', name), 'A') ||
	setweight(to_tsvector('english', category_labels), 'B') ||
	setweight(to_tsvector('english', description), 'C')
) STORED
-- ;
CREATE INDEX services_search ON services USING GIN (search_vector)
-- ;
CREATE INDEX services_name_trgm ON services USING GIN (name gin_trgm_ops)
