package assistant

import (
	"context"
	"errors"
	"fmt"
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
)

// Thread is a manager's conversation with the coach, optionally about one
// member.
type Thread struct {
	ID        uuid.UUID  `json:"id"`
	MemberID  *uuid.UUID `json:"member_id"`
	Title     string     `json:"title"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Message is one turn of a thread. An assistant turn carries its answer.
type Message struct {
	ID        uuid.UUID      `json:"id"`
	Role      string         `json:"role"` // user or assistant
	Content   anonymize.Text `json:"content"`
	Answer    *ChatAnswer    `json:"answer,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
}

// ChatAnswer is the coach's answer in a chat.
type ChatAnswer struct {
	ID               uuid.UUID  `json:"id"`
	ThreadID         uuid.UUID  `json:"thread_id"`
	Mode             string     `json:"mode"`
	Model            string     `json:"model"`
	FallbackReason   string     `json:"fallback_reason,omitempty"`
	Notice           string     `json:"notice,omitempty"`
	Text             string     `json:"text"`
	Citations        []Citation `json:"citations"`
	Referral         *Referral  `json:"referral,omitempty"`
	NoGuidance       bool       `json:"no_guidance"`
	DroppedCitations int        `json:"dropped_citations"`
	// UnsupportedDropped: see Plan.
	UnsupportedDropped int    `json:"unsupported_dropped"`
	Language           string `json:"language"`
	// Trimmed counts earlier turns left out to fit the context budget.
	Trimmed int `json:"trimmed"`
	// PromptTokens and CompletionTokens are what the model call cost (0
	// offline), for callers that report usage; the stored answer keeps
	// them in its own columns.
	PromptTokens     int `json:"-"`
	CompletionTokens int `json:"-"`
}

const (
	maxMessageRunes = 4000
	historyTurns    = 40
	maxStoredRunes  = 20000 // chat_messages.content's bound
)

// CreateThread starts a thread, about one of the manager's members when
// memberID is set.
func (c *Coach) CreateThread(ctx context.Context, tx pgx.Tx, caller Caller, memberID *uuid.UUID, title string) (Thread, error) {
	if utf8.RuneCountInString(title) > 200 {
		return Thread{}, fmt.Errorf("%w: the title is limited to 200 characters", ErrInvalid)
	}
	if memberID != nil {
		if _, err := c.history.Member(ctx, tx, *memberID); err != nil {
			return Thread{}, err
		}
	}
	masked, _, err := c.history.Mask(ctx, tx, caller.Language, orNil(memberID), strings.TrimSpace(title))
	if err != nil {
		return Thread{}, err
	}
	rows, _ := tx.Query(ctx, `INSERT INTO chat_threads (org_id, id, manager_id, member_id, title) VALUES ($1, $2, $3, $4, $5)
		RETURNING id, member_id, title, created_at, updated_at`, caller.OrgID, uuid.Must(uuid.NewV7()), caller.UserID, memberID, masked[0])
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Thread])
	if err != nil {
		return Thread{}, fmt.Errorf("create thread: %w", err)
	}
	return t, nil
}

// Threads lists the manager's threads, most recently active first.
func (c *Coach) Threads(ctx context.Context, tx pgx.Tx, limit, offset int) ([]Thread, error) {
	rows, _ := tx.Query(ctx, `SELECT id, member_id, title, created_at, updated_at FROM chat_threads
		ORDER BY updated_at DESC, id DESC LIMIT $1 OFFSET $2`, limit, offset)
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByName[Thread])
	if err != nil {
		return nil, fmt.Errorf("list threads: %w", err)
	}
	return nonNil(ts), nil
}

