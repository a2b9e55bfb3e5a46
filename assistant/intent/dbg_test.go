package intent

import (
	"bufio"
	"os"
	"testing"
)

func TestDbgKinds(t *testing.T) {
	r, _ := New()
	f, _ := os.Open("/tmp/k.txt")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		t.Logf("%v  <= %s", r.Kinds(sc.Text()), sc.Text())
	}
}
