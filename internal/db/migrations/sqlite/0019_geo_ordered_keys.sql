-- Services' keys, which are the full-text index's rowids, follow where
-- they are: key = cell * 2^32 + n, where the cell is a 0.05° latitude
-- row (about 5.5 km) times 256 plus a 0.05° longitude column, counted from
-- 49°N 9°W, so the whole UK fits (rows 0–254, columns 0–255; outside is
-- clamped to the edge), and cell 65535 holds the services with no place.
-- n numbers services in the order they were added and never changes.
--
-- Why: FTS5 keeps each word's list of rows in rowid order and can start
-- and stop it at a rowid. A search for a word near a place then reads only
-- the latitude band the place's box covers, and tells the columns apart by
-- arithmetic on the rowid, instead of reading every match in the country
-- and looking each up in a list of the box's services. directory.geoCell
-- must compute the same cells as the expression below.
DROP TRIGGER services_fts_insert
-- ;
DROP TRIGGER services_fts_update
-- ;
DROP TRIGGER services_fts_delete
-- ;
DROP TABLE services_vocab
-- ;
DROP TABLE services_fts
-- ;
CREATE TABLE services_key_seq (n INTEGER NOT NULL)
-- ;
INSERT INTO services_key_seq (n) SELECT COALESCE(MAX(pk), 0) FROM services
-- ;
UPDATE services SET pk = (CASE WHEN latitude IS NULL OR longitude IS NULL THEN 65535 ELSE MIN(MAX(CAST((latitude - 49.0) * 20 AS INTEGER), 0), 254) * 256 + MIN(MAX(CAST((longitude + 9.0) * 20 AS INTEGER), 0), 255) END) * 4294967296 + pk
-- ;
-- A search reads, for each match, only these columns: by key from this
-- narrow index they cost half what they do from the wide rows.
CREATE INDEX services_by_key ON services (pk, status, latitude, longitude, categories, days, cost_pence, id, name)
-- ;
CREATE VIRTUAL TABLE services_fts USING fts5 (
	name, category_labels, description,
	content = 'services', content_rowid = 'pk',
	tokenize = 'porter unicode61 remove_diacritics 2'
)
-- ;
INSERT INTO services_fts (services_fts) VALUES ('rebuild')
-- ;
CREATE VIRTUAL TABLE services_vocab USING fts5vocab (services_fts, 'row')
-- ;
CREATE TRIGGER services_fts_insert AFTER INSERT ON services BEGIN
	UPDATE services_key_seq SET n = n + 1;
	UPDATE services SET pk = (CASE WHEN new.latitude IS NULL OR new.longitude IS NULL THEN 65535 ELSE MIN(MAX(CAST((new.latitude - 49.0) * 20 AS INTEGER), 0), 254) * 256 + MIN(MAX(CAST((new.longitude + 9.0) * 20 AS INTEGER), 0), 255) END) * 4294967296 + (SELECT n FROM services_key_seq) WHERE pk = new.pk;
	INSERT INTO services_fts (rowid, name, category_labels, description)
		VALUES ((CASE WHEN new.latitude IS NULL OR new.longitude IS NULL THEN 65535 ELSE MIN(MAX(CAST((new.latitude - 49.0) * 20 AS INTEGER), 0), 254) * 256 + MIN(MAX(CAST((new.longitude + 9.0) * 20 AS INTEGER), 0), 255) END) * 4294967296 + (SELECT n FROM services_key_seq), new.name, new.category_labels, new.description);
END
-- ;
CREATE TRIGGER services_fts_update AFTER UPDATE OF name, category_labels, description, latitude, longitude ON services BEGIN
	INSERT INTO services_fts (services_fts, rowid, name, category_labels, description) VALUES ('delete', old.pk, old.name, old.category_labels, old.description);
	UPDATE services SET pk = (CASE WHEN new.latitude IS NULL OR new.longitude IS NULL THEN 65535 ELSE MIN(MAX(CAST((new.latitude - 49.0) * 20 AS INTEGER), 0), 254) * 256 + MIN(MAX(CAST((new.longitude + 9.0) * 20 AS INTEGER), 0), 255) END) * 4294967296 + old.pk % 4294967296 WHERE pk = old.pk AND (CASE WHEN new.latitude IS NULL OR new.longitude IS NULL THEN 65535 ELSE MIN(MAX(CAST((new.latitude - 49.0) * 20 AS INTEGER), 0), 254) * 256 + MIN(MAX(CAST((new.longitude + 9.0) * 20 AS INTEGER), 0), 255) END) <> old.pk / 4294967296;
	INSERT INTO services_fts (rowid, name, category_labels, description)
		VALUES ((CASE WHEN new.latitude IS NULL OR new.longitude IS NULL THEN 65535 ELSE MIN(MAX(CAST((new.latitude - 49.0) * 20 AS INTEGER), 0), 254) * 256 + MIN(MAX(CAST((new.longitude + 9.0) * 20 AS INTEGER), 0), 255) END) * 4294967296 + old.pk % 4294967296, new.name, new.category_labels, new.description);
END
-- ;
CREATE TRIGGER services_fts_delete AFTER DELETE ON services BEGIN
	INSERT INTO services_fts (services_fts, rowid, name, category_labels, description) VALUES ('delete', old.pk, old.name, old.category_labels, old.description);
END
