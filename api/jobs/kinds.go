package jobs

import (
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// The server's kinds of job. Arguments hold ids only, never text: a job
// row outlives the request that made it, and erasing a member must not
// leave their words in the queue.

// EmbedBackfill embeds every chunk, in every organization, that lacks a
// vector of the configured model (a new model, or saves whose embedding
// call failed), and the session notes likewise.
type EmbedBackfill struct{}

func (EmbedBackfill) Kind() string                 { return "embed_backfill" }
func (EmbedBackfill) Tenant() Tenant               { return Operator() }
func (EmbedBackfill) InsertOpts() river.InsertOpts { return waiting() }

// LexicalIndex brings the lexical nearest-neighbour index of large
// organizations up to date with what imports and saves added.
type LexicalIndex struct{}

func (LexicalIndex) Kind() string                 { return "lexical_index" }
func (LexicalIndex) Tenant() Tenant               { return Operator() }
func (LexicalIndex) InsertOpts() river.InsertOpts { return waiting() }

// EmbedNotes brings the vectors of one member's session texts up to date
// after the manager saved a session (a prep used to do it on its way).
type EmbedNotes struct {
	Org     uuid.UUID `json:"org_id"`
	Manager uuid.UUID `json:"user_id"`
	Member  uuid.UUID `json:"member_id"`
}

func (EmbedNotes) Kind() string     { return "embed_notes" }
func (a EmbedNotes) Tenant() Tenant { return Tenant{Org: a.Org, User: a.Manager} }

// InsertOpts gathers the saves of one member in a notesBatch window into
// one job that runs once the window has passed: it sees every save of the
// window. Two windows' jobs may still be due together; the notes' lease
// (history.ErrEmbedBusy) makes the second wait for the first.
func (EmbedNotes) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		ScheduledAt: time.Now().Truncate(notesBatch).Add(notesBatch),
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByPeriod: notesBatch},
	}
}

// notesBatch is how long saves of one member's notes gather before they
// are embedded.
const notesBatch = 2 * time.Second

// waiting lets one job of a kind and arguments wait or run at a time: a
// burst of saves, or the schedulers of two processes, add it once. A job
// that finished does not hold back the next.
func waiting() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
		rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

// RemindScan finds the reminders due across organizations and enqueues
// one Remind each.
type RemindScan struct{}

func (RemindScan) Kind() string                 { return "remind_scan" }
func (RemindScan) Tenant() Tenant               { return Operator() }
func (RemindScan) InsertOpts() river.InsertOpts { return waiting() }

// Remind sends one reminder (before or after a 1on1) to its manager.
type Remind struct {
	Org      uuid.UUID `json:"org_id"`
	Manager  uuid.UUID `json:"user_id"`
	Session  uuid.UUID `json:"session_id"`
	Reminder string    `json:"reminder"` // notify.KindPrepare or KindAfter
}

func (Remind) Kind() string     { return "remind" }
func (a Remind) Tenant() Tenant { return Tenant{Org: a.Org, User: a.Manager} }
func (Remind) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SlackPrep answers a Slack slash command (/taiwa prep <alias>) with the
// prep, privately, through the command's response URL: Slack waits 3 s for
// an answer, a prep with a model may take longer.
type SlackPrep struct {
	Org         uuid.UUID `json:"org_id"`
	Manager     uuid.UUID `json:"user_id"`
	Member      uuid.UUID `json:"member_id"`
	ResponseURL string    `json:"response_url"`
}

func (SlackPrep) Kind() string     { return "slack_prep" }
func (a SlackPrep) Tenant() Tenant { return Tenant{Org: a.Org, User: a.Manager} }
func (SlackPrep) InsertOpts() river.InsertOpts {
	// Slack's response URL lasts 30 minutes; a prep later than that is
	// no use to anyone.
	return river.InsertOpts{MaxAttempts: 3}
}
