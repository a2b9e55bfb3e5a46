package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
)

// The browser UI signs in by exchanging an API token for a session: a
// short-lived token of its own, kept in an HttpOnly cookie that scripts
// cannot read. Unsafe requests that authenticate with the cookie must
// carry the session's CSRF token in a header, which a cross-site form
// cannot set (and SameSite=Strict keeps the cookie off cross-site
// requests anyway).
const (
	sessionCookie = "taiwa_session"
	csrfHeader    = "X-CSRF-Token"
	sessionTTL    = 12 * time.Hour
)

// errCSRF is an unsafe cookie request without the session's CSRF token.
var errCSRF = fmt.Errorf("%w: missing or wrong %s header", tenant.ErrForbidden, csrfHeader)

// csrfToken is derived from the session token, so nothing needs storing;
// it reveals nothing of the session token.
func csrfToken(session string) string {
	h := sha256.Sum256([]byte("taiwa-csrf\x00" + session))
	return hex.EncodeToString(h[:16])
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// credential is the token of a request: the bearer token, or the session
// cookie (then fromCookie is set).
func credential(c echo.Context) (token string, fromCookie bool) {
	if tok, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer "); ok {
		return strings.TrimSpace(tok), false
	}
	for _, name := range []string{hostCookiePrefix + sessionCookie, sessionCookie} {
		if ck, err := c.Cookie(name); err == nil && ck.Value != "" {
			return ck.Value, true
		}
	}
	return "", false
}

// hostCookiePrefix binds the cookie to this host over HTTPS: a sibling
// domain cannot set or overwrite it.
const hostCookiePrefix = "__Host-"

type sessionResponse struct {
	meResponse
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func setSessionCookie(c echo.Context, value string, maxAge int) {
	secure := c.Request().TLS != nil || c.Request().Header.Get("X-Forwarded-Proto") == "https"
	name := sessionCookie
	if secure {
		name = hostCookiePrefix + sessionCookie
	}
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
}

// handleSessionCreate signs in: the API token in the body is checked and a
// session token is made for the same user.
func handleSessionCreate(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		var req struct {
			Token string `json:"token"`
		}
		if err := decode(c, &req); err != nil {
			return err
		}
		p, err := db.Authenticate(ctx, strings.TrimSpace(req.Token))
		if err != nil {
			noteDenied(c, err)
			return err
		}
		c.Set(principalKey, p) // for the audit trail
		expires := time.Now().Add(sessionTTL)
		var (
			resp    sessionResponse
			session string
		)
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
			var err error
			if _, session, err = tenant.CreateToken(ctx, tx, p.OrgID, p.UserID, "web session", &expires); err != nil {
				return err
			}
			if resp.User, err = tenant.GetUser(ctx, tx, p.UserID); err != nil {
				return err
			}
			resp.Org, err = tenant.GetOrg(ctx, tx, p.OrgID)
			return err
		})
		if err != nil {
			return err
		}
		setSessionCookie(c, session, int(sessionTTL.Seconds()))
		resp.CSRFToken, resp.ExpiresAt = csrfToken(session), expires
		return c.JSON(http.StatusCreated, resp)
	}
}

// handleSessionGet tells a reloaded page who is signed in and its CSRF
// token.
func handleSessionGet(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		token, fromCookie := credential(c)
		if !fromCookie {
			return invalidf("no browser session: this request authenticated with a bearer token")
		}
		var resp sessionResponse
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
			var err error
			if resp.User, err = tenant.GetUser(ctx, tx, p.UserID); err != nil {
				return err
			}
			if resp.Org, err = tenant.GetOrg(ctx, tx, p.OrgID); err != nil {
				return err
			}
			t, err := tenant.GetToken(ctx, tx, p.TokenID)
			if err == nil && t.ExpiresAt != nil {
				resp.ExpiresAt = *t.ExpiresAt
			}
			return err
		})
		if err != nil {
			return err
		}
		resp.CSRFToken = csrfToken(token)
		return c.JSON(http.StatusOK, resp)
	}
}

// handleSessionDelete signs out: the session token is revoked and the
// cookie cleared.
func handleSessionDelete(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		if _, fromCookie := credential(c); fromCookie {
			err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
				_, err := tenant.RevokeToken(ctx, tx, p.TokenID)
				return err
			})
			if err != nil && !errors.Is(err, tenant.ErrNotFound) {
				return err
			}
		}
		setSessionCookie(c, "", -1)
		return c.NoContent(http.StatusNoContent)
	}
}

// checkCSRF is the cookie half of authentication.
func checkCSRF(c echo.Context, session string) error {
	if safeMethod(c.Request().Method) {
		return nil
	}
	got := c.Request().Header.Get(csrfHeader)
	if subtle.ConstantTimeCompare([]byte(got), []byte(csrfToken(session))) != 1 {
		return errCSRF
	}
	return nil
}
