package health

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Test targets: real sockets on loopback.

var loopback = netip.MustParseAddr("127.0.0.1")

// portOf returns the port of a listener address.
func portOf(t testing.TB, a net.Addr) int {
	t.Helper()
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		t.Fatal(err)
	}
	return int(ap.Port())
}

// rawServer accepts connections on ip:0 and runs handle on each in its own
// goroutine; cleanup closes the listener and every connection, and waits.
func rawServer(t testing.TB, ip string, handle func(net.Conn)) (port int) {
	t.Helper()
	ln, err := net.Listen("tcp4", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return portOf(t, ln.Addr())
}

// tcpServer accepts and closes connections: a TCP health listener.
func tcpServer(t testing.TB) int {
	return rawServer(t, "127.0.0.1", func(c net.Conn) { c.Close() })
}

// blackhole accepts connections and never answers; the first bytes of
// each connection (a request, a ClientHello) are announced on the returned
// channel once received.
func blackhole(t testing.TB) (port int, received <-chan struct{}) {
	ch := make(chan struct{}, 64)
	done := make(chan struct{})
	port = rawServer(t, "127.0.0.1", func(c net.Conn) {
		if _, err := c.Read(make([]byte, 4096)); err != nil {
			return
		}
		select {
		case ch <- struct{}{}:
		case <-done:
		}
		<-done
	})
	t.Cleanup(func() { close(done) }) // runs before rawServer's cleanup
	return port, ch
}

// closedPort returns a loopback port nothing listens on: one just bound
// and released.
func closedPort(t testing.TB) int {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := portOf(t, ln.Addr())
	ln.Close()
	return p
}

// fullBacklog returns a loopback port whose listener never accepts and
// whose accept queue is full, so a new connection's SYN is dropped and the
// connect hangs: a target that does not answer. Loopback has no address
// that silently drops packets (and a non-local one would send probes off
// the machine), so the test makes Linux drop them: a listen backlog of 0
// holds one finished connection, which the test makes and keeps, and the
// kernel drops every further SYN while the queue is full.
func fullBacklog(t testing.TB) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	port := sa.(*syscall.SockaddrInet4).Port
	// The filler. Should it not connect (SYN cookies off, where even the
	// first SYN meets a full queue), the queue takes nothing, as wanted.
	if c, err := net.DialTimeout("tcp4", "127.0.0.1:"+strconv.Itoa(port), 2*time.Second); err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return port
}

// httpServer answers every request with the status in code; requests
// counts the requests it served.
func httpServer(t testing.TB, code *atomic.Int32) (port int, requests *atomic.Int64) {
	requests = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.WriteHeader(int(code.Load()))
		io.WriteString(w, "body that is never read")
	}))
	t.Cleanup(srv.Close)
	return portOf(t, srv.Listener.Addr()), requests
}

func statusCode(c int) *atomic.Int32 {
	v := new(atomic.Int32)
	v.Store(int32(c))
	return v
}
