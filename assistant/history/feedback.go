package history

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/assistant/anonymize"
)

// Matches are a member's answers to "did the response match what you asked
// for?".
var Matches = []string{"yes", "partly", "no"}

// MinRatings is the fewest ratings a figure shown to the manager covers.
// Figures move in steps of MinRatings, so comparing two of them never
// isolates one answer: a manager who rates their own 1on1s by the member's
// single answer would stop members answering honestly.
const MinRatings = 3

// feedbackWindow is how many of the latest ratings the rolling figures
// cover (a multiple of MinRatings).
const feedbackWindow = 2 * MinRatings

// Rating is one stored answer. It never leaves this package: only
// summaries do.
type rating struct {
	Style        *string
	Satisfaction int
	Matched      string
}

// Figures summarize ratings for the manager: the mean satisfaction (1-5)
// and the share of "did it match" answers that said yes (partly counts
// half), over Ratings ratings. With fewer than MinRatings there are no
// figures.
type Figures struct {
	Ratings      int      `json:"ratings"`
	Satisfaction *float64 `json:"satisfaction"`
	Matched      *float64 `json:"matched"`
}

// figures summarizes rs (oldest first) over the latest feedbackWindow
// ratings of the longest prefix whose length is a multiple of MinRatings.
func figures(rs []rating, window int) Figures {
	usable := len(rs) - len(rs)%MinRatings
	if usable == 0 {
		return Figures{}
	}
	rs = rs[max(0, usable-window):usable]
	var sat, match float64
	for _, r := range rs {
		sat += float64(r.Satisfaction)
		switch r.Matched {
		case "yes":
			match++
		case "partly":
			match += 0.5
		}
	}
	n := float64(len(rs))
	sat, match = round2(sat/n), round2(match/n)
	return Figures{Ratings: len(rs), Satisfaction: &sat, Matched: &match}
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// usable returns the indexes of the ratings a figure over idx (oldest
// first) covers: the latest window of its longest prefix whose length is a
// multiple of MinRatings.
func usable(idx []int, window int) []int {
	n := len(idx) - len(idx)%MinRatings
	return idx[max(0, n-window):n]
}

// leaks reports whether sums over these sets of ratings give away one or
// two ratings: whether some vector with at most two non-zero entries (one
// rating, or two added or subtracted; 1 and 1, or 5 and 1, are then known)
// lies in the span of the sets' indicator vectors. A manager keeps every
// figure the API ever showed, so combinations matter, not only pairs.
//
// In reduced row echelon form such a vector is in the span exactly when a
// row has at most two non-zero entries, or two rows agree, up to sign, off
// the pivot columns (their sum or difference is then the vector).
func leaks(sets [][]int, n int) bool {
	m := make([][]float64, 0, len(sets))
	for _, set := range sets {
		row := make([]float64, n)
		for _, i := range set {
			row[i] = 1
		}
		m = append(m, row)
	}
	m, pivots := rref(m)
	off := func(row []float64) []float64 {
		out := slices.Clone(row)
		for _, p := range pivots {
			out[p] = 0
		}
		return out
	}
	for k, row := range m {
		if nonZero(row) <= 2 {
			return true
		}
		for _, other := range m[k+1:] {
			a, b := off(row), off(other)
			if same(a, b, 1) || same(a, b, -1) {
				return true
			}
		}
	}
	return false
}

func nonZero(v []float64) int {
	n := 0
	for _, x := range v {
		if math.Abs(x) > 1e-9 {
			n++
		}
	}
	return n
}

func same(a, b []float64, sign float64) bool {
	for i := range a {
		if math.Abs(a[i]-sign*b[i]) > 1e-9 {
			return false
		}
	}
	return true
}

// rref returns the non-zero rows of m in reduced row echelon form, with
// their pivot columns.
func rref(m [][]float64) ([][]float64, []int) {
	var pivots []int
	r := 0
	for c := 0; len(m) > 0 && c < len(m[0]) && r < len(m); c++ {
		p := slices.IndexFunc(m[r:], func(row []float64) bool { return math.Abs(row[c]) > 1e-9 })
		if p < 0 {
			continue
		}
		m[r], m[r+p] = m[r+p], m[r]
		lead := m[r][c]
		for k := range m[r] {
			m[r][k] /= lead
		}
		for i := range m {
			if f := m[i][c]; i != r && math.Abs(f) > 1e-9 {
				for k := range m[i] {
					m[i][k] -= f * m[r][k]
				}
			}
		}
		pivots = append(pivots, c)
		r++
	}
	return m[:r], pivots
}

// SharedComment is a comment the member chose to share with the manager.
type SharedComment struct {
	SessionID uuid.UUID      `json:"session_id"`
	Comment   anonymize.Text `json:"comment"`
	CreatedAt time.Time      `json:"created_at"`
}

// FeedbackSummary is what the manager learns from a member's feedback.
type FeedbackSummary struct {
	Figures
	// Received counts all answers, including those not yet in the figures.
	Received       int             `json:"received"`
	SharedComments []SharedComment `json:"shared_comments"`
}

func (s *Store) ratings(ctx context.Context, tx pgx.Tx, memberID uuid.UUID) ([]rating, error) {
	rows, _ := tx.Query(ctx, `SELECT s.request_style, f.satisfaction, f.matched
		FROM session_feedback f JOIN sessions s ON s.id = f.session_id
		WHERE f.member_id = $1 ORDER BY f.created_at, f.session_id`, memberID)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[rating])
	if err != nil {
		return nil, fmt.Errorf("ratings: %w", err)
	}
	return rs, nil
}

// FeedbackSummary returns the rolling figures of a member's feedback and
// the comments they shared, newest first.
func (s *Store) FeedbackSummary(ctx context.Context, tx pgx.Tx, memberID uuid.UUID) (FeedbackSummary, error) {
	if _, err := s.Member(ctx, tx, memberID); err != nil {
		return FeedbackSummary{}, err
	}
	rs, err := s.ratings(ctx, tx, memberID)
	if err != nil {
		return FeedbackSummary{}, err
	}
	cs, err := sharedComments(ctx, tx, memberID, time.Time{}, 20)
	if err != nil {
		return FeedbackSummary{}, err
	}
	_, overall := styleFigures(rs, nil) // the same figure Signals shows, or none
	return FeedbackSummary{Figures: overall, Received: len(rs), SharedComments: nonNil(cs)}, nil
}

// sharedComments are the comments a member shared since a time, newest
// first, at most limit.
func sharedComments(ctx context.Context, tx pgx.Tx, memberID uuid.UUID, since time.Time, limit int) ([]SharedComment, error) {
	rows, _ := tx.Query(ctx, `SELECT session_id, comment, created_at FROM session_feedback
		WHERE member_id = $1 AND comment IS NOT NULL AND created_at >= $2 ORDER BY created_at DESC LIMIT $3`, memberID, since, limit)
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[SharedComment])
	if err != nil {
		return nil, fmt.Errorf("shared comments: %w", err)
	}
	return cs, nil
}
