//go:build e2e

package main

// Traffic helpers. The test binary re-executes itself inside a namespace
// (`ip netns exec NS <test binary>` with GWLBCTL_E2E_HELPER set) to act as
// a TCP/UDP endpoint, a frame generator or a Geneve sniffer, so the test
// needs no traffic tool besides ping.

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

const helperEnv = "GWLBCTL_E2E_HELPER"

// runHelper runs the helper named by GWLBCTL_E2E_HELPER with os.Args[1:]
// and returns the exit code.
func runHelper(name string, args []string) int {
	var err error
	switch name {
	case "tcp-echo":
		err = tcpEcho(args[0])
	case "tcp-send":
		n, _ := strconv.Atoi(args[1])
		seed, _ := strconv.ParseUint(args[2], 10, 64)
		gate := "" // optional: pause halfway until this file exists
		if len(args) > 3 {
			gate = args[3]
		}
		err = tcpSend(args[0], n, seed, gate)
	case "udp-echo":
		err = udpEcho(args[0])
	case "udp-probe":
		flows, _ := strconv.Atoi(args[1])
		per, _ := strconv.Atoi(args[2])
		err = udpProbe(args[0], flows, per, args[3])
	case "raw-frames":
		n, _ := strconv.Atoi(args[1])
		seed, _ := strconv.ParseUint(args[2], 10, 64)
		err = rawFrames(args[0], n, seed)
	case "geneve-sniff":
		port, _ := strconv.Atoi(args[1])
		d, _ := time.ParseDuration(args[2])
		err = geneveSniff(args[0], port, d)
	case "udp-send":
		err = udpSend(args[0], args[1], args[2])
	case "http-get":
		err = httpGet(args[0])
	case "http-post":
		err = httpPost(args[0])
	case "flows-walk":
		clients, _ := strconv.Atoi(args[1])
		err = flowsWalk(args[0], clients, args[2], args[3])
	case "udp-hold":
		n, _ := strconv.Atoi(args[1])
		err = udpHold(args[0], n)

	default:
		err = fmt.Errorf("unknown helper %q", name)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper", name+":", err)
		return 1
	}
	return 0
}

// tcpEcho accepts one connection on addr, echoes it and prints
// "received N SHA256" of what came in, then "peer ADDR" (the source
// address it saw).
func tcpEcho(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	c, err := ln.Accept()
	if err != nil {
		return err
	}
	defer c.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(c, h), c)
	if err != nil {
		return err
	}
	c.(*net.TCPConn).CloseWrite()
	fmt.Printf("received %d %x\n", n, h.Sum(nil))
	fmt.Printf("peer %s\n", c.RemoteAddr())
	return nil
}

// tcpSend connects to addr, writes n pseudo-random bytes (seeded) while
// reading the echo, and prints "sent N SHA256" and "echoed N SHA256".
// With a gate, it prints "ready" after half the bytes and writes the rest
// once the file gate exists.
func tcpSend(addr string, n int, seed uint64, gate string) error {
	var c net.Conn
	var err error
	for i := 0; i < 50; i++ {
		if c, err = net.DialTimeout("tcp", addr, time.Second); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	var wg sync.WaitGroup
	var echoed int64
	eh := sha256.New()
	var rerr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		echoed, rerr = io.Copy(eh, c)
	}()
	sh := sha256.New()
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	buf := make([]byte, 64<<10)
	for sent := 0; sent < n; {
		if gate != "" && sent >= n/2 {
			fmt.Println("ready")
			waitFile(gate)
			gate = ""
		}
		k := min(len(buf), n-sent)
		for i := 0; i < k; i += 8 {
			binary.LittleEndian.PutUint64(buf[i:], rng.Uint64())
		}
		if _, err := c.Write(buf[:k]); err != nil {
			return err
		}
		sh.Write(buf[:k])
		sent += k
	}
	c.(*net.TCPConn).CloseWrite()
	wg.Wait()
	if rerr != nil {
		return rerr
	}
	fmt.Printf("sent %d %x\nechoed %d %x\n", n, sh.Sum(nil), echoed, eh.Sum(nil))
	return nil
}

