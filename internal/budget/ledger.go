package budget

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/report"
)

// The finance ledger: every entry of a scheme's budgets recorded in a
// period, with its referral's reference, supplier and amount. Entries are
// chosen by the UK day they were recorded, not the date they name, so
// that consecutive exports hold every entry exactly once, a purchase
// dated last month but recorded today included.

// LedgerRow is one entry as finance reads it.
type LedgerRow struct {
	ID          string    `json:"id"`
	ReferralID  string    `json:"referral_id"`
	Reference   string    `json:"referral_reference"`
	Kind        string    `json:"kind"`
	Status      string    `json:"status"`
	AmountPence int64     `json:"amount_pence"`
	Supplier    string    `json:"supplier"`
	ServiceID   *string   `json:"service_id"`
	Description string    `json:"description"`
	Date        string    `json:"date"`
	Reverses    string    `json:"reverses,omitempty"`
	By          string    `json:"by"`
	RecordedAt  time.Time `json:"recorded_at"`

	position int64
}

// LedgerQuery is what a finance read asks for: from and to are UK days
// (YYYY-MM-DD; to defaults to today, from to a year before), cursor and
// limit page a JSON read.
type LedgerQuery struct {
	From, To string
	Cursor   string
	Limit    int
}

// LedgerPage is one page of the ledger, the contract's list shape.
type LedgerPage struct {
	From  string      `json:"from"`
	To    string      `json:"to"`
	Items []LedgerRow `json:"items"`
	Total int         `json:"total"`
	Next  *string     `json:"next"`
}

// Page sizes of a JSON read (CONTRACT.md, "Lists").
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// ledgerWindow checks p may read the ledger (their scheme's managers) and
// reads the period as Unix milliseconds [start, end).
func (s *Store) ledgerWindow(p *auth.Principal, from, to string) (scheme string, period report.Period, start, end int64, err error) {
	if p == nil || !auth.Can(p, auth.ReadAction, auth.Object{Kind: auth.KindBudgetLedger, SchemeID: p.SchemeID}) {
		return "", period, 0, 0, oikos.NotFound("Ledger")
	}
	period, err = report.ParsePeriod(from, to, s.now().In(ukZone))
	if err != nil {
		return "", period, 0, 0, err
	}
	day := func(t time.Time) int64 {
		return db.Millis(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, ukZone))
	}
	return p.SchemeID, period, day(period.From), day(period.To.AddDate(0, 0, 1)), nil
}

// ledgerOrder is the order entries are recorded in: by time, and within
// one budget by position when two share a millisecond.
const ledgerOrder = " ORDER BY e.created_at, e.referral_id, e.position"

const ledgerSQL = `SELECT e.id, e.referral_id, e.position, r.reference, e.kind, COALESCE(d.decision, e.status), e.amount_pence, e.supplier, e.service_id,
	e.description, e.on_date, COALESCE(e.reverses, ''), COALESCE(u.name, e.by_user), e.created_at
	FROM budget_entries e JOIN referrals r ON r.id = e.referral_id LEFT JOIN budget_decisions d ON d.entry_id = e.id
	LEFT JOIN users u ON u.id = e.by_user
	WHERE e.scheme_id = $1 AND e.created_at >= $2 AND e.created_at < $3`

// eachLedgerRow calls fn for every entry of the window in the order
// recorded, reading one row at a time into the same LedgerRow: memory
// stays the same however long the ledger.
func eachLedgerRow(ctx context.Context, q db.Querier, query string, args []any, fn func(*LedgerRow) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var row LedgerRow
	var service sql.NullString
	var created int64
	for rows.Next() {
		if err := rows.Scan(&row.ID, &row.ReferralID, &row.position, &row.Reference, &row.Kind, &row.Status, &row.AmountPence, &row.Supplier, &service,
			&row.Description, &row.Date, &row.Reverses, &row.By, &created); err != nil {
			return err
		}
		row.ServiceID = nil
		if service.Valid {
			id := service.String
			row.ServiceID = &id
		}
		row.RecordedAt = db.Time(created)
		if err := fn(&row); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *Store) recordLedgerRead(ctx context.Context, by oikos.Actor, scheme string, p report.Period) error {
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.audit(ctx, tx, by, audit.Read, kindLedger, scheme+":"+p.From.Format(time.DateOnly)+".."+p.To.Format(time.DateOnly))
	})
}

