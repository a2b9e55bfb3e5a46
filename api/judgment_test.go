package api

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

var updateJudgment = flag.Bool("update-judgment", false, "rewrite testdata/judgment/outputs from the current offline coach")

// scenario is one member's history and the manager's question, written
// blind (testdata/judgment/scenarios.jsonl, with rubric.md) to judge the
// offline coach's plans.
type scenario struct {
	ID       string `json:"id"`
	Lang     string `json:"lang"`
	About    string `json:"about"`
	Alias    string `json:"alias"`
	Sessions []struct {
		Status    string   `json:"status"`
		DaysAgo   int      `json:"days_ago"`
		DaysAhead int      `json:"days_ahead"`
		Condition *int     `json:"condition"`
		Style     *string  `json:"style"`
		Topics    []string `json:"topics"`
		Request   string   `json:"request"`
		Notes     string   `json:"notes"`
		Actions   []struct {
			Text      string `json:"text"`
			Owner     string `json:"owner"`
			DueInDays *int   `json:"due_in_days"`
			Done      bool   `json:"done"`
		} `json:"actions"`
		Reflection []history.ReflectionInput `json:"reflection"`
		Feedback   *history.Feedback         `json:"feedback"`
		Intake     *history.Intake           `json:"intake"`
	} `json:"sessions"`
	Question string `json:"question"`
	Expect   struct {
		PlanConflict *bool  `json:"plan_conflict"`
		Notes        string `json:"notes"`
	} `json:"expect"`
}

// TestJudgmentScenarios runs the offline coach on every scenario through
// the API and compares each plan, rendered as the judge reads it, with
// testdata/judgment/outputs (-update-judgment rewrites them). It prints
// how many stated plans that go against the guidance were flagged, and
// how many fitting ones were.
func TestJudgmentScenarios(t *testing.T) {
	var scenarios []scenario
	for _, set := range []string{"scenarios", "judgment2", "judgment3", "judgment4", "judgment5", "judgment6", "judgment7", "judgment8", "judgment9", "judgment10", "judgment11", "judgment12", "judgment13", "judgment14", "judgment15", "judgment16", "judgment17", "judgment18", "judgment19", "judgment20", "judgment21", "judgment22", "judgment23", "judgment24", "judgment25", "judgment26", "judgment27", "judgment28", "judgment29", "judgment30", "judgment31", "judgment32", "judgment33", "judgment34", "judgment35", "judgment36", "judgment37", "judgment38", "judgment39", "judgment40", "judgment41", "judgment42", "judgment43", "judgment44", "judgment45", "judgment46", "judgment47", "judgment48", "judgment49", "judgment50"} {
		scenarios = append(scenarios, readScenarios(t, filepath.Join("testdata", "judgment", set+".jsonl"))...)
	}
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	var conflicts, flagged, fits, falseFlags int
	for _, sc := range scenarios {
		t.Run(sc.ID, func(t *testing.T) {
			p := runScenario(t, srv, org, sc)
			warned := planWarning.MatchString(renderPlan(p))
			if e := sc.Expect.PlanConflict; e != nil && *e {
				conflicts++
				if warned {
					flagged++
				}
			} else if e != nil {
				fits++
				if warned {
					falseFlags++
				}
			}
			got := renderScenario(sc, p)
			path := filepath.Join("testdata", "judgment", "outputs", sc.ID+".md")
			if *updateJudgment {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./api -run TestJudgmentScenarios -update-judgment)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s\n(go test ./api -run TestJudgmentScenarios -update-judgment to accept)", path, diff)
			}
		})
	}
	t.Logf("plans that go against the guidance flagged: %d of %d; fitting plans flagged: %d of %d", flagged, conflicts, falseFlags, fits)
}

