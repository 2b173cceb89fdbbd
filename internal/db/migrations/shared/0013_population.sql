-- Population figures for fair-coverage reports: each area (a postcode
-- district) with its deprivation decile, and how many people live there,
-- in total and broken down by age band, sex or ethnicity. A blank group
-- column means "everyone": the row with all three blank is the area's total.
-- Imported from a CSV ("oikos import population"); published census-style
-- figures, not people's records.

CREATE TABLE population_areas (
	area TEXT PRIMARY KEY,
	deprivation_decile INTEGER CHECK (deprivation_decile BETWEEN 1 AND 10),
	updated_at BIGINT NOT NULL
)
-- ;
CREATE TABLE population (
	area TEXT NOT NULL REFERENCES population_areas (area),
	age_band TEXT NOT NULL DEFAULT '',
	sex TEXT NOT NULL DEFAULT '',
	ethnicity TEXT NOT NULL DEFAULT '',
	people BIGINT NOT NULL CHECK (people >= 0),
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (area, age_band, sex, ethnicity)
)
