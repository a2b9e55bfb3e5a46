package web_test

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"github.com/taiwa-coach/taiwa/api/tenant"
	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

// TestImportAgain: a curator imports one file, imports it again (nothing
// changes, and the list says so), edits it and imports it again (a new
// version of the same guidance), then uploads a zip holding it twice (the
// second is not imported, and the reason names the first). Each result in
// Japanese, then in English. At a phone's size too.
func TestImportAgain(t *testing.T) {
	atEachSize(t, importAgainFlow)
}

func importAgainFlow(t *testing.T, vp viewport) {
	base := server(t, nil)
	org := pgtest.NewOrg(t, db)
	tok := newUser(t, org, tenant.RoleCurator, "人材開発部 鈴木")
	b := newBrowser(t, base, vp)
	b.signIn(tok)

	dir := t.TempDir()
	file := filepath.Join(dir, "silence.md")
	md := "---\ntitle: 沈黙を怖がらない\nlang: ja\ntopics: [listening]\n---\n\n## 実践のポイント\n\n問いかけの後の沈黙は、メンバーが考えている時間です。十秒待ちます。\n"
	write := func(path, s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// upload imports files and waits for the result of the last one.
	upload := func(want string, files ...string) {
		t.Helper()
		b.run(
			chromedp.Navigate(base+"/#/guidance"),
			visible("#import-files"),
			chromedp.SetUploadFiles(css("#import-files"), files),
			click("#import-run"),
			waitJS(`document.querySelectorAll('#import-results li').length > 0`),
			waitText("#import-results", want),
		)
	}
	results := func() string { return value(b, chromedp.Text(css("#import-results"))) }

	write(file, md)
	upload("作成", file)
	upload("変更なし", file)
	if got := results(); strings.Contains(got, "作成") || !strings.Contains(got, "沈黙を怖がらない") {
		t.Errorf("the same file again: %q, want it unchanged", got)
	}
	b.run(waitText("#import-summary", "変更なし 1件"))
	b.readable("an unchanged import")

	edited := strings.Replace(md, "十秒待ちます", "十秒、黙って待ちます", 1)
	write(file, edited)
	upload("更新", file)
	if got := results(); !strings.Contains(got, "第2版") {
		t.Errorf("the edited file: %q, want version 2", got)
	}
	b.screenshot("21-import-updated")

	// A zip holding the file twice: the first is the document as it is,
	// the second is reported, not merged.
	pack := filepath.Join(dir, "pack.zip")
	f, err := os.Create(pack)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, body := range []string{edited, md} {
		w, _ := zw.Create("silence.md")
		w.Write([]byte(body))
	}
	zw.Close()
	f.Close()
	upload("先に取り込んだ", pack)
	if got := results(); !strings.Contains(got, "変更なし") || !strings.Contains(got, "pack.zip/silence.md") || strings.Contains(got, "same key") {
		t.Errorf("a zip with one file twice: %q, want the duplicate named in Japanese", got)
	}
	b.readable("a duplicate in a zip")
	b.screenshot("22-import-duplicate")

	// In English.
	b.run(click(`header.top button[lang="en"]`), waitText("header nav", "Guidance"))
	upload("Unchanged", file)
	b.run(waitText("#import-summary", "0 created, 0 updated, 1 unchanged"))
	var docs int
	err = db.OrgScope(org).InTx(t.Context(), func(tx pgx.Tx) error {
		return tx.QueryRow(t.Context(), `SELECT count(*) FROM documents WHERE org_id = $1`, org).Scan(&docs)
	})
	if err != nil || docs != 1 {
		t.Errorf("the organization has %d documents (%v), want 1", docs, err)
	}
}
