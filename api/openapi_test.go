package api

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestOpenAPIMatchesRoutes fails when a registered route is missing from
// openapi.yaml or the document names a route that does not exist.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var spec struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openAPISpec, &spec); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", spec.OpenAPI)
	}
	methods := []string{"get", "put", "post", "delete", "patch", "head", "options"}
	var inSpec []string
	for path, item := range spec.Paths {
		for m := range item {
			if slices.Contains(methods, m) {
				inSpec = append(inSpec, strings.ToUpper(m)+" "+path)
			}
		}
	}

	e := newEcho(Deps{Logger: nil, DB: nil, MaxInFlight: 1, UI: http.NotFoundHandler()})
	param := regexp.MustCompile(`:(\w+)`)
	var inCode []string
	for _, r := range e.Routes() {
		// Echo registers catch-alls for groups with middleware; they are
		// not part of the API.
		if strings.HasSuffix(r.Path, "/*") || r.Method == "echo_route_not_found" {
			continue
		}
		// Pages of the browser UI are not part of the API.
		if r.Path == "/" || r.Path == "/m/:token" {
			continue
		}
		inCode = append(inCode, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	for _, r := range inCode {
		if !slices.Contains(inSpec, r) {
			t.Errorf("route %s is not in openapi.yaml", r)
		}
	}
	for _, r := range inSpec {
		if !slices.Contains(inCode, r) {
			t.Errorf("openapi.yaml names %s, which is not a route", r)
		}
	}
	if len(inCode) < 10 {
		t.Errorf("only %d routes found; the route walk is broken", len(inCode))
	}
}

func TestOpenAPIServed(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	resp := call(t, srv, http.MethodGet, "/api/openapi.yaml", "", nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/yaml" {
		t.Errorf("GET /api/openapi.yaml = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
