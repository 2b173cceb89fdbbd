package directory

import (
	"bytes"
	"encoding/json"
	"strings"
)

// HSDS also travels as a tabular package: one list of rows per table,
// keyed "services.csv", "organizations.csv" and so on, linked by ids. The
// importer nests the rows it uses back into the shape of a full service, so
// one mapping serves every shape.

type tabularRow = map[string]any

// tabularRecords turns a tabular package into organization records (for
// organizations that run no service here) and full service records.
func tabularRecords(obj map[string]json.RawMessage) ([]json.RawMessage, error) {
	tables := map[string][]tabularRow{}
	for key, raw := range obj {
		name := strings.TrimSuffix(key, ".csv")
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber() // keeps prices exact
		var rows []tabularRow
		if err := dec.Decode(&rows); err != nil {
			return nil, documentErrorf("table %s must be a list of rows (objects): %v", key, err)
		}
		tables[name] = rows
	}
	text := func(row tabularRow, key string) string {
		switch v := row[key].(type) {
		case string:
			return strings.TrimSpace(v)
		case json.Number:
			return v.String()
		}
		return ""
	}
	where := func(table, key, value string) []any {
		var out []any
		if value == "" {
			return out
		}
		for _, row := range tables[table] {
			if text(row, key) == value {
				out = append(out, cloneRow(row))
			}
		}
		return out
	}
	first := func(table, key, value string) any {
		if rows := where(table, key, value); len(rows) > 0 {
			return rows[0]
		}
		return nil
	}

	var records []json.RawMessage
	add := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return documentErrorf("a row could not be re-read: %v", err)
		}
		records = append(records, b)
		return nil
	}
	runsServices := map[string]bool{}
	for _, svc := range tables["services"] {
		runsServices[text(svc, "organization_id")] = true
	}
	for _, o := range tables["organizations"] {
		if !runsServices[text(o, "id")] {
			if err := add(o); err != nil {
				return nil, err
			}
		}
	}
	for _, row := range tables["services"] {
		svc := cloneRow(row)
		id := text(svc, "id")
		if o := first("organizations", "id", text(svc, "organization_id")); o != nil {
			svc["organization"] = o
		}
		for _, t := range []string{"phones", "schedules", "languages", "cost_options"} {
			if rows := where(t, "service_id", id); len(rows) > 0 {
				svc[t] = rows
			}
		}
		var attrs []any
		for _, a := range where("attributes", "link_id", id) {
			attr := a.(tabularRow)
			if term := first("taxonomy_terms", "id", text(attr, "taxonomy_term_id")); term != nil {
				t := term.(tabularRow)
				if tax := first("taxonomies", "id", text(t, "taxonomy_id")); tax != nil {
					t["taxonomy_detail"] = tax
				}
				attr["taxonomy_term"] = t
			}
			attrs = append(attrs, attr)
		}
		if len(attrs) > 0 {
			svc["attributes"] = attrs
		}
		var sals []any
		for _, s := range where("service_at_location", "service_id", id) {
			sal := s.(tabularRow)
			if l := first("locations", "id", text(sal, "location_id")); l != nil {
				loc := l.(tabularRow)
				for _, t := range []string{"addresses", "accessibility"} {
					if rows := where(t, "location_id", text(loc, "id")); len(rows) > 0 {
						loc[t] = rows
					}
				}
				sal["location"] = loc
			}
			if rows := where("schedules", "service_at_location_id", text(sal, "id")); len(rows) > 0 {
				sal["schedules"] = rows
			}
			sals = append(sals, sal)
		}
		if len(sals) > 0 {
			svc["service_at_locations"] = sals
		}
		if err := add(svc); err != nil {
			return nil, err
		}
	}
	if len(records) == 0 {
		return nil, documentErrorf("the tabular package holds no services.csv or organizations.csv rows")
	}
	return records, nil
}

func cloneRow(row tabularRow) tabularRow {
	out := make(tabularRow, len(row))
	for k, v := range row {
		out[k] = v
	}
	return out
}
