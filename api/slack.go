package api

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/jobs"
	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/notify"
)

// The Slack slash command /taiwa, at POST /api/slack/commands. Slack signs
// every request with the workspace's signing secret; the request names its
// workspace (team_id), whose organization's secret checks the signature.
// A signature is accepted once and for 5 minutes; the Slack user must have
// given their Slack member id in Taiwa (notify_prefs), and the answer is
// ephemeral: only they see it.

// errReplayed is a signed Slack request seen before.
var errReplayed = errors.New("request already received")

const maxSlackBody = 8 << 10

// slackReply is an immediate answer to a slash command.
type slackReply struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

func handleSlackCommand(db *tenant.DB, h *history.Store, n *notify.Notifier, q Enqueuer) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if errors.Is(err, notify.ErrBadSignature) || errors.Is(err, notify.ErrStale) {
				// A 401 names how to authenticate: Slack's request signature.
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Slack-Signature realm="taiwa"`)
			}
		}()
		ctx, r := c.Request().Context(), c.Request()
		body, err := io.ReadAll(io.LimitReader(r.Body, maxSlackBody+1))
		if err != nil || len(body) > maxSlackBody {
			return invalidf("the request body is limited to %d bytes", maxSlackBody)
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return invalidf("want a form-encoded Slack command")
		}
		org, settings, err := slackOrg(ctx, db, form.Get("team_id"))
		if err != nil {
			return err
		}
		sig := r.Header.Get("X-Slack-Signature")
		if err := notify.VerifySlack(settings.SlackSigningSecret, r.Header.Get("X-Slack-Request-Timestamp"), sig, body, time.Now()); err != nil {
			return err
		}
		if err := firstSeen(ctx, db, org, sig); err != nil {
			return err
		}
		cmd := slackCommand{org: org, settings: settings, slackUser: form.Get("user_id"), text: form.Get("text"), responseURL: form.Get("response_url")}
		reply, err := cmd.run(ctx, db, h, n, q)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, slackReply{ResponseType: "ephemeral", Text: reply})
	}
}

// slackOrg finds the organization that connected workspace team. An
// unknown workspace is told the same as a bad signature.
func slackOrg(ctx context.Context, db *tenant.DB, team string) (uuid.UUID, notify.Settings, error) {
	if team == "" || len(team) > 50 {
		return uuid.Nil, notify.Settings{}, notify.ErrBadSignature
	}
	var org uuid.UUID
	var s notify.Settings
	err := db.SlackScope(team).InTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT org_id FROM notify_settings WHERE slack_team_id = $1`, team).Scan(&org); err != nil {
			return err
		}
		if err := tenant.ActAs(ctx, tx, org, uuid.Nil); err != nil {
			return err
		}
		var err error
		s, err = notify.GetSettings(ctx, tx)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, notify.Settings{}, notify.ErrBadSignature
	}
	return org, s, err
}

