package history_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant/anonymize"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/llm/openaitest"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

var db *pgtest.DB

func TestMain(m *testing.M) { pgtest.Main(m, &db) }

// bigrams embeds as the fake OpenAI server does (hashed character
// bigrams: texts that share wording are close), and counts its calls.
type bigrams struct{ calls, texts int }

func (*bigrams) Model() string { return "test-bigrams" }

func (b *bigrams) Embed(_ context.Context, texts []string) ([][]float32, error) {
	b.calls++
	b.texts += len(texts)
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = openaitest.Vector(t, 64)
	}
	return out, nil
}

func TestEmbedAndSearchOwnHistory(t *testing.T) {
	ctx := t.Context()
	r, err := anonymize.New()
	if err != nil {
		t.Fatal(err)
	}
	keyer, _ := anonymize.NewKeyer([]byte("a test secret of 32 bytes or so."))
	h := history.New(r, keyer)
	org := pgtest.NewOrg(t, db)
	mgr, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
	mgr2, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
	scope := db.Scope(mgr)
	valid := func(string) bool { return true }

	notes := []string{
		"キャリアの方向性について相談。マネージャー職に興味があるが不安もある。",
		"残業が続き疲れ気味。業務量を調整することにした。",
		"新しいプロジェクトへの挑戦をためらっている。失敗が怖いとのこと。",
		"",
	}
	var member history.Member
	var ids []string
	err = scope.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if member, _, err = h.CreateMember(ctx, tx, org, mgr.UserID, "Eさん"); err != nil {
			return err
		}
		for _, n := range notes {
			s, _, err := h.CreateSession(ctx, tx, org, mgr.UserID, member.ID, "ja", history.SessionInput{Status: "held", Notes: n}, valid)
			if err != nil {
				return err
			}
			ids = append(ids, s.ID.String())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	emb := &bigrams{}
	n, err := h.EmbedSessions(ctx, scope, emb, member.ID)
	if err != nil || n != 3 {
		t.Fatalf("EmbedSessions = %d, %v; want 3 (the empty session has nothing to embed)", n, err)
	}
	if n, err := h.EmbedSessions(ctx, scope, emb, member.ID); err != nil || n != 0 || emb.calls != 1 {
		t.Fatalf("second EmbedSessions = %d, %v (%d calls); want nothing to do", n, err, emb.calls)
	}
	// Editing a session's notes makes its vector stale.
	err = scope.InTx(ctx, func(tx pgx.Tx) error {
		_, _, err := h.UpdateSession(ctx, tx, org, mgr.UserID, uuidOf(t, ids[1]), "ja",
			history.SessionInput{Status: "held", Notes: "残業が続き疲れ気味。業務量を調整し、来週また確認する。"}, valid)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := h.EmbedSessions(ctx, scope, emb, member.ID); err != nil || n != 1 {
		t.Fatalf("after an edit EmbedSessions = %d, %v; want 1", n, err)
	}

	q, _ := emb.Embed(ctx, []string{"挑戦をためらうのは失敗が怖いから"})
	var got []history.SessionMatch
	err = scope.InTx(ctx, func(tx pgx.Tx) (err error) {
		got, err = h.SimilarSessions(ctx, tx, member.ID, emb.Model(), q[0], 2)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID.String() != ids[2] || got[0].Similarity <= got[1].Similarity {
		t.Errorf("similar sessions = %+v, want session 3 first", got)
	}

	// Another manager of the same organization finds nothing of it.
	err = db.Scope(mgr2).InTx(ctx, func(tx pgx.Tx) (err error) {
		got, err = h.SimilarSessions(ctx, tx, member.ID, emb.Model(), q[0], 2)
		return err
	})
	if err != nil || len(got) != 0 {
		t.Errorf("another manager's search = %v, %v; want nothing", got, err)
	}
}

// gate is an embedder that holds its first call until released, so a
// test can start a second job while the first is at the model.
type gate struct {
	bigrams
	at, release chan struct{}
}

func (g *gate) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if g.calls == 0 {
		close(g.at)
		<-g.release
	}
	return g.bigrams.Embed(ctx, texts)
}

// Two jobs for one member, in two processes, must not both pay for the
// same notes: the second finds the first's lease and is told to wait.
func TestEmbedSessionsOneJobAtATime(t *testing.T) {
	ctx := t.Context()
	h := newStore(t)
	org := pgtest.NewOrg(t, db)
	mgr, _ := pgtest.NewUser(t, db, org, tenant.RoleManager)
	scope := db.Scope(mgr)
	var member history.Member
	err := scope.InTx(ctx, func(tx pgx.Tx) (err error) {
		if member, _, err = h.CreateMember(ctx, tx, org, mgr.UserID, "Fさん"); err != nil {
			return err
		}
		_, _, err = h.CreateSession(ctx, tx, org, mgr.UserID, member.ID, "ja", history.SessionInput{Status: "held", Notes: "目標設定について話した"},
			func(string) bool { return true })
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	first := &gate{at: make(chan struct{}), release: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		n, err := h.EmbedSessions(ctx, scope, first, member.ID)
		if err == nil && n != 1 {
			err = fmt.Errorf("wrote %d vectors, want 1", n)
		}
		done <- err
	}()
	<-first.at
	second := &bigrams{}
	if n, err := h.EmbedSessions(ctx, scope, second, member.ID); !errors.Is(err, history.ErrEmbedBusy) || n != 0 || second.calls != 0 {
		t.Errorf("second job while the first embeds = %d, %v (%d calls); want ErrEmbedBusy and no call", n, err, second.calls)
	}
	close(first.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// The lease is released: the next job runs, and finds nothing to do.
	if n, err := h.EmbedSessions(ctx, scope, second, member.ID); err != nil || n != 0 || second.calls != 0 {
		t.Errorf("job after the first = %d, %v (%d calls); want nothing to do", n, err, second.calls)
	}

	// A member erased before their job ran leaves nothing to do, not a
	// job that waits for ever.
	err = scope.InTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM members WHERE id = $1`, member.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := h.EmbedSessions(ctx, scope, second, member.ID); err != nil || n != 0 {
		t.Errorf("job for an erased member = %d, %v; want nothing to do", n, err)
	}
}

func uuidOf(t *testing.T, s string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
