package intent

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

func TestProbe(t *testing.T) {
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	json.Unmarshal([]byte(os.Getenv("PROBE")), &texts)
	for _, s := range texts {
		fs := r.features(s)
		out := ""
		for _, k := range r.names {
			if p := r.m.Kinds[k].Prob(fs); p > 0.1 {
				out += fmt.Sprintf("%s=%.2f ", k, p)
			}
		}
		t.Logf("%s| %s", out, s)
	}
}
