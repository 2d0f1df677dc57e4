// Package etcdtest runs a real etcd server for tests: the etcd binary
// (Debian's etcd-server package, which make deps installs) on free loopback
// ports with a temporary data directory, stopped by its PID when the test
// ends. Tests share one server and keep apart by key prefix (Prefix).
package etcdtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
)

// Server is one running etcd.
type Server struct {
	// Endpoint is the client address, 127.0.0.1:PORT.
	Endpoint string
	// Scheme is "etcd", or "etcds" when the server speaks TLS.
	Scheme string
	// TLS is the client configuration of a TLS server (nil otherwise).
	TLS *TLSFiles

	bin    string
	args   []string
	cmd    *exec.Cmd
	exited chan struct{}
	stderr *lockedBuffer
	client *clientv3.Client
	seq    atomic.Int64
}

// TLSFiles are the PEM files of a TLS server's CA and of a client
// certificate it accepts.
type TLSFiles struct {
	CA, Cert, Key string
}

// Options change how the server starts.
type Options struct {
	// TLS serves clients over TLS with a fresh CA, requiring a client
	// certificate it signed.
	TLS bool
}

// Binary is the etcd executable, or "" when it is not installed.
func Binary() string {
	p, err := exec.LookPath("etcd")
	if err != nil {
		return ""
	}
	return p
}

// Start runs etcd for t and stops it (SIGKILL to its PID, then wait) when
// t ends. Without an etcd binary the test is skipped with what to install.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith is Start with options.
func StartWith(t testing.TB, o Options) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		t.Skip("etcd not installed: install Debian's etcd-server package (make deps)")
	}
	var last error
	for range 3 { // a free port picked may be taken before etcd binds it
		s, err := start(t, bin, o)
		if err == nil {
			return s
		}
		last = err
	}
	t.Fatal(last)
	return nil
}

func start(t testing.TB, bin string, o Options) (*Server, error) {
	dir := t.TempDir()
	clientPort, err := freePort()
	if err != nil {
		return nil, err
	}
	peerPort, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{Endpoint: fmt.Sprintf("127.0.0.1:%d", clientPort), Scheme: "etcd", stderr: &lockedBuffer{}}
	clientURL := "http://" + s.Endpoint
	args := []string{}
	if o.TLS {
		files, serverCert, serverKey, err := makeTLS(filepath.Join(dir, "tls"))
		if err != nil {
			return nil, err
		}
		s.TLS, s.Scheme = files, "etcds"
		clientURL = "https://" + s.Endpoint
		args = append(args, "--cert-file", serverCert, "--key-file", serverKey,
			"--trusted-ca-file", files.CA, "--client-cert-auth")
	}
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", peerPort)
	args = append(args,
		"--name", "test",
		"--data-dir", filepath.Join(dir, "data"),
		"--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "test="+peerURL, "--initial-cluster-state", "new",
		// One member: it elects itself after one election timeout.
		"--heartbeat-interval", "10", "--election-timeout", "100",
		"--logger", "zap", "--log-outputs", "stderr", "--log-level", "warn",
	)
	s.bin, s.args = bin, args
	if err := s.run(); err != nil {
		return nil, err
	}
	t.Cleanup(s.Stop)
	if err := s.waitReady(t, clientURL); err != nil {
		return nil, err
	}
	return s, nil
}

// run starts the etcd process. It is started from an OS thread of its own
// that stays alive until etcd exits: Pdeathsig is sent when the thread that
// forked the child ends, not the process, and Go ends a thread whenever a
// goroutine that locked it returns (kernel.DisableOffloads does so after
// entering a namespace), which killed etcd in the middle of a test whenever
// its forking thread happened to be that one.
func (s *Server) run() error {
	cmd := exec.Command(s.bin, s.args...)
	cmd.Stderr = s.stderr
	// Dies with the test binary even if the cleanup never runs.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	started := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- fmt.Errorf("starting %s: %w", s.bin, err)
			return
		}
		started <- nil
		cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return err
	}
	s.cmd, s.exited = cmd, exited
	return nil
}

