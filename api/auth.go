package api

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
)

const principalKey = "taiwa.principal"

// authenticate resolves the bearer token to a principal for the handlers.
func authenticate(db *tenant.DB) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || token == "" {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="taiwa"`)
				return tenant.ErrUnauthenticated
			}
			p, err := db.Authenticate(c.Request().Context(), strings.TrimSpace(token))
			if err != nil {
				if err == tenant.ErrUnauthenticated {
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
