-- A search by words alone ranks the full-text matches without reading
-- their rows, and leaves out the services that are not active by their
-- rowids, which this small index lists without a scan of the table.
CREATE INDEX services_not_active ON services (status) WHERE status <> 'active'
