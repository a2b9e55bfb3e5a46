package api

import (
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
)

const principalKey = "taiwa.principal"

// authenticate resolves the bearer token, or the browser's session cookie
// (with its CSRF token on unsafe methods), to a principal for the
// handlers.
func authenticate(db *tenant.DB) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			token, fromCookie := credential(c)
			if token == "" {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="taiwa"`)
				return tenant.ErrUnauthenticated
			}
			if fromCookie {
				if err := checkCSRF(c, token); err != nil {
					return err
				}
			}
			p, err := db.Authenticate(c.Request().Context(), token)
			if err != nil {
				if errors.Is(err, tenant.ErrUnauthenticated) {
					c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="taiwa", error="invalid_token"`)
				}
				return err
			}
			c.Set(principalKey, p)
			return next(c)
		}
	}
}

// principal is the caller of an authenticated route.
func principal(c echo.Context) tenant.Principal {
	p, _ := c.Get(principalKey).(tenant.Principal)
	return p
}

// requireRole lets only the given roles through; others get 403. It only
// checks the role: handlers still check that the caller owns what it asks
// for, and answer 404 when it does not.
func requireRole(roles ...tenant.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := principal(c)
			for _, r := range roles {
				if p.Role == r {
					return next(c)
				}
			}
			return tenant.ErrForbidden
		}
	}
}
