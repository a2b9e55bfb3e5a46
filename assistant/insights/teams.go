// Package insights is what L&D and HR read about 1on1s across the
// organization: the team tree admins set up, and figures per team and
// month that no reader can narrow down to a person. The figures are
// computed and suppressed in the database (migrations/0023_insights.sql);
// this package names them and shapes them for the API.
package insights

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	ErrInvalid  = errors.New("invalid argument")
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	// ErrForbidden is the database refusing the caller its figures.
	ErrForbidden = errors.New("forbidden")
)

// Team is a node of the organization's team tree, with the managers in it
// now. An archived team (removed after the figures were first read) is
// kept for the past months it counts in.
type Team struct {
	ID         uuid.UUID  `json:"id"`
	ParentID   *uuid.UUID `json:"parent_id"`
	Name       string     `json:"name"`
	Managers   []Manager  `json:"managers"`
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
}

// Manager is a manager as the team list shows them.
type Manager struct {
	ID          uuid.UUID `json:"id"`
	DisplayName string    `json:"display_name"`
}

const maxTeams = 2000

// Teams returns the organization's teams, parents before children, each
// with its current managers.
func Teams(ctx context.Context, tx pgx.Tx) ([]Team, error) { return teams(ctx, tx, false) }

func teams(ctx context.Context, tx pgx.Tx, archived bool) ([]Team, error) {
	rows, _ := tx.Query(ctx, `
		WITH RECURSIVE tree AS (
			SELECT id, parent_id, name, archived_at, ARRAY[name] AS path FROM teams
			WHERE parent_id IS NULL AND ($1 OR archived_at IS NULL)
			UNION ALL
			SELECT t.id, t.parent_id, t.name, t.archived_at, tree.path || t.name
			FROM teams t JOIN tree ON t.parent_id = tree.id
			WHERE $1 OR t.archived_at IS NULL
		)
		SELECT tree.id, tree.parent_id, tree.name,
		       coalesce((SELECT jsonb_agg(jsonb_build_object('id', u.id, 'display_name', u.display_name)
		                                 ORDER BY u.display_name, u.id)
		                 FROM team_memberships m JOIN users u ON u.org_id = m.org_id AND u.id = m.user_id
		                 WHERE m.team_id = tree.id AND m.valid_to IS NULL), '[]'),
		       tree.archived_at
		FROM tree ORDER BY tree.path`, archived)
	ts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Team])
	if err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	if ts == nil {
		ts = []Team{}
	}
	return ts, nil
}

func cleanName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || utf8.RuneCountInString(name) > 200 || strings.ContainsRune(name, '/') {
		return "", fmt.Errorf("%w: a team's name is 1 to 200 characters, without '/'", ErrInvalid)
	}
	return name, nil
}

// settingUp reports whether the organization's figures have never been
// read. Until then the team structure is being set up and every change
// holds for the past too; after, a change holds from now on, so that no
// closed month's figures move between two reads (0023_insights.sql).
func settingUp(ctx context.Context, tx pgx.Tx) (bool, error) {
	var up bool
	if err := tx.QueryRow(ctx, `SELECT NOT EXISTS (SELECT FROM insights_reads)`).Scan(&up); err != nil {
		return false, fmt.Errorf("team structure: %w", err)
	}
	return up, nil
}

// since is when a structure change holds from: always, while setting up.
func since(ctx context.Context, tx pgx.Tx) (string, error) {
	up, err := settingUp(ctx, tx)
	if up {
		return "'-infinity'", err
	}
	return "now()", err
}

// CreateTeam adds a team under parent (nil: at the top).
func CreateTeam(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, name string, parent *uuid.UUID) (Team, error) {
	name, err := cleanName(name)
	if err != nil {
		return Team{}, err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM teams WHERE archived_at IS NULL`).Scan(&n); err != nil {
		return Team{}, fmt.Errorf("create team: %w", err)
	}
	if n >= maxTeams {
		return Team{}, fmt.Errorf("%w: an organization has at most %d teams", ErrInvalid, maxTeams)
	}
	if err := active(ctx, tx, parent); err != nil {
		return Team{}, err
	}
	from, err := since(ctx, tx)
	if err != nil {
		return Team{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Team{}, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO teams (org_id, id, parent_id, name) VALUES ($1, $2, $3, $4)`, orgID, id, parent, name)
	if err == nil {
		_, err = tx.Exec(ctx, `INSERT INTO team_links (org_id, team_id, parent_id, valid_from) VALUES ($1, $2, $3, `+from+`)`, orgID, id, parent)
	}
	if err = teamError(err); err != nil {
		return Team{}, fmt.Errorf("create team: %w", err)
	}
	return Team{ID: id, ParentID: parent, Name: name, Managers: []Manager{}}, nil
}

