-- Suggestions keep the compact rows of every active service (place,
-- categories, days, cost, space, sessions, access) in memory, with the
-- full-text scores of the interest words asked about, and check this one number
-- before each use: every change to what those rows hold counts it up, in
-- the same transaction, so a server never ranks from a directory older
-- than the one the database holds. (A loader that turns triggers off, as
-- session_replication_role = replica does, must count it up itself.)
CREATE TABLE directory_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL,
	-- details counts every change to what a suggestion shows of a
	-- service (all its columns, sessions, terms and organisation), for
	-- the full services kept of those shown most.
	details BIGINT NOT NULL
)
-- ;
INSERT INTO directory_version (id, version, details) VALUES (1, 0, 0)
-- ;
CREATE FUNCTION directory_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE directory_version SET version = version + 1, details = details + 1;
	RETURN NULL;
END
$$
-- ;
CREATE TRIGGER services_version AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF pk, id, name, status, categories, days, cost_pence, capacity, citizen_led, latitude, longitude, accessibility, languages,
	category_labels, description
ON services FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump()
-- ;
CREATE TRIGGER service_schedules_version AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE ON service_schedules
FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump()
-- ;
CREATE FUNCTION directory_details_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE directory_version SET details = details + 1;
	RETURN NULL;
END
$$
-- ;
CREATE TRIGGER services_details AFTER UPDATE ON services FOR EACH STATEMENT EXECUTE FUNCTION directory_details_bump()
-- ;
CREATE TRIGGER service_terms_details AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE ON service_terms
FOR EACH STATEMENT EXECUTE FUNCTION directory_details_bump()
-- ;
CREATE TRIGGER organisations_details AFTER UPDATE ON organisations FOR EACH STATEMENT EXECUTE FUNCTION directory_details_bump()
