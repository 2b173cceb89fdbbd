package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"oikos/internal/auth"
	"oikos/internal/db"
)

// MetricsHandler serves the Prometheus metrics to whoever reaches it, for
// a listener of its own that only the monitoring network can reach
// (oikos serve --metrics-addr). They say how busy each route is and how
// many messages wait: nothing for the public.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})
}

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry, d *db.DB) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "oikos_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "oikos_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if d != nil {
		reg.MustRegister(&poolCollector{db: d})
	}
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

// poolCollector reports the database connection pools at scrape time.
type poolCollector struct{ db *db.DB }

var (
	poolOpen     = prometheus.NewDesc("oikos_db_connections_open", "Open database connections.", []string{"pool"}, nil)
	poolInUse    = prometheus.NewDesc("oikos_db_connections_in_use", "Database connections in use.", []string{"pool"}, nil)
	poolIdle     = prometheus.NewDesc("oikos_db_connections_idle", "Idle database connections.", []string{"pool"}, nil)
	poolWait     = prometheus.NewDesc("oikos_db_wait_count_total", "Times a request waited for a database connection.", []string{"pool"}, nil)
	poolWaitTime = prometheus.NewDesc("oikos_db_wait_seconds_total", "Time spent waiting for database connections.", []string{"pool"}, nil)
)

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolOpen, poolInUse, poolIdle, poolWait, poolWaitTime} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	write, read := c.db.Stats()
	for pool, st := range map[string]struct {
		open, inUse, idle int
		wait              int64
		waitTime          time.Duration
	}{
		"write": {write.OpenConnections, write.InUse, write.Idle, write.WaitCount, write.WaitDuration},
		"read":  {read.OpenConnections, read.InUse, read.Idle, read.WaitCount, read.WaitDuration},
	} {
		ch <- prometheus.MustNewConstMetric(poolOpen, prometheus.GaugeValue, float64(st.open), pool)
		ch <- prometheus.MustNewConstMetric(poolInUse, prometheus.GaugeValue, float64(st.inUse), pool)
		ch <- prometheus.MustNewConstMetric(poolIdle, prometheus.GaugeValue, float64(st.idle), pool)
		ch <- prometheus.MustNewConstMetric(poolWait, prometheus.CounterValue, float64(st.wait), pool)
		ch <- prometheus.MustNewConstMetric(poolWaitTime, prometheus.CounterValue, st.waitTime.Seconds(), pool)
	}
}

// hasherCollector reports the password hashers' pool at scrape time: a
// rising refused count is a flood of sign-ins being turned away.
type hasherCollector struct{ h *auth.Hashers }

var (
	hashRuns    = prometheus.NewDesc("oikos_password_hashes_total", "Password hashes and checks run (argon2id).", nil, nil)
	hashRefused = prometheus.NewDesc("oikos_password_hashes_refused_total", "Password hashes and checks refused because every hasher was busy.", nil, nil)
	hashSlots   = prometheus.NewDesc("oikos_password_hashers", "Password hashes that may run at once.", nil, nil)
)

func (c hasherCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- hashRuns
	ch <- hashRefused
	ch <- hashSlots
}

func (c hasherCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.h.Stats()
	ch <- prometheus.MustNewConstMetric(hashRuns, prometheus.CounterValue, float64(st.Runs))
	ch <- prometheus.MustNewConstMetric(hashRefused, prometheus.CounterValue, float64(st.Refused))
	ch <- prometheus.MustNewConstMetric(hashSlots, prometheus.GaugeValue, float64(st.Size))
}
