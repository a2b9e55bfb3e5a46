package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// The MCP server (Model Context Protocol, streamable HTTP at /mcp) gives
// an AI assistant three of the API's operations as tools. A request is
// authenticated like any API request (authenticate: a bearer token), and
// every tool runs as that principal: the role checks of the matching
// routes, db.Scope(p) for every transaction, and the same domain calls.
//
// The transport is the SDK's stateless mode: each HTTP request brings its
// own token and is answered on its own, with no session kept in the
// process, so any of several server processes may answer any request.
// The mcp.Server is built per request, bound to the request's principal,
// as the SDK suggests for stateless servers (its schemas are cached).

// mcpDeps is what the tools call.
type mcpDeps struct {
	logger  *slog.Logger
	db      *tenant.DB
	kb      *knowledge.Base
	history *history.Store
	coach   *assistant.Coach
	// timeout bounds a tool call, as RequestTimeout bounds a JSON request:
	// requestTimeout lets MCP requests through unbounded (their clients
	// accept text/event-stream), and the SDK runs a tool in a context
	// that does not inherit the request's deadline anyway.
	timeout time.Duration
	version string
	schemas *mcpSchemas
}

// mcpSchemas are the tools' output schemas, made once. Made from the Go
// types like the SDK's own inference, except that a uuid.UUID is the
// string it marshals to, not the [16]byte it is.
type mcpSchemas struct {
	cache                  *mcp.SchemaCache
	search, members, plans *jsonschema.Schema
}

func newMCPSchemas() (*mcpSchemas, error) {
	opts := &jsonschema.ForOptions{TypeSchemas: map[reflect.Type]*jsonschema.Schema{
		reflect.TypeFor[uuid.UUID](): {Type: "string", Format: "uuid"},
	}}
	s := &mcpSchemas{cache: mcp.NewSchemaCache()}
	var err error
	if s.search, err = jsonschema.For[guidanceResult](opts); err != nil {
		return nil, fmt.Errorf("search_guidance schema: %w", err)
	}
	if s.members, err = jsonschema.For[membersResult](opts); err != nil {
		return nil, fmt.Errorf("list_members schema: %w", err)
	}
	if s.plans, err = jsonschema.For[assistant.Plan](opts); err != nil {
		return nil, fmt.Errorf("prep_member schema: %w", err)
	}
	return s, nil
}

// handleMCP serves MCP over streamable HTTP for the authenticated caller.
func handleMCP(logger *slog.Logger, db *tenant.DB, kb *knowledge.Base, h *history.Store, coach *assistant.Coach, timeout time.Duration) echo.HandlerFunc {
	schemas, err := newMCPSchemas()
	if err != nil {
		panic(err) // the types are fixed: a test fails at once, like a bad route
	}
	d := mcpDeps{logger: logger, db: db, kb: kb, history: h, coach: coach, timeout: timeout, version: buildVersion(), schemas: schemas}
	opts := &mcp.StreamableHTTPOptions{
		Stateless: true,
		// One JSON answer per call: a prep is not streamed here, as POST
		// .../prep without text/event-stream is not.
		JSONResponse: true,
		// The SDK refuses a loopback listener's requests whose Host is not
		// loopback (DNS rebinding). Every request here carries a token a
		// rebinding page does not have, and a reverse proxy on the same
		// host sends its public Host, so the check would only break that.
		DisableLocalhostProtection: true,
		Logger:                     logger,
	}
	return func(c echo.Context) error {
		s := newMCPServer(d, principal(c), requestID(c))
		w := &transportErrors{w: c.Response()}
		mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, opts).ServeHTTP(w, c.Request())
		return w.err()
	}
}

// transportErrors holds back the SDK's own refusals (http.Error, plain
// text: a missing Accept header, a malformed body) so that they go out as
// the API's error body with the request id. JSON-RPC answers, errors
// included, pass through as the protocol wants them.
type transportErrors struct {
	w      http.ResponseWriter
	status int
	msg    strings.Builder
}

func (t *transportErrors) Header() http.Header { return t.w.Header() }

