package main

import "runtime/debug"

// defaultGCPercent is the garbage collector's target when GOGC is not set:
// the heap may grow to five times what is live (Go's default is twice)
// before a collection. Live data is small here (tens of MB), so this costs
// little memory, while collections stop stealing the CPU that the SQLite
// writer, the one serial part of a write, needs: +10–15 % messages per second
// on two cores. GOGC in the environment still wins.
const defaultGCPercent = 400

// tuneGC applies defaultGCPercent unless the environment sets GOGC.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}
