package api

// The coach's OpenAI-compatible face: GET /v1/models and POST
// /v1/chat/completions, so that chat clients (Open WebUI, LibreChat) and
// the OpenAI SDKs talk to the same coach as the web UI's chat
// (assistant.Coach.Send: retrieval, the member's history, citations, the
// safety referral).
//
// OpenAI's API is stateless, Taiwa's chat is threads. A thread keeps a
// client key, the digest of the conversation as the client last held it
// (conversationKey); a request whose earlier messages have the key of a
// thread continues that thread, any other starts a new one holding those
// messages. A client picks a member the only way most clients can, by
// model: "taiwa:<alias>".

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
)

const (
	// coachModel is the coach without a member; coachModel+":"+alias is
	// the coach about one of the caller's members.
	coachModel = "taiwa"
	// coachModelCreated is coachModel's "created": a fixed time (when
	// this API appeared), since clients only show or sort by it.
	coachModelCreated = 1767225600 // 2026-01-01T00:00:00Z
)

type openAIModel struct {
	ID      string `json:"id"`
	Object  string `json:"object"` // model
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

type openAIModelList struct {
	Object string        `json:"object"` // list
	Data   []openAIModel `json:"data"`
}

// handleModelsList lists the coach and, as a model each, the caller's
// members: the model is how a chat client names a member.
func handleModelsList(db *tenant.DB, h *history.Store) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (openAIModelList, error) {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store") // aliases are the manager's own
		ms, err := allMembers(ctx, tx, h)
		if err != nil {
			return openAIModelList{}, err
		}
		list := openAIModelList{Object: "list", Data: []openAIModel{{ID: coachModel, Object: "model", Created: coachModelCreated, OwnedBy: "taiwa"}}}
		for _, m := range ms {
			list.Data = append(list.Data, openAIModel{ID: coachModel + ":" + m.Alias, Object: "model", Created: m.CreatedAt.Unix(), OwnedBy: "taiwa"})
		}
		return list, nil
	})
}

// allMembers is every member of the caller, by alias.
func allMembers(ctx context.Context, tx pgx.Tx, h *history.Store) ([]history.Member, error) {
	const page = 500
	var all []history.Member
	for {
		ms, err := h.Members(ctx, tx, page, len(all))
		if err != nil {
			return nil, err
		}
		all = append(all, ms...)
		if len(ms) < page {
			return all, nil
		}
	}
}

// modelMember is the member model names: nil for the coach alone. A model
// that is not one of the caller's is errModelNotFound.
func modelMember(ctx context.Context, tx pgx.Tx, h *history.Store, model string) (*uuid.UUID, error) {
	if model == coachModel {
		return nil, nil
	}
	if alias, ok := strings.CutPrefix(model, coachModel+":"); ok && alias != "" {
		// A model id is exact, as /v1/models lists it: the alias folding
		// that finds "ｋさん" for a person typing does not apply.
		m, err := h.MemberByAlias(ctx, tx, alias)
		if err == nil && m.Alias == alias {
			return &m.ID, nil
		}
		if err != nil && !errors.Is(err, history.ErrNotFound) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w: the model %q does not exist or you do not have access to it (GET /v1/models lists yours)", errModelNotFound, model)
}

// completionRequest is what the coach reads of a chat completion request.
// Other fields (temperature, max_tokens, tools...) are accepted and
// ignored: the coach sets its own.
type completionRequest struct {
	Model         string          `json:"model"`
	Messages      []openAIMessage `json:"messages"`
	Stream        bool            `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	N *int `json:"n"`
}

type openAIMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"` // a string, an array of parts, or null
}

// decodeCompletion reads a request. Unlike decode it takes unknown fields:
// clients send sampling options the coach has no use for.
func decodeCompletion(c echo.Context) (completionRequest, error) {
	var req completionRequest
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return req, invalidf("want Content-Type application/json")
	}
	dec := json.NewDecoder(c.Request().Body)
	if err := dec.Decode(&req); err != nil {
		var he *echo.HTTPError
		switch {
		case errors.As(err, &he):
			return req, he // 413 from the body limit
		case errors.Is(err, io.EOF):
			return req, invalidf("request body is empty")
		}
		return req, invalidf("request body: %v", err)
	}
	switch {
	case dec.More():
		return req, invalidf("request body: more than one JSON value")
	case req.Model == "":
		return req, invalidf("model is required (GET /v1/models lists them)")
	case req.N != nil && *req.N != 1:
		return req, invalidf("n: the coach gives one answer (n = 1)")
	}
	return req, nil
}

