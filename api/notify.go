package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/notify"
)

// Calendar feeds and reminder settings (assistant/notify). The feed URL
// itself is served without a session: its token is the credential, as a
// member link's is, because calendar apps fetch it on their own.

const calendarPath = "/calendar/"

func handleNotifySettingsGet(db *tenant.DB) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (notify.SettingsView, error) {
		s, err := notify.GetSettings(ctx, tx)
		return s.View(), err
	})
}

func handleNotifySettingsPut(db *tenant.DB) echo.HandlerFunc {
	return decodedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, p tenant.Principal, in notify.SettingsInput) (notify.SettingsView, error) {
		s, err := notify.PutSettings(ctx, tx, p.OrgID, in)
		return s.View(), err
	})
}

func handleNotifyPrefsGet(db *tenant.DB) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (notify.Prefs, error) {
		return notify.GetPrefs(ctx, tx)
	})
}

func handleNotifyPrefsPut(db *tenant.DB) echo.HandlerFunc {
	return decodedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, p tenant.Principal, in notify.PrefsInput) (notify.Prefs, error) {
		return notify.PutPrefs(ctx, tx, p.OrgID, p.UserID, in)
	})
}

// calendarFeed is the caller's feed; URL is shown once, when it is made.
type calendarFeed struct {
	Feed *notify.Feed `json:"feed"`
	URL  string       `json:"url,omitempty"`
}

func handleCalendarGet(db *tenant.DB) echo.HandlerFunc {
	return scopedAction(db, http.StatusOK, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (calendarFeed, error) {
		f, err := notify.CurrentFeed(ctx, tx)
		return calendarFeed{Feed: f}, err
	})
}

// handleCalendarCreate makes the caller a feed, ending the one before.
func handleCalendarCreate(db *tenant.DB, n *notify.Notifier) echo.HandlerFunc {
	return scopedAction(db, http.StatusCreated, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (calendarFeed, error) {
		f, token, err := notify.CreateFeed(ctx, tx, p.OrgID, p.UserID)
		if err != nil {
			return calendarFeed{}, err
		}
		s, err := notify.GetSettings(ctx, tx)
		if err != nil {
			return calendarFeed{}, err
		}
		return calendarFeed{Feed: &f, URL: n.LinksFor(s).Base + calendarPath + token + ".ics"}, nil
	})
}

func handleCalendarRevoke(db *tenant.DB) echo.HandlerFunc {
	return scopedAction(db, http.StatusNoContent, func(ctx context.Context, tx pgx.Tx, c echo.Context, p tenant.Principal, _ uuid.UUID) (struct{}, error) {
		return struct{}{}, notify.RevokeFeed(ctx, tx)
	})
}

// handleCalendarFeed serves a feed by its token: found by the token's
// hash, then read as its owner, so it shows that manager's 1on1s only.
func handleCalendarFeed(db *tenant.DB, n *notify.Notifier) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		hash := notify.HashFeedToken(strings.TrimSuffix(c.Param("token"), ".ics"))
		if hash == nil {
			return notify.ErrNotFound
		}
		var body []byte
		err := db.FeedScope(hash).InTx(ctx, func(tx pgx.Tx) error {
			org, user, err := notify.FeedOwner(ctx, tx, hash)
			if err != nil {
				return err
			}
			if err := tenant.ActAs(ctx, tx, org, user); err != nil {
				return err
			}
			var active bool
			var lang string
			if err := tx.QueryRow(ctx, `SELECT disabled_at IS NULL, language FROM users WHERE id = $1`, user).Scan(&active, &lang); err != nil || !active {
				return notify.ErrNotFound // a disabled user's feed ends with them
			}
			s, err := notify.GetSettings(ctx, tx)
			if err != nil {
				return err
			}
			body, err = n.Calendar(ctx, tx, n.LinksFor(s), lang, time.Now())
			return err
		})
		if err != nil {
			return err
		}
		h := c.Response().Header()
		h.Set(echo.HeaderCacheControl, "private, no-store")
		h.Set("X-Robots-Tag", "noindex")
		return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", body)
	}
}

// handleNotifyTest sends the caller a test message on each channel set up
// for them, and says how each took it.
func handleNotifyTest(db *tenant.DB, n *notify.Notifier) echo.HandlerFunc {
	return func(c echo.Context) error {
		ds, err := n.Test(c.Request().Context(), db.Scope(principal(c)))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"deliveries": ds})
	}
}