// Ledger reads one page of a scheme's finance ledger for its manager,
// and records the read.
func (s *Store) Ledger(ctx context.Context, p *auth.Principal, by oikos.Actor, q LedgerQuery) (LedgerPage, error) {
	scheme, period, start, end, err := s.ledgerWindow(p, q.From, q.To)
	if err != nil {
		return LedgerPage{}, err
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 0 || limit > MaxLimit:
		return LedgerPage{}, oikos.Invalid(map[string]string{"limit": "Limit must be from 1 to 500."})
	}
	var cursors []cursor
	page := LedgerPage{From: period.From.Format(time.DateOnly), To: period.To.Format(time.DateOnly), Items: []LedgerRow{}}
	args := []any{scheme, start, end}
	query := ledgerSQL
	if q.Cursor != "" {
		c, ok := readCursor(q.Cursor)
		if !ok {
			return LedgerPage{}, oikos.Invalid(map[string]string{"cursor": "This cursor is not one a ledger page gave."})
		}
		query += " AND (e.created_at, e.referral_id, e.position) > ($4, $5, $6)"
		args = append(args, c.at, c.referral, c.position)
	}
	query += ledgerOrder + " LIMIT " + strconv.Itoa(limit+1)
	err = s.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM budget_entries e WHERE e.scheme_id = $1 AND e.created_at >= $2 AND e.created_at < $3",
			scheme, start, end).Scan(&page.Total); err != nil {
			return err
		}
		return eachLedgerRow(ctx, tx, query, args, func(r *LedgerRow) error {
			page.Items = append(page.Items, *r)
			cursors = append(cursors, cursor{db.Millis(r.RecordedAt), r.ReferralID, r.position})
			return nil
		})
	})
	if err != nil {
		return LedgerPage{}, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		next := cursors[limit-1].String()
		page.Next = &next
	}
	return page, s.recordLedgerRead(ctx, by, scheme, period)
}

// cursor is where a page ended, in the ledger's order.
type cursor struct {
	at       int64
	referral string
	position int64
}

func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.at, 10) + ":" + strconv.FormatInt(c.position, 10) + ":" + c.referral))
}

func readCursor(s string) (cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, false
	}
	parts := strings.SplitN(string(b), ":", 3)
	if len(parts) != 3 {
		return cursor{}, false
	}
	at, err1 := strconv.ParseInt(parts[0], 10, 64)
	pos, err2 := strconv.ParseInt(parts[1], 10, 64)
	id := parts[2]
	if err1 != nil || err2 != nil || id == "" || !oikos.PlainText(id, false) || len(id) > 100 {
		return cursor{}, false
	}
	return cursor{at, id, pos}, true
}

// LedgerColumns are the CSV's columns, in order: first those Oikos
// writes itself (ids, dates, kinds, amounts: never quoted, never text a
// person typed), then those holding what people typed.
var LedgerColumns = []string{"recorded_at", "entry_id", "date", "kind", "status", "amount_pence", "reverses",
	"referral_reference", "supplier", "service_id", "description", "by"}

// ledgerCSVSQL reads each entry as ONE text column: both drivers' cost is
// mostly per column read (a type check, a copy and an allocation each), so
// a row costs about one column instead of seven. The column is the time
// recorded in milliseconds, a comma, then the columns Oikos writes itself
// joined with commas (ids, YYYY-MM-DD, kind and status words, whole
// numbers: none can hold a comma, a quote or a line break, so they are
// CSV as they stand), then the free-text columns, each after a unit
// separator (U+001F). Text holding a control character is refused where
// it comes in (oikos.PlainText), so the separator cannot be inside a
// value; a row where it is anyway is refused rather than written askew.
const ledgerCSVSQL = `SELECT CAST(e.created_at AS TEXT) || ',' || e.id || ',' || e.on_date || ',' || e.kind || ',' || COALESCE(d.decision, e.status) || ',' ||
	CAST(e.amount_pence AS TEXT) || ',' || COALESCE(e.reverses, '') || '` + ledgerSep + `' || e.referral_id || '` + ledgerSep + `' || e.supplier || '` + ledgerSep + `' ||
	COALESCE(e.service_id, '') || '` + ledgerSep + `' || e.description || '` + ledgerSep + `' || e.by_user
	FROM budget_entries e LEFT JOIN budget_decisions d ON d.entry_id = e.id
	WHERE e.scheme_id = $1 AND e.created_at >= $2 AND e.created_at < $3` + ledgerOrder

// ledgerSep separates the free-text columns in ledgerCSVSQL's one column.
const ledgerSep = "\x1f"

// ledgerTextColumns is how many free-text columns follow the fixed ones;
// the first names the referral, the last the user.
const ledgerTextColumns = 5

// ledgerNames turns the ids in a ledger row into what the CSV shows: a
// referral's reference and a user's name, read once before the rows (the
// scheme's referrals with a budget and every user: bounded by the people,
// not by the length of the ledger), with a look-up for one not read then
// (a referral that has changed scheme since), through the pool: the
// transaction's one connection is busy with the rows (a reference never
// changes, so another snapshot answers the same).
type ledgerNames struct {
	ctx   context.Context
	pool  db.Querier
	refs  map[string]string
	users map[string]string
}

