// Package notify meets managers where they work: a calendar feed of their
// scheduled 1on1s, reminders before and after each one in Slack and by
// email, and the Slack slash command that prepares a 1on1 from Slack.
//
// No message carries note text or what a member wrote: a reminder names the
// member by the manager's own alias, the time, the response style and
// topics the member chose, and links into Taiwa, where the rest is read
// signed in.
package notify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	// ErrInvalid is a setting or request the caller must correct.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound is a feed or user that does not exist for the caller.
	ErrNotFound = errors.New("not found")
)

// Settings are an organization's channels and reminder times. Secrets are
// never sent back to a client: View says which are set.
type Settings struct {
	PublicURL          string `json:"public_url"`
	SlackBotToken      string `json:"-"`
	SlackAPIURL        string `json:"slack_api_url"`
	SlackSigningSecret string `json:"-"`
	SlackTeamID        string `json:"slack_team_id"`
	SMTPAddr           string `json:"smtp_addr"`
	SMTPUsername       string `json:"smtp_username"`
	SMTPPassword       string `json:"-"`
	SMTPFrom           string `json:"smtp_from"`
	SMTPTLS            string `json:"smtp_tls"`
	RemindBeforeMin    int    `json:"remind_before_min"`
	RemindAfterMin     int    `json:"remind_after_min"`
}

// SettingsView is Settings as an admin reads them.
type SettingsView struct {
	Settings
	SlackBotTokenSet      bool `json:"slack_bot_token_set"`
	SlackSigningSecretSet bool `json:"slack_signing_secret_set"`
	SMTPPasswordSet       bool `json:"smtp_password_set"`
}

// View is s without its secrets.
func (s Settings) View() SettingsView {
	return SettingsView{Settings: s, SlackBotTokenSet: s.SlackBotToken != "",
		SlackSigningSecretSet: s.SlackSigningSecret != "", SMTPPasswordSet: s.SMTPPassword != ""}
}

// SlackAPI is where Slack's Web API is reached: Slack's, unless an admin
// named another (a proxy, or a test's fake).
func (s Settings) SlackAPI() string {
	if s.SlackAPIURL != "" {
		return strings.TrimRight(s.SlackAPIURL, "/")
	}
	return "https://slack.com/api"
}

// SettingsInput changes settings. A nil secret keeps the stored one; an
// empty one clears it.
type SettingsInput struct {
	Settings
	SlackBotToken      *string `json:"slack_bot_token"`
	SlackSigningSecret *string `json:"slack_signing_secret"`
	SMTPPassword       *string `json:"smtp_password"`
}

var defaultSettings = Settings{SMTPTLS: "starttls", RemindBeforeMin: 60, RemindAfterMin: 30}

const settingsColumns = `public_url, slack_bot_token, slack_api_url, slack_signing_secret, slack_team_id,
	smtp_addr, smtp_username, smtp_password, smtp_from, smtp_tls, remind_before_min, remind_after_min`

func scanSettings(row pgx.Row) (Settings, error) {
	var s Settings
	err := row.Scan(&s.PublicURL, &s.SlackBotToken, &s.SlackAPIURL, &s.SlackSigningSecret, &s.SlackTeamID,
		&s.SMTPAddr, &s.SMTPUsername, &s.SMTPPassword, &s.SMTPFrom, &s.SMTPTLS, &s.RemindBeforeMin, &s.RemindAfterMin)
	return s, err
}

// GetSettings returns the organization's settings (the defaults when none
// were saved).
func GetSettings(ctx context.Context, tx pgx.Tx) (Settings, error) {
	s, err := scanSettings(tx.QueryRow(ctx, `SELECT `+settingsColumns+` FROM notify_settings`))
	if errors.Is(err, pgx.ErrNoRows) {
		return defaultSettings, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("notification settings: %w", err)
	}
	return s, nil
}

var slackTeamRE = regexp.MustCompile(`^(T[A-Z0-9]{2,30})?$`)