// firstSeen records a signature and refuses one seen before: Slack sends
// a request once (a retry is signed again), so a repeat is a replay.
func firstSeen(ctx context.Context, db *tenant.DB, org uuid.UUID, sig string) error {
	digest := sha256.Sum256([]byte(sig))
	return db.OrgScope(org).InTx(ctx, func(tx pgx.Tx) error {
		// Older than the accepted age: can no longer be replayed.
		if _, err := tx.Exec(ctx, `DELETE FROM slack_requests_seen WHERE seen_at < now() - interval '10 minutes'`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO slack_requests_seen (org_id, signature) VALUES ($1, $2) ON CONFLICT DO NOTHING`, org, digest[:])
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errReplayed
		}
		return nil
	})
}

type slackCommand struct {
	org         uuid.UUID
	settings    notify.Settings
	slackUser   string
	text        string
	responseURL string
}

// run answers the command: help, or prep <alias> (queued, answered through
// the response URL).
func (cmd slackCommand) run(ctx context.Context, db *tenant.DB, h *history.Store, n *notify.Notifier, q Enqueuer) (string, error) {
	p, err := slackPrincipal(ctx, db, cmd.org, cmd.slackUser)
	if err != nil {
		return "", err
	}
	lang := "ja"
	if p != nil {
		lang = p.Language
	}
	settingsURL := n.LinksFor(cmd.settings).Base + "/#/settings"
	if p == nil {
		return say(lang, "TaiwaでSlackのメンバーIDを登録すると使えます: "+settingsURL,
			"Add your Slack member ID in Taiwa to use this: "+settingsURL), nil
	}
	verb, alias, _ := strings.Cut(strings.TrimSpace(cmd.text), " ")
	alias = strings.TrimSpace(alias)
	if !strings.EqualFold(verb, "prep") || alias == "" {
		return say(lang, "使い方: /taiwa prep <メンバーの呼び名> — 1on1の準備を、あなたにだけ表示します",
			"Usage: /taiwa prep <member alias> — prepares the 1on1, shown to you only"), nil
	}
	if p.Role != tenant.RoleManager {
		return say(lang, "1on1の準備はマネージャーのものです", "Preparing a 1on1 is for managers"), nil
	}
	if !notify.SlackURLAllowed(cmd.settings, cmd.responseURL) {
		return "", invalidf("response_url is not Slack's")
	}
	var m history.Member
	err = db.Scope(*p).InTx(ctx, func(tx pgx.Tx) (err error) {
		m, err = h.MemberByAlias(ctx, tx, alias)
		return err
	})
	if errors.Is(err, history.ErrNotFound) {
		return say(lang, fmt.Sprintf("「%s」というメンバーはいません", alias), fmt.Sprintf("No member called %q", alias)), nil
	}
	if err != nil {
		return "", err
	}
	if err := q.Enqueue(ctx, jobs.SlackPrep{Org: p.OrgID, Manager: p.UserID, Member: m.ID, ResponseURL: cmd.responseURL}); err != nil {
		return "", err
	}
	return say(lang, notify.San(m.Alias)+"との1on1を準備しています…", "Preparing your 1on1 with "+m.Alias+"…"), nil
}

// slackPrincipal is the active Taiwa user who gave slackUser as their Slack
// member id, or nil.
func slackPrincipal(ctx context.Context, db *tenant.DB, org uuid.UUID, slackUser string) (*tenant.Principal, error) {
	if slackUser == "" {
		return nil, nil
	}
	var p tenant.Principal
	err := db.OrgScope(org).InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('taiwa.slack_user', $1, true)`, slackUser); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT u.id, u.role, u.language FROM notify_prefs n JOIN users u ON u.org_id = n.org_id AND u.id = n.user_id
			WHERE n.slack_user_id = $1 AND u.disabled_at IS NULL`, slackUser).Scan(&p.UserID, &p.Role, &p.Language)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.OrgID = org
	return &p, nil
}

// SlackPrepWork is the worker of jobs.SlackPrep: the prep, as text,
// posted to the command's response URL for the manager's eyes only.
func SlackPrepWork(coach *assistant.Coach, n *notify.Notifier) jobs.Func[jobs.SlackPrep] {
	return func(ctx context.Context, s tenant.Scope, a jobs.SlackPrep) error {
		var (
			lang string
			set  notify.Settings
		)
		err := s.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			if set, err = notify.GetSettings(ctx, tx); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `SELECT language FROM users WHERE id = $1 AND disabled_at IS NULL`, a.Manager).Scan(&lang)
		})
		if err != nil {
			return err
		}
		caller := assistant.Caller{OrgID: a.Org, UserID: a.Manager, Language: lang}
		plan, err := coach.Prep(ctx, s, caller, assistant.PrepRequest{MemberID: a.Member}, nil)
		if err != nil {
			return err
		}
		return n.Respond(ctx, set, a.ResponseURL, planText(plan))
	}
}

func say(lang, ja, en string) string {
	if lang == "en" {
		return en
	}
	return ja
}
