package assistant

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/assistant/safety"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// Event is one server-sent event of a streamed answer:
//   - meta: the answer's id, mode and model (sent again if the mode
//     changes before any text, e.g. the model was unavailable);
//   - delta: a piece of text;
//   - citation: a source the text cites, the first time it does;
//   - reset: the text so far is void (the model's stream broke); an offline
//     answer follows;
//   - done: the whole structured answer.
type Event struct {
	Type string
	Data any
}

// Emit sends an event to the client; an error (the client went away) stops
// the answer.
type Emit func(Event) error

// progress tells a streaming client what the answer is waiting for:
// "retrieving" (the history was read; the screen and retrieval run).
func progress(emit Emit, stage string) error {
	if emit == nil {
		return nil
	}
	return emit(Event{Type: "progress", Data: map[string]string{"stage": stage}})
}

// Meta is the data of a meta event.
type Meta struct {
	AnswerID       uuid.UUID `json:"answer_id"`
	Mode           string    `json:"mode"`
	Model          string    `json:"model"`
	FallbackReason string    `json:"fallback_reason,omitempty"`
}

// PrepRequest asks for a plan for a member's next 1on1.
type PrepRequest struct {
	MemberID uuid.UUID
	// SessionID picks a scheduled session (default: the next one).
	SessionID *uuid.UUID
	// Question is the manager's own question or plan, as typed.
	Question string
}

const maxQuestionRunes = 2000

// styleQueries find guidance on each response style a member can ask for.
var styleQueries = map[string]map[string]string{
	"ja": {
		"listen":         "ただ聞いてほしい 聞き役に徹する 解決しない",
		"advise":         "アドバイスがほしい 選択肢を示す 判断を委ねる",
		"think-together": "一緒に考えてほしい 論点の整理 選択肢を広げる",
		"encourage":      "励ましてほしい 努力を認める 進歩を伝える",
		"decide":         "決めてほしい 判断と理由",
		"report":         "報告したい 進捗共有",
	},
	"en": {
		"listen":         "member asks you to just listen holding back fixing reflex",
		"advise":         "member asks for advice options",
		"think-together": "member asks to think it through together",
		"encourage":      "member asks for encouragement",
		"decide":         "member asks you to decide",
		"report":         "member wants to report progress",
	},
}

var fixedQueries = map[string]map[string]query{
	"ja": {
		"condition": {Text: "コンディション 低下 疲れ 様子", Topics: []string{"wellbeing"}},
		"actions":   {Text: "アクション フォロー 振り返り 次の一歩", Topics: []string{"pdca"}},
		"promise":   {Text: "上司のアクションを先に報告する 約束 自分から", Topics: []string{"pdca"}},
		"done":      {Text: "完了したアクション やってみてどうだった ねぎらう", Topics: []string{"pdca", "recognition"}},
		"norequest": {Text: "話すことがない 1on1 テーマ", Topics: []string{"basics"}},
		"newmember": {Text: "新しく入ったメンバー 最初の1on1 目的を説明 立ち上がり", Topics: []string{"onboarding", "basics"}},
		"missed":    {Text: "1on1 中止ではなく日程変更 習慣 続ける", Topics: []string{"pdca"}},
	},
	"en": {
		"condition": {Text: "condition falling tired signs", Topics: []string{"wellbeing"}},
		"actions":   {Text: "follow up actions next step habit", Topics: []string{"pdca"}},
		"promise":   {Text: "report on your own actions first promises kept", Topics: []string{"pdca"}},
		"done":      {Text: "completed action how did it go acknowledge", Topics: []string{"pdca", "recognition"}},
		"norequest": {Text: "nothing to talk about 1on1 purpose", Topics: []string{"basics"}},
		"newmember": {Text: "new member first 1on1 explain the purpose onboarding", Topics: []string{"onboarding", "basics"}},
		"missed":    {Text: "cancelled 1on1 reschedule do not cancel habit", Topics: []string{"pdca"}},
	},
}

