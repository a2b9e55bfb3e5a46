//go:build unix && !linux

package pglite

import "syscall"

// sysProcAttr puts the child in its own process group, so a Ctrl-C in the
// terminal reaches only taiwa. Without Pdeathsig, the child still exits when
// its stdin closes, which happens when taiwa dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