// PutSettings validates and saves the organization's settings.
func PutSettings(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, in SettingsInput) (Settings, error) {
	cur, err := GetSettings(ctx, tx)
	if err != nil {
		return Settings{}, err
	}
	s := in.Settings
	s.SlackBotToken, s.SlackSigningSecret, s.SMTPPassword = keep(in.SlackBotToken, cur.SlackBotToken),
		keep(in.SlackSigningSecret, cur.SlackSigningSecret), keep(in.SMTPPassword, cur.SMTPPassword)
	if s.SMTPTLS == "" {
		s.SMTPTLS = "starttls"
	}
	if s.RemindBeforeMin == 0 {
		s.RemindBeforeMin = defaultSettings.RemindBeforeMin
	}
	if s.RemindAfterMin == 0 {
		s.RemindAfterMin = defaultSettings.RemindAfterMin
	}
	if err := s.validate(); err != nil {
		return Settings{}, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO notify_settings (org_id, `+settingsColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (org_id) DO UPDATE SET public_url = excluded.public_url, slack_bot_token = excluded.slack_bot_token,
			slack_api_url = excluded.slack_api_url, slack_signing_secret = excluded.slack_signing_secret,
			slack_team_id = excluded.slack_team_id, smtp_addr = excluded.smtp_addr, smtp_username = excluded.smtp_username,
			smtp_password = excluded.smtp_password, smtp_from = excluded.smtp_from, smtp_tls = excluded.smtp_tls,
			remind_before_min = excluded.remind_before_min, remind_after_min = excluded.remind_after_min, updated_at = now()`,
		orgID, s.PublicURL, s.SlackBotToken, s.SlackAPIURL, s.SlackSigningSecret, s.SlackTeamID,
		s.SMTPAddr, s.SMTPUsername, s.SMTPPassword, s.SMTPFrom, s.SMTPTLS, s.RemindBeforeMin, s.RemindAfterMin)
	if err != nil {
		if isUniqueViolation(err) {
			return Settings{}, fmt.Errorf("%w: Slack workspace %s is connected to another organization", ErrInvalid, s.SlackTeamID)
		}
		return Settings{}, fmt.Errorf("save notification settings: %w", err)
	}
	return s, nil
}

func keep(in *string, cur string) string {
	if in == nil {
		return cur
	}
	return strings.TrimSpace(*in)
}

func (s Settings) validate() error {
	for name, u := range map[string]string{"public_url": s.PublicURL, "slack_api_url": s.SlackAPIURL} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return fmt.Errorf("%w: %s: want an http or https URL", ErrInvalid, name)
		}
	}
	if !slackTeamRE.MatchString(s.SlackTeamID) {
		return fmt.Errorf("%w: slack_team_id: a Slack workspace id starts with T (e.g. T0123ABCD)", ErrInvalid)
	}
	if s.SlackSigningSecret != "" && s.SlackTeamID == "" {
		return fmt.Errorf("%w: slack_team_id: the slash command needs the workspace id with the signing secret", ErrInvalid)
	}
	if s.SMTPAddr != "" {
		if _, port, ok := strings.Cut(s.SMTPAddr, ":"); !ok || port == "" {
			return fmt.Errorf("%w: smtp_addr: want host:port (e.g. smtp.example.com:587)", ErrInvalid)
		}
		if _, err := mail.ParseAddress(s.SMTPFrom); err != nil {
			return fmt.Errorf("%w: smtp_from: want the address reminders come from", ErrInvalid)
		}
	}
	switch s.SMTPTLS {
	case "starttls", "tls", "none":
	default:
		return fmt.Errorf("%w: smtp_tls: starttls, tls or none", ErrInvalid)
	}
	if s.RemindBeforeMin < 5 || s.RemindBeforeMin > 10080 || s.RemindAfterMin < 5 || s.RemindAfterMin > 10080 {
		return fmt.Errorf("%w: reminder times are 5 minutes to 7 days", ErrInvalid)
	}
	return nil
}

// Prefs are a user's own choices.
type Prefs struct {
	OptOut          bool   `json:"opt_out"`
	SlackUserID     string `json:"slack_user_id"`
	SlackWebhookURL string `json:"-"`
	SlackWebhookSet bool   `json:"slack_webhook_set"`
}

// PrefsInput changes a user's choices; a nil webhook keeps the stored one.
type PrefsInput struct {
	OptOut          bool    `json:"opt_out"`
	SlackUserID     string  `json:"slack_user_id"`
	SlackWebhookURL *string `json:"slack_webhook_url"`
}

var slackUserRE = regexp.MustCompile(`^([UW][A-Z0-9]{2,30})?$`)

// GetPrefs returns the calling user's choices.
func GetPrefs(ctx context.Context, tx pgx.Tx) (Prefs, error) {
	var p Prefs
	err := tx.QueryRow(ctx, `SELECT opt_out, slack_user_id, slack_webhook_url FROM notify_prefs
		WHERE user_id = nullif(current_setting('taiwa.user_id', true), '')::uuid`).Scan(&p.OptOut, &p.SlackUserID, &p.SlackWebhookURL)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Prefs{}, fmt.Errorf("notification choices: %w", err)
	}
	p.SlackWebhookSet = p.SlackWebhookURL != ""
	return p, nil
}

