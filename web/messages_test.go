package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestMessagesInBothLanguages checks that every UI string registered in
// Japanese has an English counterpart and the reverse, in each module.
func TestMessagesInBothLanguages(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("static", "*.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	key := regexp.MustCompile(`'([a-z][\w.-]*)':`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(src)
		for {
			i := strings.Index(s, "addMessages({")
			if i < 0 {
				break
			}
			s = s[i:]
			ja, en := strings.Index(s, "ja: {"), strings.Index(s, "en: {")
			end := strings.Index(s, "\n});")
			if ja < 0 || en < 0 || end < 0 || !(ja < en && en < end) {
				t.Fatalf("%s: cannot read an addMessages block", f)
			}
			keys := func(block string) []string {
				var out []string
				for _, m := range key.FindAllStringSubmatch(block, -1) {
					out = append(out, m[1])
				}
				slices.Sort(out)
				return out
			}
			jaKeys, enKeys := keys(s[ja:en]), keys(s[en:end])
			for _, k := range jaKeys {
				if !slices.Contains(enKeys, k) {
					t.Errorf("%s: %q has no English text", f, k)
				}
			}
			for _, k := range enKeys {
				if !slices.Contains(jaKeys, k) {
					t.Errorf("%s: %q has no Japanese text", f, k)
				}
			}
			if len(jaKeys) == 0 {
				t.Errorf("%s: an addMessages block with no keys", f)
			}
			s = s[end:]
		}
	}
}

// TestMessagesUsedExist checks that every literal key passed to t() is
// registered somewhere (a typo would show the key itself to the user).
func TestMessagesUsedExist(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("static", "*.js"))
	registered := map[string]bool{}
	var all strings.Builder
	key := regexp.MustCompile(`'([a-z][\w.-]*)':`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(src), -1) {
			registered[m[1]] = true
		}
		all.Write(src)
	}
	used := regexp.MustCompile(`\bt\('([a-z][\w.-]*)'[,)]`)
	n := 0
	for _, m := range used.FindAllStringSubmatch(all.String(), -1) {
		n++
		if !registered[m[1]] {
			t.Errorf("t(%q) is used but never registered", m[1])
		}
	}
	// Error keys are also named outside t(), in api.js's table of the
	// API's known refusals.
	for _, m := range regexp.MustCompile(`'(error\.[\w.-]+)'`).FindAllStringSubmatch(all.String(), -1) {
		if !registered[m[1]] {
			t.Errorf("%q is named but never registered", m[1])
		}
	}
	if n < 100 {
		t.Errorf("found only %d uses of t(); the scan is broken", n)
	}
}

// TestAuditActionsNamed checks that every action the API records in the
// audit trail (aud("...") in api/routes.go) has a name in the UI, which
// registers its keys in both languages (checked above).
func TestAuditActionsNamed(t *testing.T) {
	routes, err := os.ReadFile(filepath.Join("..", "api", "routes.go"))
	if err != nil {
		t.Fatal(err)
	}
	ui, err := os.ReadFile(filepath.Join("static", "settings.js"))
	if err != nil {
		t.Fatal(err)
	}
	actions := regexp.MustCompile(`aud\("([a-z_.]+)"\)`).FindAllStringSubmatch(string(routes), -1)
	if len(actions) < 20 {
		t.Fatalf("found %d audited routes in api/routes.go; the scan is broken", len(actions))
	}
	for _, m := range actions {
		if !strings.Contains(string(ui), "'audit.action."+m[1]+"':") {
			t.Errorf("audit action %q has no name in settings.js", m[1])
		}
	}
}

// TestErrorCodesNamed checks that every error code the API answers with
// (api/errors.go) has a sentence in the UI, 'error.<code>' in i18n.js, so
// a person never reads the API's own words (registered in both languages,
// checked above).
func TestErrorCodesNamed(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "api", "errors.go"))
	if err != nil {
		t.Fatal(err)
	}
	ui, err := os.ReadFile(filepath.Join("static", "i18n.js"))
	if err != nil {
		t.Fatal(err)
	}
	codes := regexp.MustCompile(`(?:Status\w*|statusClientClosed), "([a-z_]+)"|code :?= "([a-z_]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(codes) < 15 {
		t.Fatalf("found %d error codes in api/errors.go; the scan is broken", len(codes))
	}
	seen := map[string]bool{}
	for _, m := range codes {
		code := m[1] + m[2]
		if seen[code] {
			continue
		}
		seen[code] = true
		if !strings.Contains(string(ui), "'error."+code+"':") {
			t.Errorf("error code %q has no sentence in i18n.js", code)
		}
	}
}
