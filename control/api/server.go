package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Connection timeouts of the API's HTTP servers.
const (
	// DefaultReadHeaderTimeout bounds reading a request's headers.
	DefaultReadHeaderTimeout = 5 * time.Second
	// DefaultIdleTimeout closes a keep-alive connection idle that long.
	DefaultIdleTimeout = 30 * time.Second
	// maxHeaderBytes bounds a request's headers (the API takes no bodies).
	maxHeaderBytes = 16 << 10
)

// ServerOptions are the connection limits of an API server.
type ServerOptions struct {
	// ReadHeaderTimeout bounds reading a request's headers (0: default).
	ReadHeaderTimeout time.Duration
	// IdleTimeout closes a keep-alive connection with no request for that
	// long (0: default).
	IdleTimeout time.Duration
}

// NewHTTPServer returns the http.Server for an API handler: headers read in
// bounded time, idle keep-alive connections closed, a response written
// within the longest a handler may take (a long poll's wait plus two
// backend calls).
func NewHTTPServer(h http.Handler, o Options, so ServerOptions) *http.Server {
	o = o.withDefaults()
	if so.ReadHeaderTimeout <= 0 {
		so.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if so.IdleTimeout <= 0 {
		so.IdleTimeout = DefaultIdleTimeout
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: so.ReadHeaderTimeout,
		ReadTimeout:       so.ReadHeaderTimeout + 5*time.Second,
		WriteTimeout:      o.MaxEventWait + 2*o.RequestTimeout + 5*time.Second,
		IdleTimeout:       so.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// Server is a running API or metrics server.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
	err  error
}

// Serve runs srv on ln until Shutdown.
func Serve(ln net.Listener, srv *http.Server) *Server {
	s := &Server{srv: srv, ln: ln, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	return s
}

// StartServer serves b's API on the unix socket path (ListenUnix with so).
func StartServer(path string, so SocketOptions, b Backend, o Options, sv ServerOptions) (*Server, error) {
	ln, err := ListenUnix(path, so)
	if err != nil {
		return nil, err
	}
	return Serve(ln, NewHTTPServer(NewHandler(b, o), o, sv)), nil
}

// Addr is the address served.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Shutdown stops accepting, waits for the requests in flight (until ctx
// ends; then it closes their connections) and closes the listener, which
// removes the API socket.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		s.srv.Close()
	}
	s.ln.Close()
	<-s.done
	if err == nil {
		err = s.err
	}
	return err
}

// ResolveMetricsAddr reads a metrics.listen address: "" disables the TCP
// listener; a port alone ("9469" or ":9469") listens on loopback only
// (127.0.0.1); an explicit host is kept (0.0.0.0 or [::] for every
// interface, when Prometheus scrapes from elsewhere).
func ResolveMetricsAddr(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if !strings.Contains(s, ":") {
		s = ":" + s
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("metrics.listen %q: want [HOST]:PORT (HOST defaults to 127.0.0.1; 0.0.0.0 listens on every interface)", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("metrics.listen %q: port %q is not 0-65535", s, port)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// StartMetrics serves b's /metrics (alone) on the TCP address addr
// (ResolveMetricsAddr's rules).
func StartMetrics(addr string, b Backend, o Options, sv ServerOptions) (*Server, error) {
	a, err := ResolveMetricsAddr(addr)
	if err != nil {
		return nil, err
	}
	if a == "" {
		return nil, errors.New("metrics.listen: empty address")
	}
	ln, err := net.Listen("tcp", a)
	if err != nil {
		return nil, fmt.Errorf("metrics.listen %s: %w", a, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+PathMetrics, MetricsHandler(b, o))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gwlbctl serves only "+PathMetrics+" here", http.StatusNotFound)
	})
	return Serve(ln, NewHTTPServer(mux, o, sv)), nil
}
