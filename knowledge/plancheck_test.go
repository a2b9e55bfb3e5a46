package knowledge_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// TestPlanChecksFrontMatter: what a curator may write in plan_checks, and
// what is refused with a reason.
func TestPlanChecksFrontMatter(t *testing.T) {
	doc := func(checks string) []byte {
		return []byte("---\ntitle: T\nlang: en\ntopics: [listening]\n" + checks + "---\n\n## Avoid\n\n- **Advice** first, before\n  they finish.\n")
	}
	tests := []struct {
		name, checks, err string
	}{
		{"none", "", ""},
		{"one", "plan_checks:\n- when: [asked-to-listen]\n  plans: ['advice|advise']\n  unless: ['just listen']\n  watch: They asked you to listen.\n", ""},
		{"unknown situation", "plan_checks:\n- when: [sad]\n  plans: ['x']\n  watch: w\n", `situation "sad"`},
		{"no situation", "plan_checks:\n- plans: ['x']\n  watch: w\n", "when lists no situation"},
		{"bad pattern", "plan_checks:\n- when: [any]\n  plans: ['(advice']\n  watch: w\n", "not a regular expression"},
		{"no watch", "plan_checks:\n- when: [any]\n  plans: ['x']\n", "watch is 1 to 500"},
		{"no plans", "plan_checks:\n- when: [any]\n  plans: []\n  watch: w\n", "1 to 30 plans"},
		{"unknown kind", "plan_checks:\n- when: [any]\n  plans: ['kind:scold']\n  watch: w\n", `plan kind "scold"`},
		{"cite", "plan_checks:\n- when: [any]\n  plans: ['x']\n  watch: w\n  cite: Advice first, before they finish.\n", ""},
		{"cite not in body", "plan_checks:\n- when: [any]\n  plans: ['x']\n  watch: w\n  cite: Listen first.\n", "cite is not a passage of the body"},
		{"kinds", "plan_checks:\n- when: [any]\n  plans: ['kind:rating', 'bonus']\n  unless: ['kind:decide']\n  watch: w\n  fits: false\n", ""},
		{"honoured", "plan_checks:\n- when: [any]\n  plans: ['cut it to 15']\n  unless: ['at (her|their) request|本人の希望で']\n  watch: w\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, _, err := knowledge.ParseMarkdown(doc(tt.checks))
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("err = %v, want %q", err, tt.err)
			case tt.err == "" && tt.name == "one":
				c := in.PlanChecks[0].ForDocument(uuid.Nil, "T")
				for words, want := range map[string]bool{"i'll give her advice": true, "i'll just listen, no advice": false, "i'll ask her": false} {
					if c.Matches(words, nil) != want {
						t.Errorf("Matches(%q) = %v, want %v", words, !want, want)
					}
				}
			case tt.name == "honoured":
				// The member's request given as the plan's reason excuses it;
				// one reported and set aside does not.
				c := in.PlanChecks[0].ForDocument(uuid.Nil, "T")
				for words, want := range map[string]bool{
					"since she asked for it, i'll cut it to 15":           false,
					"お迎えがあるとのことなので、cut it to 15":                          false,
					"she asked me to keep it long, but i'll cut it to 15": true,
					"i'll cut it to 15": true,
				} {
					if c.Matches(words, nil) != want {
						t.Errorf("Matches(%q) = %v, want %v", words, !want, want)
					}
				}
			case tt.name == "kinds":
				c := in.PlanChecks[0].ForDocument(uuid.Nil, "T")
				for _, m := range []struct {
					words string
					kinds []string
					want  bool
				}{{"x", []string{"rating"}, true}, {"a bonus", nil, true}, {"x", nil, false}, {"a bonus", []string{"decide"}, false}} {
					if c.Matches(m.words, m.kinds) != m.want {
						t.Errorf("Matches(%q, %v) = %v, want %v", m.words, m.kinds, !m.want, m.want)
					}
				}
			}
		})
	}
}

