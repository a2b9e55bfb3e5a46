package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version describes this build: the module version when built from a tagged
// module, otherwise the VCS revision go build stamped in.
func version() string {
	v, rev, dirty := "devel", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		if dirty {
			rev += "+dirty"
		}
		return fmt.Sprintf("taiwa %s (%s, %s)", v, rev, runtime.Version())
	}
	return fmt.Sprintf("taiwa %s (%s)", v, runtime.Version())
}