// conversation splits the messages into the earlier turns and the
// manager's new message, which must come last. System messages are left
// out: the coach has its own instructions.
func (r completionRequest) conversation() (earlier []assistant.Turn, text string, err error) {
	var turns []assistant.Turn
	for i, m := range r.Messages {
		switch m.Role {
		case "system", "developer":
			continue
		case "user", "assistant":
		default:
			return nil, "", invalidf("messages[%d].role %q: the coach reads user and assistant messages (and ignores system ones)", i, m.Role)
		}
		s, err := messageText(m.Content)
		if err != nil {
			return nil, "", invalidf("messages[%d].content: %v", i, err)
		}
		if strings.ContainsRune(s, 0) {
			return nil, "", invalidf("messages[%d].content: text may not contain the NUL character (\\u0000)", i)
		}
		turns = append(turns, assistant.Turn{Role: m.Role, Text: s})
	}
	if len(turns) == 0 || turns[len(turns)-1].Role != "user" {
		return nil, "", invalidf("messages: the last message must be the user's")
	}
	return turns[:len(turns)-1], turns[len(turns)-1].Text, nil
}

// messageText is a message's text: its content string, or its text parts.
func messageText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil // an assistant's tool call
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string  `json:"type"`
		Text *string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", errors.New("want a string or an array of content parts")
	}
	texts := make([]string, 0, len(parts))
	for _, p := range parts {
		if p.Type != "text" || p.Text == nil {
			return "", fmt.Errorf("the coach reads text only, not %q parts", p.Type)
		}
		texts = append(texts, *p.Text)
	}
	return strings.Join(texts, "\n"), nil
}

// conversationKey is a thread's client key: the SHA-256 of a canonical
// encoding of the conversation as a client holds it (the manager, the
// model, each turn's role and text). Texts are compared without their
// surrounding white space and with \n line ends: clients differ in what
// they keep of them.
func conversationKey(user uuid.UUID, model string, turns []assistant.Turn) []byte {
	pairs := make([][2]string, len(turns))
	for i, t := range turns {
		pairs[i] = [2]string{t.Role, strings.TrimSpace(strings.ReplaceAll(t.Text, "\r\n", "\n"))}
	}
	// Marshalling strings and a UUID cannot fail.
	b, _ := json.Marshal(struct {
		Version int
		User    uuid.UUID
		Model   string
		Turns   [][2]string
	}{1, user, model, pairs})
	sum := sha256.Sum256(b)
	return sum[:]
}

// completion is one chat completion request on its way.
type completion struct {
	coach   *assistant.Coach
	logger  *slog.Logger
	scope   tenant.Scope
	caller  assistant.Caller
	model   string // as asked, echoed back
	created int64
	earlier []assistant.Turn
	text    string // the manager's new message
	thread  assistant.Thread
}

// handleChatCompletions answers the last user message of a conversation
// with the coach, in the thread that holds the conversation so far.
func handleChatCompletions(db *tenant.DB, h *history.Store, coach *assistant.Coach, logger *slog.Logger, keepAlive time.Duration) echo.HandlerFunc {
	return func(c echo.Context) error {
		req, err := decodeCompletion(c)
		if err != nil {
			return err
		}
		earlier, text, err := req.conversation()
		if err != nil {
			return err
		}
		// Refused before a thread is made for it.
		if err := assistant.CheckMessage(text); err != nil {
			return err
		}
		p := principal(c)
		cp := &completion{coach: coach, logger: logger, scope: db.Scope(p), caller: caller(p), model: req.Model,
			created: time.Now().Unix(), earlier: earlier, text: text}
		if err := cp.open(c.Request().Context(), h); err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		if req.Stream {
			return cp.stream(c, keepAlive, req.StreamOptions != nil && req.StreamOptions.IncludeUsage)
		}
		ans, err := coach.Send(c.Request().Context(), cp.scope, cp.caller, cp.thread.ID, text, nil)
		if err != nil {
			return err
		}
		content := ans.Text + appendix(ans)
		cp.remember(c.Request().Context(), content)
		return c.JSON(http.StatusOK, chatCompletion{
			ID: completionID(ans.ID), Object: "chat.completion", Created: cp.created, Model: cp.model,
			Choices: []completionChoice{{Message: completionMessage{Role: "assistant", Content: content}, FinishReason: "stop"}},
			Usage:   usageOf(ans),
		})
	}
}