// active fails unless id (when given) is a team that is not archived.
func active(ctx context.Context, tx pgx.Tx, id *uuid.UUID) error {
	if id == nil {
		return nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM teams WHERE id = $1 AND archived_at IS NULL)`, *id).Scan(&ok); err != nil {
		return fmt.Errorf("team: %w", err)
	}
	if !ok {
		return fmt.Errorf("%w: no such team", ErrNotFound)
	}
	return nil
}

// teamError names the constraint a team write broke.
func teamError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%w: a team of that name already exists there", ErrConflict)
		case "23503":
			return fmt.Errorf("%w: no such team", ErrNotFound)
		}
	}
	return err
}

// moveLink ends the current row of a structure history (team_links or
// team_memberships) for key and starts one with value, from now on, or,
// while setting up, replaces the whole history with one row that always
// held. A nil value ends it without a new row.
func moveLink(ctx context.Context, tx pgx.Tx, table, key, value string, orgID, id uuid.UUID, to *uuid.UUID) error {
	up, err := settingUp(ctx, tx)
	if err != nil {
		return err
	}
	// (table and column names are constants of this package.)
	del := `DELETE FROM ` + table + ` WHERE ` + key + ` = $1 AND valid_to IS NULL AND valid_from = now()`
	if up {
		del = `DELETE FROM ` + table + ` WHERE ` + key + ` = $1`
	}
	tag, err := tx.Exec(ctx, del, id)
	if err != nil {
		return err
	}
	if !up && tag.RowsAffected() == 0 {
		// A row cannot close at the instant it opened: one opened in
		// this transaction was deleted above instead.
		if _, err := tx.Exec(ctx, `UPDATE `+table+` SET valid_to = now() WHERE `+key+` = $1 AND valid_to IS NULL`, id); err != nil {
			return err
		}
	}
	if to == nil && table == "team_memberships" {
		return nil
	}
	from := "now()"
	if up {
		from = "'-infinity'"
	}
	_, err = tx.Exec(ctx, `INSERT INTO `+table+` (org_id, `+key+`, `+value+`, valid_from) VALUES ($1, $2, $3, `+from+`)`, orgID, id, to)
	return err
}

// UpdateTeam renames a team and moves it under parent (nil: to the top).
func UpdateTeam(ctx context.Context, tx pgx.Tx, orgID, id uuid.UUID, name string, parent *uuid.UUID) (Team, error) {
	name, err := cleanName(name)
	if err != nil {
		return Team{}, err
	}
	var current *uuid.UUID
	err = tx.QueryRow(ctx, `SELECT parent_id FROM teams WHERE id = $1 AND archived_at IS NULL`, id).Scan(&current)
	if errors.Is(err, pgx.ErrNoRows) {
		return Team{}, fmt.Errorf("%w: no such team", ErrNotFound)
	}
	if err != nil {
		return Team{}, fmt.Errorf("update team: %w", err)
	}
	if err := active(ctx, tx, parent); err != nil {
		return Team{}, err
	}
	if parent != nil {
		// Under itself or one of its own teams would make a loop.
		var loop bool
		err := tx.QueryRow(ctx, `
			WITH RECURSIVE up AS (
				SELECT id, parent_id FROM teams WHERE id = $1
				UNION ALL
				SELECT t.id, t.parent_id FROM teams t JOIN up ON t.id = up.parent_id
			)
			SELECT EXISTS (SELECT FROM up WHERE id = $2)`, *parent, id).Scan(&loop)
		if err != nil {
			return Team{}, fmt.Errorf("update team: %w", err)
		}
		if loop {
			return Team{}, fmt.Errorf("%w: a team cannot be under itself", ErrInvalid)
		}
	}
	_, err = tx.Exec(ctx, `UPDATE teams SET name = $2, parent_id = $3 WHERE id = $1`, id, name, parent)
	if err == nil && !equalID(current, parent) {
		err = moveLink(ctx, tx, "team_links", "team_id", "parent_id", orgID, id, parent)
	}
	if err = teamError(err); err != nil {
		return Team{}, fmt.Errorf("update team: %w", err)
	}
	ts, err := Teams(ctx, tx)
	if err != nil {
		return Team{}, err
	}
	i := slices.IndexFunc(ts, func(t Team) bool { return t.ID == id })
	return ts[i], nil
}

// DeleteTeam removes a team that has no teams under it and no managers in
// it now. While setting up it is deleted; after, it is archived and keeps
// counting, with its managers of the time, in the months it held.
func DeleteTeam(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	var exists, children, current bool
	err := tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT FROM teams WHERE id = $1 AND archived_at IS NULL),
		       EXISTS (SELECT FROM teams WHERE parent_id = $1 AND archived_at IS NULL),
		       EXISTS (SELECT FROM team_memberships WHERE team_id = $1 AND valid_to IS NULL)`, id).Scan(&exists, &children, &current)
	if err != nil {
		return fmt.Errorf("delete team: %w", err)
	}
	switch {
	case !exists:
		return fmt.Errorf("%w: no such team", ErrNotFound)
	case children:
		return fmt.Errorf("%w: the team has teams under it", ErrConflict)
	case current:
		return fmt.Errorf("%w: move the team's managers out first", ErrConflict)
	}
	up, err := settingUp(ctx, tx)
	if err != nil {
		return err
	}
	if up {
		_, err = tx.Exec(ctx, `DELETE FROM teams WHERE id = $1`, id)
	} else {
		_, err = tx.Exec(ctx, `
			WITH gone AS (DELETE FROM team_links WHERE team_id = $1 AND valid_to IS NULL AND valid_from = now())
			UPDATE team_links SET valid_to = now() WHERE team_id = $1 AND valid_to IS NULL AND valid_from < now()`, id)
		if err == nil {
			_, err = tx.Exec(ctx, `UPDATE teams SET archived_at = now(), parent_id = NULL WHERE id = $1`, id)
		}
	}
	if err = teamError(err); err != nil {
		return fmt.Errorf("delete team: %w", err)
	}
	return nil
}

