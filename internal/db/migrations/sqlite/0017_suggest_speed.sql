-- Suggestions keep the compact rows of every active service (place,
-- categories, days, cost, space, sessions, access) in memory, with the
-- full-text scores of the interest words asked about, and check this one number
-- before each use: every change to what those rows hold counts it up, in
-- the same transaction, so a server never ranks from a directory older
-- than the one the database holds.
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
CREATE TRIGGER services_version_insert AFTER INSERT ON services BEGIN
	UPDATE directory_version SET version = version + 1, details = details + 1;
END
-- ;
CREATE TRIGGER services_version_delete AFTER DELETE ON services BEGIN
	UPDATE directory_version SET version = version + 1, details = details + 1;
END
-- ;
CREATE TRIGGER services_version_update AFTER UPDATE OF pk, id, name, status, categories, days, cost_pence, capacity, citizen_led, latitude, longitude, accessibility, languages,
	category_labels, description
ON services BEGIN
	UPDATE directory_version SET version = version + 1, details = details + 1;
END
-- ;
CREATE TRIGGER service_schedules_version_insert AFTER INSERT ON service_schedules BEGIN
	UPDATE directory_version SET version = version + 1, details = details + 1;
END
-- ;
CREATE TRIGGER service_schedules_version_delete AFTER DELETE ON service_schedules BEGIN
	UPDATE directory_version SET version = version + 1, details = details + 1;
END
-- ;
CREATE TRIGGER service_schedules_version_update AFTER UPDATE ON service_schedules BEGIN
	UPDATE directory_version SET version = version + 1, details = details + 1;
END
-- ;
CREATE TRIGGER services_details_update AFTER UPDATE ON services BEGIN
	UPDATE directory_version SET details = details + 1;
END
-- ;
CREATE TRIGGER service_terms_details_insert AFTER INSERT ON service_terms BEGIN
	UPDATE directory_version SET details = details + 1;
END
-- ;
CREATE TRIGGER service_terms_details_delete AFTER DELETE ON service_terms BEGIN
	UPDATE directory_version SET details = details + 1;
END
-- ;
CREATE TRIGGER service_terms_details_update AFTER UPDATE ON service_terms BEGIN
	UPDATE directory_version SET details = details + 1;
END
-- ;
CREATE TRIGGER organisations_details_update AFTER UPDATE ON organisations BEGIN
	UPDATE directory_version SET details = details + 1;
END
