package assistant

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/assistant/safety"
)

// Reflection is the coach's prompts for the manager after a 1on1. The
// answers go to the session (history), and the next prep reads them.
type Reflection struct {
	ID               uuid.UUID  `json:"id"`
	SessionID        uuid.UUID  `json:"session_id"`
	Mode             string     `json:"mode"`
	Model            string     `json:"model"`
	FallbackReason   string     `json:"fallback_reason,omitempty"`
	Notice           string     `json:"notice,omitempty"`
	Prompts          []Item     `json:"prompts"`
	Citations        []Citation `json:"citations"`
	DroppedCitations int        `json:"dropped_citations"`
	NoGuidance       bool       `json:"no_guidance"`
	Referral         *Referral  `json:"referral,omitempty"`
	Language         string     `json:"language"`
}

const (
	minPrompts = 3
	maxPrompts = 6
)

// reflectInput is what a reflection draws on.
type reflectInput struct {
	Lang     string
	Session  history.Session
	Previous *int // condition at the previous held session
	Signals  *history.Signals
	Comment  anonymize.Text // the member's comment on this session, if they shared it
	Sources  []Source
}

// Reflect returns 3 to 6 reflection prompts on a logged session, tailored
// to it: the requested style against what happened, the actions agreed or
// not, the change in condition, the member's feedback (figures and shared
// comments only) and a small step from the guidance.
func (c *Coach) Reflect(ctx context.Context, db DB, caller Caller, sessionID uuid.UUID) (Reflection, error) {
	a := &reflectAnswer{answerBase: newBase(c, caller, "reflection"), sessionID: sessionID}
	a.in.Lang = a.id.lang
	if err := c.run(ctx, db, caller, a, nil); err != nil {
		return Reflection{}, err
	}
	return a.r, nil
}

// reflectAnswer is the reflection prompts on a held session (see answer).
type reflectAnswer struct {
	answerBase
	sessionID uuid.UUID

	in  reflectInput
	sig history.Signals
	r   Reflection
}

func (a *reflectAnswer) result() any { return a.r }

// prepare reads the session, the condition at the one before, the
// member's signals and the comment they shared on this session.
func (a *reflectAnswer) prepare(ctx context.Context, tx pgx.Tx) ([]safety.Text, error) {
	c, in, sessionID := a.c, &a.in, a.sessionID
	var err error
	if in.Session, err = c.history.Session(ctx, tx, sessionID); err != nil {
		return nil, err
	}
	if in.Session.Status != "held" {
		return nil, fmt.Errorf("%w: reflection is for a held session; this one is %s", ErrInvalid, in.Session.Status)
	}
	if a.sig, err = c.history.Signals(ctx, tx, in.Session.MemberID, time.Now()); err != nil {
		return nil, err
	}
	in.Signals = &a.sig
	at := in.Session.CreatedAt
	if in.Session.HeldAt != nil {
		at = *in.Session.HeldAt
	}
	err = tx.QueryRow(ctx, `SELECT condition FROM sessions WHERE member_id = $1 AND status = 'held' AND id <> $2
		AND coalesce(held_at, scheduled_at, created_at) < $3 AND condition IS NOT NULL
		ORDER BY coalesce(held_at, scheduled_at, created_at) DESC LIMIT 1`, in.Session.MemberID, sessionID, at).Scan(&in.Previous)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("reflect: %w", err)
	}
	fs, err := c.history.FeedbackSummary(ctx, tx, in.Session.MemberID)
	if err != nil {
		return nil, err
	}
	for _, sc := range fs.SharedComments {
		if sc.SessionID == sessionID {
			in.Comment = sc.Comment
		}
	}
	screened, err := c.history.SafetyTexts(ctx, tx, in.Session.MemberID, time.Now())
	return append(screened, safety.Text{Place: safety.PlaceIntake, Text: in.Session.RequestText.String(), Fresh: true},
		safety.Text{Place: safety.PlaceNote, Text: in.Session.Notes.String(), Fresh: true},
		safety.Text{Place: safety.PlaceComment, Text: in.Comment.String(), Fresh: true}), err
}

// ground retrieves guidance on the requested style, the actions, a fall in
// condition and what the notes say.
func (a *reflectAnswer) ground(ctx context.Context, db DB) error {
	in, lang := &a.in, a.in.Lang
	var qs []query
	if st := in.Session.RequestStyle; st != nil {
		qs = append(qs, query{Text: styleQueries[lang][*st], Topics: []string{"response-style", "listening"}})
	}
	qs = append(qs, fixedQueries[lang]["actions"])
	if in.Previous != nil && in.Session.Condition != nil && *in.Session.Condition < *in.Previous {
		qs = append(qs, fixedQueries[lang]["condition"])
	}
	if !in.Session.Notes.Empty() {
		qs = append(qs, query{Text: in.Session.Notes.String(), Topics: in.Session.RequestTopics})
	}
	var err error
	in.Sources, err = a.c.retrieveWithNext(ctx, db, lang, qs)
	return err
}

