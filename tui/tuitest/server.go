package tuitest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// Server serves a Backend's API with control/api's real handler on a unix
// socket, as `gwlbctl serve` does. It can be stopped and started again on
// the same path, to test what a client does when the node goes away and
// comes back.
type Server struct {
	// Path is the socket's path.
	Path string

	t   testing.TB
	b   api.Backend
	mu  sync.Mutex
	srv *api.Server
}

// SocketDir returns a new directory for sockets, removed at the end of the
// test: short, under the system's temporary directory, since a unix socket
// path holds at most 107 bytes and t.TempDir's can be longer.
func SocketDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gwlbtop")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// Serve starts serving b on a new socket and stops at the end of the test.
func Serve(t testing.TB, b api.Backend) *Server {
	t.Helper()
	s := &Server{Path: filepath.Join(SocketDir(t), "api.sock"), t: t, b: b}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start serves again (after Stop); it does nothing while serving.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return
	}
	o := api.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv, err := api.StartServer(s.Path, api.SocketOptions{}, s.b, o, api.ServerOptions{})
	if err != nil {
		s.t.Fatalf("serving the test backend on %s: %v", s.Path, err)
	}
	s.srv = srv
}

// Stop stops serving and removes the socket, as a node that exits does.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return
	}
	// Requests in flight get a moment; a long poll is then cut, as it is
	// when a node exits.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	s.srv = nil
}

// Run steps b by every d of real time until ctx ends, so its counters rise
// while a client watches. It returns at once; the stepping stops at the end
// of the test at the latest.
func Run(t testing.TB, ctx context.Context, b *Backend, every time.Duration) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		tk := time.NewTicker(every)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tk.C:
				b.Step(every)
			}
		}
	}()
}
