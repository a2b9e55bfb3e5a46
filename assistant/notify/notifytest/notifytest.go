// Package notifytest has local fakes of the services reminders go to: a
// Slack Web API and incoming-webhook endpoint that checks what Slack
// checks and records each payload, and an SMTP server that records each
// message. Tests never reach the internet.
package notifytest

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// SlackPost is one request the fake Slack received.
type SlackPost struct {
	Path    string // /api/chat.postMessage, or a webhook's path
	Token   string // the bearer token, for the Web API
	Channel string
	Text    string
	// ResponseType is "ephemeral" for a slash command's private answer.
	ResponseType string
}

// Slack is the fake: chat.postMessage under /api, incoming webhooks and
// response URLs under /hooks.
type Slack struct {
	*httptest.Server
	Token string // the bot token it accepts

	mu    sync.Mutex
	posts []SlackPost
	fail  string // an error every call answers, when set
}

// NewSlack starts the fake; it stops when the test ends.
func NewSlack(t testing.TB, token string) *Slack {
	s := &Slack{Token: token}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/chat.postMessage", s.postMessage)
	mux.HandleFunc("POST /hooks/", s.hook)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// APIURL is what an organization sets as its Slack API URL.
func (s *Slack) APIURL() string { return s.URL + "/api" }

// HookURL is an incoming webhook (or response URL) on the fake.
func (s *Slack) HookURL(name string) string { return s.URL + "/hooks/" + name }

// Fail makes every call fail with Slack's error code (e.g.
// "channel_not_found"); "" makes them succeed again.
func (s *Slack) Fail(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = code
}

// Posts returns what the fake received, in order.
func (s *Slack) Posts() []SlackPost {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SlackPost(nil), s.posts...)
}

type payload struct {
	Channel      string `json:"channel"`
	Text         string `json:"text"`
	ResponseType string `json:"response_type"`
}

// decode reads a JSON payload as Slack does: JSON content type, a text.
func decode(w http.ResponseWriter, r *http.Request) (payload, bool) {
	var p payload
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return p, false
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 40<<10)).Decode(&p); err != nil || p.Text == "" {
		http.Error(w, "no_text", http.StatusBadRequest)
		return p, false
	}
	return p, true
}

func (s *Slack) postMessage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token != s.Token {
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	p, ok := decode(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	fail := s.fail
	if fail == "" {
		s.posts = append(s.posts, SlackPost{Path: r.URL.Path, Token: token, Channel: p.Channel, Text: p.Text})
	}
	s.mu.Unlock()
	if fail != "" {
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": fail})
		return
	}
	if p.Channel == "" {
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": p.Channel, "ts": "1.0"})
}

func (s *Slack) hook(w http.ResponseWriter, r *http.Request) {
	p, ok := decode(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	fail := s.fail
	if fail == "" {
		s.posts = append(s.posts, SlackPost{Path: r.URL.Path, Text: p.Text, ResponseType: p.ResponseType})
	}
	s.mu.Unlock()
	if fail != "" {
		http.Error(w, fail, http.StatusNotFound)
		return
	}
	io.WriteString(w, "ok")
}

// Mail is one message the fake SMTP server accepted.
type Mail struct {
	From string
	To   []string
	Data string // the message as sent: headers and body
}

// SMTP is a plain SMTP server on loopback (no TLS: reminders set smtp_tls
// to none for it).
type SMTP struct {
	Addr string

	mu    sync.Mutex
	mails []Mail
	down  bool
}

// NewSMTP starts the server; it stops when the test ends.
func NewSMTP(t testing.TB) *SMTP {
	m := &SMTP{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{srv: m}, nil }))
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.Addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return m
}

// Down makes the server refuse every message (a 4xx, as a busy relay
// does) until it is set false.
func (m *SMTP) Down(down bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.down = down
}

// Mails returns the messages accepted so far.
func (m *SMTP) Mails() []Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Mail(nil), m.mails...)
}

type session struct {
	srv  *SMTP
	mail Mail
}

func (s *session) Reset()        { s.mail = Mail{} }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.down {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.mail.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mail.To = append(s.mail.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if len(s.mail.To) == 0 {
		return errors.New("no recipient")
	}
	s.mail.Data = string(b)
	s.srv.mu.Lock()
	s.srv.mails = append(s.srv.mails, s.mail)
	s.srv.mu.Unlock()
	return nil
}
