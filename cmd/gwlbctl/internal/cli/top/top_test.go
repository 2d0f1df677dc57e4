package top

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/tui"
	"github.com/gwlbctl/gwlbctl/tui/tuitest"
)

// execTop runs the command line with env as the environment, stdout a
// terminal when tty, and returns the Options the run function got.
func execTop(t *testing.T, env map[string]string, tty bool, args ...string) (*Options, error) {
	t.Helper()
	io, _, _, _ := cmdutil.TestIO()
	io.SetStdoutTTY(tty, 100)
	var got *Options
	opts := &Options{IO: io, Getenv: func(k string) string { return env[k] }}
	cmd := newCmdTop(opts, func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(&strings.Builder{})
	cmd.SetErr(&strings.Builder{})
	cmd.SilenceErrors = true
	return got, cmd.Execute()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTopFlags(t *testing.T) {
	nodeYAML := writeFile(t, "node.yaml", "load-balancer: my-gwlb\napi:\n  socket: /run/test/node.sock\n")
	noAPI := writeFile(t, "noapi.yaml", "load-balancer: my-gwlb\napi:\n  socket: \"\"\n")
	udp53, _ := api.ParseFlowFilter("udp port=53")
	for _, tc := range []struct {
		name   string
		env    map[string]string
		notty  bool
		args   []string
		socket string
		check  func(*Options) bool
		err    string
		code   int
	}{
		{name: "defaults", socket: api.DefaultSocket, check: func(o *Options) bool {
			return o.Interval == time.Second && o.FlowSort == api.SortBytes && o.FlowFilter.IsZero() && !o.Once && o.Limit == 20
		}},
		{name: "node", args: []string{"--node", "/tmp/x.sock"}, socket: "/tmp/x.sock"},
		{name: "node beats env and config", env: map[string]string{envSocket: "/env.sock", envNodeConfig: nodeYAML},
			args: []string{"--node", "/flag.sock"}, socket: "/flag.sock"},
		{name: "env socket beats config", env: map[string]string{envSocket: "/env.sock"}, args: []string{"--node-config", nodeYAML}, socket: "/env.sock"},
		{name: "node config", args: []string{"--node-config", nodeYAML}, socket: "/run/test/node.sock"},
		{name: "node config from env", env: map[string]string{envNodeConfig: nodeYAML}, socket: "/run/test/node.sock"},
		{name: "everything", args: []string{"--interval", "250ms", "--filter", "udp 53", "--sort", "age", "--once", "--limit", "5", "--log-file", "/tmp/top.log"},
			socket: api.DefaultSocket, check: func(o *Options) bool {
				return o.Interval == 250*time.Millisecond && o.FlowFilter.String() == udp53.String() && o.FlowSort == api.SortAge &&
					o.Once && o.Limit == 5 && o.LogFile == "/tmp/top.log"
			}},
		{name: "once without a terminal", notty: true, args: []string{"--once"}, socket: api.DefaultSocket},
		{name: "bad filter", args: []string{"--filter", "port=99999"}, err: `--filter: filter port="99999": want a port 1-65535`, code: cmdutil.ExitUsage},
		{name: "bad filter term", args: []string{"--once", "--filter", "bogus"}, err: `filter term "bogus": not a protocol`, code: cmdutil.ExitUsage},
		{name: "bad sort", args: []string{"--sort", "src"}, err: `--sort "src": want bytes, packets, rate or age`, code: cmdutil.ExitUsage},
		{name: "fast interval", args: []string{"--interval", "10ms"}, err: "--interval 10ms: want 100ms to 1h0m0s", code: cmdutil.ExitUsage},
		{name: "limit without once", args: []string{"--limit", "5"}, err: "--limit is for --once", code: cmdutil.ExitUsage},
		{name: "limit too big", args: []string{"--once", "--limit", "5000"}, err: "--limit 5000: want 1 to 1000", code: cmdutil.ExitUsage},
		{name: "no terminal", notty: true, err: "use --once", code: cmdutil.ExitUsage},
		{name: "missing node config", args: []string{"--node-config", "/nonexistent/node.yaml"}, err: "node config /nonexistent/node.yaml: file not found", code: cmdutil.ExitConfig},
		{name: "node config without api", args: []string{"--node-config", noAPI}, err: "api.socket is empty", code: cmdutil.ExitConfig},
		{name: "argument", args: []string{"extra"}, err: "Unknown options: extra", code: cmdutil.ExitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := execTop(t, tc.env, !tc.notty, tc.args...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if c := cmdutil.ExitCode(err); c != tc.code {
					t.Fatalf("exit code %d, want %d", c, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Socket != tc.socket {
				t.Fatalf("socket %q, want %q", got.Socket, tc.socket)
			}
			if tc.check != nil && !tc.check(got) {
				t.Fatalf("options %+v", got)
			}
		})
	}
}

// runOnce runs `top --once` against a node: the real run function, the
// real client, control/api's handler on a unix socket. format is the
// global --output, with "|" and the global --query after it if any.
func runOnce(t *testing.T, socket, format string, args ...string) (string, error) {
	t.Helper()
	io, _, out, _ := cmdutil.TestIO()
	format, query, _ := strings.Cut(format, "|")
	cfg := &cmdutil.Config{Output: format, Query: query, Region: control.DefaultRegion, Account: control.DefaultAccount}
	opts := &Options{IO: io, Getenv: func(string) string { return "" }, Config: func() (*cmdutil.Config, error) { return cfg, nil }}
	cmd := newCmdTop(opts, nil)
	cmd.SetArgs(append([]string{"--once", "--node", socket}, args...))
	cmd.SetOut(&strings.Builder{})
	cmd.SetErr(&strings.Builder{})
	cmd.SilenceErrors = true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestTopOnce(t *testing.T) {
	b := tuitest.NewBackend(tuitest.Config{Flows: 300, Seed: 3})
	b.Step(time.Second)
	// 8 events at start, 4 more: the snapshot holds the newest 10.
	for _, st := range []string{"draining", "unused", "initial", "healthy"} {
		if err := b.SetHealth("i-0bbbbbbbbbbbbbbb2", st, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	srv := tuitest.Serve(t, b)

	t.Run("json", func(t *testing.T) {
		out, err := runOnce(t, srv.Path, "json", "--limit", "5", "--sort", "packets", "--filter", "tcp")
		if err != nil {
			t.Fatal(err)
		}
		var snap tui.Snapshot
		if err := json.Unmarshal([]byte(out), &snap); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		if snap.Info == nil || snap.Info.NodeID != tuitest.NodeID || len(snap.Targets) != 3 || len(snap.Endpoints) != 3 {
			t.Fatalf("snapshot: %+v", snap)
		}
		if len(snap.Flows.Flows) != 5 || snap.Flows.Sort != "packets" || snap.Flows.Filter != "proto=tcp" {
			t.Fatalf("flows: %+v", snap.Flows)
		}
		for i, f := range snap.Flows.Flows {
			if f.Proto != 6 {
				t.Fatalf("flow %d is not tcp: %+v", i, f)
			}
			if i > 0 && f.Packets[0]+f.Packets[1] > snap.Flows.Flows[i-1].Packets[0]+snap.Flows.Flows[i-1].Packets[1] {
				t.Fatalf("flows not ranked by packets: %+v", snap.Flows.Flows)
			}
		}
		if len(snap.Events) != tui.DefaultSnapshotEvents || snap.Events[0].Seq != 3 || snap.Events[9].To != "healthy" {
			t.Fatalf("events: %+v", snap.Events)
		}
		if len(snap.Drops) == 0 || snap.Drops[0].Reason != "endpoint_not_available" {
			t.Fatalf("drops: %+v", snap.Drops)
		}
	})
	t.Run("table", func(t *testing.T) {
		out, err := runOnce(t, srv.Path, "table")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"node node-a", "─ Flows  top 20 by bytes", "─ Targets  2/3 healthy", "i-0ccccccccccccccc3 unhealthy   Target.Timeout",
			"─ Endpoints  2/3 available", "─ Drops", "endpoint_not_available", "─ Events", "Target.Timeout"} {
			if !strings.Contains(out, want) {
				t.Fatalf("table has no %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "\x1b[") {
			t.Fatalf("table output has escape sequences:\n%q", out)
		}
	})
	t.Run("query", func(t *testing.T) {
		out, err := runOnce(t, srv.Path, "json|targets[?state=='unhealthy'].id")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		if err := json.Unmarshal([]byte(out), &ids); err != nil || len(ids) != 1 || ids[0] != "i-0ccccccccccccccc3" {
			t.Fatalf("query answered %q (%v)", out, err)
		}
	})
	t.Run("not serving", func(t *testing.T) {
		sock := filepath.Join(tuitest.SocketDir(t), "none.sock")
		_, err := runOnce(t, sock, "json")
		if err == nil || !strings.Contains(err.Error(), "no gwlbctl serve is listening on "+sock) {
			t.Fatalf("err = %v", err)
		}
		if c := cmdutil.ExitCode(err); c != cmdutil.ExitError {
			t.Fatalf("exit code %d, want %d", c, cmdutil.ExitError)
		}
	})
}