// SetTeam puts a manager in a team (nil: in none): from now on, or, while
// the structure is being set up, for their past too.
func SetTeam(ctx context.Context, tx pgx.Tx, orgID, userID uuid.UUID, team *uuid.UUID) error {
	var role string
	err := tx.QueryRow(ctx, `SELECT role FROM users WHERE id = $1`, userID).Scan(&role)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: no such user", ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("set team: %w", err)
	}
	if role != "manager" {
		return fmt.Errorf("%w: only managers belong to teams", ErrInvalid)
	}
	if err := active(ctx, tx, team); err != nil {
		return err
	}
	var current *uuid.UUID
	err = tx.QueryRow(ctx, `SELECT team_id FROM team_memberships WHERE user_id = $1 AND valid_to IS NULL`, userID).Scan(&current)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("set team: %w", err)
	}
	if equalID(current, team) {
		return nil
	}
	if err := teamError(moveLink(ctx, tx, "team_memberships", "user_id", "team_id", orgID, userID, team)); err != nil {
		return fmt.Errorf("set team: %w", err)
	}
	return nil
}

func equalID(a, b *uuid.UUID) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// ImportResult says what an import of the team tree did.
type ImportResult struct {
	TeamsCreated     int `json:"teams_created"`
	ManagersAssigned int `json:"managers_assigned"`
}

// ImportError is one line of a CSV file that cannot be imported.
type ImportError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// ImportErrors is an import refused as a whole, with every line's reason.
type ImportErrors []ImportError

func (e ImportErrors) Error() string {
	msgs := make([]string, 0, min(len(e), 5))
	for _, ie := range e[:min(len(e), 5)] {
		msgs = append(msgs, fmt.Sprintf("line %d: %s", ie.Line, ie.Message))
	}
	return fmt.Sprintf("%s: %d lines cannot be imported: %s", ErrInvalid, len(e), strings.Join(msgs, "; "))
}

func (e ImportErrors) Unwrap() error { return ErrInvalid }

const maxImportLines = 20000

// Import reads a CSV of "team,manager_email" lines, where team is a path
// of names separated by " / " or "/" ("Sales / East"), creates the teams
// missing from the tree and puts each manager named in their team. A line
// with no email only makes the team. A header line is allowed. Nothing is
// imported if any line is wrong; the error lists them.
func Import(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, r io.Reader) (ImportResult, error) {
	lines, errs, err := readTeamLines(r)
	if err != nil {
		return ImportResult{}, err
	}
	users, more, err := managersByEmail(ctx, tx, lines)
	if err != nil {
		return ImportResult{}, err
	}
	if errs = append(errs, more...); len(errs) > 0 {
		slices.SortFunc(errs, func(a, b ImportError) int { return a.Line - b.Line })
		return ImportResult{}, errs
	}
	return applyTeamLines(ctx, tx, orgID, lines, users)
}

