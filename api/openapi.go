package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPISpec describes every route of addRoutes; openapi_test.go keeps the
// two in step.
//
//go:embed openapi.yaml
var openAPISpec []byte

func handleOpenAPI() echo.HandlerFunc {
	return func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/yaml", openAPISpec)
	}
}
