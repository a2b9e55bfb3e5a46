package insights

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The thresholds the database enforces (0023_insights.sql): a figure is
// computed over at least this many members, answers and managers.
const (
	MinMembers  = 5
	MinAnswers  = 5
	MinManagers = 3
)

// Families of figures. Sessions, actions and referrals show counts; the
// others are subsets of held 1on1s and show only means and shares. A
// figure is given only when every group it reveals, by itself or by
// subtraction from another (the 1on1s not held, those without a condition,
// a style, a topic, feedback), may be shown (0023_insights.sql,
// insights_shown).
const (
	FamilySessions  = "sessions"       // planned 1on1s
	FamilyCondition = "condition"      // held 1on1s with a condition
	FamilyStyle     = "style"          // held 1on1s per requested response (slice)
	FamilyFeedback  = "feedback"       // members' feedback per requested response (slice)
	FamilyTopic     = "topic"          // held 1on1s per topic (slice)
	FamilyActions   = "actions"        // actions open at the month's end
	FamilyClosed    = "actions_closed" // actions done in the month
	FamilyReferrals = "referrals"      // the coach's referrals per matter (slice), organization only
)

// Cell is one published set of figures: a team (nil: the whole
// organization) in one closed month, for one family and slice. Members,
// managers and answers are given for the families that show counts.
type Cell struct {
	TeamID   *uuid.UUID         `json:"team_id"`
	Month    string             `json:"month"` // YYYY-MM
	Family   string             `json:"family"`
	Slice    string             `json:"slice"`
	Members  *int               `json:"members"`
	Managers *int               `json:"managers"`
	Answers  *int               `json:"answers"`
	Figures  map[string]float64 `json:"figures"`
}

// shown is a cell as the database returns it: for families that show
// counts, the counts and additive sums; for the others, the figures.
type shown struct {
	TeamID                    *uuid.UUID
	Month                     time.Time
	Family, Slice             string
	Members, Managers, Answer *int
	V1, V2, V3                *float64
}

func (s shown) cell() Cell {
	f := map[string]float64{}
	v := func(p *float64) float64 {
		if p == nil {
			return 0
		}
		return *p
	}
	switch s.Family {
	case FamilySessions:
		// Each is given only when the groups it reveals may be shown.
		if s.Answer != nil {
			f["planned"] = float64(*s.Answer)
		}
		if s.V1 != nil {
			f["held"] = *s.V1
			f["held_per_member"] = ratio(*s.V1, float64(*s.Members))
			if s.Answer != nil {
				f["implementation_rate"] = ratio(*s.V1, float64(*s.Answer))
			}
			if s.V2 != nil && *s.V1 > 0 {
				f["reflection_share"] = ratio(*s.V2, *s.V1)
			}
		}
	case FamilyActions:
		n := float64(*s.Answer)
		f["open"] = n
		f["mean_age_days"] = ratio(v(s.V1), n)
		f["over_30_days_share"] = ratio(v(s.V2), n)
	case FamilyClosed:
		n := float64(*s.Answer)
		f["closed"] = n
		f["mean_days_to_close"] = ratio(v(s.V1), n)
	case FamilyReferrals:
		f["referrals"] = float64(*s.Answer)
	case FamilyCondition:
		f["condition_mean"] = round(v(s.V1))
	case FamilyStyle, FamilyTopic:
		f["share"] = round(v(s.V1))
	case FamilyFeedback:
		f["satisfaction_mean"] = round(v(s.V1))
		f["matched_yes"] = round(v(s.V2))
		f["matched_partly"] = round(v(s.V3))
	}
	return Cell{
		TeamID: s.TeamID, Month: s.Month.Format("2006-01"), Family: s.Family, Slice: s.Slice,
		Members: s.Members, Managers: s.Managers, Answers: s.Answer, Figures: f,
	}
}

func round(x float64) float64 { return math.Round(x*1000) / 1000 }

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return round(a / b)
}