// TestPlanChecksStored: checks are stored with the document, kept in its
// versions and export, and read back only while it is published.
func TestPlanChecksStored(t *testing.T) {
	kb := newBase(t, nil)
	org := pgtest.NewOrg(t, db)
	in := knowledge.Input{Title: "Listening", Body: "## Avoid\n\n- Advice first.\n", Language: "en", Topics: []string{"listening"},
		PlanChecks: []knowledge.PlanCheck{{When: []string{"asked-to-listen"}, Plans: []string{"advice"}, Watch: "They asked you to listen.", Cite: "Advice first."}}}
	var checks []knowledge.DocumentCheck
	err := db.OrgScope(org).InTx(t.Context(), func(tx pgx.Tx) error {
		d, err := kb.Create(t.Context(), tx, org, nil, in, knowledge.StatusDraft)
		if err != nil {
			return err
		}
		if checks, err = kb.PlanChecks(t.Context(), tx, "en"); err != nil {
			return err
		}
		for _, c := range checks {
			if c.DocumentID == d.ID {
				t.Errorf("a draft's checks are read: %+v", c)
			}
		}
		if d, err = kb.SetStatus(t.Context(), tx, d.ID, nil, knowledge.StatusPublished, true); err != nil {
			return err
		}
		if checks, err = kb.PlanChecks(t.Context(), tx, "en"); err != nil {
			return err
		}
		back, _, err := knowledge.ParseMarkdown(d.Markdown())
		if err != nil || len(back.PlanChecks) != 1 || back.PlanChecks[0].Watch != "They asked you to listen." || back.PlanChecks[0].Cite != "Advice first." {
			t.Errorf("export round trip: %+v, %v", back.PlanChecks, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, c := range checks {
		found = found || c.Watch == "They asked you to listen." && c.Cite == "Advice first." && c.Matches("i'll give advice", nil)
	}
	if !found {
		t.Errorf("the published document's check is not read: %+v", checks)
	}
}

// A request the plan grants reads as "at their request" to the unless
// patterns; one told and then set aside does not.
func TestRequestGranted(t *testing.T) {
	c := knowledge.PlanCheck{When: []string{"any"}, Plans: []string{"."}, Unless: []string{`at their request|本人の希望で`}}.ForDocument(uuid.New(), "t")
	for _, tc := range []struct {
		words string
		want  bool
	}{
		{"since she asked for it, i'll go through the rating", true},
		{"member p asked to keep it to 15 minutes, so i'll do exactly that", true},
		{"at monday's stand-up i'll announce her four-day week. she asked me to do it", true},
		{"she asked to talk about remote work, but i need the slot for my deck", false},
		{"本人から評価の根拠を聞きたいと言われているので、今回の1on1で説明する", true},
		{"i'll confirm i'm taking over the caterer calls, as them asked", true},
		{"she asked for exactly that visibility, so i'll call her up at the all-hands", true},
		{"vさんの頼みどおり、後半20分に開発課長に入ってもらいます", true},
		{"she asked for a day off, but i'll put her on the rota", false},
	} {
		if got := c.Excepts(tc.words); got != tc.want {
			t.Errorf("Excepts(%q) = %v, want %v", tc.words, got, tc.want)
		}
	}
}

// TestOwnStep: a plan told as the member's own proposal is marked for the
// stretch checks, and only then.
func TestOwnStep(t *testing.T) {
	c := knowledge.PlanCheck{When: []string{"any"}, Plans: []string{"."}, Unless: []string{knowledge.OwnStep}}.ForDocument(uuid.New(), "t")
	for _, tc := range []struct {
		words string
		want  bool
	}{
		{"i'll put his name in for a 10-minute slot. bit worried, but he did bring it up himself", true},
		{"it was her own idea to run the pilot, so i'll back it", true},
		{"本人から言い出したことなので、勉強会の講師をお願いする", true},
		{"手順書の改訂を自分から言い出してくれて、ここで一気に新ラインの責任者を任せたい", false},
		{"i'll put her forward for the whole rollout", false},
	} {
		if got := c.Excepts(tc.words); got != tc.want {
			t.Errorf("Excepts(%q) = %v, want %v", tc.words, got, tc.want)
		}
	}
}
