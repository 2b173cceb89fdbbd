package notify

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"oikos/internal/db"
)

// NewCollector reports the outbox at scrape time: how many messages wait,
// are being sent, were sent and failed for good, and how long the oldest
// due message has waited. Alert on failed > 0 or a growing wait.
func NewCollector(d *db.DB) prometheus.Collector { return &collector{db: d} }

type collector struct{ db *db.DB }

var (
	outboxMessages = prometheus.NewDesc("oikos_outbox_messages", "Messages in the email outbox by delivery status.", []string{"status"}, nil)
	outboxWait     = prometheus.NewDesc("oikos_outbox_oldest_due_seconds", "How long the oldest message due for sending has waited (0 when none).", nil, nil)
	outboxUp       = prometheus.NewDesc("oikos_outbox_scrape_ok", "1 when the outbox could be read for these metrics.", nil, nil)
)

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxMessages
	ch <- outboxWait
	ch <- outboxUp
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, wait, err := c.read(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(outboxUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(outboxUp, prometheus.GaugeValue, 1)
	for _, s := range []string{StatusPending, StatusSending, StatusSent, StatusFailed} {
		ch <- prometheus.MustNewConstMetric(outboxMessages, prometheus.GaugeValue, float64(counts[s]), s)
	}
	ch <- prometheus.MustNewConstMetric(outboxWait, prometheus.GaugeValue, wait.Seconds())
}

func (c *collector) read(ctx context.Context) (map[string]int64, time.Duration, error) {
	rows, err := c.db.R().QueryContext(ctx, "SELECT status, COUNT(*) FROM outbox GROUP BY status")
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	counts := map[string]int64{}
	for rows.Next() {
		var s string
		var n int64
		if err := rows.Scan(&s, &n); err != nil {
			return nil, 0, err
		}
		counts[s] = n
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	now := time.Now()
	var oldest *int64
	if err := c.db.R().QueryRowContext(ctx, "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1",
		db.Millis(now)).Scan(&oldest); err != nil {
		return nil, 0, err
	}
	var wait time.Duration
	if oldest != nil {
		wait = now.Sub(db.Time(*oldest))
	}
	return counts, wait, nil
}
