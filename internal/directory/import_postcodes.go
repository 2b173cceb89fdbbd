package directory

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"oikos/internal/db"
	"oikos/internal/postcode"
)

// The ONS Postcode Directory (ONSPD) lists every UK postcode, about 2.7
// million rows, with its latitude and longitude. Imported, it lets Oikos
// place a full postcode to within a street instead of at its district's
// centroid. The file is streamed and written in batches, each batch in its
// own transaction, so memory stays flat and an interrupted import keeps
// what it wrote.

// PostcodeBatch is how many rows one transaction writes.
const PostcodeBatch = 5000

// rowsPerInsert keeps each multi-row INSERT well under both databases'
// limits on bound parameters.
const rowsPerInsert = 500

// noLocationLatitude is what ONSPD gives postcodes with no grid reference.
const noLocationLatitude = 99.999999

// PostcodeReport counts what a postcode import did.
type PostcodeReport struct {
	Imported   int // rows written (inserted or updated)
	NoLocation int // rows without coordinates (latitude 99.999999)
	Invalid    int // rows whose postcode or coordinates could not be read
}

type postcodeRow struct {
	code     string
	lat, lon float64
}

// ImportPostcodes reads an ONS Postcode Directory CSV (plain or gzipped)
// with a header row naming pcds (or pcd / pcd2), lat and long, and upserts
// each located postcode into the postcodes table. progress, if not nil, is
// called after each batch with the rows written so far.
func ImportPostcodes(ctx context.Context, d *db.DB, r io.Reader, progress func(written int)) (PostcodeReport, error) {
	var rep PostcodeReport
	br := bufio.NewReaderSize(r, 1<<16)
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return rep, fmt.Errorf("the file looks gzipped but could not be opened: %w", err)
		}
		defer gz.Close()
		br = bufio.NewReaderSize(gz, 1<<16)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return rep, errors.New("the file is empty: expected a CSV with a header row")
	}
	if err != nil {
		return rep, fmt.Errorf("the header row could not be read: %w", err)
	}
	col := map[string]int{}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		if _, seen := col[name]; !seen {
			col[name] = i
		}
	}
	pcCol := -1
	for _, name := range []string{"pcds", "pcd", "pcd2"} {
		if i, ok := col[name]; ok {
			pcCol = i
			break
		}
	}
	latCol, hasLat := col["lat"]
	lonCol, hasLon := col["long"]
	switch {
	case pcCol < 0:
		return rep, errors.New("the header row has no postcode column: expected pcds, pcd or pcd2")
	case !hasLat || !hasLon:
		return rep, errors.New("the header row needs lat and long columns")
	}

	batch := make([]postcodeRow, 0, PostcodeBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := writePostcodes(ctx, d, batch); err != nil {
			return fmt.Errorf("writing postcodes after row %d: %w", rep.Imported+rep.NoLocation+rep.Invalid, err)
		}
		rep.Imported += len(batch)
		batch = batch[:0]
		if progress != nil {
			progress(rep.Imported)
		}
		return nil
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var parse *csv.ParseError
			if errors.As(err, &parse) && errors.Is(parse.Err, csv.ErrFieldCount) {
				rep.Invalid++
				continue
			}
			return rep, fmt.Errorf("the CSV could not be read: %w", err)
		}
		if pcCol >= len(rec) || latCol >= len(rec) || lonCol >= len(rec) {
			rep.Invalid++
			continue
		}
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(rec[latCol]), 64)
		lon, err2 := strconv.ParseFloat(strings.TrimSpace(rec[lonCol]), 64)
		if err1 == nil && lat == noLocationLatitude {
			rep.NoLocation++
			continue
		}
		code, ok := postcode.Normalise(rec[pcCol])
		if !ok || err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			rep.Invalid++
			continue
		}
		batch = append(batch, postcodeRow{code, lat, lon})
		if len(batch) == PostcodeBatch {
			if err := flush(); err != nil {
				return rep, err
			}
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
	}
	return rep, flush()
}

// writePostcodes upserts one batch in one transaction.
func writePostcodes(ctx context.Context, d *db.DB, rows []postcodeRow) error {
	return d.Tx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(rows); start += rowsPerInsert {
			chunk := rows[start:min(len(rows), start+rowsPerInsert)]
			// PostgreSQL refuses to update one row twice in a statement, so a
			// postcode repeated within a chunk is written once, last wins.
			last := map[string]int{}
			for i, r := range chunk {
				last[r.code] = i
			}
			var values []string
			var args []any
			for i, r := range chunk {
				if last[r.code] != i {
					continue
				}
				n := len(args)
				values = append(values, fmt.Sprintf("($%d, $%d, $%d)", n+1, n+2, n+3))
				args = append(args, r.code, r.lat, r.lon)
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO postcodes (postcode, latitude, longitude) VALUES "+strings.Join(values, ", ")+
				" ON CONFLICT (postcode) DO UPDATE SET latitude = excluded.latitude, longitude = excluded.longitude", args...)
			if err != nil {
				return err
			}
		}
		return nil
	})
}
