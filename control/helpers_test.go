package control

import (
	"testing"
	"time"
)

// counterReader yields a deterministic byte stream so ids are stable.
type counterReader struct{ n byte }

func (c *counterReader) Read(p []byte) (int, error) {
	for i := range p {
		c.n++
		p[i] = c.n
	}
	return len(p), nil
}

func testEnv() Env {
	now := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	return Env{Region: "us-east-1", Account: "123456789012", Now: func() time.Time { return now }, Rand: &counterReader{}}
}

func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}
