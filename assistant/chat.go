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
}

const (
	maxMessageRunes = 4000
	historyTurns    = 40
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
	lang := promptLang(caller.Language)
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > maxMessageRunes {
		return ChatAnswer{}, fmt.Errorf("%w: a message needs 1 to 4,000 characters", ErrInvalid)
	}
	var (
		thread   Thread
		earlier  []Message
		masked   anonymize.Text
		sig      *history.Signals
		g        guard
		screened []safety.Text
	)
	err := db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if thread, earlier, err = c.Thread(ctx, tx, threadID); err != nil {
			return err
		}
		if len(earlier) > historyTurns {
			earlier = earlier[len(earlier)-historyTurns:]
		}
		ms, _, err := c.history.Mask(ctx, tx, lang, orNil(thread.MemberID), text)
		if err != nil {
			return err
		}
		masked = ms[0]
		if thread.MemberID != nil {
			s, err := c.history.Signals(ctx, tx, *thread.MemberID, time.Now())
			if err != nil {
				return err
			}
			sig = &s
			if screened, err = c.history.SafetyTexts(ctx, tx, *thread.MemberID, time.Now()); err != nil {
				return err
			}
		}
		if g, err = loadGuard(ctx, tx); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO chat_messages (org_id, id, thread_id, manager_id, member_id, role, content)
			VALUES ($1, $2, $3, $4, $5, 'user', $6)`, caller.OrgID, uuid.Must(uuid.NewV7()), threadID, caller.UserID, thread.MemberID, masked)
		if err != nil {
			return fmt.Errorf("save message: %w", err)
		}
		_, err = tx.Exec(ctx, `UPDATE chat_threads SET updated_at = now(), title = CASE WHEN title = '' THEN $2 ELSE title END WHERE id = $1`,
			threadID, masked.Cut(40))
		return err
	})
	if err != nil {
		return ChatAnswer{}, err
	}

	if err := progress(emit, "retrieving"); err != nil {
		return ChatAnswer{}, err
	}
	a := ChatAnswer{ID: uuid.Must(uuid.NewV7()), ThreadID: threadID, Mode: ModeOffline, Language: lang, Citations: []Citation{}}
	var sources []Source
	if a.Referral = c.screen(ctx, db, caller, chatTexts(screened, masked, earlier), g); a.Referral.Blocks() {
		a.Text = a.Referral.Message // the steps and contacts are in the referral
	} else {
		if sources, err = c.retrieve(ctx, db, lang, []query{{Text: masked.String()}}, nil); err != nil {
			return ChatAnswer{}, err
		}
		a.NoGuidance = len(sources) == 0
	}
	var (
		reason string
		usage  llm.Reply
	)
	switch {
	case a.Referral.Blocks():
		reason = ReasonSensitive
	case a.NoGuidance:
		// Nothing to ground an answer on: say so, whatever the mode.
		a.Text, reason = msg(lang, "noguidance"), ""
	default:
		reason = c.offlineReason(false)
		if reason == "" {
			msgs, trimmed := c.chatMessages(lang, earlier, sources, sig, masked)
			a.Trimmed = trimmed
			var reply llm.Reply
			reply, reason, err = c.generate(ctx, db, caller, msgs, sources, Meta{AnswerID: a.ID, Mode: ModeLLM, Model: c.llm.Model()}, emit)
			if err != nil {
				return ChatAnswer{}, err
			}
			if reason == "" {
				body, unsupported, markers := dropUnsupported(sanitize(reply.Text), len(sources))
				body, cited, dropped := checkCitations(body, len(sources))
				a.Mode, a.Model, a.Text, a.DroppedCitations, a.UnsupportedDropped = ModeLLM, c.llm.Model(), body, dropped+markers, unsupported
				if reply.Cut {
					a.Notice = msg(lang, "answer.cut")
				}
				for _, n := range cited {
					s := sources[n-1]
					a.Citations = append(a.Citations, citationOf(s, excerpt(s.Hit.Text)))
				}
				slices.SortFunc(a.Citations, func(x, y Citation) int { return x.N - y.N })
				usage = c.usage(msgs, reply)
			}
		}
		if reason != "" {
			a.Text, a.Citations = c.composeChat(lang, masked, sources, sig)
		}
	}
	if a.Mode == ModeOffline {
		a.FallbackReason = reason
		c.fellBack("chat", reason)
		if reason != "" && reason != ReasonSensitive {
			a.Notice = msg(lang, "offline.label")
		}
		if err := streamOffline(emit, Meta{AnswerID: a.ID, Mode: ModeOffline, FallbackReason: reason}, a.Text, a.Citations); err != nil {
			return ChatAnswer{}, err
		}
	}

	err = db.InTx(ctx, func(tx pgx.Tx) error {
		// The answer is a later turn's prompt: it passes the redactor like
		// every other turn, in case a model wrote a name it was not given.
		content, _, err := c.history.Mask(ctx, tx, lang, orNil(thread.MemberID), truncate(a.Text, 20000))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO chat_messages (org_id, id, thread_id, manager_id, member_id, role, content, answer)
			VALUES ($1, $2, $3, $4, $5, 'assistant', $6, $7)`, caller.OrgID, uuid.Must(uuid.NewV7()), threadID, caller.UserID,
			thread.MemberID, content[0], a)
		if err != nil {
			return fmt.Errorf("save answer: %w", err)
		}
		if err := saveAnswer(ctx, tx, caller, answerRecord{ID: a.ID, Kind: "chat", Mode: a.Mode, Model: a.Model, MemberID: thread.MemberID,
			Answer: a, Referral: a.Referral, Citations: len(a.Citations), Dropped: a.DroppedCitations,
			PromptTokens: usage.PromptTokens, CompletionTokens: usage.CompletionTokens}); err != nil {
			return err
		}
		if a.NoGuidance {
			return recordGap(ctx, tx, caller, "chat", masked, "")
		}
		return nil
	})
	if err != nil {
		return ChatAnswer{}, err
	}
	if emit != nil {
		if err := emit(Event{Type: "done", Data: a}); err != nil {
			return ChatAnswer{}, err
		}
	}
	return a, nil
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
	for _, sec := range []string{sectionQuestions, sectionAvoid} {
		if bs := roundRobin(sources, sec, 1); len(bs) > 0 {
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
			facts = append(facts, msg(lang, "summary.condition.down", conditionPath(sig.Condition.Values)))
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