// compose writes the prompts, or, on a matter the coach does not coach
// on, the referral's steps in their place.
func (a *reflectAnswer) compose(ref *Referral) {
	if ref == nil {
		a.r = composeReflection(a.in)
	} else {
		a.r = Reflection{Mode: ModeOffline, Prompts: []Item{}, Citations: []Citation{}, Referral: ref, Language: a.in.Lang}
		for _, s := range ref.Steps {
			a.r.Prompts = append(a.r.Prompts, Item{Text: s, Cites: []int{}})
		}
	}
	a.r.ID, a.r.SessionID = a.id.id, a.sessionID
}

func (a *reflectAnswer) prompt() ([]llm.Message, []Source) {
	data := guidanceSection(a.in.Sources) + historySection(a.in.Lang, &a.sig, nil) + sessionSection(a.in)
	return messagesFor("reflection", a.in.Lang, data), a.in.Sources
}

// accept takes the model's list of prompts; none is no answer.
func (a *reflectAnswer) accept(reply llm.Reply) bool {
	items, cited, dropped := listItems(reply.Text, len(a.in.Sources))
	if len(items) == 0 {
		return false
	}
	a.r.Mode, a.r.Model, a.r.Prompts, a.r.DroppedCitations = ModeLLM, a.c.llm.Model(), items[:min(len(items), maxPrompts)], dropped
	a.r.Citations = []Citation{}
	for _, n := range cited {
		s := a.in.Sources[n-1]
		a.r.Citations = append(a.r.Citations, citationOf(s, excerpt(s.Hit.Text)))
	}
	return true
}

func (a *reflectAnswer) offline(reason, notice string) (string, []Citation) {
	a.r.FallbackReason, a.r.Notice = reason, notice
	return "", nil // a reflection is not streamed
}

func (a *reflectAnswer) save(ctx context.Context, tx pgx.Tx, usage llm.Reply) error {
	r, memberID := a.r, a.in.Session.MemberID
	return saveAnswer(ctx, tx, a.caller, answerRecord{ID: r.ID, Kind: "reflection", Mode: r.Mode, Model: r.Model,
		MemberID: &memberID, SessionID: &a.sessionID, Answer: r, Referral: r.Referral, Citations: len(r.Citations), Dropped: r.DroppedCitations,
		Sources: a.in.Sources, Cited: r.Citations,
		PromptTokens: usage.PromptTokens, CompletionTokens: usage.CompletionTokens})
}

// retrieveWithNext is retrieve, plus the "before the next 1on1" section of
// the three best documents: that is where a reflection's small step comes
// from.
func (c *Coach) retrieveWithNext(ctx context.Context, db DB, lang string, qs []query) ([]Source, error) {
	sources, sections, docs, err := c.retrieveDocs(ctx, db, lang, qs, nil, nil)
	if err != nil || len(sources) == 0 {
		return sources, err
	}
	top := docs[:min(len(docs), 3)]
	for _, h := range sections {
		if slices.Contains(top, h.DocumentID) && sectionOf(h.HeadingPath) == sectionNext &&
			!slices.ContainsFunc(sources, func(s Source) bool { return s.Hit.ChunkID == h.ChunkID }) {
			sources = append(sources, Source{N: len(sources) + 1, Hit: h, Section: sectionNext})
		}
	}
	return sources, nil
}

func sessionSection(in reflectInput) string {
	s := in.Session
	var b strings.Builder
	b.WriteString("<history>\nthis session:\n")
	if s.RequestStyle != nil {
		fmt.Fprintf(&b, "  requested response style: %s (%s)\n", *s.RequestStyle, styleLabel(in.Lang, *s.RequestStyle))
	}
	if len(s.RequestTopics) > 0 {
		fmt.Fprintf(&b, "  topics: %s\n", topicLabels(in.Lang, s.RequestTopics))
	}
	if !s.RequestText.Empty() {
		fmt.Fprintf(&b, "  request: %s\n", fenceMasked(s.RequestText))
	}
	if s.Condition != nil {
		prev := "unknown"
		if in.Previous != nil {
			prev = fmt.Sprint(*in.Previous)
		}
		fmt.Fprintf(&b, "  condition: %d (previous %s)\n", *s.Condition, prev)
	}
	if !s.Notes.Empty() {
		fmt.Fprintf(&b, "  manager's notes: %s\n", fenceMasked(s.Notes))
	}
	fmt.Fprintf(&b, "  actions agreed: %d\n", len(s.Actions))
	for _, a := range s.Actions {
		fmt.Fprintf(&b, "    - %s (owner %s)\n", fenceMasked(a.Text), a.Owner)
	}
	if !in.Comment.Empty() {
		fmt.Fprintf(&b, "  the member's comment, shared with the manager: %s\n", fenceMasked(in.Comment))
	}
	b.WriteString("</history>\n")
	return b.String()
}

// listItems reads a model's list: one item per line, citations checked.
func listItems(text string, sources int) ([]Item, []int, int) {
	p := parseAnswer("[agenda]\n"+text, sources)
	return p.sections["agenda"], p.cited, p.dropped
}