// open finds the caller's thread whose key is that of the earlier turns,
// or starts one (about the model's member) that holds them.
func (cp *completion) open(ctx context.Context, h *history.Store) error {
	return cp.scope.InTx(ctx, func(tx pgx.Tx) error {
		member, err := modelMember(ctx, tx, h, cp.model)
		if err != nil {
			return err
		}
		if len(cp.earlier) > 0 {
			cp.thread, err = cp.coach.ThreadByKey(ctx, tx, conversationKey(cp.caller.UserID, cp.model, cp.earlier))
			if !errors.Is(err, assistant.ErrNotFound) {
				return err
			}
		}
		cp.thread, err = cp.coach.ImportThread(ctx, tx, cp.caller, member, cp.earlier)
		return err
	})
}

// remember keys the thread with the conversation as the client now holds
// it, the answer included, so that its next request continues the thread.
// A failure (two identical conversations answered at once) costs only
// that: the next request starts a thread with the whole conversation. It
// is logged, not returned, since the answer is already saved.
func (cp *completion) remember(ctx context.Context, content string) {
	turns := append(slices.Clip(cp.earlier), assistant.Turn{Role: "user", Text: cp.text}, assistant.Turn{Role: "assistant", Text: content})
	key := conversationKey(cp.caller.UserID, cp.model, turns)
	ctx = context.WithoutCancel(ctx)
	err := cp.scope.InTx(ctx, func(tx pgx.Tx) error { return cp.coach.SetThreadKey(ctx, tx, cp.thread.ID, key) })
	if err != nil {
		cp.logger.WarnContext(ctx, "key chat thread", slog.String("thread_id", cp.thread.ID.String()), slog.String("error", err.Error()))
	}
}

// completionID names a completion after the coach's answer, so that a
// client's id leads to it (answer feedback, the thread in the web UI).
func completionID(answer uuid.UUID) string { return "chatcmpl-" + answer.String() }

type chatCompletion struct {
	ID      string             `json:"id"`
	Object  string             `json:"object"` // chat.completion
	Created int64              `json:"created"`
	Model   string             `json:"model"`
	Choices []completionChoice `json:"choices"`
	Usage   openAIUsage        `json:"usage"`
}

type completionChoice struct {
	Index        int               `json:"index"`
	Message      completionMessage `json:"message"`
	FinishReason string            `json:"finish_reason"`
}

type completionMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type openAIUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// usageOf is what the answer's model call used: zeros for an offline
// answer, which used none.
func usageOf(a assistant.ChatAnswer) openAIUsage {
	return openAIUsage{PromptTokens: a.PromptTokens, CompletionTokens: a.CompletionTokens, TotalTokens: a.PromptTokens + a.CompletionTokens}
}

// words are what a plain chat client is shown besides an answer's text,
// in the answer's language: the web UI's words for them.
type words struct {
	sources, now, contacts, possible, reset string
	kinds                                   map[string]string
}

func wordsFor(lang string) words {
	if lang == "en" {
		return words{sources: "Sources", now: "What to do now", contacts: "Contacts",
			possible: `If it is not a sensitive matter, open this conversation in Taiwa, choose "Not a sensitive matter", and ask again.`,
			reset:    "(The language model's answer broke off; what follows is composed from the knowledge base instead.)",
			kinds:    map[string]string{"hr": "HR", "health": "Occupational health", "hotline": "Hotline", "legal": "Legal", "other": "Other"}}
	}
	return words{sources: "出典", now: "いま行うこと", contacts: "連絡先",
		possible: "デリケートな内容でなければ、Taiwa でこの会話を開いて「該当しない」を選び、もう一度聞いてください。",
		reset:    "（言語モデルの回答が途中で途切れたため、ここからはナレッジベースから組み立てた回答です）",
		kinds:    map[string]string{"hr": "人事", "health": "産業保健", "hotline": "相談窓口", "legal": "法務", "other": "その他"}}
}

