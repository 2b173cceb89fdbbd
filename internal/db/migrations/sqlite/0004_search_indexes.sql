-- The search's first phase reads, for every service in the box around a
-- place, its status, id and name: with them in the geo index it never
-- reads the (wide) rows themselves.
DROP INDEX services_geo
-- ;
CREATE INDEX services_geo ON services (latitude, longitude, status, id, name)