func (t *transportErrors) WriteHeader(status int) {
	if status >= http.StatusBadRequest && strings.HasPrefix(t.w.Header().Get(echo.HeaderContentType), echo.MIMETextPlain) {
		t.status = status
		return
	}
	t.w.WriteHeader(status)
}

func (t *transportErrors) Write(b []byte) (int, error) {
	if t.status != 0 {
		return t.msg.Write(b)
	}
	return t.w.Write(b)
}

// Unwrap lets http.ResponseController reach echo's writer to flush.
func (t *transportErrors) Unwrap() http.ResponseWriter { return t.w }

// err is the refusal held back, for the error handler to write.
func (t *transportErrors) err() error {
	if t.status == 0 {
		return nil
	}
	t.w.Header().Del(echo.HeaderContentType)
	return echo.NewHTTPError(t.status, strings.TrimSpace(t.msg.String()))
}

// mcpCall is one request's tools: its caller, and its id for the log.
type mcpCall struct {
	mcpDeps
	p         tenant.Principal
	requestID string
}

func newMCPServer(d mcpDeps, p tenant.Principal, rid string) *mcp.Server {
	call := &mcpCall{mcpDeps: d, p: p, requestID: rid}
	managers := []tenant.Role{tenant.RoleManager} // as the routes' requireRole
	s := mcp.NewServer(&mcp.Implementation{Name: "taiwa", Title: "Taiwa", Version: d.version}, &mcp.ServerOptions{
		SchemaCache: d.schemas.cache,
		Instructions: "Taiwa coaches managers around their 1on1 meetings. search_guidance finds passages of the " +
			"organization's curated guidance; list_members and prep_member are for managers: their own members, " +
			"and a plan for the next 1on1 with one of them, citing the guidance. Texts about members are pseudonymized.",
	})
	mcp.AddTool(s, &mcp.Tool{
		Name:  "search_guidance",
		Title: "Search the guidance",
		Description: "Searches the published 1on1 guidance of your organization and Taiwa's starter pack, and returns " +
			"the best passages: document title, heading path, passage text, document id and score.",
		OutputSchema: d.schemas.search,
		Annotations:  &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: new(false)},
	}, tool(call, "search_guidance", nil, call.searchGuidance))
	mcp.AddTool(s, &mcp.Tool{
		Name:  "list_members",
		Title: "List my members",
		Description: "Lists your members (managers only): alias, id, last and next 1on1, open actions " +
			"and the latest conditions (1 to 5).",
		OutputSchema: d.schemas.members,
		Annotations:  &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: new(false)},
	}, tool(call, "list_members", managers, call.listMembers))
	mcp.AddTool(s, &mcp.Tool{
		Name:  "prep_member",
		Title: "Prepare a 1on1",
		Description: "Prepares your next 1on1 with one of your members (managers only): agenda, questions, " +
			"watch-outs and follow-ups, citing the guidance. When the member's situation needs specialists, " +
			"the answer is a referral instead: what to do now and whom to involve.",
		OutputSchema: d.schemas.plans,
		// Each prep is saved as an answer the manager can rate.
		Annotations: &mcp.ToolAnnotations{DestructiveHint: new(false), OpenWorldHint: new(false)},
	}, tool(call, "prep_member", managers, call.prepMember))
	return s
}

// tool adapts a tool's function to the SDK: only roles may call it (all
// when nil; requireRole's check), it gets a request's deadline, and its
// errors read as the API's would. An error becomes a result with isError
// set (the SDK does that), never a protocol error.
func tool[In, Out any](call *mcpCall, name string, roles []tenant.Role, fn func(context.Context, In) (*mcp.CallToolResult, Out, error)) mcp.ToolHandlerFor[In, Out] {
	return func(ctx context.Context, _ *mcp.CallToolRequest, in In) (*mcp.CallToolResult, Out, error) {
		var zero Out
		if roles != nil && !slices.Contains(roles, call.p.Role) {
			return nil, zero, fmt.Errorf("%w: %s is not open to your role (%s)", tenant.ErrForbidden, name, call.p.Role)
		}
		// PostgreSQL text cannot hold NUL, as decode says of a body.
		if hasNUL(reflect.ValueOf(in)) {
			return nil, zero, errors.New("the arguments may not contain the NUL character (\\u0000)")
		}
		ctx, cancel := context.WithTimeout(ctx, call.timeout)
		defer cancel()
		res, out, err := fn(ctx, in)
		if err != nil {
			return nil, zero, call.toolError(ctx, name, err)
		}
		return res, out, nil
	}
}