func newLedgerNames(ctx context.Context, tx *sql.Tx, pool db.Querier, scheme string) (*ledgerNames, error) {
	n := &ledgerNames{ctx: ctx, pool: pool, refs: map[string]string{}, users: map[string]string{}}
	read := func(m map[string]string, q string, args ...any) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, v string
			if err := rows.Scan(&id, &v); err != nil {
				return err
			}
			m[id] = v
		}
		return rows.Err()
	}
	if err := read(n.refs, `SELECT r.id, r.reference FROM budgets b JOIN referrals r ON r.id = b.referral_id WHERE r.scheme_id = $1`, scheme); err != nil {
		return nil, err
	}
	if err := read(n.users, `SELECT id, name FROM users`); err != nil {
		return nil, err
	}
	return n, nil
}

// name answers text column i of a row: the reference for the referral id
// (column 0), the name for the user id (the last; the id itself for a
// user no longer there), anything else as it is.
func (n *ledgerNames) name(i int, v []byte) ([]byte, error) {
	switch i {
	case 0:
		if ref, ok := n.refs[string(v)]; ok {
			return []byte(ref), nil
		}
		var ref string
		if err := n.pool.QueryRowContext(n.ctx, `SELECT reference FROM referrals WHERE id = $1`, string(v)).Scan(&ref); err != nil {
			return nil, err
		}
		n.refs[string(v)] = ref
		return []byte(ref), nil
	case ledgerTextColumns - 1:
		if name, ok := n.users[string(v)]; ok {
			return []byte(name), nil
		}
	}
	return v, nil
}

// appendLedgerLine turns one ledgerCSVSQL row into a CSV line: the time as
// RFC 3339, the fixed columns as they are, each free-text column quoted
// where it needs it and made safe from spreadsheet formulas.
func appendLedgerLine(line, row []byte, name func(i int, v []byte) ([]byte, error)) ([]byte, error) {
	comma := bytes.IndexByte(row, ',')
	if comma < 0 {
		return line, fmt.Errorf("budget: a ledger row without its columns")
	}
	created, err := strconv.ParseInt(string(row[:comma]), 10, 64)
	if err != nil {
		return line, fmt.Errorf("budget: a ledger row's time: %w", err)
	}
	line = db.Time(created).AppendFormat(line, time.RFC3339)
	row = row[comma:]
	cut := bytes.IndexByte(row, ledgerSep[0])
	if cut < 0 {
		return line, fmt.Errorf("budget: a ledger row without its text columns")
	}
	line = append(line, row[:cut]...)
	for i := range ledgerTextColumns {
		row = row[cut+1:]
		cut = bytes.IndexByte(row, ledgerSep[0])
		if (cut < 0) != (i == ledgerTextColumns-1) {
			return line, fmt.Errorf("budget: a ledger row's text holds a control character")
		}
		if cut < 0 {
			cut = len(row)
		}
		v := row[:cut]
		if name != nil {
			if v, err = name(i, v); err != nil {
				return line, err
			}
		}
		line = AppendCSVField(append(line, ','), v, true)
	}
	return line, nil
}

// WriteLedgerCSV checks p may read the ledger and the period is good,
// records the read, then streams every entry of the period to w as CSV,
// one row at a time into one reused line: a national year of a million
// entries goes out in constant memory. Errors before the first byte are
// the caller's to answer; one after it can only cut the file short.
func (s *Store) WriteLedgerCSV(ctx context.Context, p *auth.Principal, by oikos.Actor, from, to string, w io.Writer) error {
	scheme, period, start, end, err := s.ledgerWindow(p, from, to)
	if err != nil {
		return err
	}
	if err := s.recordLedgerRead(ctx, by, scheme, period); err != nil {
		return err
	}
	out := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	for i, c := range LedgerColumns {
		if i > 0 {
			line = append(line, ',')
		}
		line = append(line, c...)
	}
	if _, err := out.Write(append(line, '\n')); err != nil {
		return err
	}
	err = s.DB.ReadTx(ctx, func(tx *sql.Tx) error {
		names, err := newLedgerNames(ctx, tx, s.DB.R(), scheme)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, ledgerCSVSQL, scheme, start, end)
		if err != nil {
			return err
		}
		defer rows.Close()
		// RawBytes: each row is copied into a buffer reused row after
		// row, never into a new string.
		var row sql.RawBytes
		for rows.Next() {
			if err := rows.Scan(&row); err != nil {
				return err
			}
			if line, err = appendLedgerLine(line[:0], row, names.name); err != nil {
				return err
			}
			if _, err := out.Write(append(line, '\n')); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	return out.Flush()
}
