package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/safety"
)

// streamTimeout bounds a streamed answer: retrieval, a model call with its
// retries, and saving.
const streamTimeout = 3 * time.Minute

func caller(p tenant.Principal) assistant.Caller {
	return assistant.Caller{OrgID: p.OrgID, UserID: p.UserID, Language: p.Language}
}

// sse writes server-sent events. Once the first event is out, errors can
// no longer change the status: they go out as an error event. While the
// answer waits (retrieval, a slow model) a comment goes out every
// keepAlive, so that proxies and browsers do not take the quiet stream for
// a dead one.
type sse struct {
	c         echo.Context
	keepAlive time.Duration

	mu            sync.Mutex // one writer at a time: events and keep-alives
	started, done bool
	last          time.Time // of the last write
	stop          chan struct{}
}

// start sends the headers; the caller holds s.mu.
func (s *sse) start() {
	if s.started {
		return
	}
	s.started = true
	h := s.c.Response().Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events through at once
	s.c.Response().WriteHeader(http.StatusOK)
	s.stop = make(chan struct{})
	go s.keepAlives(s.stop)
}

// keepAlives writes a comment whenever the stream was quiet for keepAlive.
func (s *sse) keepAlives(stop <-chan struct{}) {
	t := time.NewTicker(s.keepAlive / 5)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			s.mu.Lock()
			if time.Since(s.last) >= s.keepAlive && s.c.Request().Context().Err() == nil {
				fmt.Fprint(s.c.Response(), ": keep-alive\n\n")
				s.c.Response().Flush()
				s.last = time.Now()
			}
			s.mu.Unlock()
		}
	}
}

// close stops the keep-alives; nothing is written after it.
func (s *sse) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		close(s.stop)
		s.stop = nil
	}
}

func (s *sse) send(ev assistant.Event) error {
	if err := s.c.Request().Context().Err(); err != nil {
		return err
	}
	return s.write(ev)
}

// write sends an event even after the request's context ended: the last
// word of a stream the server cuts.
func (s *sse) write(ev assistant.Event) error {
	data, err := json.Marshal(ev.Data)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done = s.done || ev.Type == "done"
	s.start()
	if _, err := fmt.Fprintf(s.c.Response(), "event: %s\ndata: %s\n\n", ev.Type, data); err != nil {
		return err
	}
	s.c.Response().Flush()
	s.last = time.Now()
	return nil
}

// streamOrJSON runs fn with an emitter when the client asked for
// text/event-stream, and answers JSON otherwise. A failure after the stream
// started is sent as an error event with the same code and message an
// error response would carry.
func streamOrJSON[T any](c echo.Context, keepAlive time.Duration, fn func(ctx context.Context, emit assistant.Emit) (T, error)) error {
	if !isStream(c) {
		out, err := fn(c.Request().Context(), nil)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), streamTimeout)
	defer cancel()
	c.SetRequest(c.Request().WithContext(ctx))
	s := &sse{c: c, keepAlive: keepAlive}
	defer s.close()
	_, err := fn(ctx, s.send)
	s.close()
	if errors.Is(context.Cause(c.Request().Context()), ErrShutdown) && s.started && !s.done {
		// The server, not the client, ended it: say so, and log a 503.
		s.write(assistant.Event{Type: "error", Data: errorDetail{Code: "unavailable", Message: ErrShutdown.Error(), RequestID: requestID(c)}})
		return ErrShutdown
	}
	if err == nil {
		return nil
	}
	if !s.started {
		return err // an ordinary error response
	}
	if errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil {
		return nil // the client went away: nobody to tell
	}
	status, code, message := classify(err)
	if status >= http.StatusInternalServerError {
		message = http.StatusText(status)
	}
	s.send(assistant.Event{Type: "error", Data: errorDetail{Code: code, Message: message, RequestID: requestID(c)}})
	if status >= http.StatusInternalServerError {
		return err // logged by the error handler, which writes nothing more
	}
	return nil
}

// handlePrepCreate prepares a manager for a member's next 1on1.
func handlePrepCreate(db *tenant.DB, coach *assistant.Coach, keepAlive time.Duration) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req struct {
			SessionID *uuid.UUID `json:"session_id"`
			Question  string     `json:"question"`
		}
		if c.Request().ContentLength != 0 {
			if err := decode(c, &req); err != nil {
				return err
			}
		}
		return streamOrJSON(c, keepAlive, func(ctx context.Context, emit assistant.Emit) (assistant.Plan, error) {
			return coach.Prep(ctx, db.Scope(p), caller(p), assistant.PrepRequest{MemberID: id, SessionID: req.SessionID, Question: req.Question}, emit)
		})
	}
}

func handleReflectionCreate(db *tenant.DB, coach *assistant.Coach) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		r, err := coach.Reflect(c.Request().Context(), db.Scope(p), caller(p), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	}
}

func handleThreadsList(db *tenant.DB, coach *assistant.Coach) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (map[string]any, error) {
		limit, offset, err := page(c, 50)
		if err != nil {
			return nil, err
		}
		ts, err := coach.Threads(ctx, tx, limit, offset)
		return map[string]any{"threads": ts, "limit": limit, "offset": offset}, err
	})
}

