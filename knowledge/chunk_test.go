package knowledge

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "update golden files")

// TestChunkGolden chunks the Markdown files in testdata/chunk and compares
// with their .golden.json; -update rewrites them.
func TestChunkGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/chunk/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	opt := ChunkOptions{Target: 200, Max: 300, Overlap: 60}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := ChunkMarkdown(string(in), opt)
			for _, c := range got {
				if n := utf8.RuneCountInString(c.Text); n > opt.Max+opt.Overlap {
					t.Errorf("chunk %d has %d runes, over max %d", c.Ordinal, n, opt.Max)
				}
			}
			// Deterministic: the same input chunks the same way.
			if diff := cmp.Diff(got, ChunkMarkdown(string(in), opt)); diff != "" {
				t.Errorf("second run differs:\n%s", diff)
			}
			golden := strings.TrimSuffix(f, ".md") + ".golden.json"
			if *update {
				b, _ := json.MarshalIndent(got, "", "  ")
				if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			var want []Chunk
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ChunkMarkdown(%s) mismatch (-want +got):\n%s", f, diff)
			}
		})
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"一文目。二文目！三文目？", []string{"一文目。", "二文目！", "三文目？"}},
		{"「そうですね。」と言った。次の文。", []string{"「そうですね。」", "と言った。", "次の文。"}},
		{"行の途中\n改行で分かれる", []string{"行の途中", "改行で分かれる"}},
		{"First one. Second one! Third? yes.", []string{"First one.", "Second one!", "Third? yes."}},
		{"Ask Dr. Lee. Then stop.", []string{"Ask Dr. Lee.", "Then stop."}},
		{"Version 1.5 is out. 2 items left.", []string{"Version 1.5 is out.", "2 items left."}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Sentences(tt.in)); diff != "" {
			t.Errorf("Sentences(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}