// Prep prepares the manager for a member's next 1on1. With emit set the
// answer streams (see Event); the returned plan is the same either way.
func (c *Coach) Prep(ctx context.Context, db DB, caller Caller, req PrepRequest, emit Emit) (Plan, error) {
	if utf8.RuneCountInString(req.Question) > maxQuestionRunes {
		return Plan{}, fmt.Errorf("%w: the question is limited to 2,000 characters", ErrInvalid)
	}
	a := &prepAnswer{answerBase: newBase(c, caller, "prep"), req: req}
	a.id.besides = true // a plan can carry a vague referral as a watch-out
	if err := c.run(ctx, db, caller, a, emit); err != nil {
		return Plan{}, err
	}
	return a.plan, nil
}

// prepAnswer is a plan for a member's next 1on1 (see answer).
type prepAnswer struct {
	answerBase
	req PrepRequest

	sig     history.Signals
	checks  []knowledge.DocumentCheck
	in      prepInput
	similar []history.SessionMatch
	plan    Plan
}

func (a *prepAnswer) result() any { return a.plan }

func (a *prepAnswer) criticisesInPublic() bool {
	q := a.in.Question.String()
	if q == "" {
		return false
	}
	kinds, steps := readSteps(q, a.c.intent.Kinds)
	if !slices.Contains(kinds, "public-critique") {
		return false
	}
	against, _ := planConflicts(a.checks, q, kinds, steps, &a.sig)
	return slices.ContainsFunc(against, func(c knowledge.DocumentCheck) bool {
		return slices.Contains(c.Plans, "kind:public-critique")
	})
}

// prepare reads the member's signals, the scheduled session picked, the
// plan checks when the manager states something, and masks the question.
func (a *prepAnswer) prepare(ctx context.Context, tx pgx.Tx) ([]safety.Text, error) {
	c, req := a.c, a.req
	var err error
	if a.sig, err = c.history.Signals(ctx, tx, req.MemberID, time.Now()); err != nil {
		return nil, err
	}
	// Only a stated plan is checked.
	if strings.TrimSpace(req.Question) != "" {
		if a.checks, err = c.kb.PlanChecks(ctx, tx, a.id.lang); err != nil {
			return nil, err
		}
	}
	if req.SessionID != nil {
		s, err := c.history.Session(ctx, tx, *req.SessionID)
		if err != nil {
			return nil, err
		}
		if s.MemberID != req.MemberID {
			return nil, fmt.Errorf("session %s of member %s: %w", s.ID, req.MemberID, history.ErrNotFound)
		}
		b := history.SessionBrief{ID: s.ID, Status: s.Status, Topics: s.RequestTopics, Style: s.RequestStyle,
			Request: s.RequestText, RequestFrom: s.RequestFrom, Condition: s.Condition, Notes: s.Notes}
		if s.ScheduledAt != nil {
			b.At = *s.ScheduledAt
		}
		a.sig.Next = &b
	}
	masked, _, err := c.history.Mask(ctx, tx, a.id.lang, req.MemberID, strings.TrimSpace(req.Question))
	if err != nil {
		return nil, err
	}
	a.sig.Asked = masked[0]
	a.in = prepInput{Lang: a.id.lang, Signals: &a.sig, Question: masked[0]}
	screened, err := c.history.SafetyTexts(ctx, tx, req.MemberID, time.Now())
	if err != nil {
		return nil, err
	}
	if n := a.sig.Next; n != nil {
		// A session picked by id may be older than the window.
		screened = append(screened, safety.Text{Place: safety.PlaceIntake, Text: n.Request.String(), Fresh: true},
			safety.Text{Place: safety.PlaceNote, Text: n.Notes.String(), Fresh: true})
	}
	return append(screened, safety.Text{Place: safety.PlaceQuestion, Text: masked[0].String(), Fresh: true}), nil
}

// ground reads the plan the manager states and retrieves the guidance for
// the member, the documents that weigh the plan among it.
func (a *prepAnswer) ground(ctx context.Context, db DB) error {
	in := &a.in
	if !in.Question.Empty() {
		in.Kinds, in.Steps = readSteps(in.Question.String(), a.c.intent.Kinds)
	}
	against, fits := planConflicts(a.checks, in.Question.String(), in.Kinds, in.Steps, &a.sig)
	if len(in.Steps) == 0 {
		against = onThePlan(against, in.Question.String(), a.c.intent.Kinds, &a.sig)
		if len(against) > 0 {
			// Read only to quote the sentence a warning is about.
			in.Said = readSentences(in.Question.String(), a.c.intent.Kinds)
		}
	}
	var err error
	if in.Sources, in.Reserve, a.similar, err = a.c.prepSources(ctx, db, in.Lang, &a.sig, a.req.MemberID, in.Question, slices.Concat(against, fits)); err != nil {
		return err
	}
	style := requestedStyle(&a.sig)
	in.Conflicts = conflicts(against, in.Sources, style, sectionAvoid, sectionMisconception, sectionPractice, sectionOther, sectionQuestions)
	in.Fits = conflicts(fits, in.Sources, style, sectionPractice, sectionOther, sectionQuestions, sectionMisconception, sectionAvoid)
	return nil
}

