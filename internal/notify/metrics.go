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
	outboxMessages = prometheus.NewDesc("oikos_outbox_messages", "Messages in the outbox (email and text) by delivery status.", []string{"status"}, nil)
	outboxWait     = prometheus.NewDesc("oikos_outbox_oldest_due_seconds", "How long the oldest message due for sending has waited (0 when none).", nil, nil)
	outboxUp       = prometheus.NewDesc("oikos_outbox_scrape_ok", "1 when the outbox could be read for these metrics.", nil, nil)
	outboxChannel  = prometheus.NewDesc("oikos_outbox_messages_by_channel", "Messages in the outbox by channel (email, sms) and delivery status.", []string{"channel", "status"}, nil)
)

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxMessages
	ch <- outboxWait
	ch <- outboxUp
	ch <- outboxChannel
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, byChannel, wait, err := c.read(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(outboxUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(outboxUp, prometheus.GaugeValue, 1)
	for _, s := range []string{StatusPending, StatusSending, StatusSent, StatusFailed} {
		ch <- prometheus.MustNewConstMetric(outboxMessages, prometheus.GaugeValue, float64(counts[s]), s)
	}
	ch <- prometheus.MustNewConstMetric(outboxWait, prometheus.GaugeValue, wait.Seconds())
	for _, channel := range []string{ChannelEmail, ChannelSMS} {
		for _, s := range []string{StatusPending, StatusSending, StatusSent, StatusFailed} {
			ch <- prometheus.MustNewConstMetric(outboxChannel, prometheus.GaugeValue, float64(byChannel[channel+"/"+s]), channel, s)
		}
	}
}

func (c *collector) read(ctx context.Context) (counts, byChannel map[string]int64, wait time.Duration, err error) {
	rows, err := c.db.R().QueryContext(ctx, "SELECT channel, status, COUNT(*) FROM outbox GROUP BY channel, status")
	if err != nil {
		return nil, nil, 0, err
	}
	defer rows.Close()
	counts, byChannel = map[string]int64{}, map[string]int64{}
	for rows.Next() {
		var channel, s string
		var n int64
		if err := rows.Scan(&channel, &s, &n); err != nil {
			return nil, nil, 0, err
		}
		counts[s] += n
		byChannel[channel+"/"+s] = n
	}
	if err := rows.Err(); err != nil {
		return nil, nil, 0, err
	}
	now := time.Now()
	var oldest *int64
	if err := c.db.R().QueryRowContext(ctx, "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1",
		db.Millis(now)).Scan(&oldest); err != nil {
		return nil, nil, 0, err
	}
	if oldest != nil {
		wait = now.Sub(db.Time(*oldest))
	}
	return counts, byChannel, wait, nil
}
