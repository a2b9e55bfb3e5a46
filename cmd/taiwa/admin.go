package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
)

const adminHelp = `Usage: taiwa admin <command> [flags]

Commands:

	bootstrap       create an organization and its first admin, and print the admin's token
	orgs list       list organizations
	users list      list the users of an organization
	users create    add a user (manager, curator or admin) to an organization
	users disable   disable a user (their tokens stop working)
	users enable    enable a disabled user
	tokens create   make an API token for a user and print it (shown once)
	tokens list     list the tokens of an organization or user
	tokens revoke   revoke a token

'taiwa admin <command> -h' lists the flags of each. The admin commands reach
the database like 'taiwa serve' does (DATABASE_URL, or the embedded database
of TAIWA_DATA_DIR, also while a server runs on it).
`

func admin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, adminHelp)
		if len(args) == 0 {
			return usagef("admin: missing command")
		}
		return nil
	}
	name := args[0]
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
		name += " " + args[1]
		args = args[1:]
	}
	cmd, ok := adminCommands[name]
	if !ok {
		return usagef("admin: unknown command %q (try 'taiwa admin help')", name)
	}
	fs := newFlagSet("taiwa admin "+name, "taiwa admin "+name+" [flags]", getenv, stderr)
	var dbc dbConfig
	dbc.register(fs)
	runCmd := cmd(fs)
	if err := fs.parse(args[1:]); err != nil {
		return err
	}
	if err := dbc.validate(); err != nil {
		return err
	}
	var db *database
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	// Commands check their flags before they connect, so a typo is a usage
	// error, not a connection attempt.
	connect := func() (*tenant.DB, error) {
		var err error
		if db, err = openDB(ctx, dbc, newLogger(stderr, "text", "warn")); err != nil {
			return nil, err
		}
		// Admin commands work on a fresh database too: bring the schema up first.
		if _, err := db.Migrate(ctx, nil); err != nil {
			return nil, err
		}
		return db.DB, nil
	}
	return runCmd(ctx, connect, stdout)
}

// adminCommand registers its flags on fs and returns the function that runs
// it once they are parsed. That function checks its flags, then calls
// connect for the database.
type adminCommand func(fs *flagSet) adminRun

type adminRun func(ctx context.Context, connect func() (*tenant.DB, error), stdout io.Writer) error

var adminCommands = map[string]adminCommand{
	"bootstrap":     adminBootstrap,
	"orgs list":     adminOrgsList,
	"users list":    adminUsersList,
	"users create":  adminUsersCreate,
	"users disable": adminUsersDisable(true),
	"users enable":  adminUsersDisable(false),
	"tokens create": adminTokensCreate,
	"tokens list":   adminTokensList,
	"tokens revoke": adminTokensRevoke,
}

func adminBootstrap(fs *flagSet) adminRun {
	org := fs.String("org", "", "organization `name` (required)")
	name := fs.String("name", "", "the admin's display `name` (required)")
	email := fs.String("email", "", "the admin's `email` (optional)")
	lang := fs.String("language", "ja", "organization `language`: ja or en")
	return func(ctx context.Context, connect func() (*tenant.DB, error), stdout io.Writer) error {
		if *org == "" || *name == "" {
			return usagef("admin bootstrap: -org and -name are required")
		}
		db, err := connect()
		if err != nil {
			return err
		}
		o, users, tokens, err := db.Bootstrap(ctx, *org, *lang,
			tenant.NewUser{DisplayName: *name, Email: *email, Role: tenant.RoleAdmin})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "organization %s (%s)\nadmin        %s (%s)\ntoken        %s\n(the token is shown only this once)\n",
			o.Name, o.ID, users[0].DisplayName, users[0].ID, tokens[0])
		return nil
	}
}

func adminOrgsList(fs *flagSet) adminRun {
	return func(ctx context.Context, connect func() (*tenant.DB, error), stdout io.Writer) error {
		db, err := connect()
		if err != nil {
			return err
		}
		var orgs []tenant.Org
		err = db.Operator().InTx(ctx, func(tx pgx.Tx) (err error) {
			orgs, err = tenant.ListOrgs(ctx, tx)
			return err
		})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tLANGUAGE\tCREATED")
		for _, o := range orgs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.ID, o.Name, o.Language, o.CreatedAt.Format(time.DateTime))
		}
		return tw.Flush()
	}
}

// orgFlag registers the -org flag every org-scoped command takes.
func orgFlag(fs *flagSet) *string {
	return fs.String("org", "", "organization `id` (required; see 'taiwa admin orgs list')")
}

func parseUUID(flagName, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, usagef("-%s %q: not an id", flagName, s)
	}
	return id, nil
}

func adminUsersList(fs *flagSet) adminRun {
	org := orgFlag(fs)
	return func(ctx context.Context, connect func() (*tenant.DB, error), stdout io.Writer) error {
		orgID, err := parseUUID("org", *org)
		if err != nil {
			return err
		}
		db, err := connect()
		if err != nil {
			return err
		}
		var users []tenant.User
		err = db.OrgScope(orgID).InTx(ctx, func(tx pgx.Tx) (err error) {
			users, err = tenant.ListUsers(ctx, tx)
			return err
		})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tROLE\tNAME\tEMAIL\tSTATUS")
		for _, u := range users {
			status := "active"
			if u.DisabledAt != nil {
				status = "disabled"
			}
			email := ""
			if u.Email != nil {
				email = *u.Email
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.ID, u.Role, u.DisplayName, email, status)
		}
		return tw.Flush()
	}
}