// composeReflection is the offline reflection: prompts chosen by rule from
// what happened in the session, with guidance cited where it applies.
func composeReflection(in reflectInput) Reflection {
	lang, s, sig := in.Lang, in.Session, in.Signals
	cite := newCiter(in.Sources)
	r := Reflection{Mode: ModeOffline, Language: lang, NoGuidance: len(in.Sources) == 0}
	var ps []Item
	if s.RequestStyle != nil {
		topics := []string{"response-style"}
		if *s.RequestStyle == "listen" {
			topics = append(topics, "listening")
		}
		src := pick(in.Sources, []string{sectionAvoid, sectionPractice, sectionMisconception, sectionOther}, topics...)
		ps = append(ps, citeFor(cite, src, about(lang, personOf(sig), "reflect.style", sig.Alias, styleLabel(lang, *s.RequestStyle))))
	} else {
		ps = append(ps, Item{Text: about(lang, personOf(sig), "reflect.nostyle", sig.Alias), Cites: []int{}})
	}
	pdca := pick(in.Sources, []string{sectionPractice, sectionOther}, "pdca")
	if len(s.Actions) > 0 {
		ps = append(ps, citeFor(cite, pdca, about(lang, personOf(sig), "reflect.actions", len(s.Actions))))
	} else {
		ps = append(ps, citeFor(cite, pdca, about(lang, personOf(sig), "reflect.noactions")))
	}
	if in.Previous != nil && s.Condition != nil && *in.Previous != *s.Condition {
		if *s.Condition < *in.Previous {
			src := pick(in.Sources, []string{sectionPractice, sectionQuestions, sectionOther}, "wellbeing")
			ps = append(ps, citeFor(cite, src, about(lang, personOf(sig), "reflect.condition.down", *in.Previous, *s.Condition)))
		} else {
			ps = append(ps, Item{Text: about(lang, personOf(sig), "reflect.condition.up", *in.Previous, *s.Condition), Cites: []int{}})
		}
	}
	ps = append(ps, historyPrompts(in, cite)...)
	if !in.Comment.Empty() {
		ps = append(ps, Item{Text: about(lang, personOf(sig), "reflect.comment", sig.Alias, truncate(in.Comment.String(), 160)), Cites: []int{}})
	} else if s.RequestStyle != nil {
		for _, st := range sig.Styles {
			if st.Style == *s.RequestStyle && st.Match.Matched != nil && *st.Match.Matched < 0.7 {
				ps = append(ps, Item{Text: about(lang, personOf(sig), matchKey("reflect.match", *st.Match.Matched), styleLabel(lang, st.Style), st.Match.Ratings, *st.Match.Matched*100), Cites: []int{}})
			}
		}
	}
	if src := pick(in.Sources, []string{sectionNext}); src != nil && len(ps) < maxPrompts {
		if bs := bullets(src.Hit.Text); len(bs) > 0 {
			ps = append(ps, cite.item(about(lang, personOf(sig), "reflect.next", truncate(bs[0], 120)), src.N, bs[0]))
		}
	}
	if len(ps) < minPrompts {
		ps = append(ps, Item{Text: about(lang, personOf(sig), "reflect.talk", sig.Alias), Cites: []int{}})
	}
	r.Prompts = ps[:min(len(ps), maxPrompts)]
	// Citations of prompts cut off by the limit go too.
	kept := map[int]bool{}
	for _, p := range r.Prompts {
		for _, n := range p.Cites {
			kept[n] = true
		}
	}
	r.Citations = []Citation{}
	for _, ct := range cite.citations() {
		if kept[ct.N] {
			r.Citations = append(r.Citations, ct)
		}
	}
	r.Citations = renumber(r.Citations, r.Prompts)
	return r
}

// historyPrompts are the reflection prompts on what the notes of this
// 1on1 show (when it is the latest one) and on the actions still open
// from before it.
func historyPrompts(in reflectInput, cite *citer) []Item {
	lang, s, sig := in.Lang, in.Session, in.Signals
	var ps []Item
	// What the notes of this 1on1 show, when it is the latest one.
	if len(sig.LastSessions) > 0 && sig.LastSessions[0].ID == s.ID {
		if sig.AdvisedDespiteListen {
			src := pick(in.Sources, []string{sectionAvoid, sectionPractice, sectionOther}, "listening", "response-style")
			ps = append(ps, citeFor(cite, src, about(lang, personOf(sig), "reflect.advised")))
		}
		if sig.StatusStreak >= 1 {
			ps = append(ps, Item{Text: about(lang, personOf(sig), "reflect.status"), Cites: []int{}})
		}
	}
	carried := 0
	for _, a := range sig.OpenActions {
		if !slices.ContainsFunc(s.Actions, func(x history.Action) bool { return x.ID == a.ID }) {
			carried++
		}
	}
	if carried > 0 {
		ps = append(ps, Item{Text: about(lang, personOf(sig), "reflect.open", carried), Cites: []int{}})
	}
	return ps
}
