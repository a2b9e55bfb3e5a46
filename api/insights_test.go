package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/assistant"
	"github.com/taiwa-coach/taiwa/assistant/history"
	"github.com/taiwa-coach/taiwa/assistant/insights"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// TestInsightsThroughTheAPI sets up teams from a CSV, records last month's
// 1on1s as three managers, and reads the figures as an admin (JSON and
// CSV) and as a manager. No answer carries a word of any note, request or
// action, and the roles are kept.
func TestInsightsThroughTheAPI(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, adminTok := pgtest.NewUser(t, db, org, tenant.RoleAdmin)
	_, curatorTok := pgtest.NewUser(t, db, org, tenant.RoleCurator)

	const secret = "Zebulon"
	now := time.Now().UTC()
	lastMonth := time.Date(now.Year(), now.Month(), 1, 10, 0, 0, 0, time.UTC).AddDate(0, -1, 3)
	var csv strings.Builder
	csv.WriteString("team,manager_email\n")
	var mgrToks []string
	for i := range 3 {
		email := fmt.Sprintf("mgr%d@example.com", i)
		p, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
		err := db.OrgScope(org).InTx(t.Context(), func(tx pgx.Tx) error {
			_, err := tx.Exec(t.Context(), `UPDATE users SET email = $2 WHERE id = $1`, p.UserID, email)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		mgrToks = append(mgrToks, tok)
		fmt.Fprintf(&csv, "Product / Team %d,%s\n", i%2, email)
		for j := range 2 {
			var m redacted[history.Member]
			if resp := call(t, srv, "POST", "/api/members", tok, map[string]any{"alias": fmt.Sprintf("M%d", j)}, &m); resp.StatusCode != 201 {
				t.Fatalf("create member = %d", resp.StatusCode)
			}
			in := map[string]any{
				"status": "held", "held_at": lastMonth, "request_style": "listen", "condition": 2 + j,
				"request_text": secret + " wants to talk", "notes": "We spoke about " + secret + ".",
				"actions": []map[string]any{{"text": "Ask " + secret + " again", "owner": "manager"}},
			}
			if resp := call(t, srv, "POST", "/api/members/"+m.Data.ID.String()+"/sessions", tok, in, nil); resp.StatusCode != 201 {
				t.Fatalf("create session = %d", resp.StatusCode)
			}
		}
	}

	var imp insights.ImportResult
	if resp := call(t, srv, "POST", "/api/org/teams/import", adminTok, map[string]any{"text": csv.String()}, &imp); resp.StatusCode != 200 || imp.TeamsCreated != 3 || imp.ManagersAssigned != 3 {
		t.Fatalf("import = %d %+v", resp.StatusCode, imp)
	}
	var bad errorBody
	if resp := call(t, srv, "POST", "/api/org/teams/import", adminTok, map[string]any{"text": "X,nobody@example.com\n"}, &bad); resp.StatusCode != 400 || !strings.Contains(bad.Error.Message, "line 1") {
		t.Errorf("import with an unknown email = %d %q, want 400 naming the line", resp.StatusCode, bad.Error.Message)
	}

	var r insights.Report
	resp := call(t, srv, "GET", "/api/org/insights?months=2", adminTok, nil, &r)
	if resp.StatusCode != 200 {
		t.Fatalf("org insights = %d", resp.StatusCode)
	}
	var root *insights.Cell
	for i, c := range r.Cells {
		if c.TeamID == nil && c.Family == insights.FamilySessions && c.Month == lastMonth.Format("2006-01") {
			root = &r.Cells[i]
		}
		if c.Members != nil && (*c.Managers < insights.MinManagers || *c.Members < insights.MinMembers || *c.Answers < insights.MinAnswers) {
			t.Errorf("a cell below the thresholds is published: %+v", c)
		}
	}
	if root == nil || root.Figures["held"] != 6 || root.Figures["implementation_rate"] != 1 || *root.Members != 6 {
		t.Errorf("organization's sessions last month: %+v, want 6 held of 6 planned over 6 members", root)
	}
	if len(r.Teams) != 3 || len(r.Months) != 2 {
		t.Errorf("teams %d, months %v", len(r.Teams), r.Months)
	}

	req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/api/org/insights?months=2&format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+adminTok)
	cr, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(cr.Body)
	cr.Body.Close()
	if cr.StatusCode != 200 || !strings.HasPrefix(cr.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(string(body), ",sessions,,6,3,6,held,6\n") {
		t.Errorf("CSV export = %d %s:\n%s", cr.StatusCode, cr.Header.Get("Content-Type"), body)
	}

	var mine insights.Personal
	if resp := call(t, srv, "GET", "/api/me/insights?months=2", mgrToks[0], nil, &mine); resp.StatusCode != 200 || len(mine.Own) == 0 {
		t.Errorf("own insights = %d, %d own cells", resp.StatusCode, len(mine.Own))
	}
	// Three managers: taking one away leaves two, so no comparison is shown.
	if len(mine.Organization) != 0 {
		t.Errorf("a manager of three sees %d organization cells", len(mine.Organization))
	}

	if resp := call(t, srv, "GET", "/api/org/insights", curatorTok, nil, nil); resp.StatusCode != 403 {
		t.Errorf("a curator before an admin allows = %d, want 403", resp.StatusCode)
	}
	if resp := call(t, srv, "PUT", "/api/org/insights/access", adminTok, map[string]any{"curators": true}, nil); resp.StatusCode != 200 {
		t.Fatalf("allow curators = %d", resp.StatusCode)
	}
	if resp := call(t, srv, "GET", "/api/org/insights?months=2", curatorTok, nil, nil); resp.StatusCode != 200 {
		t.Errorf("a curator an admin allowed = %d, want 200", resp.StatusCode)
	}
	if resp := call(t, srv, "PUT", "/api/org/insights/access", curatorTok, map[string]any{"curators": true}, nil); resp.StatusCode != 403 {
		t.Errorf("a curator changing the access = %d, want 403", resp.StatusCode)
	}
	for _, c := range []struct {
		path, tok string
		want      int
	}{
		{"/api/org/insights", mgrToks[0], 403},
		{"/api/org/teams", mgrToks[0], 403},
		{"/api/me/insights", adminTok, 403},
		{"/api/org/insights?months=0", adminTok, 400},
		{"/api/org/insights?format=xml", adminTok, 400},
	} {
		if resp := call(t, srv, "GET", c.path, c.tok, nil, nil); resp.StatusCode != c.want {
			t.Errorf("GET %s = %d, want %d", c.path, resp.StatusCode, c.want)
		}
	}

	// No note, request or action text in anything admins or curators read.
	for _, path := range []string{"/api/org/insights?months=2", "/api/org/insights?months=2&format=csv", "/api/org/teams", "/api/kb/gaps"} {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+adminTok)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), secret) {
			t.Errorf("%s carries note text", path)
		}
	}
}