// Thread returns a thread with its messages, oldest first.
func (c *Coach) Thread(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Thread, []Message, error) {
	rows, _ := tx.Query(ctx, `SELECT id, member_id, title, created_at, updated_at FROM chat_threads WHERE id = $1`, id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Thread])
	if errors.Is(err, pgx.ErrNoRows) {
		return Thread{}, nil, fmt.Errorf("thread %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Thread{}, nil, fmt.Errorf("get thread: %w", err)
	}
	rows, _ = tx.Query(ctx, `SELECT id, role, content, answer, created_at FROM chat_messages WHERE thread_id = $1
		ORDER BY created_at, id`, id)
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[Message])
	if err != nil {
		return Thread{}, nil, fmt.Errorf("get thread: %w", err)
	}
	return t, nonNil(ms), nil
}

// orNil is the member a thread is about, or uuid.Nil for Mask.
func orNil(member *uuid.UUID) uuid.UUID {
	if member == nil {
		return uuid.Nil
	}
	return *member
}

// DeleteThread deletes a thread and its messages.
func (c *Coach) DeleteThread(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	tag, err := tx.Exec(ctx, `DELETE FROM chat_threads WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete thread: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("thread %s: %w", id, ErrNotFound)
	}
	return nil
}

// Send adds the manager's message to a thread and answers it: fresh
// guidance for this turn, the member's signals when the thread is about a
// member, earlier turns within the context budget. With emit set the
// answer streams.
func (c *Coach) Send(ctx context.Context, db DB, caller Caller, threadID uuid.UUID, text string, emit Emit) (ChatAnswer, error) {
	if err := CheckMessage(text); err != nil {
		return ChatAnswer{}, err
	}
	text = strings.TrimSpace(text)
	a := &chatTurn{answerBase: newBase(c, caller, "chat"), text: text}
	a.answer = ChatAnswer{ID: a.id.id, ThreadID: threadID, Mode: ModeOffline, Language: a.id.lang, Citations: []Citation{}}
	if err := c.run(ctx, db, caller, a, emit); err != nil {
		return ChatAnswer{}, err
	}
	return a.answer, nil
}

// CheckMessage reports whether Send would take text, so that a caller can
// refuse a message before it prepares a thread for it.
func CheckMessage(text string) error {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > maxMessageRunes {
		return fmt.Errorf("%w: a message needs 1 to 4,000 characters", ErrInvalid)
	}
	return nil
}

// Turn is an earlier turn of a conversation that a client kept itself
// (the OpenAI-compatible API), as typed: Role is user or assistant.
type Turn struct {
	Role, Text string
}

// ThreadByKey returns the manager's thread whose client key is key: the
// digest of a conversation as a stateless client last held it (see
// migration 0026).
func (c *Coach) ThreadByKey(ctx context.Context, tx pgx.Tx, key []byte) (Thread, error) {
	rows, _ := tx.Query(ctx, `SELECT id, member_id, title, created_at, updated_at FROM chat_threads WHERE client_key = $1`, key)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Thread])
	if errors.Is(err, pgx.ErrNoRows) {
		return Thread{}, fmt.Errorf("thread by client key: %w", ErrNotFound)
	}
	if err != nil {
		return Thread{}, fmt.Errorf("thread by client key: %w", err)
	}
	return t, nil
}

// ImportThread starts a thread, about memberID when set, holding the
// earlier turns of a conversation a client brought: masked in one session,
// as the coach stores its own turns, so the history and the next answer
// read them alike. Empty turns (an assistant's tool call) are left out.
func (c *Coach) ImportThread(ctx context.Context, tx pgx.Tx, caller Caller, memberID *uuid.UUID, turns []Turn) (Thread, error) {
	texts := make([]string, 0, len(turns))
	for _, t := range turns {
		if t.Role != "user" && t.Role != "assistant" {
			return Thread{}, fmt.Errorf("%w: a turn's role is user or assistant, not %q", ErrInvalid, t.Role)
		}
		texts = append(texts, strings.TrimSpace(t.Text))
	}
	th, err := c.CreateThread(ctx, tx, caller, memberID, "")
	if err != nil {
		return Thread{}, err
	}
	masked, _, err := c.history.Mask(ctx, tx, promptLang(caller.Language), orNil(memberID), texts...)
	if err != nil {
		return Thread{}, err
	}
	for i, m := range masked {
		if m.Empty() {
			continue
		}
		// clock_timestamp, not now(): one transaction's turns must keep
		// their order (messages are read by created_at).
		_, err := tx.Exec(ctx, `INSERT INTO chat_messages (org_id, id, thread_id, manager_id, member_id, role, content, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp())`, caller.OrgID, uuid.Must(uuid.NewV7()), th.ID, caller.UserID, memberID,
			turns[i].Role, m.Cut(maxStoredRunes-1))
		if err != nil {
			return Thread{}, fmt.Errorf("import turn: %w", err)
		}
		if th.Title == "" && turns[i].Role == "user" {
			th.Title = m.Cut(40).String()
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE chat_threads SET title = $2 WHERE id = $1`, th.ID, th.Title); err != nil {
		return Thread{}, fmt.Errorf("import thread: %w", err)
	}
	return th, nil
}

