//go:build !amd64

package flow

// prefetch has no portable instruction: on other architectures it does
// nothing, and the batch operations touch the lines with loads instead
// (hasPrefetch).
func prefetch(addrs []uintptr) {}

const hasPrefetch = false
