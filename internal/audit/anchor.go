package audit

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"oikos/internal/db"
)

// The anchor file. Someone who can write to the database can cut entries
// from the end of the log, or rebuild the whole chain, and leave no break
// in it. So the server writes the tail of the log, from time to time, to a
// file the database cannot touch (on another disk or machine, ideally
// append-only: chattr +a, or a log shipper), one line per anchor:
//
//	2026-11-23T09:00:00Z 4817 <hash of entry 4817> <its seal, or ->
//
// and `oikos audit verify --audit-anchor FILE` checks that the log still
// holds every anchored entry with the same hash. The hash covers every
// entry before it, so an anchor fixes the whole log up to it.

// Anchor is one line of the anchor file: an entry's id and hash, and when
// the anchor was written.
type Anchor struct {
	At   time.Time
	ID   int64
	Hash string
	MAC  string // the entry's seal, "" when unsealed
}

// String is the anchor as a line of the file, without the newline.
func (a Anchor) String() string {
	mac := a.MAC
	if mac == "" {
		mac = "-"
	}
	return fmt.Sprintf("%s %d %s %s", a.At.UTC().Format(time.RFC3339Nano), a.ID, a.Hash, mac)
}

// Tail is an anchor for the newest entry of the log, false when the log is
// empty.
func Tail(ctx context.Context, q db.Querier) (Anchor, bool, error) {
	var a Anchor
	err := q.QueryRowContext(ctx, "SELECT id, hash, mac FROM audit_log ORDER BY id DESC LIMIT 1").Scan(&a.ID, &a.Hash, &a.MAC)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	a.At = time.Now().UTC()
	return a, err == nil, err
}

// hexHash reports whether s is a SHA-256 in lower-case hex.
func hexHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ParseAnchor reads one line of the anchor file.
func ParseAnchor(line string) (Anchor, error) {
	var a Anchor
	f := strings.Fields(line)
	if len(f) != 4 {
		return a, errors.New("want 4 fields: time, entry id, hash and seal (or -)")
	}
	at, err := time.Parse(time.RFC3339, f[0])
	if err != nil {
		return a, fmt.Errorf("time %q: want RFC 3339, as in 2026-11-23T09:00:00Z", f[0])
	}
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || id <= 0 {
		return a, fmt.Errorf("entry id %q: want a whole number above 0", f[1])
	}
	if !hexHash(f[2]) {
		return a, fmt.Errorf("hash %q: want 64 lower-case hex digits", f[2])
	}
	mac := f[3]
	if mac == "-" {
		mac = ""
	} else if !hexHash(mac) {
		return a, fmt.Errorf("seal %q: want 64 lower-case hex digits, or -", f[3])
	}
	return Anchor{At: at.UTC(), ID: id, Hash: f[2], MAC: mac}, nil
}

// ReadAnchors reads an anchor file. Blank lines and lines starting with #
// are skipped. A last line without its newline is one the server was
// writing when it stopped: it is left out (torn reports it) rather than
// refused.
func ReadAnchors(r io.Reader) (anchors []Anchor, torn bool, err error) {
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if err == io.EOF {
			return anchors, strings.TrimSpace(line) != "", nil
		}
		if err != nil {
			return nil, false, err
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		a, perr := ParseAnchor(line)
		if perr != nil {
			return nil, false, fmt.Errorf("anchor file line %d: %w", n, perr)
		}
		anchors = append(anchors, a)
	}
}

// ReadAnchorFile reads the anchor file at path.
func ReadAnchorFile(path string) ([]Anchor, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	return ReadAnchors(f)
}

// Anchorer appends the log's tail to an anchor file. Several servers may
// share a database: each writes its own anchors (to its own file, or to a
// shared one, a line at a time); every one of them must still be in the log.
type Anchorer struct {
	DB   *db.DB
	Path string
	Log  *slog.Logger
	last int64
}

// Open checks the file can be appended to, so that a wrong path is found
// at start rather than a minute later, and warns when the log no longer
// holds the file's latest anchor (cut short, or restored from a backup).
func (a *Anchorer) Open(ctx context.Context) error {
	f, err := os.OpenFile(a.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit anchor file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("audit anchor file: %w", err)
	}
	latest, ok, err := lastAnchor(a.Path)
	if err != nil || !ok {
		return err
	}
	var hash string
	err = a.DB.R().QueryRowContext(ctx, "SELECT hash FROM audit_log WHERE id = $1", latest.ID).Scan(&hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if hash == latest.Hash {
		a.last = latest.ID
	} else if a.Log != nil {
		a.Log.Error("the audit log does not hold the latest entry in the anchor file as it was: entries were cut from the end, "+
			"or the database was restored from a backup (then start a new anchor file); run oikos audit verify",
			"entry", latest.ID, "anchored_at", latest.At, "file", a.Path)
	}
	return nil
}

// lastAnchor reads the file's last whole line only: the file grows by a
// line a minute while the log grows, and a server should not read years of
// it to start.
func lastAnchor(path string) (Anchor, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return Anchor{}, false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return Anchor{}, false, err
	}
	const tail = 4096
	off := max(info.Size()-tail, 0)
	b := make([]byte, info.Size()-off)
	if _, err := f.ReadAt(b, off); err != nil && err != io.EOF {
		return Anchor{}, false, err
	}
	lines := strings.Split(string(b), "\n")
	// The last element follows the last newline: empty, or a torn line.
	for i := len(lines) - 2; i >= 0; i-- {
		if i == 0 && off > 0 {
			break // the first line may have been cut by the seek
		}
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		a, err := ParseAnchor(line)
		if err != nil {
			return Anchor{}, false, fmt.Errorf("audit anchor file %s, last line: %w", path, err)
		}
		return a, true, nil
	}
	return Anchor{}, false, nil
}

// Write appends the tail of the log to the file, unless it is the entry
// anchored last, and waits for the line to reach the disk.
func (a *Anchorer) Write(ctx context.Context) error {
	t, ok, err := Tail(ctx, a.DB.R())
	if err != nil || !ok || t.ID == a.last {
		return err
	}
	f, err := os.OpenFile(a.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit anchor file: %w", err)
	}
	// One write of the whole line: appends from several servers to one file
	// do not interleave within it.
	_, err = f.WriteString(t.String() + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("audit anchor file: %w", err)
	}
	a.last = t.ID
	return nil
}

// AnchorEvery is how often a server anchors the log.
const AnchorEvery = time.Minute

// Run anchors the log every interval until ctx ends. The caller writes a
// last anchor after it has stopped serving.
func (a *Anchorer) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.Write(ctx); err != nil && ctx.Err() == nil && a.Log != nil {
				a.Log.Error("could not anchor the audit log", "file", a.Path, "err", err)
			}
		}
	}
}
