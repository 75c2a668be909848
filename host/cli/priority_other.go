//go:build !(linux || darwin || freebsd)

package cli

// lowerPriority is left to the scheduler where there is no nice value.
func lowerPriority() {}
