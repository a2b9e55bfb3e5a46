package api

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/taiwa-coach/taiwa/api/tenant"
)

type meResponse struct {
	User tenant.User `json:"user"`
	Org  tenant.Org  `json:"org"`
}

func handleMe(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var (
			resp meResponse
			err  error
		)
		if resp.User, resp.Org, err = db.Me(ctx, p); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, resp)
	}
}

func handleOrgGet(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var org tenant.Org
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			org, err = tenant.GetOrg(ctx, tx, p.OrgID)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, org)
	}
}

type usersPage struct {
	Users []tenant.User `json:"users"`
}

func handleUsersList(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var users []tenant.User
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			users, err = tenant.ListUsers(ctx, tx)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, usersPage{Users: users})
	}
}

type userCreateRequest struct {
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
	Role        string `json:"role"`
	Language    string `json:"language"`
}

func handleUsersCreate(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var req userCreateRequest
		if err := decode(c, &req); err != nil {
			return err
		}
		role, err := tenant.ParseRole(req.Role)
		if err != nil {
			return err
		}
		var u tenant.User
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			u, err = tenant.CreateUser(ctx, tx, p.OrgID, tenant.NewUser{
				DisplayName: req.DisplayName, Email: req.Email, Role: role, Language: req.Language,
			})
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, u)
	}
}

// handleUsersGet shows a user to an admin of their organization, or to the
// user themselves; anyone else gets 404.
func handleUsersGet(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		if p.Role != tenant.RoleAdmin && id != p.UserID {
			return echo.ErrNotFound
		}
		var u tenant.User
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			u, err = tenant.GetUser(ctx, tx, id)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, u)
	}
}

type userUpdateRequest struct {
	Disabled *bool `json:"disabled"`
}

func handleUsersUpdate(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req userUpdateRequest
		if err := decode(c, &req); err != nil {
			return err
		}
		if req.Disabled == nil {
			return invalidf("nothing to update: set disabled")
		}
		if id == p.UserID && *req.Disabled {
			return invalidf("an admin cannot disable themselves")
		}
		var u tenant.User
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			u, err = tenant.SetUserDisabled(ctx, tx, id, *req.Disabled)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, u)
	}
}

type tokensPage struct {
	Tokens []tenant.Token `json:"tokens"`
}

// handleTokensList lists the caller's tokens; an admin may ask for another
// user's with ?user_id=.
func handleTokensList(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		userID := p.UserID
		if s := c.QueryParam("user_id"); s != "" {
			id, err := uuid.Parse(s)
			if err != nil {
				return invalidf("user_id is not a valid id")
			}
			if id != p.UserID && p.Role != tenant.RoleAdmin {
				return tenant.ErrForbidden
			}
			userID = id
		}
		var ts []tenant.Token
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			ts, err = tenant.ListTokens(ctx, tx, userID)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, tokensPage{Tokens: ts})
	}
}

type tokenCreateRequest struct {
	Name string `json:"name"`
	// UserID lets an admin make a token for another user of the org.
	UserID *uuid.UUID `json:"user_id"`
	// ExpiresInDays is optional; 0 or absent means no expiry.
	ExpiresInDays int `json:"expires_in_days"`
}

type tokenCreateResponse struct {
	Token tenant.Token `json:"token"`
	// Secret is the bearer token. It is shown this once and never stored.
	Secret string `json:"secret"`
}

func handleTokensCreate(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		var req tokenCreateRequest
		if err := decode(c, &req); err != nil {
			return err
		}
		userID := p.UserID
		if req.UserID != nil && *req.UserID != p.UserID {
			if p.Role != tenant.RoleAdmin {
				return tenant.ErrForbidden
			}
			userID = *req.UserID
		}
		if req.ExpiresInDays < 0 || req.ExpiresInDays > 3650 {
			return invalidf("expires_in_days must be between 0 and 3650")
		}
		var expires *time.Time
		if req.ExpiresInDays > 0 {
			t := time.Now().Add(time.Duration(req.ExpiresInDays) * 24 * time.Hour)
			expires = &t
		}
		var resp tokenCreateResponse
		err := db.Scope(p).InTx(ctx, func(tx pgx.Tx) (err error) {
			resp.Token, resp.Secret, err = tenant.CreateToken(ctx, tx, p.OrgID, userID, req.Name, expires)
			return err
		})
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return c.JSON(http.StatusCreated, resp)
	}
}

// handleTokensRevoke revokes one of the caller's tokens, or, for an admin,
// any token of the org. Another user's token is a 404 to a non-admin.
func handleTokensRevoke(db *tenant.DB) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, p := c.Request().Context(), principal(c)
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var t tenant.Token
		err = db.Scope(p).InTx(ctx, func(tx pgx.Tx) error {
			cur, err := tenant.GetToken(ctx, tx, id)
			if err != nil {
				return err
			}
			if cur.UserID != p.UserID && p.Role != tenant.RoleAdmin {
				return echo.ErrNotFound
			}
			t, err = tenant.RevokeToken(ctx, tx, id)
			return err
		})
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, t)
	}
}