func (a *prepAnswer) compose(ref *Referral) {
	a.in.Referral = ref
	a.plan = composePrep(a.in)
	a.plan.ID, a.plan.MemberID = a.id.id, a.req.MemberID
}

func (a *prepAnswer) prompt() ([]llm.Message, []Source) {
	data := guidanceSection(a.in.Sources) + historySection(a.in.Lang, &a.sig, a.similar) + questionSection(a.in.Question)
	return messagesFor("prep", a.in.Lang, data), a.in.Sources
}

func (a *prepAnswer) accept(reply llm.Reply) bool {
	a.plan = llmPlan(a.plan, a.in, reply.Text)
	a.plan.Model = a.c.llm.Model()
	if reply.Cut {
		a.plan.Notice = msg(a.in.Lang, "answer.cut")
	}
	return true
}

func (a *prepAnswer) offline(reason, notice string) (string, []Citation) {
	a.plan.FallbackReason, a.plan.Notice = reason, notice
	return a.plan.String(), a.plan.Citations
}

// save stores the plan, and a gap for the curators when no guidance
// answered it.
func (a *prepAnswer) save(ctx context.Context, tx pgx.Tx, usage llm.Reply) error {
	p, memberID := a.plan, a.req.MemberID
	err := saveAnswer(ctx, tx, a.caller, answerRecord{ID: p.ID, Kind: "prep", Mode: p.Mode, Model: p.Model,
		MemberID: &memberID, SessionID: a.req.SessionID, Answer: p, Referral: p.Referral, Citations: len(p.Citations), Dropped: p.DroppedCitations,
		Sources: a.in.Sources, Cited: p.Citations,
		PromptTokens: usage.PromptTokens, CompletionTokens: usage.CompletionTokens})
	if err != nil || !p.NoGuidance {
		return err
	}
	if n := a.sig.Next; a.in.Question.Empty() && n != nil {
		return recordGap(ctx, tx, a.caller, "prep", n.Request, topicLabels(a.in.Lang, n.Topics))
	}
	return recordGap(ctx, tx, a.caller, "prep", a.in.Question, "")
}

// conflicts are the checks the manager's plan matches, each citing the
// document that declares it: the passage its curator named, or else the
// first of its sections found (a warning cites what to avoid, support
// what to practise).
//
// The quote is the passage of those sections that shares the most with
// the check's watch-out, a later section's only when it shares clearly
// more (two words) than an earlier one's: the first bullet
// of a list of what to avoid ("People have been saying…") supports a
// warning about public criticism less than the bullet about criticism
// does, and a warning that ends "start with a small first step" is backed
// by the practice of small first steps, not by another thing to avoid.
// Outside what to avoid, no passage that says the opposite of the
// response the member asked for (style) is quoted.
func conflicts(planned []knowledge.DocumentCheck, sources []Source, style string, sections ...string) []conflict {
	var out []conflict
	for _, ch := range planned {
		if cf, ok := cited(ch, sources); ok {
			out = append(out, cf)
			continue
		}
		cf, best := conflict{Check: ch}, -1
		for _, sec := range sections {
			margin := 0
			if best >= 0 {
				margin = 1
			}
			for _, s := range sources {
				if s.Hit.DocumentID != ch.DocumentID || s.Section != sec {
					continue
				}
				for _, b := range bullets(s.Hit.Text) {
					if sec != sectionAvoid && opposes(style, b) {
						continue
					}
					if n := shared(b, ch.Watch); n > best+margin {
						cf.Source, cf.Quote, best, margin = s.N, b, n, 0
					}
				}
			}
		}
		out = append(out, cf)
	}
	return out
}

