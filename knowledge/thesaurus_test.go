package knowledge_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

func TestParseThesaurus(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []knowledge.RuleInput
		err  bool
	}{
		{name: "equivalence", text: "褒める,  称賛 ,承認", want: []knowledge.RuleInput{{Rule: "褒める, 称賛, 承認"}}},
		{name: "one way", text: "wfh, work from home => remote", want: []knowledge.RuleInput{{Rule: "wfh, work from home => remote"}}},
		{name: "japanese commas", text: "褒める、称賛", want: []knowledge.RuleInput{{Rule: "褒める, 称賛"}}},
		{name: "comments, blanks and repeats", text: "# praise\n\npraise, commend\npraise,commend\n", want: []knowledge.RuleInput{{Rule: "praise, commend"}}},
		{name: "weight for the next rule only", text: "# weight 0.7\na => b\nc => d", want: []knowledge.RuleInput{{Rule: "a => b", Weight: 0.7}, {Rule: "c => d"}}},
		{name: "one expression is no equivalence", text: "praise", err: true},
		{name: "empty side", text: "praise =>", err: true},
		{name: "two arrows", text: "a => b => c", err: true},
		{name: "bad weight", text: "# weight heavy\na => b", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := knowledge.ParseThesaurus(tt.text)
			if tt.err {
				if !errors.Is(err, knowledge.ErrInvalid) {
					t.Fatalf("err = %v, want ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestThesaurusExpansion checks what a rule does to a search: a chunk in
// other words is found, the query's own words still rank first, a rule
// matches only a query holding all its words, and a hidden or another
// organization's rule does nothing.
func TestThesaurusExpansion(t *testing.T) {
	kb := newBase(t, nil)
	loadStarter(t, kb)
	org, other := pgtest.NewOrg(t, db), pgtest.NewOrg(t, db)
	ctx := t.Context()
	docs := map[string]uuid.UUID{}
	inOrg(t, org, func(tx pgx.Tx) error {
		// Two passages alike but for one word.
		// The synonym's first: weighed against an organization's own
		// average length, the second document once weighed half again less.
		for _, kw := range [][2]string{{"synonym", "顕彰"}, {"exact", "称揚"}} {
			key, word := kw[0], kw[1]
			d, err := kb.Create(ctx, tx, org, nil, knowledge.Input{Title: "伝え方", Language: "ja", Topics: []string{"recognition"},
				Body: "## 要点\n\n部下の仕事ぶりを" + word + "する。\n"}, knowledge.StatusPublished)
			if err != nil {
				return err
			}
			docs[key] = d.ID
		}
		for _, r := range []string{"称揚 => 顕彰", "段取り 見直す => 顕彰"} {
			if _, err := kb.AddRule(ctx, tx, org, nil, knowledge.RuleInput{Rule: r}); err != nil {
				return err
			}
		}
		return nil
	})
	inOrg(t, other, func(tx pgx.Tx) error {
		_, err := kb.AddRule(ctx, tx, other, nil, knowledge.RuleInput{Rule: "隙間時間 => 顕彰"})
		return err
	})

	search := func(q knowledge.Query) knowledge.Result {
		t.Helper()
		q.Expansions = true
		res, err := kb.Search(ctx, db.OrgScope(org), q)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	lexical := func(res knowledge.Result, doc string) (rank int, score float64, expanded []string) {
		for _, h := range res.Hits {
			if h.DocumentID == docs[doc] && h.Lexical != nil {
				return *h.LexicalRank, *h.Lexical, h.Expanded
			}
		}
		return 0, 0, nil
	}

	res := search(knowledge.Query{Text: "称揚", K: 50})
	er, es, _ := lexical(res, "exact")
	sr, ss, exp := lexical(res, "synonym")
	if er == 0 || sr == 0 {
		t.Fatalf("称揚: exact rank %d, synonym rank %d; want both found", er, sr)
	}
	// Weights are stored and sent as float32: equal up to rounding.
	if er > sr || ss > knowledge.DefaultRuleWeight*es*1.001 {
		t.Errorf("the expansion outranks the word: exact rank %d (%.3f), synonym rank %d (%.3f)", er, es, sr, ss)
	}
	if !slices.Equal(exp, []string{"顕彰"}) {
		t.Errorf("synonym hit's expanded = %q, want [顕彰]", exp)
	}
	if len(res.Expansions) != 1 || res.Expansions[0].To != "顕彰" || !slices.Equal(res.Expansions[0].From, []string{"称揚"}) {
		t.Errorf("expansions = %+v, want 称揚 -> 顕彰", res.Expansions)
	}
	if r, _, _ := lexical(search(knowledge.Query{Text: "称揚", K: 50, NoExpansion: true}), "synonym"); r != 0 {
		t.Errorf("without the thesaurus the synonym passage is found (rank %d)", r)
	}

	// A left side of two words needs both.
	if res := search(knowledge.Query{Text: "段取りを見直すには", K: 50}); len(res.Expansions) != 1 {
		t.Errorf("段取りを見直す: expansions %+v, want one", res.Expansions)
	}
	if res := search(knowledge.Query{Text: "段取りのこつ", K: 50}); len(res.Expansions) != 0 {
		t.Errorf("段取り alone expanded: %+v", res.Expansions)
	}
	// Another organization's rule is not this one's.
	if res := search(knowledge.Query{Text: "隙間時間", K: 50}); len(res.Expansions) != 0 {
		t.Errorf("another organization's rule expanded: %+v", res.Expansions)
	}

	// A starter rule, hidden, stops expanding; shown, expands again.
	var starterRule knowledge.Rule
	inOrg(t, org, func(tx pgx.Tx) error {
		rules, err := kb.Thesaurus(ctx, tx)
		for _, r := range rules {
			if r.Starter && len(r.From) > 0 && !r.Equivalent {
				starterRule = r
				break
			}
		}
		return err
	})
	if starterRule.ID == uuid.Nil {
		t.Fatal("no one-way starter rule")
	}
	q := knowledge.Query{Text: starterRule.From[0], K: 50}
	if len(search(q).Expansions) == 0 {
		t.Fatalf("starter rule %q does not expand %q", starterRule.Rule, q.Text)
	}
	inOrg(t, org, func(tx pgx.Tx) error {
		_, err := kb.SetRuleHidden(ctx, tx, org, starterRule.ID, true)
		return err
	})
	for _, e := range search(q).Expansions {
		if e.RuleID == starterRule.ID {
			t.Errorf("hidden starter rule %q still expands", starterRule.Rule)
		}
	}
	inOrg(t, org, func(tx pgx.Tx) error {
		if _, err := kb.UpdateRule(ctx, tx, starterRule.ID, nil, knowledge.RuleInput{Rule: "a => b"}); !errors.Is(err, knowledge.ErrReadOnly) {
			t.Errorf("editing a starter rule: %v, want ErrReadOnly", err)
		}
		_, err := kb.SetRuleHidden(ctx, tx, org, starterRule.ID, false)
		return err
	})
	if len(search(q).Expansions) == 0 {
		t.Errorf("starter rule shown again does not expand")
	}
}

// TestThesaurusImport: a file's rules are added once, a new weight updates
// a rule, replace removes what the file lacks, and a bad line writes
// nothing.
func TestThesaurusImport(t *testing.T) {
	kb := newBase(t, nil)
	org := pgtest.NewOrg(t, db)
	ctx := t.Context()
	inOrg(t, org, func(tx pgx.Tx) error {
		st, err := kb.ImportThesaurus(ctx, tx, org, nil, "praise, commend\nwfh => remote\n", false)
		if err != nil || st != (knowledge.ThesaurusImport{Added: 2}) {
			t.Fatalf("first import: %+v, %v", st, err)
		}
		st, err = kb.ImportThesaurus(ctx, tx, org, nil, "praise, commend\n# weight 0.8\nwfh => remote\nkudos => recognition\n", false)
		if err != nil || st != (knowledge.ThesaurusImport{Added: 1, Updated: 1, Unchanged: 1}) {
			t.Fatalf("second import: %+v, %v", st, err)
		}
		st, err = kb.ImportThesaurus(ctx, tx, org, nil, "kudos => recognition\n", true)
		if err != nil || st != (knowledge.ThesaurusImport{Unchanged: 1, Removed: 2}) {
			t.Fatalf("replace: %+v, %v", st, err)
		}
		if _, err := kb.ImportThesaurus(ctx, tx, org, nil, "a => b\nの, を => b\n", false); !errors.Is(err, knowledge.ErrInvalid) {
			t.Fatalf("a rule with no searchable word: %v, want ErrInvalid", err)
		}
		rules, err := kb.Thesaurus(ctx, tx)
		var own []string
		for _, r := range rules {
			if !r.Starter {
				own = append(own, r.Rule)
			}
		}
		if !slices.Equal(own, []string{"kudos => recognition"}) {
			t.Errorf("own rules %q, want only kudos => recognition", own)
		}
		return err
	})
}
