package intent

import (
	"bufio"
	"fmt"
	"os"
	"testing"
)

func TestZZProbs(t *testing.T) {
	r, _ := New()
	f, _ := os.Open(os.Getenv("ZZ_FILE"))
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := r.features(sc.Text())
		out := ""
		for _, k := range r.names {
			if p := r.m.Kinds[k].Prob(fs); p > 0.15 {
				out += fmt.Sprintf("%s=%.2f ", k, p)
			}
		}
		fmt.Printf("%s\t%.60s\n", out, sc.Text())
	}
}