// toolError is what the caller reads of err: for their own errors (4xx)
// the message the API would send; for a server fault a generic one, the
// cause going to the log with the request id, as errorHandler does.
func (call *mcpCall) toolError(ctx context.Context, name string, err error) error {
	status, _, msg := classify(err)
	if status < http.StatusInternalServerError {
		return errors.New(msg)
	}
	level := slog.LevelError
	if status == http.StatusServiceUnavailable {
		level = slog.LevelWarn
	}
	call.logger.Log(ctx, level, "mcp tool failed", slog.String("request_id", call.requestID), slog.String("tool", name),
		slog.Int("status", status), slog.String("error", err.Error()))
	if status == http.StatusServiceUnavailable {
		return errors.New("Taiwa is temporarily unavailable; retry shortly")
	}
	return fmt.Errorf("%s failed; quote request id %s when reporting it", name, call.requestID)
}

// guidanceArgs are search_guidance's arguments.
type guidanceArgs struct {
	Query string `json:"query" jsonschema:"what to look for, in Japanese or English"`
	Limit int    `json:"limit,omitempty" jsonschema:"how many passages, 1 to 50 (default 5)"`
}

type guidanceResult struct {
	Hits []guidanceHit `json:"hits"`
	// Degraded is knowledge.Result's: dense when the embedding model did
	// not answer and only the lexical retriever ran.
	Degraded string `json:"degraded,omitempty" jsonschema:"dense when only the lexical retriever ran (the embedding model did not answer)"`
}

type guidanceHit struct {
	DocumentID  uuid.UUID `json:"document_id"`
	Title       string    `json:"title" jsonschema:"the document's title"`
	HeadingPath []string  `json:"heading_path" jsonschema:"the section: the headings above the passage"`
	Text        string    `json:"text" jsonschema:"the passage"`
	Score       float64   `json:"score" jsonschema:"reciprocal rank fusion of the lexical and vector retrievers; higher is better"`
	Starter     bool      `json:"starter" jsonschema:"from the starter pack shipped with Taiwa, not your organization's own guidance"`
}

func (call *mcpCall) searchGuidance(ctx context.Context, in guidanceArgs) (*mcp.CallToolResult, guidanceResult, error) {
	if strings.TrimSpace(in.Query) == "" {
		return nil, guidanceResult{}, invalidf("query is empty")
	}
	if in.Limit < 0 || in.Limit > 50 {
		return nil, guidanceResult{}, invalidf("limit must be 1 to 50")
	}
	// As POST /api/kb/search with its defaults (thesaurus on).
	res, err := searchAs(ctx, call.db, call.kb, call.history, call.p, in.Query, knowledge.Query{K: in.Limit, Expansions: true})
	if err != nil {
		return nil, guidanceResult{}, err
	}
	out := guidanceResult{Hits: []guidanceHit{}, Degraded: res.Degraded}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, guidanceHit{DocumentID: h.DocumentID, Title: h.Title, HeadingPath: h.HeadingPath,
			Text: h.Text, Score: h.Score, Starter: h.Starter})
	}
	return nil, out, nil
}

type membersResult struct {
	Members []memberSummary `json:"members"`
}

// memberSummary is what GET /api/members says of a member that helps an
// assistant pick one; the field names are the route's.
type memberSummary struct {
	ID            uuid.UUID  `json:"id" jsonschema:"the member_id prep_member takes"`
	Alias         string     `json:"alias" jsonschema:"your label for the member"`
	LastSessionAt *time.Time `json:"last_session_at" jsonschema:"when the last 1on1 was held"`
	NextSessionAt *time.Time `json:"next_session_at" jsonschema:"when the next 1on1 is scheduled"`
	OpenActions   int        `json:"open_actions" jsonschema:"actions agreed in 1on1s and not done yet"`
	Conditions    []int      `json:"conditions" jsonschema:"the member's condition (1 to 5) at the latest 1on1s, oldest first"`
}

