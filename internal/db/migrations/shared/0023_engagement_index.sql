-- The engagement report counts a period's connections by service, status
-- and whether they attended, and reads the attended ones' days: this index
-- holds every column it reads, so a year of a national scheme (half a
-- million connections) is read from the index alone instead of fetching
-- each row (see connection.ServiceFigures).
CREATE INDEX connections_engagement ON connections (created_at, service_id, organisation_id, status, first_attended_at)
