package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
)

// addRoutes is the whole HTTP surface. openapi_test.go checks it against
// openapi.yaml in both directions.
func addRoutes(e *echo.Echo, d Deps) {
	e.GET("/healthz", handleHealthz())
	e.GET("/readyz", handleReadyz(d.Logger, d.Ready))
	e.GET("/metrics", handleMetrics(d.Metrics))
	e.GET("/api/openapi.yaml", handleOpenAPI())

	// Authenticated routes. Not an echo.Group: a group with middleware
	// answers 404 instead of 405 for a known path with the wrong method.
	auth := authenticate(d.DB)
	api := func(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		e.Add(method, path, h, append([]echo.MiddlewareFunc{auth}, m...)...)
	}
	admin := requireRole(tenant.RoleAdmin)

	api(http.MethodGet, "/api/me", handleMe(d.DB))
	api(http.MethodGet, "/api/org", handleOrgGet(d.DB))
	api(http.MethodGet, "/api/users", handleUsersList(d.DB), admin)
	api(http.MethodPost, "/api/users", handleUsersCreate(d.DB), admin)
	api(http.MethodGet, "/api/users/:id", handleUsersGet(d.DB))
	api(http.MethodPatch, "/api/users/:id", handleUsersUpdate(d.DB), admin)
	api(http.MethodGet, "/api/tokens", handleTokensList(d.DB))
	api(http.MethodPost, "/api/tokens", handleTokensCreate(d.DB))
	api(http.MethodDelete, "/api/tokens/:id", handleTokensRevoke(d.DB))
}