// teamLine is one line of a team CSV.
type teamLine struct {
	n     int
	path  []string
	email string
}

// readTeamLines parses a team CSV: the lines it can use, and the reasons
// it cannot use the others. An error is a file that is not CSV at all.
func readTeamLines(r io.Reader) ([]teamLine, ImportErrors, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var (
		lines []teamLine
		errs  ImportErrors
	)
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return lines, errs, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%w: line %d: not CSV (%v)", ErrInvalid, n, err)
		}
		if n > maxImportLines {
			return nil, nil, fmt.Errorf("%w: at most %d lines", ErrInvalid, maxImportLines)
		}
		if len(rec) > 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
		}
		if n == 1 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "team") {
			continue // the header
		}
		if len(rec) == 0 || len(rec) > 2 {
			errs = append(errs, ImportError{n, "want two fields: team, manager_email"})
			continue
		}
		l := teamLine{n: n}
		if len(rec) == 2 {
			l.email = strings.ToLower(strings.TrimSpace(rec[1]))
		}
		for _, part := range strings.Split(rec[0], "/") {
			name, err := cleanName(part)
			if err != nil {
				errs = append(errs, ImportError{n, fmt.Sprintf("team name %q: 1 to 200 characters", strings.TrimSpace(part))})
				l.path = nil
				break
			}
			l.path = append(l.path, name)
		}
		if l.path != nil {
			lines = append(lines, l)
		}
	}
}

// managersByEmail finds the manager each line names: each email an
// active manager of the organization, on one line only.
func managersByEmail(ctx context.Context, tx pgx.Tx, lines []teamLine) (map[string]uuid.UUID, ImportErrors, error) {
	var errs ImportErrors
	emails := map[string]int{}
	for _, l := range lines {
		if l.email == "" {
			continue
		}
		if first, ok := emails[l.email]; ok {
			errs = append(errs, ImportError{l.n, fmt.Sprintf("%s is already on line %d: a manager is in one team", l.email, first)})
			continue
		}
		emails[l.email] = l.n
	}
	users := map[string]uuid.UUID{}
	if len(emails) == 0 {
		return users, errs, nil
	}
	rows, _ := tx.Query(ctx, `SELECT lower(email), id, role FROM users WHERE lower(email) = ANY($1) AND disabled_at IS NULL`, keys(emails))
	type user struct {
		Email string
		ID    uuid.UUID
		Role  string
	}
	us, err := pgx.CollectRows(rows, pgx.RowToStructByPos[user])
	if err != nil {
		return nil, nil, fmt.Errorf("import teams: %w", err)
	}
	found := map[string]bool{}
	for _, u := range us {
		found[u.Email] = true
		if u.Role != "manager" {
			errs = append(errs, ImportError{emails[u.Email], fmt.Sprintf("%s is not a manager", u.Email)})
			continue
		}
		users[u.Email] = u.ID
	}
	for e, n := range emails {
		if !found[e] {
			errs = append(errs, ImportError{n, fmt.Sprintf("no active user has the email %s", e)})
		}
	}
	return users, errs, nil
}

// applyTeamLines creates the teams the lines name that do not exist yet
// and puts each manager in their team.
func applyTeamLines(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, lines []teamLine, users map[string]uuid.UUID) (ImportResult, error) {
	var res ImportResult
	existing, err := Teams(ctx, tx)
	if err != nil {
		return res, err
	}
	type key struct {
		parent uuid.UUID // uuid.Nil: the top
		name   string
	}
	ids := map[key]uuid.UUID{}
	for _, t := range existing {
		ids[key{orNil(t.ParentID), t.Name}] = t.ID
	}
	for _, l := range lines {
		var parent *uuid.UUID
		for _, name := range l.path {
			k := key{orNil(parent), name}
			id, ok := ids[k]
			if !ok {
				t, err := CreateTeam(ctx, tx, orgID, name, parent)
				if err != nil {
					return res, fmt.Errorf("line %d: %w", l.n, err)
				}
				id, ids[k] = t.ID, t.ID
				res.TeamsCreated++
			}
			parent = &id
		}
		if l.email != "" {
			if err := SetTeam(ctx, tx, orgID, users[l.email], parent); err != nil {
				return res, fmt.Errorf("line %d: %w", l.n, err)
			}
			res.ManagersAssigned++
		}
	}
	return res, nil
}

func orNil(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
