package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRecoveryAfterDatabaseRestart puts a server under 500 requests a second,
// takes its PostgreSQL away for a few seconds and brings it back, and reports
// how long after the database is back the server answers again. It runs
// when TAIWA_RESTART_CMD names a command that restarts the database (in CI:
// '.ci/postgres.sh restart 3'); it restarts the server the other tests use,
// so CI runs it on its own. It asserts only what must hold whatever the
// machine's speed: the server recovers, and no request gets a 500.
func TestRecoveryAfterDatabaseRestart(t *testing.T) {
	restart := os.Getenv("TAIWA_RESTART_CMD")
	if restart == "" {
		t.Skip("set TAIWA_RESTART_CMD to a command that restarts the database")
	}
	getenv := env("DATABASE_URL", db.URL, "TAIWA_DB_SCHEMA", db.Schema, "TAIWA_DB_ACQUIRE_TIMEOUT", "1s")
	base, _, stderr, stop := startServe(t, getenv)
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"admin", "bootstrap", "-org", "Load org", "-name", "Manager"}, getenv, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	token := tokenRE.FindString(out.String())

	type result struct {
		at     time.Time
		status int // 0: transport error or client timeout
	}
	var (
		mu      sync.Mutex
		results []result
		wg      sync.WaitGroup
		active  atomic.Int32
	)
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 200}}
	const rate = 500
	const total = 14 * time.Second
	start := time.Now()
	var downAt, upAt time.Time
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(3 * time.Second)
		downAt = time.Now()
		fields := strings.Fields(restart)
		cmd := exec.Command(fields[0], fields[1:]...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", restart, err, b)
		}
		upAt = time.Now()
	}()
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	for time.Since(start) < total {
		<-tick.C
		if active.Load() >= 1000 {
			continue // the client side is saturated; do not pile up goroutines
		}
		wg.Add(1)
		active.Add(1)
		go func() {
			defer wg.Done()
			defer active.Add(-1)
			req, _ := http.NewRequest("GET", base+"/api/me", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			r := result{}
			resp, err := client.Do(req)
			if err == nil {
				r.status = resp.StatusCode
				resp.Body.Close()
			}
			r.at = time.Now()
			mu.Lock()
			results = append(results, r)
			mu.Unlock()
		}()
	}
	wg.Wait()
	<-done
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}

	sort.Slice(results, func(i, j int) bool { return results[i].at.Before(results[j].at) })
	counts := map[int]int{}
	for _, r := range results {
		counts[r.status]++
	}
	// Recovered: the first moment after the database is back from which a
	// whole second of answers is at least 99% successful.
	var recoveredAt time.Time
	for i, r := range results {
		if r.at.Before(upAt) {
			continue
		}
		ok, n := 0, 0
		for _, s := range results[i:] {
			if s.at.Sub(r.at) > time.Second {
				break
			}
			n++
			if s.status == 200 {
				ok++
			}
		}
		if n > 0 && ok*100 >= n*99 && results[len(results)-1].at.Sub(r.at) > time.Second {
			recoveredAt = r.at
			break
		}
	}
	t.Logf("recovery: %d requests at %d/s; database down %.1f s; statuses %v", len(results), rate, upAt.Sub(downAt).Seconds(), counts)
	if recoveredAt.IsZero() {
		t.Fatalf("the server did not recover within %.1f s of the database coming back", results[len(results)-1].at.Sub(upAt).Seconds())
	}
	t.Logf("recovery: answering again %.2f s after the database came back", recoveredAt.Sub(upAt).Seconds())
	if counts[http.StatusInternalServerError] > 0 {
		var logged []string // what the server logged of them, for the cause
		for _, line := range strings.Split(stderr.String(), "\n") {
			if strings.Contains(line, `"status":500`) {
				logged = append(logged, line)
			}
		}
		t.Errorf("%d requests got 500 while the database was away; want 503. The server logged:\n%s",
			counts[http.StatusInternalServerError], strings.Join(logged, "\n"))
	}
}
