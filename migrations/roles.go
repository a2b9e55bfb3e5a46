package migrations

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"

	"github.com/jackc/pgx/v5"
)

// Roles names the two roles an installation's transactions run as (see
// 0001_platform.sql): App for every request, Operator for the operator's
// own tools.
//
// Role names are global to a PostgreSQL server while tables are not, so a
// second installation (another database or schema, another login role)
// cannot reuse the first one's roles: it could not grant them to itself,
// and if it could, each login role could read the other's data. Each
// installation therefore gets roles of its own unless it may use the
// default ones.
type Roles struct {
	App, Operator string
}

// The names the SQL files are written with.
const (
	defaultApp      = "taiwa_app"
	defaultOperator = "taiwa_operator"
	defaultInsights = "taiwa_insights"
)

// insights names the role that owns the aggregate functions
// (0023_insights.sql): it is named after App, so that an installation that
// had to make roles of its own gets this one too.
func (r Roles) insights() string {
	if r.App == defaultApp {
		return defaultInsights
	}
	return strings.TrimSuffix(r.App, "_app") + "_insights"
}

// Querier is what ResolveRoles needs of a connection or pool.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ResolveRoles returns the roles of the installation in q's current schema.
//
// A migrated schema names its roles in its policies, which is the record:
// older installations keep taiwa_app and taiwa_operator. A new one takes
// those names if they are free or already its own (a superuser, the roles'
// creator, or a login role the operator granted them to), and otherwise
// names derived from the database, schema and login role, so that a
// restart after a half-applied first migration picks the same names again.
func ResolveRoles(ctx context.Context, q Querier) (Roles, error) {
	var app, op *string
	err := q.QueryRow(ctx, `
		SELECT (SELECT roles[1]::text FROM pg_policies
		        WHERE schemaname = current_schema() AND tablename = 'orgs' AND policyname = 'tenant'),
		       (SELECT roles[1]::text FROM pg_policies
		        WHERE schemaname = current_schema() AND tablename = 'orgs' AND policyname = 'operator')`).Scan(&app, &op)
	if err != nil {
		return Roles{}, fmt.Errorf("database roles: %w", err)
	}
	if app != nil && op != nil {
		return Roles{App: *app, Operator: *op}, nil
	}
	def := Roles{App: defaultApp, Operator: defaultOperator}
	var (
		usable bool
		where  string
	)
	err = q.QueryRow(ctx, `
		SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
		    OR bool_and(NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r)
		                OR pg_has_role(current_user, r, 'MEMBER WITH ADMIN OPTION')
		                OR pg_has_role(current_user, r, 'MEMBER')),
		       current_database() || '/' || coalesce(current_schema(), '') || '/' || current_user
		FROM unnest($1::text[]) r`, []string{def.App, def.Operator}).Scan(&usable, &where)
	if err != nil {
		return Roles{}, fmt.Errorf("database roles: %w", err)
	}
	if usable {
		return def, nil
	}
	h := sha256.Sum256([]byte(where))
	prefix := "taiwa_" + hex.EncodeToString(h[:5])
	return Roles{App: prefix + "_app", Operator: prefix + "_operator"}, nil
}

// files returns the migrations written for r.
func (r Roles) files() (fs.FS, error) {
	if r == (Roles{}) || r == (Roles{App: defaultApp, Operator: defaultOperator}) {
		return files, nil
	}
	rename := strings.NewReplacer(defaultApp, r.App, defaultOperator, r.Operator, defaultInsights, r.insights())
	out := fstest.MapFS{}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, err
		}
		out[name] = &fstest.MapFile{Data: []byte(rename.Replace(string(b))), Mode: 0o444}
	}
	return out, nil
}
