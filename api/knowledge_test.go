package api

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/knowledge"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

const guidanceMD = `---
title: 沈黙を怖がらない
lang: ja
topics: [listening]
tags: [沈黙]
---

## 実践のポイント

問いかけの後の沈黙は、メンバーが考えている時間です。十秒待ってから次の言葉を選びます。
`

// TestKnowledgeCuration walks a curator through create, edit, versions,
// restore, publish and search, and checks what a manager may see.
func TestKnowledgeCuration(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, cur := pgtest.NewUser(t, db, org, tenant.RoleCurator)
	_, mgr := pgtest.NewUser(t, db, org, tenant.RoleManager)

	in := map[string]any{
		"title": "沈黙を怖がらない", "language": "ja", "topics": []string{"listening"}, "tags": []string{"沈黙"},
		"body": "## 実践のポイント\n\n問いかけの後の沈黙は、メンバーが考えている時間です。十秒待ちます。\n",
	}
	var d knowledge.Document
	if resp := call(t, srv, "POST", "/api/kb/documents", cur, in, &d); resp.StatusCode != 201 || d.Status != "draft" || d.Version != 1 {
		t.Fatalf("create = %d %+v", resp.StatusCode, d)
	}
	path := "/api/kb/documents/" + d.ID.String()

	// Managers cannot write, and do not see drafts.
	if resp := call(t, srv, "POST", "/api/kb/documents", mgr, in, nil); resp.StatusCode != 403 {
		t.Errorf("manager create = %d, want 403", resp.StatusCode)
	}
	if resp := call(t, srv, "GET", path, mgr, nil, nil); resp.StatusCode != 404 {
		t.Errorf("manager reads a draft = %d, want 404", resp.StatusCode)
	}

	in["body"] = "## 実践のポイント\n\n問いかけの後の沈黙は考える時間です。十秒、待ってみます。\n"
	in["if_version"] = 1
	if resp := call(t, srv, "PUT", path, cur, in, &d); resp.StatusCode != 200 || d.Version != 2 {
		t.Fatalf("update = %d %+v", resp.StatusCode, d)
	}
	// A stale if_version is a conflict, not a silent overwrite.
	if resp := call(t, srv, "PUT", path, cur, in, nil); resp.StatusCode != 409 {
		t.Errorf("stale update = %d, want 409", resp.StatusCode)
	}
	var vs struct{ Versions []knowledge.Version }
	call(t, srv, "GET", path+"/versions", cur, nil, &vs)
	if len(vs.Versions) != 2 || vs.Versions[0].Version != 2 {
		t.Fatalf("versions = %+v", vs.Versions)
	}
	var v1 knowledge.Version
	call(t, srv, "GET", path+"/versions/1", cur, nil, &v1)
	if !bytes.Contains([]byte(v1.Body), []byte("十秒待ちます")) {
		t.Errorf("version 1 body = %q", v1.Body)
	}
	if resp := call(t, srv, "POST", path+"/versions/1/restore", cur, nil, &d); resp.StatusCode != 200 || d.Version != 3 || d.Body != v1.Body {
		t.Errorf("restore = %d version %d", resp.StatusCode, d.Version)
	}

	// Not published: search does not find it.
	var res knowledge.Result
	call(t, srv, "POST", "/api/kb/search", mgr, map[string]any{"query": "沈黙が怖い 十秒待つ", "language": "ja"}, &res)
	for _, h := range res.Hits {
		if h.DocumentID == d.ID {
			t.Errorf("a draft was found by search")
		}
	}
	if resp := call(t, srv, "POST", path+"/publish", cur, nil, &d); resp.StatusCode != 200 || d.Status != "published" {
		t.Fatalf("publish = %d %+v", resp.StatusCode, d)
	}
	call(t, srv, "POST", "/api/kb/search", mgr, map[string]any{"query": "沈黙が怖い 十秒待つ", "language": "ja"}, &res)
	if len(res.Hits) == 0 || res.Hits[0].DocumentID != d.ID || res.Hits[0].Lexical == nil || res.Hits[0].Dense != nil {
		t.Fatalf("search after publish: %+v", res)
	}
	if len(res.Retrievers) != 1 || res.Retrievers[0] != "lexical" {
		t.Errorf("retrievers = %v, want [lexical] (offline)", res.Retrievers)
	}
	if resp := call(t, srv, "GET", path, mgr, nil, nil); resp.StatusCode != 200 {
		t.Errorf("manager reads published = %d", resp.StatusCode)
	}

	var chunks struct{ Chunks []knowledge.StoredChunk }
	call(t, srv, "GET", path+"/chunks", cur, nil, &chunks)
	if len(chunks.Chunks) == 0 || chunks.Chunks[0].DocVersion != d.Version || len(chunks.Chunks[0].ContentHash) != 64 {
		t.Errorf("chunks = %+v", chunks.Chunks)
	}

	// Another organization sees none of it.
	other := pgtest.NewOrg(t, db)
	_, otherCur := pgtest.NewUser(t, db, other, tenant.RoleCurator)
	for _, r := range []struct{ method, path string }{
		{"GET", path}, {"PUT", path}, {"DELETE", path}, {"POST", path + "/publish"},
		{"GET", path + "/versions"}, {"GET", path + "/versions/1"}, {"GET", path + "/chunks"},
	} {
		var body any
		if r.method == "PUT" {
			body = in
		}
		if resp := call(t, srv, r.method, r.path, otherCur, body, nil); resp.StatusCode != 404 {
			t.Errorf("other org %s %s = %d, want 404", r.method, r.path, resp.StatusCode)
		}
	}
	call(t, srv, "POST", "/api/kb/search", otherCur, map[string]any{"query": "沈黙が怖い 十秒待つ"}, &res)
	for _, h := range res.Hits {
		if h.DocumentID == d.ID {
			t.Errorf("another org's search found the document")
		}
	}

	if resp := call(t, srv, "DELETE", path, cur, nil, nil); resp.StatusCode != 204 {
		t.Errorf("delete = %d", resp.StatusCode)
	}
	if resp := call(t, srv, "GET", path, cur, nil, nil); resp.StatusCode != 404 {
		t.Errorf("after delete = %d, want 404", resp.StatusCode)
	}
}