// appendix is what follows an answer's text for a client that shows text
// only: the sources it cites (number, title, section) or, for a referral,
// what to do now and whom to contact, which the web UI shows beside it.
func appendix(a assistant.ChatAnswer) string {
	w := wordsFor(a.Language)
	var sections []string
	if r := a.Referral; r != nil {
		if len(r.Steps) > 0 {
			lines := []string{w.now}
			for i, s := range r.Steps {
				lines = append(lines, fmt.Sprintf("%d. %s", i+1, s))
			}
			sections = append(sections, strings.Join(lines, "\n"))
		}
		if len(r.Contacts) > 0 {
			lines := []string{w.contacts}
			for _, ct := range r.Contacts {
				line := "- " + w.kinds[ct.Kind] + ": " + ct.Name
				if ct.Detail != "" {
					line += " — " + ct.Detail
				}
				lines = append(lines, line)
			}
			sections = append(sections, strings.Join(lines, "\n"))
		}
		if r.Possible && len(r.Dismiss) > 0 {
			sections = append(sections, w.possible)
		}
	}
	if len(a.Citations) > 0 {
		lines := []string{w.sources}
		for _, ct := range a.Citations {
			line := fmt.Sprintf("- [%d] %s", ct.N, ct.Title)
			if len(ct.HeadingPath) > 0 {
				line += " — " + strings.Join(ct.HeadingPath, " › ")
			}
			lines = append(lines, line)
		}
		sections = append(sections, strings.Join(lines, "\n"))
	}
	if len(sections) == 0 {
		return ""
	}
	return "\n\n" + strings.Join(sections, "\n\n")
}

// Streaming.

type completionChunk struct {
	ID      string        `json:"id"`
	Object  string        `json:"object"` // chat.completion.chunk
	Created int64         `json:"created"`
	Model   string        `json:"model"`
	Choices []chunkChoice `json:"choices"`
	Usage   *openAIUsage  `json:"usage,omitempty"`
}

type chunkChoice struct {
	Index        int        `json:"index"`
	Delta        chunkDelta `json:"delta"`
	FinishReason *string    `json:"finish_reason"`
}

type chunkDelta struct {
	Role    string `json:"role,omitempty"`
	Content string `json:"content,omitempty"`
}

// chunks writes a completion as OpenAI's chunks over sse.
type chunks struct {
	s        *sse
	cp       *completion
	id       string          // once the answer has one (its meta event)
	sent     strings.Builder // the content the client has: the key is of it
	finished bool            // [DONE] is out
}

// stream answers with server-sent events: the role once the answer has
// an id, the text as the coach writes it, the sources, the finish reason,
// the usage when asked for, and [DONE].
func (cp *completion) stream(c echo.Context, keepAlive time.Duration, includeUsage bool) error {
	ctx, cancel := streamContext(c.Request().Context())
	defer cancel()
	c.SetRequest(c.Request().WithContext(ctx))
	w := &chunks{s: &sse{c: c, keepAlive: keepAlive}, cp: cp}
	defer w.s.close()
	ans, err := cp.coach.Send(ctx, cp.scope, cp.caller, cp.thread.ID, cp.text, w.emit)
	if err == nil {
		err = w.finish(ctx, ans, includeUsage)
	}
	w.s.close()
	return w.end(c, err)
}

// streamContext bounds a stream by streamTimeout instead of the request
// timeout: requestTimeout knows a stream by its Accept header, and OpenAI
// clients ask for one in the body. The client going away, or the server's
// shutdown, still ends it (with the same cause).
func streamContext(req context.Context) (context.Context, context.CancelFunc) {
	base, cancelBase := context.WithCancelCause(context.WithoutCancel(req))
	stop := context.AfterFunc(req, func() {
		if !errors.Is(req.Err(), context.DeadlineExceeded) {
			cancelBase(context.Cause(req))
		}
	})
	ctx, cancel := context.WithTimeout(base, streamTimeout)
	return ctx, func() {
		stop()
		cancel()
		cancelBase(nil)
	}
}

