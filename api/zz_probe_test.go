package api

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/taiwa-coach/taiwa/migrations/pgtest"
)

func TestZZPlan(t *testing.T) {
	ids := strings.Split(os.Getenv("ZZ_IDS"), ",")
	srv := newTestServer(t, coachDeps(t, nil, 0))
	org := pgtest.NewOrg(t, db)
	files, _ := filepath.Glob("testdata/judgment/*.jsonl")
	for _, f := range files {
		for _, sc := range readScenarios(t, f) {
			if !slices.Contains(ids, sc.ID) {
				continue
			}
			p := runScenario(t, srv, org, sc)
			fmt.Printf("=== %s\n%s\n%s\n", sc.ID, sc.Question, renderPlan(p))
		}
	}
}