// membersPage is GET /api/members's largest page.
const membersPage = 100

func (call *mcpCall) listMembers(ctx context.Context, _ struct{}) (*mcp.CallToolResult, membersResult, error) {
	out := membersResult{Members: []memberSummary{}}
	err := call.db.Scope(call.p).InTx(ctx, func(tx pgx.Tx) error {
		for offset := 0; ; offset += membersPage {
			ms, err := call.history.Members(ctx, tx, membersPage, offset)
			if err != nil {
				return err
			}
			for _, m := range ms {
				out.Members = append(out.Members, memberSummary{ID: m.ID, Alias: m.Alias, LastSessionAt: m.LastSessionAt,
					NextSessionAt: m.NextSessionAt, OpenActions: m.OpenActions, Conditions: m.Conditions})
			}
			if len(ms) < membersPage {
				return nil
			}
		}
	})
	return nil, out, err
}

// prepArgs are prep_member's arguments.
type prepArgs struct {
	Alias    string `json:"alias,omitempty" jsonschema:"the member's alias, as list_members shows it (or give member_id)"`
	MemberID string `json:"member_id,omitempty" jsonschema:"the member's id, from list_members (or give alias)"`
	Question string `json:"question,omitempty" jsonschema:"optional: your question, or what you plan to do, in your own words"`
	Lang     string `json:"lang,omitempty" jsonschema:"ja or en: the language of the plan (default: your account's)"`
}

func (call *mcpCall) prepMember(ctx context.Context, in prepArgs) (*mcp.CallToolResult, assistant.Plan, error) {
	who := caller(call.p)
	switch in.Lang {
	case "":
	case "ja", "en":
		who.Language = in.Lang
	default:
		return nil, assistant.Plan{}, invalidf("lang must be ja or en")
	}
	id, err := call.memberID(ctx, in.Alias, in.MemberID)
	if err != nil {
		return nil, assistant.Plan{}, err
	}
	plan, err := call.coach.Prep(ctx, call.db.Scope(call.p), who, assistant.PrepRequest{MemberID: id, Question: in.Question}, nil)
	if err != nil {
		return nil, assistant.Plan{}, err
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: planText(plan)}}}, plan, nil
}

// memberID resolves prep_member's member: by id, or by alias as the
// database compares aliases (member_alias_key: width, case and spaces do
// not count; migration 0015). Row security shows the caller's own members
// only, so another manager's member is not found, as over the API.
func (call *mcpCall) memberID(ctx context.Context, alias, id string) (uuid.UUID, error) {
	alias, id = strings.TrimSpace(alias), strings.TrimSpace(id)
	switch {
	case (alias == "") == (id == ""):
		return uuid.Nil, invalidf("give either the member's alias or member_id")
	case id != "":
		u, err := uuid.Parse(id)
		if err != nil {
			return uuid.Nil, invalidf("member_id is not a member's id: list_members gives them")
		}
		return u, nil
	}
	var m history.Member
	err := call.db.Scope(call.p).InTx(ctx, func(tx pgx.Tx) (err error) {
		m, err = call.history.MemberByAlias(ctx, tx, alias)
		return err
	})
	return m.ID, err
}

// planLabels are the headings of a plan as text, in the plan's language
// (the web UI's words).
type planLabels struct {
	summary, agenda, questions, watchOuts, followUps, sources string
	referral, possible, now, contacts, dismiss, noGuidance    string
}

