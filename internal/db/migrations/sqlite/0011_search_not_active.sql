-- A search by words alone ranks the full-text matches without reading
-- their rows, and leaves out the services that are not active by their
-- rowids, which this small index lists without a scan of the table.
CREATE INDEX services_not_active ON services (status) WHERE status <> 'active'
-- ;
-- A search near a place reads, for every service in the box around it,
-- what it filters on (status, categories, days, cost) and what it ranks by
-- (id, name) from the geo index alone: checking each one's categories in
-- service_categories cost a lookup per service, ten thousand in a city.
DROP INDEX services_geo
-- ;
CREATE INDEX services_geo ON services (latitude, longitude, status, categories, days, cost_pence, id, name)