// Restart stops the server and starts it again on the same ports with the
// same data: what a client sees when etcd goes away and comes back.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	if err := s.run(); err != nil {
		t.Fatal(err)
	}
	if err := s.waitReady(t, ""); err != nil {
		t.Fatal(err)
	}
}

// waitReady waits until the server's port accepts and it answers a read,
// or fails when it exited. The client is made once the port is open (a
// connection refused earlier would hold it in gRPC's reconnect backoff).
func (s *Server) waitReady(t testing.TB, clientURL string) error {

	deadline := time.Now().Add(30 * time.Second)
	for {
		err := dialable(s.Endpoint)
		if err == nil && s.client == nil {
			err = s.connect(t, clientURL)
		}
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err = s.client.Get(ctx, "/ready")
			cancel()
		}
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("etcd exited before serving: %s", s.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			s.Stop()
			return fmt.Errorf("etcd at %s did not answer within 30s: %v\n%s", s.Endpoint, err, s.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Server) connect(t testing.TB, clientURL string) error {
	var err error
	cfg := clientv3.Config{Endpoints: []string{clientURL}, DialTimeout: 2 * time.Second, Logger: zap.NewNop(),
		// Reconnect soon after a Restart (gRPC's backoff grows to minutes).
		DialOptions: []grpc.DialOption{grpc.WithConnectParams(grpc.ConnectParams{
			Backoff: backoff.Config{BaseDelay: 50 * time.Millisecond, Multiplier: 1.6, MaxDelay: 500 * time.Millisecond}, MinConnectTimeout: time.Second})}}
	if s.TLS != nil {
		if cfg.TLS, err = s.TLS.config(); err != nil {
			return err
		}
	}
	c, err := clientv3.New(cfg)
	if err != nil {
		return err
	}
	s.client = c
	t.Cleanup(func() { c.Close() })
	return nil
}

func dialable(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
	}
	return err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Stop kills the server by its PID and waits for it. It may be called more
// than once.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

// Log is what etcd wrote to its stderr (warnings and errors).
func (s *Server) Log() string { return s.stderr.String() }

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// Prefix is a key prefix no other test of this server uses: /t/NAME-N.
func (s *Server) Prefix(t testing.TB) string {
	name := strings.Trim(unsafeChars.ReplaceAllString(t.Name(), "-"), "-")
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	return fmt.Sprintf("/t/%s-%d", name, s.seq.Add(1))
}

// Location is the gwlbctl state location of prefix on this server:
// etcd://127.0.0.1:PORT/PREFIX, with the TLS files as options for a TLS
// server.
func (s *Server) Location(prefix string) string {
	loc := s.Scheme + "://" + s.Endpoint + prefix
	if s.TLS != nil {
		loc += "?ca-file=" + s.TLS.CA + "&cert-file=" + s.TLS.Cert + "&key-file=" + s.TLS.Key
	}
	return loc
}

// NewLocation is Location of a fresh Prefix.
func (s *Server) NewLocation(t testing.TB) string { return s.Location(s.Prefix(t)) }

// Client is a client of the server (closed when the test ends).
func (s *Server) Client() *clientv3.Client { return s.client }

// Get returns the value of key (nil when there is none).
func (s *Server) Get(t testing.TB, key string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := s.client.Get(ctx, key)
	if err != nil {
		t.Fatalf("etcd get %s: %v", key, err)
	}
	if len(resp.Kvs) == 0 {
		return nil
	}
	return resp.Kvs[0].Value
}

// Put sets key to value.
func (s *Server) Put(t testing.TB, key string, value []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.client.Put(ctx, key, string(value)); err != nil {
		t.Fatalf("etcd put %s: %v", key, err)
	}
}

// Delete removes key.
func (s *Server) Delete(t testing.TB, key string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.client.Delete(ctx, key); err != nil {
		t.Fatalf("etcd delete %s: %v", key, err)
	}
}

// lockedBuffer is a bytes.Buffer etcd's stderr and the test may use at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// DeadEndpoint returns 127.0.0.1:PORT with nothing listening (a port that
// was free a moment ago), for "etcd unreachable" tests.
func DeadEndpoint(t testing.TB) string {
	t.Helper()
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", p)
}