// udpEcho echoes datagrams on addr until killed; a datagram starting with
// "FORGED" is reported on stdout (it must never arrive).
func udpEcho(addr string) error {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	buf := make([]byte, 65536)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return err
		}
		if strings.HasPrefix(string(buf[:n]), "FORGED") {
			fmt.Printf("forged %s %q\n", from, buf[:n])
			continue
		}
		pc.WriteTo(buf[:n], from)
	}
}

// probeResult is one UDP flow of udpProbe.
type probeResult struct {
	Local  string `json:"local"`
	Sent   int    `json:"sent"`
	Echoed int    `json:"echoed"`
}

// udpProbe opens flows sockets (one flow each), sends per datagrams on each
// and counts echoes within wait; prints the results as JSON.
func udpProbe(addr string, flows, per int, wait string) error {
	d, err := time.ParseDuration(wait)
	if err != nil {
		return err
	}
	res := make([]probeResult, flows)
	var wg sync.WaitGroup
	for i := range flows {
		c, err := net.Dial("udp", addr)
		if err != nil {
			return err
		}
		res[i].Local = c.LocalAddr().String()
		wg.Add(1)
		go func(i int, c net.Conn) {
			defer wg.Done()
			defer c.Close()
			msg := fmt.Sprintf("probe %s", res[i].Local)
			c.SetReadDeadline(time.Now().Add(d))
			buf := make([]byte, 2048)
			for j := range per {
				if _, err := c.Write([]byte(fmt.Sprintf("%s #%d", msg, j))); err == nil {
					res[i].Sent++
				}
				time.Sleep(2 * time.Millisecond)
			}
			for res[i].Echoed < res[i].Sent {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				if strings.HasPrefix(string(buf[:n]), msg) {
					res[i].Echoed++
				}
			}
		}(i, c)
	}
	wg.Wait()
	return json.NewEncoder(os.Stdout).Encode(res)
}

func packetSocket(ifname string) (int, *unix.SockaddrLinklayer, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return -1, nil, err
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW, int(htons(unix.ETH_P_ALL)))
	if err != nil {
		return -1, nil, err
	}
	sa := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi.Index}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return -1, nil, err
	}
	return fd, sa, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// rawFrames sends n random frames (14-1514 bytes, random contents but for
// some with plausible Ethernet/IPv4/IPv6/ARP/Geneve headers) on ifname.
func rawFrames(ifname string, n int, seed uint64) error {
	fd, sa, err := packetSocket(ifname)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	rng := rand.New(rand.NewPCG(seed, 7))
	buf := make([]byte, 1514)
	sent := 0
	for i := range n {
		l := 14 + rng.IntN(1500)
		for j := range l {
			buf[j] = byte(rng.Uint32())
		}
		switch i % 4 {
		case 1: // IPv4 with random rest, maybe UDP 6081
			binary.BigEndian.PutUint16(buf[12:], 0x0800)
			if l > 34 {
				buf[14] = 0x45
				buf[23] = 17
				if l > 38 {
					binary.BigEndian.PutUint16(buf[36:], 6081)
				}
			}
		case 2:
			binary.BigEndian.PutUint16(buf[12:], 0x86dd)
		case 3:
			binary.BigEndian.PutUint16(buf[12:], 0x0806)
		}
		if err := unix.Sendto(fd, buf[:l], 0, sa); err == nil {
			sent++
		}
	}
	fmt.Printf("sent %d\n", sent)
	return nil
}

