package notify

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Calendar window: what a subscribed calendar shows of the manager's 1on1s.
const (
	calendarPast   = 30 * 24 * time.Hour
	calendarFuture = 180 * 24 * time.Hour
	calendarMax    = 1000
)

// event is one 1on1 in the feed.
type event struct {
	Session  uuid.UUID
	Member   uuid.UUID
	Alias    string
	Status   string
	Start    time.Time
	Minutes  int
	Modified time.Time
}

// Links turns paths of the web UI into absolute URLs.
type Links struct{ Base string }

func (l Links) prep(member uuid.UUID) string {
	return l.Base + "/#/members/" + member.String() + "/prep"
}
func (l Links) session(id uuid.UUID) string { return l.Base + "/#/sessions/" + id.String() }
func (l Links) member(token string) string  { return l.Base + "/m/" + token }

// Calendar is the calling manager's 1on1s as an iCalendar (RFC 5545) feed:
// scheduled ones with the prep link and the member's open intake link,
// held ones where they were, cancelled ones marked so calendars drop them.
func (n *Notifier) Calendar(ctx context.Context, tx pgx.Tx, links Links, lang string, now time.Time) ([]byte, error) {
	rows, _ := tx.Query(ctx, `SELECT s.id, s.member_id, m.alias, s.status, coalesce(s.held_at, s.scheduled_at),
			coalesce(s.duration_min, 30), s.updated_at
		FROM sessions s JOIN members m ON m.org_id = s.org_id AND m.id = s.member_id
		WHERE coalesce(s.held_at, s.scheduled_at) BETWEEN $1 AND $2
		ORDER BY coalesce(s.held_at, s.scheduled_at) LIMIT $3`, now.Add(-calendarPast), now.Add(calendarFuture), calendarMax)
	events, err := pgx.CollectRows(rows, pgx.RowToStructByPos[event])
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	var scheduled []uuid.UUID
	for _, e := range events {
		if e.Status == "scheduled" {
			scheduled = append(scheduled, e.Session)
		}
	}
	intake, err := n.history.OpenLinks(ctx, tx, scheduled, "intake")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	w := icsWriter{&b}
	w.line("BEGIN", "VCALENDAR")
	w.line("VERSION", "2.0")
	w.line("PRODID", "-//Taiwa//1on1 coach//EN")
	w.line("CALSCALE", "GREGORIAN")
	w.line("METHOD", "PUBLISH")
	w.text("X-WR-CALNAME", msg(lang, "Taiwa 1on1", "Taiwa 1on1"))
	w.line("REFRESH-INTERVAL;VALUE=DURATION", "PT1H")
	for _, e := range events {
		w.event(e, links, intake[e.Session], lang, now)
	}
	w.line("END", "VCALENDAR")
	return b.Bytes(), nil
}

func (w icsWriter) event(e event, links Links, intake, lang string, now time.Time) {
	w.line("BEGIN", "VEVENT")
	w.line("UID", e.Session.String()+"@taiwa")
	w.line("DTSTAMP", icsTime(now))
	w.line("LAST-MODIFIED", icsTime(e.Modified))
	w.line("DTSTART", icsTime(e.Start))
	w.line("DTEND", icsTime(e.Start.Add(time.Duration(max(e.Minutes, 5))*time.Minute)))
	w.text("SUMMARY", msg(lang, "1on1: ", "1on1: ")+e.Alias)
	var desc []string
	switch e.Status {
	case "scheduled":
		w.line("STATUS", "CONFIRMED")
		w.line("URL", links.prep(e.Member))
		desc = append(desc, msg(lang, "準備する: ", "Prepare: ")+links.prep(e.Member))
		if intake != "" {
			desc = append(desc, msg(lang, "メンバーの事前記入リンク（本人に送ってください）: ", "The member's intake link (send it to them): ")+links.member(intake))
		}
	case "held":
		w.line("STATUS", "CONFIRMED")
		w.line("URL", links.session(e.Session))
		desc = append(desc, msg(lang, "振り返る: ", "Reflect: ")+links.session(e.Session))
	default:
		w.line("STATUS", "CANCELLED")
	}
	w.text("DESCRIPTION", strings.Join(desc, "\n"))
	w.line("END", "VEVENT")
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsWriter writes content lines: text values escaped, lines folded at 75
// octets without splitting a UTF-8 sequence (RFC 5545 3.1, 3.3.11).
type icsWriter struct{ b *bytes.Buffer }

var icsEscape = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)

func (w icsWriter) text(name, value string) { w.line(name, icsEscape.Replace(value)) }

func (w icsWriter) line(name, value string) {
	s := name + ":" + value
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.b.WriteString(s[:cut])
		w.b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	w.b.WriteString(s)
	w.b.WriteString("\r\n")
}

func msg(lang, ja, en string) string {
	if lang == "en" {
		return en
	}
	return ja
}