func handleThreadsCreate(db *tenant.DB, coach *assistant.Coach) echo.HandlerFunc {
	return scopedAction(db, http.StatusCreated, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (assistant.Thread, error) {
		var req struct {
			MemberID *uuid.UUID `json:"member_id"`
			Title    string     `json:"title"`
		}
		if err := decode(c, &req); err != nil {
			return assistant.Thread{}, err
		}
		return coach.CreateThread(ctx, tx, caller(p), req.MemberID, req.Title)
	})
}

func handleThreadsGet(db *tenant.DB, coach *assistant.Coach) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (map[string]any, error) {
		t, ms, err := coach.Thread(ctx, tx, id)
		return map[string]any{"thread": t, "messages": ms}, err
	})
}

func handleThreadsDelete(db *tenant.DB, coach *assistant.Coach) echo.HandlerFunc {
	return scopedAction(db, http.StatusNoContent, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (struct{}, error) {
		return struct{}{}, coach.DeleteThread(ctx, tx, id)
	})
}

// handleMessagesCreate answers a chat message; with Accept:
// text/event-stream the answer streams and the client may cancel it by
// closing the connection, which stops the model call.
func handleMessagesCreate(db *tenant.DB, coach *assistant.Coach, keepAlive time.Duration) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req struct {
			Text string `json:"text"`
		}
		if err := decode(c, &req); err != nil {
			return err
		}
		return streamOrJSON(c, keepAlive, func(ctx context.Context, emit assistant.Emit) (assistant.ChatAnswer, error) {
			return coach.Send(ctx, db.Scope(p), caller(p), id, req.Text, emit)
		})
	}
}

func handleAnswerFeedback(db *tenant.DB, coach *assistant.Coach) echo.HandlerFunc {
	return scopedAction(db, http.StatusNoContent, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, id uuid.UUID) (struct{}, error) {
		var req struct {
			Helpful *bool  `json:"helpful"`
			Comment string `json:"comment"`
		}
		if err := decode(c, &req); err != nil {
			return struct{}{}, err
		}
		if req.Helpful == nil {
			return struct{}{}, invalidf("helpful (true or false) is required")
		}
		return struct{}{}, coach.RateAnswer(ctx, tx, caller(p), id, *req.Helpful, req.Comment)
	})
}

func handleContactsGet(db *tenant.DB) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (map[string]any, error) {
		cs, err := assistant.Contacts(ctx, tx)
		return map[string]any{"contacts": cs}, err
	})
}

func handleContactsPut(db *tenant.DB) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (map[string]any, error) {
		var req struct {
			Contacts []assistant.Contact `json:"contacts"`
		}
		if err := decode(c, &req); err != nil {
			return nil, err
		}
		cs, err := assistant.SetContacts(ctx, tx, caller(p), req.Contacts)
		return map[string]any{"contacts": cs}, err
	})
}

// handleGaps is the curators' content-gap report: what managers asked that
// the guidance did not cover (masked, without who asked).
func handleGaps(db *tenant.DB) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (map[string]any, error) {
		days, err := queryInt(c, "days", 30)
		if err != nil {
			return nil, err
		}
		gs, err := assistant.Gaps(ctx, tx, min(max(days, 1), 365), 200)
		return map[string]any{"gaps": gs, "days": days}, err
	})
}

// memberReferral is what a member's page opens with: the referral when the
// member's words or the recent notes touch a matter the coach does not
// coach on, else null.
type memberReferral struct {
	Referral *assistant.Referral `json:"referral"`
}

func handleMemberReferral(db *tenant.DB, coach *assistant.Coach) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		r, err := coach.MemberReferral(c.Request().Context(), db.Scope(p), caller(p), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, memberReferral{Referral: r})
	}
}

// referralDismissal names the texts behind a possible referral that the
// manager read and found not sensitive.
type referralDismissal struct {
	Dismiss []string `json:"dismiss"`
	Topics  []string `json:"topics"`
}

func handleReferralDismiss(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req referralDismissal
		if err := decode(c, &req); err != nil {
			return err
		}
		p := principal(c)
		err := db.Scope(p).InTx(c.Request().Context(), func(tx pgx.Tx) error {
			return assistant.DismissReferral(c.Request().Context(), tx, caller(p), req.Dismiss, req.Topics)
		})
		if err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}

type safetyPhrases struct {
	Phrases []safety.Phrase `json:"phrases"`
}

func handleSafetyPhrasesGet(db *tenant.DB) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (safetyPhrases, error) {
		ps, err := assistant.SafetyPhrases(ctx, tx)
		return safetyPhrases{Phrases: ps}, err
	})
}

func handleSafetyPhrasesPut(db *tenant.DB, coach *assistant.Coach) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req safetyPhrases
		if err := decode(c, &req); err != nil {
			return err
		}
		p := principal(c)
		var out safetyPhrases
		err := db.Scope(p).InTx(c.Request().Context(), func(tx pgx.Tx) (err error) {
			out.Phrases, err = coach.SetSafetyPhrases(c.Request().Context(), tx, caller(p), req.Phrases)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}

type referralCounts struct {
	Months int                       `json:"months"`
	Counts []assistant.ReferralCount `json:"counts"`
}

// handleReferralCounts shows admins how often the coach referred instead of
// coaching: matters and counts per month, nothing else.
func handleReferralCounts(db *tenant.DB) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (referralCounts, error) {
		months, err := queryInt(c, "months", 12)
		if err != nil {
			return referralCounts{}, err
		}
		months = min(max(months, 1), 36)
		cs, err := assistant.ReferralCounts(ctx, tx, months)
		return referralCounts{Months: months, Counts: cs}, err
	})
}
