package api

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/taiwa-coach/taiwa/api/tenant"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inFlight prometheus.Gauge
	rejected prometheus.Counter
}

func newMetrics(reg *prometheus.Registry, db *tenant.DB) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "taiwa_http_requests_total",
			Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "taiwa_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"route", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "taiwa_http_in_flight_requests",
			Help: "Requests being served now.",
		}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "taiwa_http_rejected_total",
			Help: "Requests answered 503 because the in-flight cap was reached.",
		}),
	}
	reg.MustRegister(m.requests, m.latency, m.inFlight, m.rejected, poolCollector{db})
	return m
}

func (m *metrics) middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			status := c.Response().Status
			if err != nil {
				status, _, _ = classify(err)
			}
			route, method := routeOf(c), c.Request().Method
			m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
			m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
			return err
		}
	}
}

func handleMetrics(reg *prometheus.Registry) echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
}

// poolCollector exports the database pool's statistics at scrape time.
type poolCollector struct{ db *tenant.DB }

var (
	poolTotal    = prometheus.NewDesc("taiwa_db_pool_connections", "Open database connections by state.", []string{"state"}, nil)
	poolMax      = prometheus.NewDesc("taiwa_db_pool_max_connections", "Maximum database connections.", nil, nil)
	poolAcquires = prometheus.NewDesc("taiwa_db_pool_acquires_total", "Connection acquires.", nil, nil)
	poolEmpty    = prometheus.NewDesc("taiwa_db_pool_empty_acquires_total", "Acquires that had to wait for a connection.", nil, nil)
	poolCanceled = prometheus.NewDesc("taiwa_db_pool_canceled_acquires_total", "Acquires given up (timeout or client gone).", nil, nil)
	poolWait     = prometheus.NewDesc("taiwa_db_pool_acquire_wait_seconds_total", "Time spent waiting for connections.", nil, nil)
)

func (poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolTotal, poolMax, poolAcquires, poolEmpty, poolCanceled, poolWait} {
		ch <- d
	}
}

func (p poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := p.db.Pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.ConstructingConns()), "constructing")
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolAcquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolEmpty, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolCanceled, prometheus.CounterValue, float64(s.CanceledAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWait, prometheus.CounterValue, s.AcquireDuration().Seconds())
}
