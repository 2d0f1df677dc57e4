package appliance

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// health owns the health-check listeners and the HTTP server.
type health struct {
	mu     sync.Mutex
	ok     bool
	fail   Failure // how HTTP fails while !ok
	closed bool
	tcpAt  string // bound TCP address, kept to reopen the same port
	tcpLn  net.Listener
	httpLn net.Listener
	srv    *http.Server
	loops  sync.WaitGroup
}

func newHealth(tcpAddr, httpAddr string, a *Appliance) (*health, error) {
	h := &health{ok: true}
	if tcpAddr != "" {
		ln, err := net.Listen("tcp", tcpAddr)
		if err != nil {
			return nil, fmt.Errorf("health-check TCP listener %s: %w", tcpAddr, err)
		}
		h.tcpLn, h.tcpAt = ln, ln.Addr().String()
	}
	if httpAddr != "" {
		ln, err := net.Listen("tcp", httpAddr)
		if err != nil {
			if h.tcpLn != nil {
				h.tcpLn.Close()
			}
			return nil, fmt.Errorf("HTTP listener %s: %w", httpAddr, err)
		}
		h.httpLn = ln
		h.srv = &http.Server{Handler: h.handler(a), ReadHeaderTimeout: 5 * time.Second}
	}
	return h, nil
}

func (h *health) tcpAddr() string { return h.tcpAt }

func (h *health) httpAddr() string {
	if h.httpLn == nil {
		return ""
	}
	return h.httpLn.Addr().String()
}

func (h *health) healthy() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ok
}

// Failure is how the HTTP health answers fail while the appliance is
// unhealthy: with a status code, or not at all (black-hole: the request
// is read and never answered, so a health check times out).
type Failure struct {
	// Status is the HTTP status answered (0: 503).
	Status int
	// BlackHole answers nothing, until the client goes away.
	BlackHole bool
}

func (h *health) state() (bool, Failure) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ok, h.fail
}

func (h *health) setFailure(f Failure) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fail = f
}

// serve starts the accept loops; errors of the HTTP server go to errs.
func (h *health) serve(wg *sync.WaitGroup, errs chan<- error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.tcpLn != nil {
		h.acceptLoop(h.tcpLn)
	}
	if h.srv != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.srv.Serve(h.httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("HTTP server: %w", err)
			}
		}()
	}
}

// acceptLoop completes TCP handshakes and closes the connections: all a TCP
// health check looks for.
func (h *health) acceptLoop(ln net.Listener) {
	h.loops.Add(1)
	go func() {
		defer h.loops.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

// set switches health: unhealthy closes the TCP port (connections are
// refused), healthy opens it again on the same address.
func (h *health) set(ok bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.ok == ok {
		h.ok = ok
		return nil
	}
	h.ok = ok
	if h.tcpAt == "" {
		return nil
	}
	if !ok {
		err := h.tcpLn.Close()
		h.tcpLn = nil
		return err
	}
	ln, err := net.Listen("tcp", h.tcpAt)
	if err != nil {
		return fmt.Errorf("reopening health-check TCP listener %s: %w", h.tcpAt, err)
	}
	h.tcpLn = ln
	h.acceptLoop(ln)
	return nil
}

func (h *health) close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	if h.tcpLn != nil {
		h.tcpLn.Close()
	}
	srv := h.srv
	h.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
	h.loops.Wait()
}

// handler serves GET / and /health (AWS's default HTTP health check path
// is /), POST /health?healthy=true|false and GET /stats?flows=N.
func (h *health) handler(a *Appliance) http.Handler {
	mux := http.NewServeMux()
	status := func(w http.ResponseWriter) {
		ok, f := h.state()
		if ok {
			w.WriteHeader(http.StatusOK)
			fmt.Fprintln(w, "healthy")
			return
		}
		code := f.Status
		if code == 0 {
			code = http.StatusServiceUnavailable
		}
		w.WriteHeader(code)
		fmt.Fprintln(w, "unhealthy")
	}
	check := func(w http.ResponseWriter, r *http.Request) {
		if ok, f := h.state(); !ok && f.BlackHole {
			<-r.Context().Done() // answer nothing: the check times out
			return
		}
		status(w)
	}
	mux.HandleFunc("GET /{$}", check)
	mux.HandleFunc("GET /health", check)
	mux.HandleFunc("POST /health", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ok, err := strconv.ParseBool(q.Get("healthy"))
		if err != nil {
			http.Error(w, "want POST /health?healthy=true or ?healthy=false (with status=CODE or blackhole=true)", http.StatusBadRequest)
			return
		}
		var f Failure
		if v := q.Get("status"); v != "" {
			if f.Status, err = strconv.Atoi(v); err != nil || f.Status < 100 || f.Status > 599 {
				http.Error(w, "status: want an HTTP status code, 100-599", http.StatusBadRequest)
				return
			}
		}
		if v := q.Get("blackhole"); v != "" {
			if f.BlackHole, err = strconv.ParseBool(v); err != nil {
				http.Error(w, "blackhole: want true or false", http.StatusBadRequest)
				return
			}
		}
		if ok && f != (Failure{}) {
			http.Error(w, "status and blackhole say how an unhealthy appliance fails: give them with healthy=false", http.StatusBadRequest)
			return
		}
		h.setFailure(f)
		if err := a.SetHealthy(ok); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		status(w)
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		n := 1000
		if q := r.URL.Query().Get("flows"); q != "" {
			v, err := strconv.Atoi(q)
			if err != nil {
				http.Error(w, "flows: want a number (-1: all, 0: none)", http.StatusBadRequest)
				return
			}
			n = v
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(a.Stats(n))
	})
	return mux
}