// emit takes the coach's events (see assistant.Event): the first meta
// carries the answer's id, deltas are the text; a reset cannot take back
// what a client already shows, so it says why another answer follows.
func (w *chunks) emit(ev assistant.Event) error {
	if err := w.s.c.Request().Context().Err(); err != nil {
		return err
	}
	switch ev.Type {
	case "progress":
		return w.s.writeData(nil) // the headers now: the first bytes do not wait for retrieval
	case "meta":
		if m, ok := ev.Data.(assistant.Meta); ok && w.id == "" {
			return w.start(m.AnswerID)
		}
	case "delta":
		if d, ok := ev.Data.(map[string]string); ok {
			return w.content(d["text"])
		}
	case "reset":
		return w.content("\n\n" + wordsFor(w.cp.caller.Language).reset + "\n\n")
	}
	return nil
}

// start sends the first chunk: the role.
func (w *chunks) start(answer uuid.UUID) error {
	w.id = completionID(answer)
	return w.chunk(chunkDelta{Role: "assistant"}, nil)
}

func (w *chunks) content(text string) error {
	if text == "" {
		return nil
	}
	w.sent.WriteString(text)
	return w.chunk(chunkDelta{Content: text}, nil)
}

func (w *chunks) chunk(d chunkDelta, finish *string) error {
	return w.write(completionChunk{ID: w.id, Object: "chat.completion.chunk", Created: w.cp.created, Model: w.cp.model,
		Choices: []chunkChoice{{Delta: d, FinishReason: finish}}})
}

func (w *chunks) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w.s.writeData(b)
}

// finish sends the answer's appendix, keys the thread before the client
// can send its next request, and ends the stream.
func (w *chunks) finish(ctx context.Context, ans assistant.ChatAnswer, includeUsage bool) error {
	if w.id == "" { // every answer streams a meta event; this is a guard
		if err := w.start(ans.ID); err != nil {
			return err
		}
	}
	if err := w.content(appendix(ans)); err != nil {
		return err
	}
	w.cp.remember(ctx, w.sent.String())
	stop := "stop"
	if err := w.chunk(chunkDelta{}, &stop); err != nil {
		return err
	}
	if includeUsage {
		u := usageOf(ans)
		err := w.write(completionChunk{ID: w.id, Object: "chat.completion.chunk", Created: w.cp.created, Model: w.cp.model,
			Choices: []chunkChoice{}, Usage: &u})
		if err != nil {
			return err
		}
	}
	if err := w.s.writeData([]byte("[DONE]")); err != nil {
		return err
	}
	w.finished = true
	return nil
}

// end is streamOrJSON's ending in OpenAI's form: an error before the
// stream started is an ordinary error answer; after it, a data event
// with the error body, which OpenAI's SDKs raise.
func (w *chunks) end(c echo.Context, err error) error {
	if errors.Is(context.Cause(c.Request().Context()), ErrShutdown) && w.s.started && !w.finished {
		w.fail(c, http.StatusServiceUnavailable, "unavailable", ErrShutdown.Error())
		return ErrShutdown
	}
	if err == nil {
		return nil
	}
	if !w.s.started {
		return err
	}
	if ctx := c.Request().Context(); ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled) {
		return nil // the client went away (even while its last chunks were written): nobody to tell
	}
	status, code, message := classify(err)
	if status >= http.StatusInternalServerError {
		message = http.StatusText(status)
	}
	w.fail(c, status, code, message)
	if status >= http.StatusInternalServerError {
		return err // logged by the error handler, which writes nothing more
	}
	return nil
}

// fail sends an error event; the stream is over, so a failed write has
// nobody to be reported to.
func (w *chunks) fail(c echo.Context, status int, code, message string) {
	_ = w.write(errorResponse(c.Request().URL.Path, status, code, message, requestID(c)))
}

// writeData sends one event as OpenAI streams them: a data line without an
// event name (OpenAI's SDKs read a named event as something other than a
// chunk). Without data it only sends the headers, at once.
func (s *sse) writeData(data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.start()
	if data != nil {
		if _, err := fmt.Fprintf(s.c.Response(), "data: %s\n\n", data); err != nil {
			return err
		}
		s.last = time.Now()
	}
	s.c.Response().Flush()
	return nil
}