// TestGuidanceUsage: a prep's passages and citations reach the curators'
// view with the manager's thumb and comment, never the manager, the
// member or a note; documents no answer drew on are listed with zeros.
func TestGuidanceUsage(t *testing.T) {
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	_, tok := pgtest.NewUser(t, db, org, tenant.RoleManager)
	_, curatorTok := pgtest.NewUser(t, db, org, tenant.RoleCurator)
	member := seedMember(t, srv, tok, "Zebulonさん", "Quixotic")

	var p assistant.Plan
	if resp := call(t, srv, "POST", member+"/prep", tok, nil, &p); resp.StatusCode != 200 || len(p.Citations) == 0 {
		t.Fatalf("prep = %d with %d citations", resp.StatusCode, len(p.Citations))
	}
	if resp := call(t, srv, "POST", "/api/answers/"+p.ID.String()+"/feedback", tok, map[string]any{"helpful": false, "comment": "質問が多すぎた"}, nil); resp.StatusCode != 204 {
		t.Fatalf("feedback = %d", resp.StatusCode)
	}

	var r insights.GuidanceReport
	resp := call(t, srv, "GET", "/api/kb/usage?days=30", curatorTok, nil, &r)
	if resp.StatusCode != 200 {
		t.Fatalf("usage = %d", resp.StatusCode)
	}
	cited := map[uuid.UUID]bool{}
	for _, c := range p.Citations {
		cited[c.DocumentID] = true
	}
	used, never := 0, 0
	for i, d := range r.Documents {
		if d.Retrieved == 0 {
			never++
			if i < len(r.Documents)-1 && r.Documents[i+1].Retrieved > 0 {
				t.Errorf("%q, never given, is listed before documents that were", d.Title)
			}
			continue
		}
		used++
		if cited[d.ID] != (d.Cited == 1) {
			t.Errorf("%q: cited by %d answers; the plan cites it: %v", d.Title, d.Cited, cited[d.ID])
		}
		if cited[d.ID] && (d.Unhelpful != 1 || len(d.Comments) != 1 || d.Comments[0].Comment != "質問が多すぎた") {
			t.Errorf("%q: thumbs %d/%d, comments %+v; want the manager's thumb down and comment", d.Title, d.Helpful, d.Unhelpful, d.Comments)
		}
		if len(d.Passages) == 0 {
			t.Errorf("%q was given but lists no passage", d.Title)
		}
	}
	if used == 0 || never == 0 || used < len(cited) {
		t.Errorf("%d documents used and %d never; the plan cited %d", used, never, len(cited))
	}
	body, _ := json.Marshal(r)
	if strings.Contains(string(body), "Zebulon") || strings.Contains(string(body), "Quixotic") {
		t.Error("the curators' view carries a member's alias or a note")
	}
	if resp := call(t, srv, "GET", "/api/kb/usage", tok, nil, nil); resp.StatusCode != 403 {
		t.Errorf("a manager reads the usage: %d", resp.StatusCode)
	}
}
