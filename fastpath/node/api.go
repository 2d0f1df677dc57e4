package node

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// FlowEntry is one flow of GET /flows.
type FlowEntry struct {
	Worker   int       `json:"worker"`
	Endpoint string    `json:"endpoint"`
	Proto    uint8     `json:"proto"`
	Tuple    uint8     `json:"tuple"`
	Src      string    `json:"src"`
	Dst      string    `json:"dst"`
	Target   int       `json:"target"`
	TargetIP string    `json:"target_ip"`
	Cookie   uint32    `json:"cookie"`
	Packets  [2]uint64 `json:"packets"`
	Bytes    [2]uint64 `json:"bytes"`
	AgeSec   float64   `json:"age_seconds"`
	IdleSec  float64   `json:"idle_seconds"`
}

// serveAPI serves the node's minimal local API on a unix socket (0600):
// GET /stats (the stats document) and GET /flows?max=N (live flows). The
// full local API (targets, events, a client) is control/api's.
func (n *Node) serveAPI(path string) (*http.Server, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(path) // a socket left by a killed node
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, n.Stats())
	})
	mux.HandleFunc("GET /flows", func(w http.ResponseWriter, r *http.Request) {
		max, _ := strconv.Atoi(r.URL.Query().Get("max"))
		flows, err := n.Flows(r.Context(), max)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, flows)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Warn("node: api", "err", err)
		}
	}()
	return srv, nil
}

// Flows lists up to max live flows of every worker (0: the engine's
// default limit).
func (n *Node) Flows(ctx context.Context, max int) ([]FlowEntry, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	out := []FlowEntry{}
	for _, w := range n.workers {
		fs, err := w.Flows(ctx, max)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			out = append(out, FlowEntry{
				Worker: f.Worker, Endpoint: engine.FormatEndpointID(f.Endpoint), Proto: f.Proto, Tuple: f.Tuple,
				Src: f.Src.String(), Dst: f.Dst.String(), Target: f.Target, TargetIP: f.TargetIP.String(),
				Cookie: f.Cookie, Packets: f.Packets, Bytes: f.Bytes,
				AgeSec: f.Age.Seconds(), IdleSec: f.Idle.Seconds(),
			})
		}
	}
	return out, nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
