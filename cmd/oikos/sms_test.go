package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/notify"
	"oikos/internal/notify/notifytest"
)

// serve with a Notify API key sends the outbox's text messages through
// Notify; a key that cannot be read stops it starting, with one clear line.
func TestServeSendsTextsThroughNotify(t *testing.T) {
	n := notifytest.StartNotify(t)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "o.db")
	vars := map[string]string{"OIKOS_NOTIFY_URL": n.URL, "OIKOS_NOTIFY_API_KEY": n.APIKey(), "OIKOS_NOTIFY_SMS_TEMPLATE": n.TemplateID}
	var stderr bytes.Buffer
	listening := make(chan string, 1)
	e := &env{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr, listening: listening}

	vars["OIKOS_NOTIFY_API_KEY"] = "not-a-key"
	if err := e.serve(context.Background(), []string{"--addr", "127.0.0.1:0", "--db", dbURL}); err == nil || strings.Contains(err.Error(), "not-a-key") {
		t.Fatalf("a bad key: %v", err)
	}
	vars["OIKOS_NOTIFY_API_KEY"] = n.APIKey()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.serve(ctx, []string{"--addr", "127.0.0.1:0", "--db", dbURL}) }()
	select {
	case <-listening:
	case err := <-done:
		t.Fatalf("serve: %v\n%s", err, stderr.String())
	}
	d, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m := notify.Message{Kind: "session_reminder", Channel: notify.ChannelSMS, To: "+447700900123", Body: "Reminder: your first session is tomorrow."}
	if err := d.Tx(context.Background(), func(tx *sql.Tx) error { return notify.Enqueue(context.Background(), tx, m) }); err != nil {
		t.Fatal(err)
	}
	got := n.Wait(t, 1, 15*time.Second)
	if got[0].PhoneNumber != m.To || got[0].Personalisation["body"] != m.Body {
		t.Errorf("Notify got %+v", got[0])
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v", err)
	}
	if !strings.Contains(stderr.String(), "text messages go out through Notify") {
		t.Errorf("log: %s", stderr.String())
	}
}
