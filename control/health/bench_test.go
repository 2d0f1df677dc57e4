package health

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The prober's cost is measured against 300 targets served by a separate
// process (this test binary, re-run as a server), so that the figures
// count the checker's work only: CPU time from getrusage(RUSAGE_SELF),
// allocations from runtime.MemStats.

const benchServerEnv = "GWLBCTL_HEALTH_BENCH_SERVER" // tcp|http|https: run as the target server

func TestMain(m *testing.M) {
	if kind := os.Getenv(benchServerEnv); kind != "" {
		os.Exit(serveBenchTargets(kind))
	}
	os.Exit(m.Run())
}

const benchTargets = 300

// benchAddr is target i's address: 127.0.1.1 and up (all on loopback).
func benchAddr(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{127, 0, byte(1 + i/250), byte(1 + i%250)})
}

// serveBenchTargets listens on every benchAddr at one port, prints
// "ready PORT", and serves until its stdin closes (its parent is gone).
func serveBenchTargets(kind string) int {
	first, err := net.Listen("tcp4", netip.AddrPortFrom(benchAddr(0), 0).String())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	port := portOf(&testing.T{}, first.Addr())
	lns := []net.Listener{first}
	for i := 1; i < benchTargets; i++ {
		ln, err := net.Listen("tcp4", netip.AddrPortFrom(benchAddr(i), uint16(port)).String())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		lns = append(lns, ln)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), ErrorLog: log.New(io.Discard, "", 0)}
	for _, ln := range lns {
		switch kind {
		case "tcp":
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					c.Close()
				}
			}()
		case "http":
			go srv.Serve(ln)
		case "https":
			go srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{selfSigned()}}))
		default:
			fmt.Fprintln(os.Stderr, "unknown kind", kind)
			return 1
		}
	}
	fmt.Printf("ready %d\n", port)
	io.Copy(io.Discard, os.Stdin)
	return 0
}

func selfSigned() tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "appliance"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// startBenchTargets runs the target server and returns its port.
func startBenchTargets(b *testing.B, kind string) int {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), benchServerEnv+"="+kind)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close() // the server exits when its stdin closes
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("target server: %v", err)
	}
	port, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "ready ")))
	if err != nil {
		b.Fatalf("target server said %q", line)
	}
	return port
}

func benchSettings(kind string, port int) Settings {
	s := DefaultSettings()
	s.Port, s.Interval = port, 5*time.Second
	switch kind {
	case "http":
		s.Protocol, s.Path, s.Matcher = ProtocolHTTP, "/", DefaultMatcher()
	case "https":
		s.Protocol, s.Path, s.Matcher = ProtocolHTTPS, "/", DefaultMatcher()
	}
	return s
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// BenchmarkChecker300 probes 300 targets at a 5 s interval on a fake
// clock: one op is one interval, all 300 probes. It reports CPU time and
// allocations per probe and, from them, the CPU share of one core that
// 300 targets every 5 s (60 probes/s) take.
func BenchmarkChecker300(b *testing.B) {
	for _, kind := range []string{"tcp", "http", "https"} {
		b.Run(kind, func(b *testing.B) {
			port := startBenchTargets(b, kind)
			clock := newFakeClock()
			done := make(chan ProbeDone, benchTargets)
			c := NewChecker(Options{Clock: clock, OnProbe: func(d ProbeDone) { done <- d }})
			defer c.Close()
			s := benchSettings(kind, port)
			var targets []Target
			for i := range benchTargets {
				t := target(fmt.Sprintf("t%03d", i), s)
				t.Addr = benchAddr(i)
				targets = append(targets, t)
			}
			if err := c.Update(targets); err != nil {
				b.Fatal(err)
			}
			// A round advances to just before the next round's first
			// probe: every probe of the round is due, none has timed out.
			advance := s.Interval - 1
			round := func() {
				clock.Advance(advance)
				advance = s.Interval
				for range benchTargets {
					if d := <-done; !d.Result.OK {
						b.Fatalf("%s: %s", d.Target.ID, d.Result.Detail)
					}
				}
			}
			round() // warm up: first connections, TLS state
			b.ResetTimer()
			cpu0, m0 := cpuTime(), mallocs()
			for b.Loop() {
				round()
			}
			probes := float64(b.N * benchTargets)
			cpuPerProbe := float64(cpuTime()-cpu0) / probes
			b.ReportMetric(cpuPerProbe, "cpu-ns/probe")
			b.ReportMetric(float64(mallocs()-m0)/probes, "allocs/probe")
			b.ReportMetric(cpuPerProbe*benchTargets/s.Interval.Seconds()/1e9*100, "%cpu@300/5s")
		})
	}
}

// BenchmarkChecker300Wall runs the checker on the wall clock: one op is
// one real 5 s interval of 300 TCP targets, first probed spread over the
// interval as Update spreads them. It reports the CPU share of one core
// measured over the interval.
func BenchmarkChecker300Wall(b *testing.B) {
	port := startBenchTargets(b, "tcp")
	done := make(chan ProbeDone, benchTargets)
	c := NewChecker(Options{OnProbe: func(d ProbeDone) { done <- d }})
	defer c.Close()
	s := benchSettings("tcp", port)
	var targets []Target
	for i := range benchTargets {
		t := target(fmt.Sprintf("t%03d", i), s)
		t.Addr = benchAddr(i)
		targets = append(targets, t)
	}
	b.ResetTimer()
	cpu0, m0, t0 := cpuTime(), mallocs(), time.Now()
	if err := c.Update(targets); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		for range benchTargets {
			if d := <-done; !d.Result.OK {
				b.Fatalf("%s: %s", d.Target.ID, d.Result.Detail)
			}
		}
	}
	wall := time.Since(t0)
	probes := float64(b.N * benchTargets)
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(wall)*100, "%cpu")
	b.ReportMetric(float64(cpuTime()-cpu0)/probes, "cpu-ns/probe")
	b.ReportMetric(float64(mallocs()-m0)/probes, "allocs/probe")
}