func labelsFor(lang string) planLabels {
	if lang == "en" {
		return planLabels{summary: "Summary", agenda: "Agenda", questions: "Questions to ask", watchOuts: "Watch out for",
			followUps: "Actions to follow up", sources: "Sources", referral: "Involve the right people",
			possible: "This may be a sensitive matter", now: "What to do now", contacts: "Contacts",
			dismiss:    "If you have read the texts where this was found and they need no referral, mark it so on the member's page in Taiwa, then ask again.",
			noGuidance: "No guidance in the knowledge base covers this."}
	}
	return planLabels{summary: "要約", agenda: "進め方", questions: "使える問いかけ", watchOuts: "気をつけること",
		followUps: "フォローするアクション", sources: "出典", referral: "専門の窓口につないでください",
		possible: "デリケートな内容かもしれません", now: "いま行うこと", contacts: "連絡先",
		dismiss:    "見つかった場所の文章を読み、窓口につなぐべき内容ではないと確認したときは、Taiwaのメンバーのページで「該当しない」を選び、もう一度依頼してください。",
		noGuidance: "ナレッジベースに該当するガイダンスが見つかりませんでした。"}
}

// planText is a plan as the web UI shows it, in Markdown: a referral that
// replaces the coaching alone; otherwise any referral given beside it
// first, then the summary, the lists with their [n] citations, and the
// sources they number.
func planText(p assistant.Plan) string {
	l := labelsFor(p.Language)
	var b strings.Builder
	if p.Referral != nil {
		writeReferral(&b, l, p.Referral)
		if p.Referral.Blocks(true) {
			return b.String()
		}
	}
	if p.Notice != "" {
		fmt.Fprintf(&b, "%s\n\n", p.Notice)
	}
	if p.NoGuidance {
		fmt.Fprintf(&b, "%s\n\n", l.noGuidance)
	}
	fmt.Fprintf(&b, "## %s\n\n%s\n", l.summary, p.Summary)
	watch := p.WatchOuts
	if p.Referral != nil && len(watch) > 0 {
		watch = watch[1:] // the referral above, said again for the plan read without it
	}
	for _, sec := range []struct {
		title    string
		items    []assistant.Item
		numbered bool
	}{{l.agenda, p.Agenda, true}, {l.questions, p.Questions, false}, {l.watchOuts, watch, false}, {l.followUps, p.FollowUps, false}} {
		if len(sec.items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n\n", sec.title)
		for i, it := range sec.items {
			bullet := "-"
			if sec.numbered {
				bullet = fmt.Sprintf("%d.", i+1)
			}
			fmt.Fprintf(&b, "%s %s\n", bullet, it.Text)
		}
	}
	if len(p.Citations) > 0 {
		fmt.Fprintf(&b, "\n## %s\n\n", l.sources)
		for _, c := range p.Citations {
			where := c.Title
			if len(c.HeadingPath) > 0 {
				where += " › " + strings.Join(c.HeadingPath, " › ")
			}
			fmt.Fprintf(&b, "[%d] %s (document %s)\n", c.N, where, c.DocumentID)
			if c.Quote != "" {
				fmt.Fprintf(&b, "    > %s\n", c.Quote)
			}
		}
	}
	return b.String()
}

func writeReferral(b *strings.Builder, l planLabels, r *assistant.Referral) {
	title := l.referral
	if r.Possible {
		title = l.possible
	}
	fmt.Fprintf(b, "## %s\n\n%s\n", title, r.Message)
	if len(r.Steps) > 0 {
		fmt.Fprintf(b, "\n### %s\n\n", l.now)
		for i, s := range r.Steps {
			fmt.Fprintf(b, "%d. %s\n", i+1, s)
		}
	}
	if len(r.Contacts) > 0 {
		fmt.Fprintf(b, "\n### %s\n\n", l.contacts)
		for _, c := range r.Contacts {
			if c.Detail != "" {
				fmt.Fprintf(b, "- %s: %s\n", c.Name, c.Detail)
			} else {
				fmt.Fprintf(b, "- %s\n", c.Name)
			}
		}
	}
	if r.Possible && len(r.Dismiss) > 0 {
		fmt.Fprintf(b, "\n%s\n", l.dismiss)
	}
	b.WriteString("\n")
}

// buildVersion is the module version the binary was built from, or its
// VCS revision, for the MCP handshake.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return s.Value[:12]
		}
	}
	return "devel"
}