// PutPrefs saves the calling user's choices.
func PutPrefs(ctx context.Context, tx pgx.Tx, orgID, userID uuid.UUID, in PrefsInput) (Prefs, error) {
	cur, err := GetPrefs(ctx, tx)
	if err != nil {
		return Prefs{}, err
	}
	p := Prefs{OptOut: in.OptOut, SlackUserID: strings.TrimSpace(in.SlackUserID), SlackWebhookURL: keep(in.SlackWebhookURL, cur.SlackWebhookURL)}
	if !slackUserRE.MatchString(p.SlackUserID) {
		return Prefs{}, fmt.Errorf("%w: slack_user_id: a Slack member id starts with U or W (Slack: profile, ⋮, Copy member ID)", ErrInvalid)
	}
	if p.SlackWebhookURL != "" {
		// Checked again before each call: the server posts only to Slack.
		set, err := GetSettings(ctx, tx)
		if err != nil {
			return Prefs{}, err
		}
		if !SlackURLAllowed(set, p.SlackWebhookURL) {
			return Prefs{}, fmt.Errorf("%w: slack_webhook_url: want a Slack incoming-webhook URL (https://hooks.slack.com/services/...)", ErrInvalid)
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO notify_prefs (org_id, user_id, opt_out, slack_user_id, slack_webhook_url) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (org_id, user_id) DO UPDATE SET opt_out = excluded.opt_out, slack_user_id = excluded.slack_user_id,
			slack_webhook_url = excluded.slack_webhook_url, updated_at = now()`,
		orgID, userID, p.OptOut, p.SlackUserID, p.SlackWebhookURL)
	if err != nil {
		if isUniqueViolation(err) {
			return Prefs{}, fmt.Errorf("%w: that Slack member id is another user's", ErrInvalid)
		}
		return Prefs{}, fmt.Errorf("save notification choices: %w", err)
	}
	p.SlackWebhookSet = p.SlackWebhookURL != ""
	return p, nil
}

// feedPrefix marks a calendar feed token.
const feedPrefix = "tcal_"

// HashFeedToken returns what is stored of a feed token, or nil for a
// string that cannot be one.
func HashFeedToken(token string) []byte {
	if !strings.HasPrefix(token, feedPrefix) || len(token) > 100 {
		return nil
	}
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Feed is a user's calendar feed, without its token.
type Feed struct {
	ID        uuid.UUID `json:"id"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateFeed makes the calling user a new calendar feed and returns its
// token, shown this once. The user's earlier feed stops working: a URL
// that leaked is revoked by making a new one.
func CreateFeed(ctx context.Context, tx pgx.Tx, orgID, userID uuid.UUID) (Feed, string, error) {
	if _, err := tx.Exec(ctx, `DELETE FROM calendar_feeds WHERE user_id = $1`, userID); err != nil {
		return Feed{}, "", fmt.Errorf("create feed: %w", err)
	}
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	token := feedPrefix + base64.RawURLEncoding.EncodeToString(b)
	f := Feed{ID: uuid.Must(uuid.NewV7())}
	err := tx.QueryRow(ctx, `INSERT INTO calendar_feeds (org_id, id, user_id, token_hash) VALUES ($1, $2, $3, $4) RETURNING created_at`,
		orgID, f.ID, userID, HashFeedToken(token)).Scan(&f.CreatedAt)
	if err != nil {
		return Feed{}, "", fmt.Errorf("create feed: %w", err)
	}
	return f, token, nil
}

// CurrentFeed returns the calling user's feed, if any.
func CurrentFeed(ctx context.Context, tx pgx.Tx) (*Feed, error) {
	var f Feed
	err := tx.QueryRow(ctx, `SELECT id, created_at FROM calendar_feeds
		WHERE user_id = nullif(current_setting('taiwa.user_id', true), '')::uuid`).Scan(&f.ID, &f.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("calendar feed: %w", err)
	}
	return &f, nil
}

// RevokeFeed ends the calling user's feed.
func RevokeFeed(ctx context.Context, tx pgx.Tx) error {
	tag, err := tx.Exec(ctx, `DELETE FROM calendar_feeds WHERE user_id = nullif(current_setting('taiwa.user_id', true), '')::uuid`)
	if err != nil {
		return fmt.Errorf("revoke feed: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("calendar feed: %w", ErrNotFound)
	}
	return nil
}

// FeedOwner finds the organization and user of the feed whose token hashes
// to hash, in a transaction of tenant.DB.FeedScope.
func FeedOwner(ctx context.Context, tx pgx.Tx, hash []byte) (org, user uuid.UUID, err error) {
	err = tx.QueryRow(ctx, `SELECT f.org_id, f.user_id FROM calendar_feeds f WHERE f.token_hash = $1`, hash).Scan(&org, &user)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, uuid.Nil, fmt.Errorf("calendar feed: %w", ErrNotFound)
	}
	if err != nil {
		return uuid.Nil, uuid.Nil, fmt.Errorf("calendar feed: %w", err)
	}
	return org, user, nil
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
