package assistant

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/assistant/llm"
	"github.com/taiwa-coach/taiwa/assistant/safety"
)

// answer is one of the coach's answers (a prep plan, a chat reply, a
// reflection) as run drives it. What each reads, retrieves, composes and
// stores differs; the order of the steps, the safety screen, the model
// call and the fallback to the offline answer do not, and live in run.
type answer interface {
	// about names the answer: its kind, id and language.
	about() answerID
	// prepare reads, in the caller's transaction, what the answer draws on
	// (and records what must be recorded before it, such as a chat turn),
	// and returns the texts the safety screen reads.
	prepare(ctx context.Context, tx pgx.Tx) ([]safety.Text, error)
	// ground retrieves the guidance. It is not called for a referral that
	// replaces the coaching.
	ground(ctx context.Context, db DB) error
	// compose writes the offline answer, or the referral when ref is set
	// and blocks it.
	compose(ref *Referral)
	// prompt is the conversation for the model and the sources it may
	// cite; no messages keep the answer offline (nothing to ground it on).
	prompt() ([]llm.Message, []Source)
	// accept takes the model's reply, and reports false when it holds
	// nothing to show.
	accept(reply llm.Reply) bool
	// offline makes the composed answer the one given, for reason ("" when
	// the model was not needed), with notice for the reader, and returns
	// its text and citations to stream.
	offline(reason, notice string) (string, []Citation)
	// save stores the answer in the caller's transaction.
	save(ctx context.Context, tx pgx.Tx, usage llm.Reply) error
	// result is the answer as the client receives it (the done event).
	result() any
}

// publicCritique is an answer that can tell whether the plan the manager
// states criticises the member in front of others.
type publicCritique interface {
	// criticisesInPublic reports whether the plan criticises the member
	// in front of others, and a plan check warns against it.
	criticisesInPublic() bool
}

// answerID names an answer.
type answerID struct {
	kind string // prep, chat or reflection: the fallback counters' kind
	id   uuid.UUID
	lang string
	// besides: the answer can carry a vague referral beside its coaching
	// (Referral.Blocks).
	besides bool
}

// answerBase is what every answer holds: the coach, who asked, and its
// name.
type answerBase struct {
	c      *Coach
	caller Caller
	id     answerID
}

func (b *answerBase) about() answerID { return b.id }

// newBase names a new answer of kind for caller.
func newBase(c *Coach, caller Caller, kind string) answerBase {
	return answerBase{c: c, caller: caller, id: answerID{kind: kind, id: uuid.Must(uuid.NewV7()), lang: promptLang(caller.Language)}}
}

// run answers: it reads what the answer draws on in one transaction,
// screens it, retrieves guidance, composes the offline answer, asks the
// model when one is configured and the matter allows, falls back to the
// offline answer when the model fails, and saves the answer in a second
// transaction. No transaction is open while a model is called. With emit
// set the answer streams (see Event).
func (c *Coach) run(ctx context.Context, db DB, caller Caller, a answer, emit Emit) error {
	var (
		screened []safety.Text
		g        guard
	)
	err := db.InTx(ctx, func(tx pgx.Tx) (err error) {
		if screened, err = a.prepare(ctx, tx); err != nil {
			return err
		}
		g, err = loadGuard(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	// The caller may read what it asked about: say so at once, so that
	// the first bytes do not wait for the screen, retrieval and the model.
	if err := progress(emit, "retrieving"); err != nil {
		return err
	}
	ref := c.screen(ctx, db, caller, screened, g)
	if p, ok := a.(publicCritique); ok && ref.onlyPossibleInQuestion(safety.Harassment) && p.criticisesInPublic() {
		// The statistical screen read harassment in the manager's own plan
		// to criticise the member in front of others: the plan check warns
		// against that plan, so the reading is told beside the warning
		// instead of replacing it (a blind judge: a kitchen huddle over
		// trim waste, answered only with the harassment hotline).
		ref.Vague = true
	}
	blocks := ref.Blocks(a.about().besides)
	if !blocks {
		if err := a.ground(ctx, db); err != nil {
			return err
		}
	}
	a.compose(ref)
	usage, reason, err := c.ask(ctx, db, caller, a, blocks, emit)
	if err != nil {
		return err
	}
	if reason != nil {
		id := a.about()
		c.fellBack(id.kind, *reason)
		notice := ""
		if *reason != "" && *reason != ReasonSensitive {
			notice = msg(id.lang, "offline.label")
		}
		text, cites := a.offline(*reason, notice)
		if err := streamOffline(emit, Meta{AnswerID: id.id, Mode: ModeOffline, FallbackReason: *reason}, text, cites); err != nil {
			return err
		}
	}
	if err := db.InTx(ctx, func(tx pgx.Tx) error { return a.save(ctx, tx, usage) }); err != nil {
		return err
	}
	if emit != nil {
		return emit(Event{Type: "done", Data: a.result()})
	}
	return nil
}

// ask has the model answer, when one is configured and the answer is not a
// referral. It returns what the call used, or why the answer is the offline
// one (a nil reason: the model's answer was taken; "": the answer had
// nothing to ask the model about). An error is the client's.
func (c *Coach) ask(ctx context.Context, db DB, caller Caller, a answer, referral bool, emit Emit) (llm.Reply, *string, error) {
	reason := c.offlineReason(referral)
	if reason != "" {
		return llm.Reply{}, &reason, nil
	}
	msgs, sources := a.prompt()
	if msgs == nil {
		return llm.Reply{}, &reason, nil
	}
	id := a.about()
	reply, reason, err := c.generate(ctx, db, caller, msgs, sources, Meta{AnswerID: id.id, Mode: ModeLLM, Model: c.llm.Model()}, emit)
	switch {
	case err != nil:
		return llm.Reply{}, nil, err
	case reason != "":
		return llm.Reply{}, &reason, nil
	case !a.accept(reply):
		reason = ReasonEmpty
		return llm.Reply{}, &reason, nil
	}
	return c.usage(msgs, reply), nil, nil
}