// importUpload is one file of an upload to /api/kb/import.
type importUpload struct {
	name string
	data []byte
}

// upload posts files to /api/kb/import as the curator UI does.
func upload(t *testing.T, srvURL, token string, files ...importUpload) importResponse {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range files {
		fw, _ := mw.CreateFormFile("files", f.name)
		fw.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", srvURL+"/api/kb/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out importResponse
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("import = %d %s", resp.StatusCode, b)
	}
	return out
}

// TestKnowledgeImport uploads a zip and files: good files go in, bad ones
// are named with their reason; the same upload again (the zip renamed) and
// the organization's export change nothing.
func TestKnowledgeImport(t *testing.T) {
	srv := newTestServer(t, testDeps(t))
	org := pgtest.NewOrg(t, db)
	_, cur := pgtest.NewUser(t, db, org, tenant.RoleCurator)

	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for name, body := range map[string]string{
		"good.md":           guidanceMD,
		"no-front.md":       "# just markdown\n",
		"bad-topic.md":      "---\ntitle: x\nlang: ja\ntopics: [cooking]\n---\nbody\n",
		"notes/ignored.txt": "not markdown",
	} {
		f, _ := zw.Create(name)
		f.Write([]byte(body))
	}
	zw.Close()

	out := upload(t, srv.URL, cur, importUpload{"pack.zip", zbuf.Bytes()}, importUpload{"single.md", []byte(guidanceMD)},
		importUpload{"image.png", []byte{0x89, 'P', 'N', 'G'}})
	if out.Imported != 2 || out.Created != 2 || out.Failed != 3 {
		t.Errorf("imported %d (created %d), failed %d, want 2 (2) and 3: %+v", out.Imported, out.Created, out.Failed, out.Results)
	}
	reasons := map[string]string{}
	actions := map[string]string{}
	for _, r := range out.Results {
		reasons[r.Name], actions[r.Name] = r.Error, r.Action
	}
	for name, want := range map[string]string{
		"pack.zip/no-front.md":  "front matter",
		"pack.zip/bad-topic.md": "cooking",
		"image.png":             "not a Markdown file",
	} {
		if !bytes.Contains([]byte(reasons[name]), []byte(want)) {
			t.Errorf("%s: reason %q, want it to mention %q", name, reasons[name], want)
		}
	}
	if actions["pack.zip/good.md"] != "created" || actions["single.md"] != "created" {
		t.Errorf("actions = %v, want the two good files created", actions)
	}

	// The same upload again, the zip renamed as a browser does: its files
	// are keyed by their path inside it, so nothing is added.
	again := upload(t, srv.URL, cur, importUpload{"pack (1).zip", zbuf.Bytes()}, importUpload{"single.md", []byte(guidanceMD)})
	if again.Unchanged != 2 || again.Created != 0 || again.Updated != 0 {
		t.Errorf("the same upload again: %+v, want the 2 good files unchanged", again)
	}
	// An edited file is a new version of its document.
	edited := strings.Replace(guidanceMD, "十秒待ってから", "十秒、黙って待ってから", 1)
	if up := upload(t, srv.URL, cur, importUpload{"single.md", []byte(edited)}); up.Updated != 1 || up.Results[0].Version != 2 {
		t.Errorf("an edited file: %+v, want updated to version 2", up)
	}
	var page documentsPage
	call(t, srv, "GET", "/api/kb/documents?source=own", cur, nil, &page)
	if page.Total != 2 {
		t.Errorf("the organization has %d documents, want 2", page.Total)
	}

	// Export gives back Markdown with front matter that imports again,
	// onto the same documents.
	req, _ := http.NewRequest("GET", srv.URL+"/api/kb/export", nil)
	req.Header.Set("Authorization", "Bearer "+cur)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	export, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export = %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if back := upload(t, srv.URL, cur, importUpload{"taiwa-guidance.zip", export}); back.Unchanged != 2 || back.Imported != 2 {
		t.Errorf("the export imported back: %+v, want 2 unchanged", back)
	}
}