// runScenario seeds a scenario for a new manager in the scenario's
// language and returns the offline prep.
func runScenario(t *testing.T, srv *httptest.Server, org uuid.UUID, sc scenario) assistant.Plan {
	t.Helper()
	mgr, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	err := db.Operator().InTx(t.Context(), func(tx pgx.Tx) error {
		_, err := tx.Exec(t.Context(), `UPDATE users SET language = $2 WHERE id = $1`, mgr.UserID, sc.Lang)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	member := seedScenario(t, srv, tok, sc)
	var p assistant.Plan
	if resp := call(t, srv, "POST", member+"/prep", tok, map[string]any{"question": sc.Question}, &p); resp.StatusCode != 200 {
		t.Fatalf("prep = %d", resp.StatusCode)
	}
	return p
}

// planCheckSets are blind sets of stated plans (testdata/judgment), each
// with the share of plans against the guidance it must flag and of
// fitting ones it may, and its first run.
var planCheckSets = []struct {
	name              string
	flagged, falseMax float64
	firstRun          string
}{
	// planchecks2 (44 scenarios, written blind, sealed until the plan
	// checks of the starter pack were written and fixed on the judgment
	// scenarios, run once): 11 of 32 plans against the guidance flagged
	// (0.34), 0 of 12 fitting plans. Spent since: the fixes that followed
	// make later runs optimistic. With the plan reader (assistant/intent):
	// 24 of 32, and 1 of 12 fitting plans (a weekly 1on1 "kept" read as
	// one skipped).
	{"planchecks2", 0.7, 0.1, "11 of 32 flagged (0.34), 0 of 12 fitting plans"},
	// planchecks3 (44, written blind after the plan reader was trained,
	// sealed until then, run once): 20 of 30 flagged (0.67), 2 of 14
	// fitting plans (both keep the rating for its own meeting); 3 of the
	// 10 misses were false referrals of the safety screen. Spent since.
	{"planchecks3", 0.6, 0.15, "20 of 30 flagged (0.67), 2 of 14 fitting plans"},
	// planchecks4 (44, written blind after the plan reader learned a fourth
	// writer and was cross-validated writer by writer, run once): 21 of 30
	// flagged (0.70), 1 of 14 fitting plans; 3 of the 9 misses were false
	// "possible" referrals of the safety screen (21 of 27 plans it let
	// through). Spent since.
	{"planchecks4", 0.65, 0.15, "21 of 30 flagged (0.70), 1 of 14 fitting plans"},
	// planchecks5 (44, written blind after the plan reader learned a fifth
	// writer, run once): 23 of 30 flagged (0.77), 2 of 14 fitting plans
	// (a listen plan that first passes on news, a rating explained at the
	// member's request); 2 of the 7 misses were referrals of the safety
	// screen. Spent since.
	{"planchecks5", 0.7, 0.15, "23 of 30 flagged (0.77), 2 of 14 fitting plans"},
	// planchecks6 (44, written blind after the plan reader learned a sixth
	// writer, run once): 21 of 30 flagged (0.70), 2 of 14 fitting plans (a
	// listen plan that asks one closing question read as advice; a rating
	// the member asked for twice); 5 of the 9 misses were plans replaced
	// by referrals of the safety screen (a customer's long scolding, 「人手
	// 不足を訴えていた」 as a lawsuit, "as a lesson for everyone", a
	// first-name "just us" as an advance). Spent since.
	{"planchecks6", 0.65, 0.15, "21 of 30 flagged (0.70), 2 of 14 fitting plans"},
	// planchecks7 (44, written blind for session 14's round, run once
	// after that session's fixes): 19 of 30 flagged (0.63), 0 of 14
	// fitting plans; 3 of the 11 misses were plans replaced by referrals
	// (customer harassment twice, now told beside the plan), the others
	// plans of kinds no check weighed (taking over a member's report,
	// comparing them with a peer) or the reader missed. Spent.
	{"planchecks7", 0.6, 0.1, "19 of 30 flagged (0.63), 0 of 14 fitting plans"},
	// planchecks8 (44, written blind for session 15's round, run once
	// after that session's first fixes): 17 of 30 flagged (0.57), 3 of 14
	// fitting plans (feedback given one to one with two points named, a
	// directive plan for a member who asked for options, a pitch for a role
	// the member wants); 1 of the 13 misses was a plan replaced by a
	// referral, most others plans of kinds no check weighed (taking over
	// the member's work, comparing with a peer, postponing the 1on1 for
	// weeks, a member's family matter told to the team, a boss brought in
	// unannounced). Spent.
	{"planchecks8", 0.55, 0.25, "17 of 30 flagged (0.57), 3 of 14 fitting plans"},
	// planchecks9 (44, written blind for session 20's round, run once
	// after that session's fixes, with the six new kinds): 20 of 30
	// flagged (0.67), 0 of 14 fitting plans; 2 of the 10 misses were plans
	// replaced by referrals (an example told at the morning meeting, a
	// promise about the commute), the others status reviews and the
	// manager's agenda in place of the member's, a career direction
	// announced, blame for a missed deadline. Spent.
	{"planchecks9", 0.6, 0.1, "20 of 30 flagged (0.67), 0 of 14 fitting plans"},
	// planchecks10 (44, written blind at the start of session 21, run once
	// after its first fixes): 19 of 30 flagged (0.63), 1 of 14 fitting
	// plans (a side-by-side comparison of two centres' hand-over sheets
	// read as comparing the member); 2 of the 11 misses were plans replaced
	// by referrals (a regrade promised with back pay, an award on stage).
	// Spent. Since session 28's plan reader (a fourteenth writer), 2 of 14:
	// a specialist brought into the 1on1 is read as involving others, which
	// it is; that the member asked for it stands only in the notes, where
	// the check's patterns do not look.
	{"planchecks10", 0.6, 0.15, "19 of 30 flagged (0.63), 1 of 14 fitting plans"},
	// planchecks11 (44, written blind at the start of session 22, run
	// once): 20 of 30 flagged (0.67), 3 of 14 fitting plans (a decision
	// with its evidence read as a status review, more 1on1s read as more
	// work, a 1on1 moved at the member's request read as a decision); 3 of
	// the 10 misses were plans replaced by referrals, the others cheering
	// up a member who asked for advice, the manager's own numbered agenda,
	// praise "kept light" before the fixes, a decision announced to a
	// member who asked to think together. Spent.
	{"planchecks11", 0.85, 0.1, "20 of 30 flagged (0.67), 3 of 14 fitting plans"},
	// planchecks12 (44, written blind at the start of session 23, run
	// once after that session's first fixes): 18 of 30 flagged (0.60), 1
	// of 14 fitting plans (a member's own ask to shorten her 1on1s); 6 of
	// the 12 misses were plans with a referral, 4 of them blocking (a call
	// recording to listen to together read as legal evidence, "Here's the
	// breakdown." as a crisis, "just the two of us" asked for privacy as
	// harassment, one statistical), the others a decision withheld behind
	// "私が決めてしまうと", a lecture on why deadlines matter, 1on1s merged
	// into a group, an assignment "informed" to a member who asked to
	// think together, the manager's own chase handed to the member.
	// Spent.
	{"planchecks12", 0.85, 0.1, "18 of 30 flagged (0.60), 1 of 14 fitting plans"},
	// planchecks13 (44, written blind in session 23 after round 22 was
	// scored, run once after its fixes): 23 of 30 flagged (0.77), 0 of 14
	// fitting plans; the misses a report questioned "一つずつ詰めて", load
	// added as "10軒ほども見てもらえないか", the manager's own enquiry
	// handed to the member, "hype her up" for a member who asked for
	// advice, a deviations log for one who asked for encouragement, a
	// confidence passed on, and a falling member's 1on1 cut to 10 minutes
	// (replaced by a statistical crisis referral). Spent.
	{"planchecks13", 0.9, 0.1, "23 of 30 flagged (0.77), 0 of 14 fitting plans"},
	// planchecks14 (44, written blind at the start of session 24, run once
	// after that session's fixes): 21 of 30 flagged (0.70), 1 of 14
	// fitting plans (a member running on empty, listened to with no
	// fixes: "If it fits naturally at the end…"); the misses a decision
	// handed back ("let him choose", one replaced by a referral), a
	// member's update skipped for the manager's roadmap, new-member 1:1s
	// folded into a team sync, coaching questions for a member who asked
	// for advice, a report skipped for the manager's own 30 minutes, load
	// added "ちょっとだけ", a fix-it opening, and two more plans no check
	// weighed. Spent.
	{"planchecks14", 0.7, 0.1, "21 of 30 flagged (0.70), 1 of 14 fitting plans"},
	// planchecks15 (44, written blind at the start of session 25, run once
	// after that session's first fixes): 21 of 30 flagged (0.70), 0 of 14
	// fitting plans; the misses a sheet of time-saving tricks for a member
	// who asked to be listened to (ja and en), daily work logs for a
	// falling member, the manager taking over work a member asked to think
	// through (ja and en), and four plans with a referral (load added, the
	// member's family matter shared with the team, a breakdown in front of
	// the line cooks). Spent.
	{"planchecks15", 0.75, 0.1, "21 of 30 flagged (0.70), 0 of 14 fitting plans"},
	// planchecks16 (44, written blind at the start of session 26, run once
	// after that session's first fixes): 20 of 30 flagged (0.67), 0 of 14
	// fitting plans; the misses a critique 「改めてしっかりご指摘差し上げる」
	// for a member who asked for encouragement, a report-asker's 20
	// minutes turned into an hour on career (ja and en), a mistake raised
	// at the morning meeting after praise in the 1on1, a confidence passed
	// on 「それとなく」, a specialist talked into management, a decision
	// "punted" again, and three plans with a referral (running on empty,
	// a sales board that "gets in his head", feeling singled out). Spent.
	{"planchecks16", 0.65, 0.1, "20 of 30 flagged (0.67), 0 of 14 fitting plans"},
	// planchecks17 (44, written blind at the start of session 27, run once
	// after that session's first fixes): 20 of 30 flagged (0.67), 1 of 14
	// fitting plans (an hour-long 1on1 moved up a day, read as moved
	// away); 4 of the 10 misses were referrals of the safety screen.
	{"planchecks17", 0.65, 0.1, "20 of 30 flagged (0.67), 1 of 14 fitting plans"},
	// planchecks18 (44, written blind in session 27 after round 28's
	// fixes, run once): 22 of 30 flagged (0.73), 1 of 14 fitting plans;
	// 7 of the 8 misses in English, 2 of them plans with a referral beside
	// or instead.
	{"planchecks18", 0.7, 0.1, "22 of 30 flagged (0.73), 1 of 14 fitting plans"},
	// planchecks19 (44, written blind at the start of session 28, run once
	// after its fixes and the fourteenth writer of the plan reader): 26 of
	// 30 flagged (0.87), 0 of 14 fitting plans; the misses a briefing
	// announced as decided to a member who asked to think together, a
	// report slot taken for the manager's topics (ja and en), and a big
	// pilot offered beside a referral. Spent.
	{"planchecks19", 0.85, 0.1, "26 of 30 flagged (0.87), 0 of 14 fitting plans"},
	// Written blind at the start of session 29 and run once after its
	// fixes: 23 of 30 flagged (0.77), 1 of 14 fitting plans; the misses
	// five suggestions to run through for a listen-asker, critique led
	// for an encouragement-asker, grilling a late member on a date, a new
	// hire handed ten large clients, a big role pitched and a 1on1 taken
	// for a reorg briefing, and one plan beside a referral. Spent.
	{"planchecks20", 0.75, 0.1, "23 of 30 flagged (0.77), 1 of 14 fitting plans"},
	// Written blind at the end of session 29, run once at the start of
	// session 30 (before its fixes): 25 of 30 flagged (0.83), 4 of 14
	// fitting plans; two of the misses were ordinary intakes read as
	// sensitive (「気持ちが固まってきた」, "Just us, please"). Spent.
	{"planchecks21", 0.8, 0.3, "25 of 30 flagged (0.83), 4 of 14 fitting plans"},
	// Written blind at the start of session 30, run once after its fixes:
	// 24 of 30 flagged (0.80), 1 of 14 fitting plans; three misses were
	// plans replaced by false referrals. Spent.
	{"planchecks22", 0.8, 0.1, "24 of 30 flagged (0.80), 1 of 14 fitting plans"},
	// Written blind at the end of session 30, run once at the start of
	// session 31 (before its fixes): 22 of 30 flagged (0.73), 3 of 14
	// fitting plans; three misses were plans beside or replaced by
	// referrals. Spent.
	{"planchecks23", 0.75, 0.25, "22 of 30 flagged (0.73), 3 of 14 fitting plans"},
	// Written blind at the start of session 31, run once after its fixes:
	// 27 of 30 flagged (0.90), 2 of 14 fitting plans. Spent.
	{"planchecks24", 0.85, 0.15, "27 of 30 flagged (0.90), 2 of 14 fitting plans"},
	// Written blind at the end of session 31, run once at the start of
	// session 32 (before its fixes): 22 of 30 flagged (0.73), 3 of 14
	// fitting plans; the misses are kinds of plan no check held (credit
	// taken, a member's case shared as teaching material, monitoring of a
	// member doing well). Spent.
	{"planchecks25", 0.9, 0.1, "22 of 30 flagged (0.73), 3 of 14 fitting plans"},
	// Written blind at the start of session 32, run once at its end
	// (after its fixes): 21 of 30 flagged (0.70), 3 of 14 fitting plans.
	// Spent.
	{"planchecks26", 0.7, 0.25, "21 of 30 flagged (0.70), 3 of 14 fitting plans"},
	// Written blind at the end of session 32, run once at the start of
	// session 33 (before its fixes): 21 of 30 flagged (0.70), 1 of 14
	// fitting plans; two misses were plans replaced by a referral or a
	// notice. Spent.
	{"planchecks27", 0.85, 0.1, "21 of 30 flagged (0.70), 1 of 14 fitting plans"},
	// Written blind at the start of session 33, run once at its end
	// (after its fixes): 19 of 30 flagged (0.63), 6 of 14 fitting plans.
	// Spent.
	{"planchecks28", 0.6, 0.45, "19 of 30 flagged (0.63), 6 of 14 fitting plans"},
	// Written blind at the end of session 33, run once at the start of
	// session 34 (before its fixes): 16 of 30 flagged (0.53), 3 of 14
	// fitting plans; three misses were plans replaced by a referral.
	// Spent.
	{"planchecks29", 0.5, 0.25, "16 of 30 flagged (0.53), 3 of 14 fitting plans"},
	// Written blind at the start of session 34, run once after its first
	// fixes: 25 of 30 flagged (0.83), 1 of 14 fitting plans. Spent.
	{"planchecks30", 0.8, 0.1, "25 of 30 flagged (0.83), 1 of 14 fitting plans"},
	// Written blind in session 34, run once at its end: 21 of 30 flagged
	// (0.70), 2 of 14 fitting plans. Spent.
	{"planchecks31", 0.65, 0.2, "21 of 30 flagged (0.70), 2 of 14 fitting plans"},
	// Written blind at the start of session 35, run once after its first
	// changes: 19 of 30 flagged (0.63), 0 of 14 fitting plans. Spent.
	{"planchecks32", 0.6, 0.1, "19 of 30 flagged (0.63), 0 of 14 fitting plans"},
	{"planchecks33", 0.7, 0.2, "24 of 30 flagged (0.80), 2 of 14 fitting plans"},
	// Written blind at the start of session 37, run once after its first
	// changes: 25 of 30 flagged (0.83), 1 of 14 fitting plans. Spent.
	{"planchecks34", 0.8, 0.1, "25 of 30 flagged (0.83), 1 of 14 fitting plans"},
	// Written blind in session 37, run once after its later changes: 25 of
	// 30 flagged (0.83), 2 of 14 fitting plans. Spent.
	{"planchecks35", 0.8, 0.2, "25 of 30 flagged (0.83), 2 of 14 fitting plans"},
	// Written blind in session 38, run once after its first changes: 23 of
	// 30 flagged (0.77), 2 of 14 fitting plans. Spent.
	{"planchecks36", 0.7, 0.2, "23 of 30 flagged (0.77), 2 of 14 fitting plans"},
	// Written blind in session 38, run once after its second batch of
	// changes: 24 of 30 flagged (0.80), 0 of 14 fitting plans. Spent.
	{"planchecks37", 0.8, 0.1, "24 of 30 flagged (0.80), 0 of 14 fitting plans"},
	// Written blind in session 38, run once after its third batch of
	// changes: 22 of 30 flagged (0.73), 1 of 14 fitting plans. Spent.
	{"planchecks38", 0.7, 0.1, "22 of 30 flagged (0.73), 1 of 14 fitting plans"},
}

// TestPlanChecksBlind measures the plan checks on sets of stated plans
// written blind: plans that go against the guidance for the member must
// be flagged, plans that fit must not.
func TestPlanChecksBlind(t *testing.T) {
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	for _, set := range planCheckSets {
		t.Run(set.name, func(t *testing.T) {
			var conflicts, flagged, fits, falseFlags int
			for _, sc := range readScenarios(t, filepath.Join("testdata", "judgment", set.name+".jsonl")) {
				p := runScenario(t, srv, org, sc)
				warned := planWarning.MatchString(renderPlan(p))
				switch e := sc.Expect.PlanConflict; {
				case e != nil && *e:
					conflicts++
					if warned {
						flagged++
					} else {
						t.Logf("%s: not flagged (referral %v): %s", sc.ID, p.Referral != nil, sc.Question)
					}
				case e != nil:
					fits++
					if warned {
						falseFlags++
						t.Logf("%s: a fitting plan flagged: %s\n%s", sc.ID, sc.Question, planWarning.FindString(renderPlan(p)))
					}
				}
			}
			f, ff := float64(flagged)/float64(max(conflicts, 1)), float64(falseFlags)/float64(max(fits, 1))
			t.Logf("%s: plans against the guidance flagged %d of %d (%.2f); fitting plans flagged %d of %d", set.name, flagged, conflicts, f, falseFlags, fits)
			if f < set.flagged || ff > set.falseMax {
				t.Errorf("flagged %.2f, fitting flagged %.2f; want at least %.2f and at most %.2f (first run: %s)", f, ff, set.flagged, set.falseMax, set.firstRun)
			}
		})
	}
}

// planWarning starts a watch-out on a stated plan that goes against the
// guidance (text.go, watch.plan and watch.plan.why; not watch.plan.ok).
var planWarning = regexp.MustCompile(`(?m)^- (?:「.*」というお考えは、ガイダンスに照らすとこの方には勧められません|This part of your plan goes against the guidance for .*: ".*"|This part of your plan, ".*", goes against the guidance for ).*`)

func readScenarios(t *testing.T, path string) []scenario {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []scenario
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var s scenario
		d := json.NewDecoder(strings.NewReader(sc.Text()))
		d.DisallowUnknownFields()
		if err := d.Decode(&s); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, s)
	}
	return out
}

