package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// channel is one way a message reaches a user.
type channel struct {
	name string
	send func(context.Context, Message) error
}

// channels are the ways set up for to: Slack (a direct message from the
// organization's bot when the user gave their Slack id, else the user's own
// incoming webhook) and email (to the user's address over the
// organization's SMTP server).
func (n *Notifier) channels(s Settings, to recipient) []channel {
	var out []channel
	switch {
	case s.SlackBotToken != "" && to.Prefs.SlackUserID != "":
		out = append(out, channel{"slack", func(ctx context.Context, m Message) error { return n.slackPost(ctx, s, to.Prefs.SlackUserID, m) }})
	case to.Prefs.SlackWebhookURL != "":
		out = append(out, channel{"slack", func(ctx context.Context, m Message) error {
			return n.slackWebhook(ctx, s, to.Prefs.SlackWebhookURL, slackPayload{Text: m.slackText()})
		}})
	}
	if s.SMTPAddr != "" && to.Email != "" {
		out = append(out, channel{"email", func(ctx context.Context, m Message) error { return sendMail(ctx, s, to.Email, m) }})
	}
	return out
}

// send delivers m on every channel set up for to and returns the ones that
// took it.
func (n *Notifier) send(ctx context.Context, s Settings, to recipient, m Message) ([]string, error) {
	sent := []string{}
	var errs []error
	for _, ch := range n.channels(s, to) {
		if err := ch.send(ctx, m); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ch.name, err))
		} else {
			sent = append(sent, ch.name)
		}
	}
	return sent, errors.Join(errs...)
}

// slackText is m in Slack's mrkdwn: links as <url|text>.
func (m Message) slackText() string {
	var b strings.Builder
	b.WriteString("*" + slackEscape(m.Subject) + "*")
	for _, l := range m.Lines {
		b.WriteString("\n• ")
		if l.URL != "" {
			b.WriteString("<" + l.URL + "|" + slackEscape(l.Text) + ">")
		} else {
			b.WriteString(slackEscape(l.Text))
		}
	}
	return b.String()
}

var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

type slackPayload struct {
	Channel      string `json:"channel,omitempty"`
	Text         string `json:"text"`
	ResponseType string `json:"response_type,omitempty"` // response_url: ephemeral
	UnfurlLinks  bool   `json:"unfurl_links"`
}

// slackPost sends a direct message through the Web API's chat.postMessage.
func (n *Notifier) slackPost(ctx context.Context, s Settings, channel string, m Message) error {
	body, _ := json.Marshal(slackPayload{Channel: channel, Text: m.slackText()})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.SlackAPI()+"/chat.postMessage", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+s.SlackBotToken)
	resp, err := n.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&out); err != nil {
		return fmt.Errorf("status %d: %w", resp.StatusCode, err)
	}
	if !out.OK {
		return fmt.Errorf("chat.postMessage: %s", out.Error)
	}
	return nil
}

// slackWebhook posts to an incoming webhook or a slash command's
// response_url. Only Slack's hosts (or the organization's Slack API host,
// a proxy or a test's fake) are called: the URL came from a user or a
// request, and the server must not be made to call anything else.
func (n *Notifier) slackWebhook(ctx context.Context, s Settings, target string, p slackPayload) error {
	if !SlackURLAllowed(s, target) {
		return fmt.Errorf("%w: not a Slack URL", ErrInvalid)
	}
	body, _ := json.Marshal(p)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := n.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// SlackURLAllowed reports whether target is Slack's (https, hooks.slack.com)
// or on the organization's configured Slack API host.
func SlackURLAllowed(s Settings, target string) bool {
	u, err := url.Parse(target)
	if err != nil || u.User != nil {
		return false
	}
	if u.Scheme == "https" && u.Host == "hooks.slack.com" {
		return true
	}
	if s.SlackAPIURL == "" {
		return false
	}
	api, err := url.Parse(s.SlackAPIURL)
	return err == nil && u.Scheme == api.Scheme && u.Host == api.Host
}

// Slack's request signing (https://api.slack.com/authentication/verifying-requests-from-slack).
var (
	ErrBadSignature = errors.New("bad Slack signature")
	ErrStale        = errors.New("stale Slack request")
)

// slackMaxAge is how old a signed request may be: Slack's advice.
const slackMaxAge = 5 * time.Minute

// VerifySlack checks a request's signature (v0=HMAC-SHA256 of
// "v0:timestamp:body" with the signing secret) and its age.
func VerifySlack(secret, timestamp, signature string, body []byte, now time.Time) error {
	if secret == "" {
		return ErrBadSignature
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > slackMaxAge || d < -slackMaxAge {
		return ErrStale
	}
	got, ok := strings.CutPrefix(signature, "v0=")
	sig, err := hex.DecodeString(got)
	if !ok || err != nil {
		return ErrBadSignature
	}
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%s:", timestamp)
	m.Write(body)
	if !hmac.Equal(sig, m.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// SignSlack is the signature Slack would send: for tests and for anyone
// checking their setup.
func SignSlack(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%s:", timestamp)
	m.Write(body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// slackTextMax keeps an ephemeral answer under Slack's message limit.
const slackTextMax = 3900

// Respond answers a slash command through its response URL, visible to
// the user who typed it only.
func (n *Notifier) Respond(ctx context.Context, s Settings, responseURL, text string) error {
	if r := []rune(text); len(r) > slackTextMax {
		text = string(r[:slackTextMax]) + "…"
	}
	return n.slackWebhook(ctx, s, responseURL, slackPayload{Text: slackEscape(text), ResponseType: "ephemeral"})
}
