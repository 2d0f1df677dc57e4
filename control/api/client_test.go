package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestClientNotServing(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.sock")
	stale := filepath.Join(dir, "stale.sock")
	staleSocket(t, stale)
	for _, path := range []string{missing, stale} {
		_, err := NewClient(path).Stats(context.Background())
		want := fmt.Sprintf("no gwlbctl serve is listening on %s (is serve running? --node / api.socket)", path)
		if !errors.Is(err, ErrNotServing) || err.Error() != want {
			t.Errorf("%s: %v", filepath.Base(path), err)
		}
	}
	// TCP too.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := NewTCPClient(addr).Info(context.Background()); !errors.Is(err, ErrNotServing) {
		t.Errorf("tcp: %v", err)
	}
	// A cancelled context says so, not "not serving".
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewClient(missing).Info(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestClientPermissionMessage: the error names the socket's actual group.
// (TestSocketGroupMemberCanRead gets it from a real refusal, as root.)
func TestClientPermissionMessage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "api.sock")
	ln, err := ListenUnix(path, SocketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c := NewClient(path)
	err = c.dialError(&net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", syscall.EACCES)})
	want := fmt.Sprintf("cannot read %s: join group %s (the socket's group) or run as root", path, groupName(os.Getegid()))
	if !errors.Is(err, ErrPermission) || err.Error() != want || !errors.Is(err, syscall.EACCES) {
		t.Errorf("got %v, want %s", err, want)
	}
	// When the socket cannot even be looked at, the message says so.
	c = NewClient(filepath.Join(t.TempDir(), "x", "api.sock"))
	err = c.dialError(&net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", syscall.EACCES)})
	if !errors.Is(err, ErrPermission) || !strings.Contains(err.Error(), "its directory is not accessible to you") {
		t.Errorf("unreadable directory: %v", err)
	}
	if groupName(987654) != strconv.Itoa(987654) {
		t.Errorf("a gid without a name: %q", groupName(987654))
	}
}
