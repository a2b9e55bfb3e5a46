package api

import (
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

	auth := authenticate(d.DB)
	admin := requireRole(tenant.RoleAdmin)
	g := e.Group("/api", auth)
	g.GET("/me", handleMe(d.DB))
	g.GET("/org", handleOrgGet(d.DB))
	g.GET("/users", handleUsersList(d.DB), admin)
	g.POST("/users", handleUsersCreate(d.DB), admin)
	g.GET("/users/:id", handleUsersGet(d.DB))
	g.PATCH("/users/:id", handleUsersUpdate(d.DB), admin)
	g.GET("/tokens", handleTokensList(d.DB))
	g.POST("/tokens", handleTokensCreate(d.DB))
	g.DELETE("/tokens/:id", handleTokensRevoke(d.DB))
}
