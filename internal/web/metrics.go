package web

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"oikos/internal/db"
)

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