func TestStarterPackReadOnly(t *testing.T) {
	d := testDeps(t)
	if _, err := d.Knowledge.SyncStarter(t.Context(), db.OrgScope(knowledge.StarterOrg)); err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, d)
	org := pgtest.NewOrg(t, db)
	_, cur := pgtest.NewUser(t, db, org, tenant.RoleCurator)
	var page documentsPage
	call(t, srv, "GET", "/api/kb/documents?source=starter&language=ja&limit=200", cur, nil, &page)
	if page.Total < 30 {
		t.Fatalf("starter pack has %d Japanese documents, want at least 30", page.Total)
	}
	s := page.Documents[0]
	path := "/api/kb/documents/" + s.ID.String()
	var eb errorBody
	if resp := call(t, srv, "PUT", path, cur, map[string]any{"title": "x", "body": "y", "language": "ja", "topics": []string{"basics"}}, &eb); resp.StatusCode != 403 || eb.Error.Code != "read_only" {
		t.Errorf("edit starter = %d %+v, want 403 read_only", resp.StatusCode, eb)
	}
	var cp knowledge.Document
	if resp := call(t, srv, "POST", path+"/copy", cur, nil, &cp); resp.StatusCode != 201 || cp.Starter || cp.CopiedFrom == nil || *cp.CopiedFrom != s.ID {
		t.Fatalf("copy = %d %+v", resp.StatusCode, cp)
	}
	var orig knowledge.Document
	call(t, srv, "GET", path, cur, nil, &orig)
	if !orig.Hidden {
		t.Errorf("copying did not hide the starter original for the org")
	}
	// Hidden starter documents are not retrieved for that org.
	var res knowledge.Result
	call(t, srv, "POST", "/api/kb/search", cur, map[string]any{"query": s.Title, "k": 20}, &res)
	for _, h := range res.Hits {
		if h.DocumentID == s.ID {
			t.Errorf("hidden starter document retrieved")
		}
	}
	call(t, srv, "POST", path+"/unhide", cur, nil, &orig)
	if orig.Hidden {
		t.Errorf("unhide did not show it again")
	}
}
