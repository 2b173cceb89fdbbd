-- Services say whom they are for (issue 15): min_age and max_age were
-- kept already; for_sex says a group is for women or for men only.
-- Suggestions rank a service the person is outside of below every
-- suitable one, saying why, so they now read all three from the rows they
-- keep in memory (0017): a change to any of them counts the version up.
ALTER TABLE services ADD COLUMN for_sex TEXT NOT NULL DEFAULT 'any' CHECK (for_sex IN ('any','female','male'))
-- ;
DROP TRIGGER services_version ON services
-- ;
CREATE TRIGGER services_version AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF pk, id, name, status, categories, days, cost_pence, capacity, citizen_led, latitude, longitude, accessibility, languages,
	category_labels, description, min_age, max_age, for_sex
ON services FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump()
-- ;
-- Servers started before this migration hold rows without the three.
UPDATE directory_version SET version = version + 1, details = details + 1
-- ;
-- A scheme may name its roles in its own words ("community connector",
-- "health guide" for a link worker): org.RoleLabel reads them.
CREATE TABLE scheme_role_names (
	scheme_id TEXT NOT NULL REFERENCES organisations (id),
	role TEXT NOT NULL,
	name TEXT NOT NULL,
	PRIMARY KEY (scheme_id, role)
)