// seedScenario makes the scenario's member and history through the API
// and returns the member's path.
func seedScenario(t *testing.T, srv *httptest.Server, tok string, sc scenario) string {
	t.Helper()
	status := func(method, path, token string, body, out any) int {
		return call(t, srv, method, path, token, body, out).StatusCode
	}
	var m redacted[history.Member]
	if resp := status("POST", "/api/members", tok, map[string]any{"alias": sc.Alias}, &m); resp != 201 {
		t.Fatalf("create member = %d", resp)
	}
	member := "/api/members/" + m.Data.ID.String()
	for _, s := range sc.Sessions {
		at := time.Now().AddDate(0, 0, s.DaysAhead-s.DaysAgo).UTC().Format(time.RFC3339)
		body := map[string]any{"status": s.Status, "condition": s.Condition, "request_style": s.Style,
			"request_topics": s.Topics, "request_text": s.Request, "notes": s.Notes}
		if s.Status == "held" {
			body["held_at"] = at
		} else {
			body["scheduled_at"] = at
		}
		if s.Intake != nil {
			body["request_style"], body["request_topics"], body["request_text"] = nil, nil, ""
		}
		var actions []map[string]any
		for _, a := range s.Actions {
			am := map[string]any{"text": a.Text, "owner": a.Owner}
			if a.DueInDays != nil {
				am["due_date"] = time.Now().AddDate(0, 0, *a.DueInDays).Format(time.DateOnly)
			}
			actions = append(actions, am)
		}
		body["actions"] = actions
		var sess redacted[history.Session]
		if resp := status("POST", member+"/sessions", tok, body, &sess); resp != 201 {
			t.Fatalf("create session = %d", resp)
		}
		path := "/api/sessions/" + sess.Data.ID.String()
		for i, a := range s.Actions {
			if a.Done {
				if resp := status("PATCH", "/api/actions/"+sess.Data.Actions[i].ID.String(), tok, map[string]any{"status": "done"}, nil); resp != 200 {
					t.Fatalf("close action = %d", resp)
				}
			}
		}
		if len(s.Reflection) > 0 {
			if resp := status("PUT", path+"/reflection/answers", tok, map[string]any{"answers": s.Reflection}, nil); resp != 200 {
				t.Fatalf("reflection = %d", resp)
			}
		}
		// The member answers through a link, as on their phone.
		answer := func(phase string, body any) {
			var l createdLink
			if resp := status("POST", path+"/links", tok, map[string]any{"phase": phase}, &l); resp != 201 {
				t.Fatalf("create %s link = %d", phase, resp)
			}
			if resp := status("POST", "/api/member-links/"+l.Token+"/"+phase, "", body, nil); resp != 200 {
				t.Fatalf("%s = %d", phase, resp)
			}
		}
		if s.Feedback != nil {
			answer("feedback", s.Feedback)
		}
		if s.Intake != nil {
			answer("intake", s.Intake)
		}
	}
	return member
}

var isoDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

// renderScenario is what the judge reads: the scenario as written, then
// the plan as the manager sees it, with the cited passages. Dates are
// moved as if the run were on renderDay, so the outputs stay stable and
// still read as dates.
func renderScenario(sc scenario, p assistant.Plan) string {
	raw, _ := json.MarshalIndent(sc, "", "  ")
	today, _ := time.Parse(time.DateOnly, time.Now().Format(time.DateOnly))
	// Only the run's own dates move: the heading's renderDay is written
	// after (moved, it read a day early on any day but renderDay).
	body := isoDate.ReplaceAllStringFunc(fmt.Sprintf("```json\n%s\n```\n\n## Plan (offline)\n\n%s", raw, renderPlan(p)), func(d string) string {
		day, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return d
		}
		return renderDay.Add(day.Sub(today)).Format(time.DateOnly)
	})
	return fmt.Sprintf("# %s\n\n## Scenario (the prep is on %s)\n\n%s", sc.ID, renderDay.Format(time.DateOnly), body)
}

var renderDay = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// renderPlan is a plan as the member page shows it: the summary, then
// each list under its heading, then the cited passages.
func renderPlan(p assistant.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", p.Summary)
	headings := map[string][4]string{"ja": {"アジェンダ", "問いかけ", "気をつけること", "フォローアップ"},
		"en": {"Agenda", "Questions", "Watch-outs", "Follow-ups"}}[p.Language]
	for i, items := range [][]assistant.Item{p.Agenda, p.Questions, p.WatchOuts, p.FollowUps} {
		if len(items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n", headings[i])
		for _, it := range items {
			fmt.Fprintf(&b, "- %s\n", it.Text)
		}
	}
	if len(p.Citations) > 0 {
		b.WriteString("\n### Citations\n")
		for _, c := range p.Citations {
			fmt.Fprintf(&b, "[%d] %s > %s: %q\n", c.N, c.Title, strings.Join(c.HeadingPath, " > "), c.Quote)
		}
	}
	return b.String()
}
