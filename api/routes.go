package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/knowledge"
)

// addRoutes is the whole HTTP surface. openapi_test.go checks it against
// openapi.yaml in both directions.
func addRoutes(e *echo.Echo, d Deps, m *metrics) {
	e.GET("/healthz", handleHealthz())
	e.GET("/readyz", handleReadyz(d.Logger, d.Ready))
	e.GET("/metrics", handleMetrics(m))
	e.GET("/api/openapi.yaml", handleOpenAPI())

	// A member, who has no account, answers through a single-use link:
	// its token is the only credential.
	e.GET("/api/member-links/:token", handleMemberLinkGet(d.DB))
	e.POST("/api/member-links/:token/intake", handleMemberIntake(d.DB, d.History))
	e.POST("/api/member-links/:token/feedback", handleMemberFeedback(d.DB, d.History))

	// Authenticated routes. Not an echo.Group: a group with middleware
	// answers 404 instead of 405 for a known path with the wrong method.
	auth := authenticate(d.DB)
	// Every POST honours an Idempotency-Key, after the role checks.
	once := idempotent(d.DB)
	api := func(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		mw := append([]echo.MiddlewareFunc{auth}, m...)
		if method == http.MethodPost {
			mw = append(mw, once)
		}
		e.Add(method, path, h, mw...)
	}
	admin := requireRole(tenant.RoleAdmin)
	// Security-relevant actions are recorded, allowed or not (audit.go).
	aud := func(action string) echo.MiddlewareFunc { return audited(d.DB, d.Logger, action) }

	// The browser UI's sign-in: an API token for an HttpOnly session.
	e.POST("/api/session", handleSessionCreate(d.DB), aud("auth.sign_in"))
	api(http.MethodGet, "/api/session", handleSessionGet(d.DB))
	api(http.MethodDelete, "/api/session", handleSessionDelete(d.DB), aud("auth.sign_out"))
	api(http.MethodGet, "/api/me", handleMe(d.DB))
	api(http.MethodGet, "/api/org", handleOrgGet(d.DB))
	api(http.MethodGet, "/api/users", handleUsersList(d.DB), admin)
	api(http.MethodPost, "/api/users", handleUsersCreate(d.DB), aud("user.create"), admin)
	api(http.MethodGet, "/api/users/:id", handleUsersGet(d.DB))
	api(http.MethodPatch, "/api/users/:id", handleUsersUpdate(d.DB), aud("user.update"), admin)
	api(http.MethodGet, "/api/tokens", handleTokensList(d.DB))
	api(http.MethodPost, "/api/tokens", handleTokensCreate(d.DB), aud("token.create"))
	api(http.MethodDelete, "/api/tokens/:id", handleTokensRevoke(d.DB), aud("token.revoke"))

	// Knowledge base: managers read and search published guidance;
	// curators (and admins) curate it.
	curate := requireRole(tenant.RoleCurator, tenant.RoleAdmin)
	kb := d.Knowledge
	api(http.MethodGet, "/api/kb/topics", handleTopics())
	api(http.MethodGet, "/api/kb/documents", handleDocumentsList(d.DB, kb))
	api(http.MethodPost, "/api/kb/documents", handleDocumentsCreate(d.DB, kb), aud("guidance.create"), curate)
	api(http.MethodGet, "/api/kb/documents/:id", handleDocumentsGet(d.DB, kb))
	api(http.MethodPut, "/api/kb/documents/:id", handleDocumentsUpdate(d.DB, kb, d.Logger), aud("guidance.update"), curate)
	api(http.MethodDelete, "/api/kb/documents/:id", handleDocumentsDelete(d.DB, kb), aud("guidance.delete"), curate)
	api(http.MethodPost, "/api/kb/documents/:id/publish", handleDocumentsStatus(d.DB, kb, knowledge.StatusPublished, d.Logger), aud("guidance.publish"), curate)
	api(http.MethodPost, "/api/kb/documents/:id/unpublish", handleDocumentsStatus(d.DB, kb, knowledge.StatusDraft, d.Logger), aud("guidance.unpublish"), curate)
	api(http.MethodPost, "/api/kb/documents/:id/archive", handleDocumentsStatus(d.DB, kb, knowledge.StatusArchived, d.Logger), aud("guidance.archive"), curate)
	api(http.MethodPost, "/api/kb/documents/:id/hide", handleDocumentsHide(d.DB, kb, true), aud("guidance.hide"), curate)
	api(http.MethodPost, "/api/kb/documents/:id/unhide", handleDocumentsHide(d.DB, kb, false), aud("guidance.unhide"), curate)
	api(http.MethodPost, "/api/kb/documents/:id/copy", handleDocumentsCopy(d.DB, kb), aud("guidance.copy"), curate)
	api(http.MethodGet, "/api/kb/documents/:id/versions", handleVersionsList(d.DB, kb), curate)
	api(http.MethodGet, "/api/kb/documents/:id/versions/:version", handleVersionsGet(d.DB, kb), curate)
	api(http.MethodPost, "/api/kb/documents/:id/versions/:version/restore", handleVersionsRestore(d.DB, kb), aud("guidance.restore"), curate)
	api(http.MethodGet, "/api/kb/documents/:id/chunks", handleDocumentChunks(d.DB, kb), curate)
	api(http.MethodGet, "/api/kb/documents/:id/export", handleDocumentExport(d.DB, kb))
	api(http.MethodGet, "/api/kb/export", handleExport(d.DB, kb), aud("guidance.export"), curate)
	api(http.MethodPost, "/api/kb/import", handleImport(d.DB, kb), aud("guidance.import"), curate, middleware.BodyLimit(maxImportBody))
	api(http.MethodPost, "/api/kb/chunk-preview", handleChunkPreview(kb), curate)
	api(http.MethodPost, "/api/kb/search", handleSearch(d.DB, kb, d.History))
	api(http.MethodGet, "/api/kb/thesaurus", handleThesaurusList(d.DB, kb), curate)
	api(http.MethodPost, "/api/kb/thesaurus", handleThesaurusAdd(d.DB, kb), aud("thesaurus.add"), curate)
	api(http.MethodGet, "/api/kb/thesaurus/export", handleThesaurusExport(d.DB, kb), curate)
	api(http.MethodPost, "/api/kb/thesaurus/import", handleThesaurusImport(d.DB, kb), aud("thesaurus.import"), curate, middleware.BodyLimit(maxThesaurusBody))
	api(http.MethodPut, "/api/kb/thesaurus/:id", handleThesaurusUpdate(d.DB, kb), aud("thesaurus.update"), curate)
	api(http.MethodDelete, "/api/kb/thesaurus/:id", handleThesaurusDelete(d.DB, kb), aud("thesaurus.delete"), curate)
	api(http.MethodPost, "/api/kb/thesaurus/:id/hide", handleThesaurusHide(d.DB, kb, true), aud("thesaurus.hide"), curate)
	api(http.MethodPost, "/api/kb/thesaurus/:id/unhide", handleThesaurusHide(d.DB, kb, false), aud("thesaurus.unhide"), curate)

	// Session history: a manager's own members, sessions and actions.
	// Admins and curators cannot read it (row security requires the
	// manager); they get the organization's term list to curate.
	manager := requireRole(tenant.RoleManager)
	h := d.History
	notes := notesJobs{logger: d.Logger}
	if d.EmbedNotes {
		notes.jobs = d.Jobs
	}
	api(http.MethodGet, "/api/members", handleMembersList(d.DB, h), manager)
	api(http.MethodPost, "/api/members", handleMembersCreate(d.DB, h), manager)
	api(http.MethodGet, "/api/members/:id", handleMembersGet(d.DB, h), manager)
	api(http.MethodDelete, "/api/members/:id", handleMembersErase(d.DB, h), aud("member.erase"), manager)
	api(http.MethodPut, "/api/members/:id/names", handleMemberNamesPut(d.DB, h), aud("member.names"), manager)
	api(http.MethodGet, "/api/members/:id/export", handleMembersExport(d.DB, h), aud("member.export"), manager)
	api(http.MethodGet, "/api/members/:id/sessions", handleSessionsList(d.DB, h), manager)
	api(http.MethodPost, "/api/members/:id/sessions", handleSessionsCreate(d.DB, h, notes), manager)
	api(http.MethodGet, "/api/members/:id/actions", handleActionsList(d.DB, h), manager)
	api(http.MethodGet, "/api/sessions/:id", handleSessionsGet(d.DB, h), manager)
	api(http.MethodPut, "/api/sessions/:id", handleSessionsUpdate(d.DB, h, notes), manager)
	api(http.MethodDelete, "/api/sessions/:id", handleSessionsDelete(d.DB, h), aud("meeting.delete"), manager)
	api(http.MethodPatch, "/api/actions/:id", handleActionsUpdate(d.DB, h), manager)
	api(http.MethodGet, "/api/members/:id/feedback", handleFeedbackSummary(d.DB, h), manager)
	api(http.MethodGet, "/api/members/:id/signals", handleSignals(d.DB, h), manager)
	api(http.MethodPost, "/api/sessions/:id/links", handleLinksCreate(d.DB, h), aud("member_link.create"), manager)
	api(http.MethodGet, "/api/sessions/:id/links", handleLinksList(d.DB, h), manager)
	api(http.MethodPut, "/api/sessions/:id/reflection/answers", handleReflectionPut(d.DB, h), manager)
	api(http.MethodGet, "/api/org/terms", handleTermsGet(d.DB, h), admin)
	api(http.MethodPost, "/api/redact", handleRedact(d.DB, h), manager)

	// The coach.
	co := d.Coach
	api(http.MethodPost, "/api/members/:id/prep", handlePrepCreate(d.DB, co, d.KeepAlive), manager)
	api(http.MethodPost, "/api/sessions/:id/reflection", handleReflectionCreate(d.DB, co), manager)
	api(http.MethodGet, "/api/chat/threads", handleThreadsList(d.DB, co), manager)
	api(http.MethodPost, "/api/chat/threads", handleThreadsCreate(d.DB, co), manager)
	api(http.MethodGet, "/api/chat/threads/:id", handleThreadsGet(d.DB, co), manager)
	api(http.MethodDelete, "/api/chat/threads/:id", handleThreadsDelete(d.DB, co), manager)
	api(http.MethodPost, "/api/chat/threads/:id/messages", handleMessagesCreate(d.DB, co, d.KeepAlive), manager)
	api(http.MethodPost, "/api/answers/:id/feedback", handleAnswerFeedback(d.DB, co), manager)
	api(http.MethodGet, "/api/org/contacts", handleContactsGet(d.DB))
	api(http.MethodPut, "/api/org/contacts", handleContactsPut(d.DB), aud("settings.contacts"), admin)
	api(http.MethodGet, "/api/members/:id/referral", handleMemberReferral(d.DB, co), manager)
	api(http.MethodPost, "/api/referrals/dismissals", handleReferralDismiss(d.DB), aud("referral.dismiss"), manager)
	api(http.MethodGet, "/api/org/safety-phrases", handleSafetyPhrasesGet(d.DB), admin)
	api(http.MethodPut, "/api/org/safety-phrases", handleSafetyPhrasesPut(d.DB, co), aud("settings.safety_phrases"), admin)
	api(http.MethodGet, "/api/org/referrals", handleReferralCounts(d.DB), admin)
	api(http.MethodGet, "/api/org/audit", handleAuditList(d.DB), aud("audit.read"), admin)
	api(http.MethodGet, "/api/kb/gaps", handleGaps(d.DB), curate)
	api(http.MethodGet, "/api/kb/usage", handleGuidanceUsage(d.DB), curate)
	api(http.MethodGet, "/api/kb/checks", handleChecksList(d.DB, kb), curate)
	api(http.MethodPost, "/api/kb/checks", handleChecksAdd(d.DB, kb), aud("checks.add"), curate)
	api(http.MethodDelete, "/api/kb/checks/:id", handleChecksDelete(d.DB, kb), aud("checks.delete"), curate)
	api(http.MethodPost, "/api/kb/checks/run", handleChecksRun(d.DB, kb), curate)

	// MCP (mcp.go): AI assistants search the guidance, list members and
	// prepare 1on1s as the token's user, with the role checks of the
	// routes above inside each tool. POST only (the SDK's stateless mode).
	// Not through api(): an Idempotency-Key is per JSON-RPC call, not per
	// HTTP request, so a replayed HTTP answer would answer the wrong call.
	e.POST("/mcp", handleMCP(d.Logger, d.DB, kb, h, co, d.RequestTimeout), auth)

	// Insights: the team tree, and figures no reader can narrow down to a
	// person (assistant/insights; the database enforces the thresholds).
	api(http.MethodGet, "/api/org/teams", handleTeamsList(d.DB), admin)
	api(http.MethodPost, "/api/org/teams", handleTeamsCreate(d.DB), aud("team.create"), admin)
	api(http.MethodPut, "/api/org/teams/:id", handleTeamsUpdate(d.DB), aud("team.update"), admin)
	api(http.MethodDelete, "/api/org/teams/:id", handleTeamsDelete(d.DB), aud("team.delete"), admin)
	api(http.MethodPost, "/api/org/teams/import", handleTeamsImport(d.DB), aud("team.import"), admin, middleware.BodyLimit(maxTeamsBody))
	api(http.MethodPut, "/api/users/:id/team", handleUserTeamPut(d.DB), aud("team.assign"), admin)
	api(http.MethodGet, "/api/org/insights", handleOrgInsights(d.DB), aud("insights.read"), curate) // curators where an admin allows (in SQL)
	api(http.MethodGet, "/api/org/insights/access", handleInsightsAccessGet(d.DB), curate)
	api(http.MethodPut, "/api/org/insights/access", handleInsightsAccessPut(d.DB), aud("insights.access"), admin)
	api(http.MethodGet, "/api/me/insights", handleMyInsights(d.DB), manager)

	// The coach's OpenAI-compatible face (openai.go), for chat clients and
	// the OpenAI SDKs: the same tokens, managers only. No Idempotency-Key:
	// an answer may stream, and the recorder that replays cannot.
	e.GET("/v1/models", handleModelsList(d.DB, h), auth, manager)
	e.POST("/v1/chat/completions", handleChatCompletions(d.DB, h, co, d.Logger, d.KeepAlive), auth, manager)

	// Where managers work (notify.go, slack.go): reminder channels, each
	// user's choices, their calendar feed; the feed and Slack's commands
	// carry their own credential (the feed's token, Slack's signature).
	api(http.MethodGet, "/api/org/notifications", handleNotifySettingsGet(d.DB), admin)
	api(http.MethodPut, "/api/org/notifications", handleNotifySettingsPut(d.DB), aud("settings.notifications"), admin)
	api(http.MethodGet, "/api/me/notifications", handleNotifyPrefsGet(d.DB))
	api(http.MethodPut, "/api/me/notifications", handleNotifyPrefsPut(d.DB))
	api(http.MethodPost, "/api/me/notifications/test", handleNotifyTest(d.DB, d.Notifier))
	api(http.MethodGet, "/api/me/calendar", handleCalendarGet(d.DB), manager)
	api(http.MethodPost, "/api/me/calendar", handleCalendarCreate(d.DB, d.Notifier), aud("calendar.create"), manager)
	api(http.MethodDelete, "/api/me/calendar", handleCalendarRevoke(d.DB), aud("calendar.revoke"), manager)
	e.GET(calendarPath+":token", handleCalendarFeed(d.DB, d.Notifier))
	e.POST("/api/slack/commands", handleSlackCommand(d.DB, h, d.Notifier, d.Jobs))

	// The browser UI: every other GET is a page or an asset.
	if d.UI != nil {
		ui := echo.WrapHandler(d.UI)
		e.GET("/", ui)
		e.GET("/m/:token", ui)
		e.GET("/static/*", ui)
	}
	api(http.MethodPut, "/api/org/terms", handleTermsPut(d.DB, h), aud("settings.terms"), admin)
}
