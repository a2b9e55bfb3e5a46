package safety

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestZZScan(t *testing.T) {
	d, err := NewDetector()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(os.Getenv("ZZ_FILE"))
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		id, text, _ := strings.Cut(sc.Text(), "\t")
		fd := d.Scan([]Text{{Place: "notes", Text: text, Fresh: true}}, nil)
		if fd.Flagged() {
			fmt.Printf("%s\t%v possible=%v vague=%v hits=%v\t%s\n", id, fd.Matters, fd.Possible, fd.Vague, d.Hits(text), text)
		}
	}
}