// Report is the organization view: its teams and every published cell.
type Report struct {
	Months      []string `json:"months"`
	MinMembers  int      `json:"min_members"`
	MinAnswers  int      `json:"min_answers"`
	MinManagers int      `json:"min_managers"`
	Teams       []Team   `json:"teams"`
	Cells       []Cell   `json:"cells"`
}

// Months are how far back a report may reach.
const MaxMonths = 36

// closedMonths lists the months a report covers: the last n before the
// current one, oldest first.
func closedMonths(now time.Time, n int) []string {
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := make([]string, n)
	for i := range n {
		out[i] = first.AddDate(0, i-n, 0).Format("2006-01")
	}
	return out
}

func checkMonths(n int) error {
	if n < 1 || n > MaxMonths {
		return fmt.Errorf("%w: months is 1 to %d", ErrInvalid, MaxMonths)
	}
	return nil
}

// Org returns the organization view for its admins over the last months.
func Org(ctx context.Context, tx pgx.Tx, months int) (Report, error) {
	if err := checkMonths(months); err != nil {
		return Report{}, err
	}
	// Archived teams too: past months count in them.
	teams, err := teams(ctx, tx, true)
	if err != nil {
		return Report{}, err
	}
	cells, err := query(ctx, tx, `SELECT * FROM insights_org($1)`, months, true)
	if err != nil {
		return Report{}, fmt.Errorf("organization figures: %w", err)
	}
	return Report{
		Months: closedMonths(time.Now().UTC(), months), MinMembers: MinMembers, MinAnswers: MinAnswers,
		MinManagers: MinManagers, Teams: teams, Cells: cells,
	}, nil
}

// Personal is a manager's own view: their figures, and the organization's
// to compare them with (only where taking theirs away leaves a group above
// the thresholds).
type Personal struct {
	Months       []string `json:"months"`
	Own          []Cell   `json:"own"`
	Organization []Cell   `json:"organization"`
}

// Mine returns the calling manager's own view over the last months.
func Mine(ctx context.Context, tx pgx.Tx, months int) (Personal, error) {
	if err := checkMonths(months); err != nil {
		return Personal{}, err
	}
	own, err := query(ctx, tx, `SELECT * FROM insights_own($1)`, months, false)
	if err != nil {
		return Personal{}, fmt.Errorf("own figures: %w", err)
	}
	org, err := query(ctx, tx, `SELECT * FROM insights_benchmark($1)`, months, false)
	if err != nil {
		return Personal{}, fmt.Errorf("organization figures: %w", err)
	}
	return Personal{Months: closedMonths(time.Now().UTC(), months), Own: own, Organization: org}, nil
}

func query(ctx context.Context, tx pgx.Tx, sql string, months int, withTeam bool) ([]Cell, error) {
	rows, err := tx.Query(ctx, sql, months)
	if err != nil {
		return nil, denied(err)
	}
	defer rows.Close()
	cells := []Cell{}
	for rows.Next() {
		var s shown
		dest := []any{&s.Month, &s.Family, &s.Slice, &s.Members, &s.Managers, &s.Answer, &s.V1, &s.V2, &s.V3}
		if withTeam {
			dest = append([]any{&s.TeamID}, dest...)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		cells = append(cells, s.cell())
	}
	return cells, denied(rows.Err())
}

func denied(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" {
		return fmt.Errorf("%w: %s", ErrForbidden, pe.Message)
	}
	return err
}

// CuratorsMayRead says whether the organization's admins let its curators
// read the organization view.
func CuratorsMayRead(ctx context.Context, tx pgx.Tx) (bool, error) {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT coalesce((SELECT curators FROM insights_access), false)`).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("insights access: %w", err)
	}
	return ok, nil
}

// LetCuratorsRead lets the organization's curators read the organization
// view, or stops them.
func LetCuratorsRead(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, curators bool) error {
	_, err := tx.Exec(ctx, `INSERT INTO insights_access (org_id, curators) VALUES ($1, $2)
		ON CONFLICT (org_id) DO UPDATE SET curators = excluded.curators`, orgID, curators)
	if err != nil {
		return fmt.Errorf("insights access: %w", err)
	}
	return nil
}
