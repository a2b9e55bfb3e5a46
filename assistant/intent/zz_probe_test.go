package intent

import (
	"bufio"
	"fmt"
	"os"
	"testing"
)

func TestZZKinds(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(os.Stdin)
	f, _ := os.Open(os.Getenv("ZZ_FILE"))
	sc = bufio.NewScanner(f)
	for sc.Scan() {
		fmt.Printf("%v\t%s\n", r.Kinds(sc.Text()), sc.Text())
	}
}
