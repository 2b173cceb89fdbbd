package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// bareSQL is a search as one SQL statement, the way many open directories
// write it: the full-text match on the indexed tsvector, the category
// filter, and the great-circle (haversine) distance computed in SQL, both
// to filter by radius and to sort, then the first 50 with what an API
// needs to show them (organisation, place, cost, contact and the weekly
// schedule). The place has already been turned into a point by the caller.
func bareSQL(q request) (string, []any) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := []string{"s.status = 'active'"}
	dist, order := "NULL::float8", "s.name, s.id"
	if q.hasPlace {
		lat, lon := arg(q.lat), arg(q.lon)
		dist = fmt.Sprintf("(2 * 6371.0088 * asin(sqrt(power(sin(radians(s.latitude - %[1]s) / 2), 2) + "+
			"cos(radians(%[1]s)) * cos(radians(s.latitude)) * power(sin(radians(s.longitude - %[2]s) / 2), 2))))", lat, lon)
		where = append(where, dist+" <= "+arg(q.km))
		order = "distance_km, s.id"
	}
	if q.text != "" {
		tsq := "websearch_to_tsquery('english', " + arg(q.text) + ")"
		where = append(where, "s.search_vector @@ "+tsq)
		if !q.hasPlace {
			order = "ts_rank(s.search_vector, " + tsq + ") DESC, s.id"
		}
	}
	if len(q.cats) > 0 {
		where = append(where, "s.id IN (SELECT service_id FROM service_categories WHERE category = ANY("+arg(q.cats)+"))")
	}
	return `SELECT s.id, s.name, s.description, o.name AS organisation_name, s.categories, s.url, s.email, s.phone,
			s.cost_pence, s.fees_description, s.location_name, s.address, s.postcode, s.latitude, s.longitude,
			(SELECT json_agg(json_build_object('day', x.day, 'opens', x.opens, 'closes', x.closes) ORDER BY x.position)
				FROM service_schedules x WHERE x.service_id = s.id) AS schedule,
			` + dist + ` AS distance_km
		FROM services s JOIN organisations o ON o.id = s.organisation_id
		WHERE ` + strings.Join(where, "\n\t\t\tAND ") + `
		ORDER BY ` + order + `
		LIMIT 50`, args
}

// benchBareSQL runs the same mix as bare SQL straight to PostgreSQL, one
// pooled connection per client.
func benchBareSQL(ctx context.Context, url string, o options, out io.Writer) (result, error) {
	pool, err := sql.Open("pgx", url)
	if err != nil {
		return result{}, err
	}
	defer pool.Close()
	pool.SetMaxOpenConns(o.clients)
	pool.SetMaxIdleConns(o.clients)
	do := func(ctx context.Context, q request) (int, error) {
		query, args := bareSQL(q)
		rows, err := pool.QueryContext(ctx, query, args...)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", q.params.Encode(), err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return 0, err
		}
		vals := make([]any, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		n := 0
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return 0, err
			}
			n++
		}
		return n, rows.Err()
	}
	label := "bare SQL (postgres)"
	fmt.Fprintf(out, "%s: warming up for %s\n", label, o.warmup)
	if _, err := load(ctx, label, o.clients, o.warmup, o.seed+1000, searches(do)); err != nil {
		return result{}, err
	}
	fmt.Fprintf(out, "%s: measuring for %s with %d clients\n", label, o.duration, o.clients)
	res, err := load(ctx, label, o.clients, o.duration, o.seed, searches(do))
	if err != nil {
		return result{}, err
	}
	res.summary(out)
	return res, nil
}