// SetThreadKey gives thread id the client key key, taking it from any
// other of the manager's threads: a key names the latest state of one
// conversation, and of two threads that reached the same state the newer
// one continues it.
func (c *Coach) SetThreadKey(ctx context.Context, tx pgx.Tx, id uuid.UUID, key []byte) error {
	if _, err := tx.Exec(ctx, `UPDATE chat_threads SET client_key = NULL WHERE client_key = $2 AND id <> $1`, id, key); err != nil {
		return fmt.Errorf("set thread key: %w", err)
	}
	tag, err := tx.Exec(ctx, `UPDATE chat_threads SET client_key = $2 WHERE id = $1`, id, key)
	if err != nil {
		return fmt.Errorf("set thread key: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("thread %s: %w", id, ErrNotFound)
	}
	return nil
}

// chatTurn is the answer to a manager's chat message (see answer).
type chatTurn struct {
	answerBase
	text string // as typed

	thread  Thread
	earlier []Message
	masked  anonymize.Text
	sig     *history.Signals
	sources []Source
	answer  ChatAnswer
}

func (a *chatTurn) result() any { return a.answer }

// prepare reads the thread and, when it is about a member, their signals;
// it stores the manager's message, masked, before it is answered.
func (a *chatTurn) prepare(ctx context.Context, tx pgx.Tx) ([]safety.Text, error) {
	c, threadID := a.c, a.answer.ThreadID
	var err error
	if a.thread, a.earlier, err = c.Thread(ctx, tx, threadID); err != nil {
		return nil, err
	}
	if len(a.earlier) > historyTurns {
		a.earlier = a.earlier[len(a.earlier)-historyTurns:]
	}
	ms, _, err := c.history.Mask(ctx, tx, a.id.lang, orNil(a.thread.MemberID), a.text)
	if err != nil {
		return nil, err
	}
	a.masked = ms[0]
	var member []safety.Text
	if id := a.thread.MemberID; id != nil {
		s, err := c.history.Signals(ctx, tx, *id, time.Now())
		if err != nil {
			return nil, err
		}
		a.sig = &s
		if member, err = c.history.SafetyTexts(ctx, tx, *id, time.Now()); err != nil {
			return nil, err
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO chat_messages (org_id, id, thread_id, manager_id, member_id, role, content)
		VALUES ($1, $2, $3, $4, $5, 'user', $6)`, a.caller.OrgID, uuid.Must(uuid.NewV7()), threadID, a.caller.UserID, a.thread.MemberID, a.masked)
	if err != nil {
		return nil, fmt.Errorf("save message: %w", err)
	}
	_, err = tx.Exec(ctx, `UPDATE chat_threads SET updated_at = now(), title = CASE WHEN title = '' THEN $2 ELSE title END WHERE id = $1`,
		threadID, a.masked.Cut(40))
	return chatTexts(member, a.masked, a.earlier), err
}

func (a *chatTurn) ground(ctx context.Context, db DB) error {
	var err error
	a.sources, err = a.c.retrieve(ctx, db, a.id.lang, []query{{Text: a.masked.String()}}, nil)
	a.answer.NoGuidance = err == nil && len(a.sources) == 0
	return err
}

// compose writes the offline reply: the referral's message (its steps and
// contacts are in the referral), that no guidance covers the question
// (whatever the mode: nothing to ground an answer on), or passages.
func (a *chatTurn) compose(ref *Referral) {
	switch a.answer.Referral = ref; {
	case ref != nil:
		a.answer.Text = ref.Message
	case a.answer.NoGuidance:
		a.answer.Text = msg(a.id.lang, "noguidance")
	default:
		a.answer.Text, a.answer.Citations = a.c.composeChat(a.id.lang, a.masked, a.sources, a.sig)
	}
}

func (a *chatTurn) prompt() ([]llm.Message, []Source) {
	if a.answer.NoGuidance {
		return nil, nil
	}
	msgs, trimmed := a.c.chatMessages(a.id.lang, a.earlier, a.sources, a.sig, a.masked)
	a.answer.Trimmed = trimmed
	return msgs, a.sources
}

func (a *chatTurn) accept(reply llm.Reply) bool {
	body, unsupported, markers := dropUnsupported(sanitize(reply.Text), len(a.sources))
	body, cited, dropped := checkCitations(body, len(a.sources))
	ans := &a.answer
	ans.Mode, ans.Model, ans.Text, ans.DroppedCitations, ans.UnsupportedDropped = ModeLLM, a.c.llm.Model(), body, dropped+markers, unsupported
	if reply.Cut {
		ans.Notice = msg(a.id.lang, "answer.cut")
	}
	ans.Citations = []Citation{}
	for _, n := range cited {
		s := a.sources[n-1]
		ans.Citations = append(ans.Citations, citationOf(s, excerpt(s.Hit.Text)))
	}
	slices.SortFunc(ans.Citations, func(x, y Citation) int { return x.N - y.N })
	return true
}

func (a *chatTurn) offline(reason, notice string) (string, []Citation) {
	a.answer.FallbackReason, a.answer.Notice = reason, notice
	return a.answer.Text, a.answer.Citations
}

// save stores the reply as the thread's next turn and as an answer, and a
// gap for the curators when no guidance answered it.
func (a *chatTurn) save(ctx context.Context, tx pgx.Tx, usage llm.Reply) error {
	// The reply is a later turn's prompt: it passes the redactor like
	// every other turn, in case a model wrote a name it was not given.
	a.answer.PromptTokens, a.answer.CompletionTokens = usage.PromptTokens, usage.CompletionTokens
	ans := a.answer
	content, _, err := a.c.history.Mask(ctx, tx, a.id.lang, orNil(a.thread.MemberID), truncate(ans.Text, 20000))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO chat_messages (org_id, id, thread_id, manager_id, member_id, role, content, answer)
		VALUES ($1, $2, $3, $4, $5, 'assistant', $6, $7)`, a.caller.OrgID, uuid.Must(uuid.NewV7()), ans.ThreadID, a.caller.UserID,
		a.thread.MemberID, content[0], ans)
	if err != nil {
		return fmt.Errorf("save answer: %w", err)
	}
	if err := saveAnswer(ctx, tx, a.caller, answerRecord{ID: ans.ID, Kind: "chat", Mode: ans.Mode, Model: ans.Model, MemberID: a.thread.MemberID,
		Answer: ans, Referral: ans.Referral, Citations: len(ans.Citations), Dropped: ans.DroppedCitations,
		Sources: a.sources, Cited: ans.Citations,
		PromptTokens: usage.PromptTokens, CompletionTokens: usage.CompletionTokens}); err != nil {
		return err
	}
	if ans.NoGuidance {
		return recordGap(ctx, tx, a.caller, "chat", a.masked, "")
	}
	return nil
}

// chatTexts is what the screen reads for a chat turn: the member's texts
// when the thread is about one, this turn, and the manager's earlier turns
// (the model would read them too).
func chatTexts(member []safety.Text, text anonymize.Text, earlier []Message) []safety.Text {
	texts := append(slices.Clip(member), safety.Text{Place: safety.PlaceChat, Text: text.String(), Fresh: true})
	for _, m := range earlier {
		if m.Role == "user" {
			texts = append(texts, safety.Text{Place: safety.PlaceChat, Text: m.Content.String()})
		}
	}
	return texts
}

// chatMessages builds the conversation for the model: the system prompt,
// as many earlier turns as fit the context budget (newest kept), and this
// turn with its guidance and the member's history as data. It returns how
// many earlier turns were left out.
func (c *Coach) chatMessages(lang string, earlier []Message, sources []Source, sig *history.Signals, text anonymize.Text) ([]llm.Message, int) {
	data := guidanceSection(sources) + historySection(lang, sig, nil) + questionSection(text)
	head := messagesFor("chat", lang, data)
	budget := c.context
	for _, m := range head {
		budget -= c.countTokens(m.Content) + 4
	}
	var turns []llm.Message
	kept := 0
	for i := len(earlier) - 1; i >= 0; i-- {
		m := earlier[i]
		content := m.Content.String()
		n := c.countTokens(content) + 4
		if n > budget {
			break
		}
		budget -= n
		turns = append(turns, llm.Message{Role: m.Role, Content: content})
		kept++
	}
	slices.Reverse(turns)
	msgs := append([]llm.Message{head[0]}, turns...)
	return append(msgs, head[1]), len(earlier) - kept
}

// composeChat is the offline answer to a chat message: the most relevant
// passage of each of the best documents, a question and a caution from
// them, and what the history says about the member, all cited.
func (c *Coach) composeChat(lang string, text anonymize.Text, sources []Source, sig *history.Signals) (string, []Citation) {
	cite := newCiter(sources)
	terms := c.kb.Analyzer().Terms(text.String())
	lines := []string{msg(lang, "chat.intro")}
	var docs []uuid.UUID
	for _, s := range sources {
		if !s.Found || slices.Contains(docs, s.Hit.DocumentID) || len(docs) >= 3 {
			continue
		}
		docs = append(docs, s.Hit.DocumentID)
		best := bestSentence(c.kb.Analyzer().Terms, terms, s.Hit.Text)
		it := cite.item(s.Hit.Title+": "+best, s.N, best)
		lines = append(lines, "- "+it.Text)
	}
	said := substance(text.String())
	for _, sec := range []string{sectionQuestions, sectionAvoid} {
		if bs := roundRobin(sources, sec, 1, said); len(bs) > 0 {
			it := cite.item(bs[0].text, bs[0].n, bs[0].text)
			lines = append(lines, "- "+it.Text)
		}
	}
	if sig != nil {
		var facts []string
		if sig.Next != nil && sig.Next.Style != nil {
			facts = append(facts, msg(lang, "summary.next", sig.Alias, styleLabel(lang, *sig.Next.Style)))
		}
		if len(sig.OpenActions) > 0 {
			facts = append(facts, actionsSummary(lang, sig.OpenActions))
		}
		if sig.Condition.Change == "down" {
			facts = append(facts, about(lang, personOf(sig), "summary.condition.down", conditionPath(sig.Condition.Values)))
		}
		if len(facts) > 0 {
			lines = append(lines, msg(lang, "chat.member", sig.Alias, strings.Join(facts, " ")))
		}
	}
	return strings.Join(lines, "\n"), cite.citations()
}

// bestSentence is the sentence (or list item) of text sharing the most
// terms with the query.
func bestSentence(analyze func(string) []string, query []string, text string) string {
	best, score := "", -1
	for _, s := range bullets(text) {
		n := 0
		for _, t := range analyze(s) {
			if slices.Contains(query, t) {
				n++
			}
		}
		if n > score {
			best, score = s, n
		}
	}
	return truncate(best, 200)
}