// geneveSniff waits up to d for a Geneve frame on ifname whose inner
// packet is UDP to innerPort, and prints the outer source IP, outer UDP
// source port and the hex of the Geneve payload (header, options, inner).
func geneveSniff(ifname string, innerPort int, d time.Duration) error {
	fd, _, err := packetSocket(ifname)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	tv := unix.NsecToTimeval(int64(200 * time.Millisecond))
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	fmt.Println("ready")
	deadline := time.Now().Add(d)
	buf := make([]byte, 65536)
	for time.Now().Before(deadline) {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			continue
		}
		f := buf[:n]
		if len(f) < 14+20+8+8 || binary.BigEndian.Uint16(f[12:]) != 0x0800 || f[23] != 17 {
			continue
		}
		ihl := int(f[14]&0x0f) * 4
		udp := f[14+ihl:]
		if len(udp) < 8+8 || binary.BigEndian.Uint16(udp[2:]) != 6081 {
			continue
		}
		gen := udp[8:]
		optLen := int(gen[0]&0x3f) * 4
		if len(gen) < 8+optLen+28 || binary.BigEndian.Uint16(gen[2:]) != 0x0800 {
			continue
		}
		inner := gen[8+optLen:]
		iihl := int(inner[0]&0x0f) * 4
		if inner[9] != 17 || len(inner) < iihl+8 || int(binary.BigEndian.Uint16(inner[iihl+2:])) != innerPort {
			continue
		}
		fmt.Printf("%s %d %s\n", net.IP(f[26:30]), binary.BigEndian.Uint16(udp[0:]), hex.EncodeToString(gen))
		return nil
	}
	return errors.New("no matching Geneve frame")
}

// udpSend sends the hex payload from local (ip:port, port 0 for any) to
// dst (ip:port).
func udpSend(local, dst, payload string) error {
	b, err := hex.DecodeString(payload)
	if err != nil {
		return err
	}
	la, err := net.ResolveUDPAddr("udp4", local)
	if err != nil {
		return err
	}
	ra, err := net.ResolveUDPAddr("udp4", dst)
	if err != nil {
		return err
	}
	c, err := net.DialUDP("udp4", la, ra)
	if err != nil {
		return err
	}
	defer c.Close()
	for range 3 {
		if _, err := c.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// --- driving helpers from the test ---------------------------------------

// httpGet fetches url (inside a namespace) and prints the body.
func httpGet(url string) error {
	c := &http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	_, err = io.Copy(os.Stdout, resp.Body)
	return err
}

// udpHold opens n UDP flows to addr and keeps them: for each line read on
// stdin it sends one datagram per flow, waits up to a second for the
// echoes and prints the cumulative results as one JSON line.
func udpHold(addr string, n int) error {
	conns := make([]net.Conn, n)
	res := make([]probeResult, n)
	for i := range conns {
		c, err := net.Dial("udp", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		conns[i] = c
		res[i].Local = c.LocalAddr().String()
	}
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	buf := make([]byte, 2048)
	for round := 0; in.Scan(); round++ {
		for i, c := range conns {
			msg := fmt.Sprintf("hold %s #%d", res[i].Local, round)
			if _, err := c.Write([]byte(msg)); err != nil {
				continue
			}
			res[i].Sent++
			c.SetReadDeadline(time.Now().Add(time.Second))
			for {
				k, err := c.Read(buf)
				if err != nil {
					break
				}
				if string(buf[:k]) == msg {
					res[i].Echoed++
					break
				}
			}
		}
		b, _ := json.Marshal(res)
		fmt.Println(string(b))
	}
	return nil
}

// echoResult is one tcp-send / tcp-echo exchange as both helpers print it:
// the bytes and sha256 the sender sent and had echoed back, what the echo
// side received, and the peer address it saw.
type echoResult struct {
	nSent, nEchoed, nReceived int
	sent, echoed, received    string
	peer                      string
}

// parseEcho reads tcp-send's and tcp-echo's outputs.
func parseEcho(sendOut, echoOut string) echoResult {
	var r echoResult
	fmt.Sscanf(sendOut, "sent %d %s\nechoed %d %s", &r.nSent, &r.sent, &r.nEchoed, &r.echoed)
	fmt.Sscanf(echoOut, "received %d %s\npeer %s", &r.nReceived, &r.received, &r.peer)
	return r
}

// ok reports whether size bytes went each way with the same sha256 at both
// ends.
func (r echoResult) ok(size int) bool {
	return r.nSent == size && r.nEchoed == size && r.nReceived == size &&
		r.sent != "" && r.sent == r.echoed && r.sent == r.received
}

func (r echoResult) String() string {
	return fmt.Sprintf("sent %d %s, received %d %s, echoed back %d %s", r.nSent, r.sent, r.nReceived, r.received, r.nEchoed, r.echoed)
}