// cited is the conflict of check ch quoting the passage its curator
// named (PlanCheck.Cite), the whole bullet or sentence that holds it, when
// a source does.
func cited(ch knowledge.DocumentCheck, sources []Source) (conflict, bool) {
	if ch.Cite == "" {
		return conflict{}, false
	}
	for _, s := range sources {
		if s.Hit.DocumentID != ch.DocumentID {
			continue
		}
		// A cite may be a sentence of a paragraph beside the bullets.
		for _, b := range slices.Concat(bullets(s.Hit.Text), knowledge.Sentences(plain(s.Hit.Text))) {
			if knowledge.Cites(b, ch.Cite) {
				return conflict{Check: ch, Source: s.N, Quote: b}, true
			}
		}
	}
	return conflict{}, false
}

// prepSources retrieves a prep's guidance and the member's past sessions
// closest to the question, with every query text embedded in one call.
func (c *Coach) prepSources(ctx context.Context, db DB, lang string, sig *history.Signals, memberID uuid.UUID, question anonymize.Text,
	planned []knowledge.DocumentCheck) (sources, reserve []Source, similar []history.SessionMatch, err error) {
	queries := prepQueries(lang, sig, question)
	texts := []string{question.String()}
	for _, q := range queries {
		texts = append(texts, q.Text)
	}
	vecs := c.embedQueries(ctx, texts)
	// The past sessions and the guidance are independent reads, each in
	// its own transaction: side by side, the first answer bytes wait for
	// the slower one, not both.
	done := make(chan struct{})
	go func() {
		defer close(done)
		similar = c.similarSessions(ctx, db, memberID, question, vecs)
	}()
	sources, sections, _, err := c.retrieveDocs(ctx, db, lang, queries, vecs, planned)
	<-done
	for _, h := range sections {
		if !slices.ContainsFunc(sources, func(s Source) bool { return s.Hit.ChunkID == h.ChunkID }) {
			reserve = append(reserve, Source{N: len(sources) + len(reserve) + 1, Hit: h, Section: sectionOf(h.HeadingPath)})
		}
	}
	return sources, reserve, similar, err
}

// prepQueries are the retrievals a prep makes: the requested style, the
// member's request, the manager's question, the condition, the actions,
// the 1on1s that did not take place and the topics, each aimed at the part
// of the taxonomy it concerns. The order is the order in which each
// query's best document is kept (bestDocuments): what a line of the plan
// will cite before the topics' general guidance.
func prepQueries(lang string, sig *history.Signals, question anonymize.Text) []query {
	var qs []query
	n := sig.Next
	if n != nil && n.Style != nil {
		qs = append(qs, query{Text: styleQueries[lang][*n.Style], Topics: []string{"response-style", "listening"}})
	}
	if n != nil && !n.Request.Empty() {
		qs = append(qs, query{Text: n.Request.String(), Topics: n.Topics})
	}
	if !question.Empty() {
		qs = append(qs, query{Text: question.String()})
	}
	if n == nil || (n.Style == nil && n.Request.Empty() && len(n.Topics) == 0) {
		qs = append(qs, fixedQueries[lang]["norequest"])
	}
	if sig.Condition.Change == "down" || (sig.Condition.Latest != nil && *sig.Condition.Latest <= 2) {
		qs = append(qs, fixedQueries[lang]["condition"])
	}
	// The agenda puts the manager's own promises first and acknowledges
	// what the member finished: the guidance on both is what those lines
	// cite.
	if slices.ContainsFunc(sig.OpenActions, func(a history.OpenAction) bool { return a.Owner == "manager" }) ||
		slices.ContainsFunc(sig.DoneActions, func(a history.DoneAction) bool { return a.Owner == "manager" }) {
		qs = append(qs, fixedQueries[lang]["promise"])
	}
	if slices.ContainsFunc(sig.DoneActions, func(a history.DoneAction) bool { return a.Owner == "member" }) {
		qs = append(qs, fixedQueries[lang]["done"])
	}
	if len(sig.OpenActions) > 0 {
		qs = append(qs, fixedQueries[lang]["actions"])
	}
	if sig.MissedSinceLast > 0 {
		qs = append(qs, fixedQueries[lang]["missed"])
	}
	if situations["new-member"](sig) {
		qs = append(qs, fixedQueries[lang]["newmember"])
	}
	if n != nil {
		for _, t := range n.Topics {
			qs = append(qs, query{Text: topicLabel(lang, t) + " 1on1", Topics: []string{t}})
		}
	}
	return qs
}