func adminUsersCreate(fs *flagSet) adminRun {
	org := orgFlag(fs)
	name := fs.String("name", "", "display `name` (required)")
	email := fs.String("email", "", "`email` (optional)")
	role := fs.String("role", "manager", "`role`: manager, curator or admin")
	lang := fs.String("language", "", "`language` of the user's coach: ja or en (default: the organization's)")
	token := fs.Bool("token", true, "also make an API token for the user and print it")
	return func(ctx context.Context, connect func() (*tenant.DB, error), stdout io.Writer) error {
		orgID, err := parseUUID("org", *org)
		if err != nil {
			return err
		}
		r, err := tenant.ParseRole(*role)
		if err != nil {
			return &usageError{err}
		}
		db, err := connect()
		if err != nil {
			return err
		}
		var (
			u      tenant.User
			secret string
		)
		err = db.OrgScope(orgID).InTx(ctx, func(tx pgx.Tx) error {
			var err error
			u, err = tenant.CreateUser(ctx, tx, orgID, tenant.NewUser{DisplayName: *name, Email: *email, Role: r, Language: *lang})
			if err != nil || !*token {
				return err
			}
			_, secret, err = tenant.CreateToken(ctx, tx, orgID, u.ID, "created by taiwa admin", nil)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user   %s (%s, %s)\n", u.ID, u.DisplayName, u.Role)
		if secret != "" {
			fmt.Fprintf(stdout, "token  %s\n(the token is shown only this once)\n", secret)
		}
		return nil
	}
}

func adminUsersDisable(disable bool) adminCommand {
	return func(fs *flagSet) adminRun {
		org := orgFlag(fs)
		user := fs.String("user", "", "user `id` (required)")
		return func(ctx context.Context, connect func() (*tenant.DB, error), stdout io.Writer) error {
			orgID, err := parseUUID("org", *org)
			if err != nil {
				return err
			}
			userID, err := parseUUID("user", *user)
			if err != nil {
				return err
			}
			db, err := connect()
			if err != nil {
				return err
			}
			var u tenant.User
			err = db.OrgScope(orgID).InTx(ctx, func(tx pgx.Tx) (err error) {
				u, err = tenant.SetUserDisabled(ctx, tx, userID, disable)
				return err
			})
			if err != nil {
				return err
			}
			state := "enabled"
			if u.DisabledAt != nil {
				state = "disabled"
			}
			fmt.Fprintf(stdout, "user %s is %s\n", u.ID, state)
			return nil
		}
	}
}

func adminTokensCreate(fs *flagSet) adminRun {
	org := orgFlag(fs)
	user := fs.String("user", "", "user `id` (required)")
	name := fs.String("name", "", "a `label` for the token")
	expires := fs.Duration("expires", 0, "lifetime of the token (e.g. 720h); 0 means no expiry")
	return func(ctx context.Context, connect func() (*tenant.DB, error), stdout io.Writer) error {
		orgID, err := parseUUID("org", *org)
		if err != nil {
			return err
		}
		userID, err := parseUUID("user", *user)
		if err != nil {
			return err
		}
		if *expires < 0 {
			return usagef("-expires must not be negative")
		}
		var exp *time.Time
		if *expires > 0 {
			t := time.Now().Add(*expires)
			exp = &t
		}
		db, err := connect()
		if err != nil {
			return err
		}
		var (
			t      tenant.Token
			secret string
		)
		err = db.OrgScope(orgID).InTx(ctx, func(tx pgx.Tx) (err error) {
			t, secret, err = tenant.CreateToken(ctx, tx, orgID, userID, *name, exp)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token id %s\ntoken    %s\n(the token is shown only this once)\n", t.ID, secret)
		return nil
	}
}

func adminTokensList(fs *flagSet) adminRun {
	org := orgFlag(fs)
	user := fs.String("user", "", "only this user's tokens (`id`)")
	return func(ctx context.Context, connect func() (*tenant.DB, error), stdout io.Writer) error {
		orgID, err := parseUUID("org", *org)
		if err != nil {
			return err
		}
		var userID uuid.UUID
		if *user != "" {
			if userID, err = parseUUID("user", *user); err != nil {
				return err
			}
		}
		db, err := connect()
		if err != nil {
			return err
		}
		var ts []tenant.Token
		err = db.OrgScope(orgID).InTx(ctx, func(tx pgx.Tx) (err error) {
			ts, err = tenant.ListTokens(ctx, tx, userID)
			return err
		})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSER\tNAME\tCREATED\tSTATUS")
		for _, t := range ts {
			status := "active"
			switch {
			case t.RevokedAt != nil:
				status = "revoked"
			case t.ExpiresAt != nil && t.ExpiresAt.Before(time.Now()):
				status = "expired"
			case t.ExpiresAt != nil:
				status = "expires " + t.ExpiresAt.Format(time.DateOnly)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.UserID, t.Name, t.CreatedAt.Format(time.DateTime), status)
		}
		return tw.Flush()
	}
}

func adminTokensRevoke(fs *flagSet) adminRun {
	org := orgFlag(fs)
	token := fs.String("token", "", "token `id` (required; see 'taiwa admin tokens list')")
	return func(ctx context.Context, connect func() (*tenant.DB, error), stdout io.Writer) error {
		orgID, err := parseUUID("org", *org)
		if err != nil {
			return err
		}
		id, err := parseUUID("token", *token)
		if err != nil {
			return err
		}
		db, err := connect()
		if err != nil {
			return err
		}
		err = db.OrgScope(orgID).InTx(ctx, func(tx pgx.Tx) error {
			_, err := tenant.RevokeToken(ctx, tx, id)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %s revoked\n", id)
		return nil
	}
}
