//go:build linux || darwin || freebsd

package cli

import "syscall"

// lowerPriority makes the background filler yield the CPU to the commands
// the user is waiting for: it only prepares the next one.
func lowerPriority() { syscall.Setpriority(syscall.PRIO_PROCESS, 0, 10) }