// offlineReason says why this answer must be offline before the model is
// asked, or "" to ask it. The budget is not checked here: the call's own
// reservation refuses it (spend), in the same transaction that holds it.
func (c *Coach) offlineReason(sensitive bool) string {
	switch {
	case sensitive:
		return ReasonSensitive
	case c.llm == nil:
		return ReasonNotConfigured
	}
	return ""
}

// generate calls the model, streaming deltas and first citations to emit
// when set. It returns a fallback reason instead of an error when the model
// failed (before any text, or mid-stream after a reset event), so the
// caller answers offline; errors are the client's (it went away).
func (c *Coach) generate(ctx context.Context, db DB, caller Caller, msgs []llm.Message, sources []Source, meta Meta, emit Emit) (llm.Reply, string, error) {
	// used counts what a call cost: the endpoint's figures, or the
	// tokenizer's; an answer broken off mid-stream was paid for too.
	used := func(r llm.Reply, err error) (llm.Reply, error) {
		if err == nil || errors.Is(err, llm.ErrInterrupted) {
			r = c.usage(msgs, r)
		}
		return r, err
	}
	hold := func() int64 { return c.hold(msgs, c.maxAnswer) }
	if emit == nil {
		reply, err := c.spend(ctx, db, caller, hold, func() (llm.Reply, error) {
			return used(c.llm.Complete(ctx, msgs, c.maxAnswer))
		})
		switch {
		case errors.Is(err, errOverBudget):
			return llm.Reply{}, ReasonBudget, nil
		case err != nil && ctx.Err() != nil:
			return llm.Reply{}, "", ctx.Err()
		case err != nil:
			return llm.Reply{}, ReasonUnavailable, nil
		case strings.TrimSpace(sanitize(reply.Text)) == "":
			return llm.Reply{}, ReasonEmpty, nil
		}
		return reply, "", nil
	}
	return c.stream(ctx, db, caller, msgs, sources, meta, emit, used, hold)
}

