// Package web is the browser UI: a small build-free app (ES modules, no
// bundler, no CDN, no web fonts) embedded in the binary. Managers prepare
// 1on1s, chat with the coach and log sessions; curators keep the guidance;
// members answer their intake and feedback links on a page of their own.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"os"
	"strings"
)

//go:embed static
var static embed.FS

// Handler serves the UI. With dir set it serves the files under dir
// instead of the embedded ones, so the UI can be edited without
// rebuilding.
func Handler(dir string) http.Handler {
	var files fs.FS
	if dir != "" {
		files = os.DirFS(dir)
	} else {
		files, _ = fs.Sub(static, "static")
	}
	assets := http.StripPrefix("/static/", http.FileServerFS(files))
	page := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			// Pages are small and change with each release; assets are
			// revalidated too (no build step stamps their names).
			w.Header().Set("Cache-Control", "no-cache")
			http.ServeFileFS(w, r, files, name)
		}
	}
	app, member := page("index.html"), page("member.html")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/static/"):
			w.Header().Set("Cache-Control", "no-cache")
			assets.ServeHTTP(w, r)
		case strings.HasPrefix(r.URL.Path, "/m/"):
			// The member's token is in the path: no referrer may carry it
			// anywhere (the API sets no-referrer for every response too).
			w.Header().Set("Referrer-Policy", "no-referrer")
			member(w, r)
		default:
			app(w, r)
		}
	})
}
