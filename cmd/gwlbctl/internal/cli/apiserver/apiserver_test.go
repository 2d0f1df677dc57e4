package apiserver

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
)

// parse runs api-server's flag and environment handling and returns the
// Options it would run with.
func parse(t *testing.T, env map[string]string, args ...string) (*Options, error) {
	t.Helper()
	for _, s := range settings {
		if v, ok := os.LookupEnv(envName(s.flag)); ok {
			t.Setenv(envName(s.flag), v) // restored after the test
			os.Unsetenv(envName(s.flag))
		}
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	e := clitest.New(t)
	var got *Options
	err := clitest.Exec(NewCmdAPIServer(e.Factory, func(_ context.Context, o *Options) error { got = o; return nil }), args...)
	return got, err
}

func TestFlags(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		args    []string
		listen  string
		remote  bool
		key     string
		wantErr string
	}{
		{name: "Defaults", listen: DefaultListen},
		{name: "Flag", args: []string{"--listen", "127.0.0.1:0"}, listen: "127.0.0.1:0"},
		{name: "Env", env: map[string]string{"GWLBCTL_LISTEN": "[::1]:4567"}, listen: "[::1]:4567"},
		{name: "FlagOverEnv", env: map[string]string{"GWLBCTL_LISTEN": "[::1]:4567"}, args: []string{"--listen", "localhost:1"}, listen: "localhost:1"},
		{name: "NotLoopback", args: []string{"--listen", "0.0.0.0:4566"}, wantErr: "0.0.0.0:4566 is not a loopback address"},
		{name: "NotLoopbackName", args: []string{"--listen", "example.com:4566"}, wantErr: "not a loopback address"},
		{name: "AllowRemote", args: []string{"--listen", "0.0.0.0:4566", "--allow-remote"}, listen: "0.0.0.0:4566", remote: true},
		{name: "AllowRemoteEnv", env: map[string]string{"GWLBCTL_ALLOW_REMOTE": "true"}, args: []string{"--listen", ":4566"}, listen: ":4566", remote: true},
		{name: "NotHostPort", args: []string{"--listen", "4566"}, wantErr: "is not host:port"},
		{name: "Credentials", env: map[string]string{"GWLBCTL_ACCESS_KEY_ID": "AKID", "GWLBCTL_SECRET_ACCESS_KEY": "s"}, listen: DefaultListen, key: "AKID"},
		{name: "KeyWithoutSecret", args: []string{"--access-key-id", "AKID"}, wantErr: "go together"},
		{name: "BodyCap", args: []string{"--max-body-bytes", "0"}, wantErr: "--max-body-bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := parse(t, c.env, c.args...)
			if c.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want a usage error containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Listen != c.listen || o.AllowRemote != c.remote || o.AccessKeyID != c.key {
				t.Errorf("listen %q remote %v key %q, want %q %v %q", o.Listen, o.AllowRemote, o.AccessKeyID, c.listen, c.remote, c.key)
			}
		})
	}
}

// TestRunServesAndStops runs the server in-process on a free loopback
// port, answers a request, and stops cleanly when its context ends.
func TestRunServesAndStops(t *testing.T) {
	e := clitest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := make(chan string, 1)
	o := &Options{IO: e.Factory.IOStreams, Config: e.Factory.Config, Store: e.Factory.Store, Now: e.Factory.Now,
		Listen: "127.0.0.1:0", MaxBodyBytes: 1 << 20, Listening: func(a string) { addr <- a }}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, o) }()
	var a string
	select {
	case a = <-addr:
	case err := <-done:
		t.Fatalf("Run returned before listening: %v", err)
	}
	form := url.Values{"Action": {"CreateVpc"}, "Version": {"2016-11-15"}, "CidrBlock": {"10.0.0.0/16"}}
	resp, err := http.PostForm("http://"+a+"/", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<vpcId>vpc-") {
		t.Fatalf("CreateVpc: %d\n%s", resp.StatusCode, body)
	}
	st, err := e.Factory.Store()
	if err != nil {
		t.Fatal(err)
	}
	snap, _, err := st.Snapshot()
	if err != nil || len(snap.Vpcs) != 1 {
		t.Fatalf("state after CreateVpc: %+v, %v", snap, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	if !strings.Contains(e.Err.String(), "listening on http://"+a) || !strings.Contains(e.Err.String(), "stopped") {
		t.Errorf("stderr:\n%s", e.Err)
	}
}
