package api

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readUntilClosed reads conn until the server closes it; guard only bounds
// a failing test.
func readUntilClosed(t *testing.T, r io.Reader, conn net.Conn, guard time.Duration) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(guard))
	_, err := io.Copy(io.Discard, r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %v", guard)
	}
}

// TestIdleKeepAliveClosed: a keep-alive connection left idle after a
// response is closed by the server.
func TestIdleKeepAliveClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "api.sock")
	srv, err := StartServer(path, SocketOptions{}, newMemBackend(1, 1), Options{}, ServerOptions{IdleTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for i := 0; i < 2; i++ { // the connection is reused, then left idle
		if _, err := io.WriteString(conn, "GET /info HTTP/1.1\r\nHost: gwlbctl\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Close {
			t.Fatalf("request %d: status %d, close %v", i, resp.StatusCode, resp.Close)
		}
	}
	readUntilClosed(t, br, conn, 30*time.Second)
}

// TestSlowHeadersClosed: a client that never finishes its headers is cut
// off.
func TestSlowHeadersClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "api.sock")
	srv, err := StartServer(path, SocketOptions{}, newMemBackend(1, 1), Options{}, ServerOptions{ReadHeaderTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /info HTTP/1.1\r\nHost: gw")
	readUntilClosed(t, conn, conn, 30*time.Second)
}

func TestShutdownRemovesSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "api.sock")
	lock := &closeRecorder{path: path}
	srv, err := StartServer(path, SocketOptions{Lock: lock}, newMemBackend(1, 1), Options{}, ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if srv.Addr().String() != path {
		t.Errorf("addr %v", srv.Addr())
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) || !lock.closed || lock.exists {
		t.Errorf("after shutdown: %v, lock closed %v with the socket present %v", err, lock.closed, lock.exists)
	}
	_, err = NewClient(path).Info(context.Background())
	if !errors.Is(err, ErrNotServing) {
		t.Errorf("after shutdown: %v", err)
	}
}

func TestResolveMetricsAddr(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "9469": "127.0.0.1:9469", ":9469": "127.0.0.1:9469", "0.0.0.0:9469": "0.0.0.0:9469",
		"[::1]:9469": "[::1]:9469", "localhost:0": "localhost:0",
	} {
		if got, err := ResolveMetricsAddr(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{"1:2:3": "want [HOST]:PORT", ":http": `port "http" is not 0-65535`, ":70000": "is not 0-65535"} {
		if _, err := ResolveMetricsAddr(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestStartMetrics(t *testing.T) {
	srv, err := StartMetrics(":0", newMemBackend(1, 1), Options{}, ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	addr := srv.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		t.Errorf("a port alone listens on %v, want loopback", addr)
	}
	c := NewTCPClient(addr.String())
	defer c.Close()
	b, err := c.Metrics(context.Background())
	if err != nil || !strings.Contains(string(b), "gwlb_active_flows{") {
		t.Errorf("metrics: %v\n%.300s", err, b)
	}
	if _, err := c.Info(context.Background()); err == nil || !strings.Contains(err.Error(), "serves only /metrics") {
		t.Errorf("/info on the metrics listener: %v", err)
	}
}
