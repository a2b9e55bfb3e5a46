package llm

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// retryTransport retries a request on 429, 5xx and network errors, waiting
// as long as the server's Retry-After (or OpenAI's retry-after-ms) asks, or
// else an exponential backoff with full jitter. It never retries other
// 4xx, nor a 429 that says the quota is used up: waiting will not fix
// those. A stream is retried only before its first byte: once the status
// line is 200 the response is returned as is.
type retryTransport struct {
	base    http.RoundTripper
	retries int
	maxWait time.Duration
	logger  *slog.Logger
	meter   *Meter
}

const (
	backoffBase = 500 * time.Millisecond
	backoffMax  = 8 * time.Second
	peekLimit   = 64 << 10
)

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			if req.GetBody == nil && req.Body != nil {
				return nil, errNoRewind
			}
			r = req.Clone(req.Context())
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		resp, err := t.base.RoundTrip(r)
		wait, retry := t.decide(req.Context(), resp, err, attempt)
		if !retry {
			if end, ok := req.Context().Value(streamEndKey{}).(*streamEnd); ok && err == nil {
				resp.Body = &doneWatcher{ReadCloser: resp.Body, end: end}
			}
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, peekLimit))
			resp.Body.Close()
		}
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.meter.retry(status)
		t.logger.Info("language model call retried", slog.Int("status", status), slog.Int("attempt", attempt+1),
			slog.Duration("wait", wait))
		if err := sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

type transportError string

func (e transportError) Error() string { return string(e) }

const errNoRewind = transportError("llm: request body cannot be sent again")

// decide says whether to retry and after how long.
func (t *retryTransport) decide(ctx context.Context, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= t.retries || ctx.Err() != nil {
		return 0, false
	}
	if err != nil {
		return backoff(attempt), true // a network error
	}
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
		return 0, false
	}
	if resp.StatusCode == http.StatusTooManyRequests && quotaExhausted(resp) {
		return 0, false
	}
	if wait, ok := retryAfter(resp.Header); ok {
		if wait > t.maxWait {
			return 0, false // longer than a person waits for an answer
		}
		return wait, true
	}
	return backoff(attempt), true
}

// quotaExhausted peeks at a 429's body for OpenAI's insufficient_quota,
// leaving the body readable for the caller.
func quotaExhausted(resp *http.Response) bool {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, peekLimit))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return bytes.Contains(body, []byte("insufficient_quota"))
}

// retryAfter reads retry-after-ms (OpenAI) or Retry-After, in seconds or
// as an HTTP date.
func retryAfter(h http.Header) (time.Duration, bool) {
	if ms, err := strconv.ParseFloat(h.Get("retry-after-ms"), 64); err == nil && ms >= 0 {
		return time.Duration(ms * float64(time.Millisecond)), true
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

// backoff is exponential with full jitter, so that many clients retrying
// at once spread out.
func backoff(attempt int) time.Duration {
	d := min(backoffBase<<attempt, backoffMax)
	return time.Duration(rand.Int64N(int64(d)) + 1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// doneWatcher notes the [DONE] line of a streamed body as it is read.
type doneWatcher struct {
	io.ReadCloser
	end  *streamEnd
	tail []byte // the end of what was read, for a line split across reads
}

var doneLine = []byte("data: [DONE]")

func (w *doneWatcher) Read(p []byte) (int, error) {
	n, err := w.ReadCloser.Read(p)
	if n > 0 && !w.end.done.Load() {
		buf := append(w.tail, p[:n]...)
		if bytes.Contains(buf, doneLine) {
			w.end.done.Store(true)
		}
		w.tail = append(w.tail[:0], buf[max(0, len(buf)-len(doneLine)):]...)
	}
	return n, err
}