// stream is generate for a streaming client: meta once the budget holds
// the call, then sanitized deltas and each citation as its marker arrives;
// a stream that breaks or shows nothing is reset, to be answered offline.
func (c *Coach) stream(ctx context.Context, db DB, caller Caller, msgs []llm.Message, sources []Source, meta Meta, emit Emit,
	used func(llm.Reply, error) (llm.Reply, error), hold func() int64) (llm.Reply, string, error) {
	var (
		z       streamSanitizer
		shown   strings.Builder
		emitted = map[int]bool{}
	)
	// show sends what the sanitizer let through: deltas carry clean text
	// and real citations only (the sanitizer holds a '[' back until its
	// ']' has come), and a citation is announced with its marker.
	show := func(d string) error {
		if d, _, _ = keepCitations(d, len(sources)); d == "" {
			return nil
		}
		shown.WriteString(d)
		if err := emit(Event{Type: "delta", Data: map[string]string{"text": d}}); err != nil {
			return err
		}
		for _, m := range citeRE.FindAllStringSubmatch(shown.String(), -1) {
			for _, n := range citeNumbers(m[1]) {
				if n >= 1 && n <= len(sources) && !emitted[n] {
					emitted[n] = true
					s := sources[n-1]
					if err := emit(Event{Type: "citation", Data: citationOf(s, excerpt(s.Hit.Text))}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	reply, err := c.spend(ctx, db, caller, hold, func() (llm.Reply, error) {
		// meta says "llm" only once the budget holds the call.
		if err := emit(Event{Type: "meta", Data: meta}); err != nil {
			return llm.Reply{}, err
		}
		return used(c.llm.Stream(ctx, msgs, c.maxAnswer, func(d string) error { return show(z.write(d)) }))
	})
	if err == nil {
		err = show(z.flush())
	}
	reset := func(reason string) (llm.Reply, string, error) {
		if err := emit(Event{Type: "reset", Data: map[string]string{"reason": reason}}); err != nil {
			return llm.Reply{}, "", err
		}
		return llm.Reply{}, reason, nil
	}
	switch {
	case errors.Is(err, errOverBudget):
		return llm.Reply{}, ReasonBudget, nil
	case err == nil && strings.TrimSpace(shown.String()) == "":
		// Nothing to show: only reasoning, markup or a tool call.
		return reset(ReasonEmpty)
	case err == nil:
		return reply, "", nil
	case ctx.Err() != nil:
		return llm.Reply{}, "", ctx.Err()
	case errors.Is(err, llm.ErrInterrupted):
		return reset(ReasonInterrupted)
	case errors.Is(err, llm.ErrUnavailable):
		return llm.Reply{}, ReasonUnavailable, nil
	}
	return llm.Reply{}, "", err // the client went away (emit failed)
}

// usage is the tokens a call used: the endpoint's count, or the
// tokenizer's when it sent none (many local servers do not stream usage).
func (c *Coach) usage(msgs []llm.Message, r llm.Reply) llm.Reply {
	if r.PromptTokens == 0 {
		for _, m := range msgs {
			r.PromptTokens += c.countTokens(m.Content) + 4
		}
	}
	if r.CompletionTokens == 0 {
		r.CompletionTokens = c.countTokens(r.Text)
	}
	return r
}

// streamOffline sends an offline answer as events: meta, the text line by
// line, its citations.
func streamOffline(emit Emit, meta Meta, text string, citations []Citation) error {
	if emit == nil {
		return nil
	}
	if err := emit(Event{Type: "meta", Data: meta}); err != nil {
		return err
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		if line == "" {
			continue
		}
		if err := emit(Event{Type: "delta", Data: map[string]string{"text": line}}); err != nil {
			return err
		}
	}
	for _, ct := range citations {
		if err := emit(Event{Type: "citation", Data: ct}); err != nil {
			return err
		}
	}
	return nil
}

// llmPlan fills a plan from the model's answer. Follow-ups stay the open
// actions from the history (facts, not the model's words), and watch-outs
// about a stated plan that runs against the guidance are kept whatever the
// model wrote: both modes must flag those.
func llmPlan(offline Plan, in prepInput, text string) Plan {
	p := parseAnswer(text, len(in.Sources))
	plan := offline
	plan.Mode, plan.FallbackReason, plan.Notice = ModeLLM, "", ""
	plan.Summary = p.summary
	plan.Agenda = nonNil(p.sections["agenda"])
	plan.Questions = nonNil(p.sections["questions"])
	plan.WatchOuts = nonNil(p.sections["watch_outs"])
	plan.DroppedCitations, plan.UnsupportedDropped = p.dropped, p.unsupported
	cited := p.cited
	for _, w := range offline.conflicts {
		plan.WatchOuts = append(plan.WatchOuts, w)
		for _, n := range w.Cites {
			if !slices.Contains(cited, n) {
				cited = append(cited, n)
			}
		}
	}
	plan.Citations = []Citation{}
	for n := 1; n <= len(in.Sources); n++ {
		if slices.Contains(cited, n) {
			s := in.Sources[n-1]
			plan.Citations = append(plan.Citations, citationOf(s, excerpt(s.Hit.Text)))
		}
	}
	return plan
}

// similarSessions finds the member's past sessions closest to the
// question, when an embedding model is configured. Notes are embedded in
// the background after each save (jobs.EmbedNotes), not here: a prep does
// not wait for them. It is best effort: a failure costs the prep some
// context, not its answer.
func (c *Coach) similarSessions(ctx context.Context, db DB, memberID uuid.UUID, question anonymize.Text, vecs *queryVectors) []history.SessionMatch {
	if c.embedder == nil || question.Empty() || (vecs != nil && vecs.failed) {
		return nil
	}
	v := vecs.vector(c.embedder.Model(), question.String())
	if v == nil {
		// Another model than the knowledge base's.
		vs, err := c.embedder.Embed(ctx, []string{question.String()})
		if err != nil || len(vs) != 1 {
			c.logger.WarnContext(ctx, "embed question", slog.Any("error", err))
			return nil
		}
		v = vs[0]
	}
	var out []history.SessionMatch
	err := db.InTx(ctx, func(tx pgx.Tx) (err error) {
		out, err = c.history.SimilarSessions(ctx, tx, memberID, c.embedder.Model(), v, 3)
		return err
	})
	if err != nil {
		c.logger.WarnContext(ctx, "similar sessions", slog.String("error", err.Error()))
		return nil
	}
	return out
}
