package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as a client run under another user's
// credentials (TestSocketGroupMemberCanRead).
const (
	helperEnv       = "GWLBCTL_API_TEST_HELPER"
	helperSocketEnv = "GWLBCTL_API_TEST_SOCKET"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "info" {
		c := NewClient(os.Getenv(helperSocketEnv))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		info, err := c.Info(ctx)
		cancel()
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		fmt.Println("node:", info.NodeID)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func socketStat(t *testing.T, path string) *syscall.Stat_t {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("%s is %v, not a socket", path, fi.Mode())
	}
	return fi.Sys().(*syscall.Stat_t)
}

// otherGroup is a group the test process may give a socket to, other than
// its effective group when it can: any gid as root, else a supplementary
// group.
func otherGroup() int {
	if os.Geteuid() == 0 {
		return 4242
	}
	gs, _ := os.Getgroups()
	for _, g := range gs {
		if g != os.Getegid() {
			return g
		}
	}
	return os.Getegid()
}

func TestListenUnixModeAndGroup(t *testing.T) {
	old := syscall.Umask(0) // the socket must not take the umask's mode
	defer syscall.Umask(old)
	gid := otherGroup()
	path := filepath.Join(t.TempDir(), "run", "gwlbctl", "api.sock") // directories created
	ln, err := ListenUnix(path, SocketOptions{Group: strconv.Itoa(gid)})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	st := socketStat(t, path)
	if perm := st.Mode & 0o777; perm != 0o660 {
		t.Errorf("mode %o, want 660", perm)
	}
	if int(st.Uid) != os.Geteuid() || int(st.Gid) != gid {
		t.Errorf("owner %d:%d, want %d:%d", st.Uid, st.Gid, os.Geteuid(), gid)
	}
	ln.Close()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left after Close: %v", err)
	}

	// The default group is the effective one; a group by name works too.
	ln, err = ListenUnix(path, SocketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st := socketStat(t, path); int(st.Gid) != os.Getegid() {
		t.Errorf("default group %d, want %d", st.Gid, os.Getegid())
	}
	ln.Close()
	if g, err := user.LookupGroupId(strconv.Itoa(os.Getegid())); err == nil {
		ln, err = ListenUnix(path, SocketOptions{Group: g.Name})
		if err != nil {
			t.Fatalf("group %s by name: %v", g.Name, err)
		}
		ln.Close()
	}
}

// TestBindUnixStartsPrivate: the socket file is 0600 from the moment it
// exists, whatever the umask, before it is given to the group.
func TestBindUnixStartsPrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "s")
	ul, err := bindUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ul.Close()
	if perm := socketStat(t, path).Mode & 0o777; perm != 0o600 {
		t.Errorf("freshly bound socket has mode %o, want 600", perm)
	}
}

func TestListenUnixRefusesLiveSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "api.sock")
	srv, err := StartServer(path, SocketOptions{}, newMemBackend(1, 1), Options{}, ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	_, err = ListenUnix(path, SocketOptions{})
	if err == nil || !strings.Contains(err.Error(), "is in use: a running process answers on it") {
		t.Fatalf("second listener: %v", err)
	}
	// The first server still serves.
	c := NewClient(path)
	defer c.Close()
	if info, err := c.Info(context.Background()); err != nil || info.NodeID != "node-a" {
		t.Errorf("first server after the refused second: %+v %v", info, err)
	}
}

// staleSocket leaves a socket file nobody listens on, as a killed node does.
func staleSocket(t *testing.T, path string) {
	t.Helper()
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ul.SetUnlinkOnClose(false)
	ul.Close()
	socketStat(t, path)
}

func TestListenUnixReplacesStaleSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "api.sock")
	staleSocket(t, path)
	ln, err := ListenUnix(path, SocketOptions{})
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	ln.Close()
}

func TestListenUnixRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "api.sock")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ListenUnix(path, SocketOptions{})
	if err == nil || !strings.Contains(err.Error(), "exists and is not a socket") {
		t.Errorf("regular file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Errorf("the file was touched: %q", b)
	}
	long := filepath.Join(dir, strings.Repeat("x", 120))
	if _, err := ListenUnix(long, SocketOptions{}); err == nil || !strings.Contains(err.Error(), "a unix socket path has at most 107") {
		t.Errorf("long path: %v", err)
	}
	if _, err := ListenUnix(filepath.Join(dir, "b.sock"), SocketOptions{Group: "no-such-group-gwlbctl"}); err == nil ||
		!strings.Contains(err.Error(), `api.group "no-such-group-gwlbctl": no such group`) {
		t.Errorf("unknown group: %v", err)
	}
	if os.Geteuid() != 0 {
		// Not a member of gid 0 (root): the chown fails and says why.
		_, err := ListenUnix(filepath.Join(dir, "c.sock"), SocketOptions{Group: "0"})
		if err == nil || !strings.Contains(err.Error(), "the serving user must be a member of the group") {
			t.Errorf("foreign group: %v", err)
		}
	}
}

// closeRecorder is a lock that records whether the socket was gone when it
// was released.
type closeRecorder struct {
	path           string
	closed, exists bool
}

func (c *closeRecorder) Close() error {
	c.closed = true
	_, err := os.Lstat(c.path)
	c.exists = err == nil
	return nil
}

func TestListenerLockAndSuccessor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "api.sock")
	lock := &closeRecorder{path: path}
	ln1, err := ListenUnix(path, SocketOptions{Lock: lock})
	if err != nil {
		t.Fatal(err)
	}
	ln1.Close()
	if !lock.closed || lock.exists {
		t.Errorf("lock closed %v, socket still there when released %v", lock.closed, lock.exists)
	}

	// A failed listen leaves the caller's lock alone.
	lock2 := &closeRecorder{path: path}
	if _, err := ListenUnix(path, SocketOptions{Group: "no-such-group-gwlbctl", Lock: lock2}); err == nil || lock2.closed {
		t.Errorf("failed listen: %v, lock closed %v", err, lock2.closed)
	}

	// A Listener whose socket was replaced by a successor's does not
	// remove the successor's.
	ln1, err = ListenUnix(path, SocketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	ln2, err := ListenUnix(path, SocketOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ln2.Close()
	ln1.Close()
	socketStat(t, path)
}

// TestSocketGroupMemberCanRead creates a group and two users, serves the
// API with the socket given to the group, and runs a client as each user:
// the member reads the API, the other is told which group to join.
func TestSocketGroupMemberCanRead(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: creating a user and a group to check that a group member can read the socket needs root")
	}
	for _, tool := range []string{"groupadd", "useradd", "userdel", "groupdel"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found (package passwd): cannot create the test user and group", tool)
		}
	}
	suffix := strconv.FormatInt(time.Now().UnixNano()%1e8, 36) + strconv.Itoa(os.Getpid()%1000)
	group, member, outsider := "gwapi"+suffix, "gwapim"+suffix, "gwapio"+suffix
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	run("groupadd", group)
	t.Cleanup(func() { exec.Command("groupdel", group).Run() })
	for _, u := range []string{member, outsider} {
		args := []string{"--no-create-home", "--no-user-group", "--shell", "/usr/sbin/nologin"}
		if u == member {
			args = append(args, "--groups", group)
		}
		run("useradd", append(args, u)...)
		t.Cleanup(func() { exec.Command("userdel", u).Run() })
	}

	// A directory every user can traverse, with a copy of the test binary
	// they can execute.
	dir, err := os.MkdirTemp("", "gwlbctl-api-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "api.test")
	copyFile(t, self, bin, 0o755)

	path := filepath.Join(dir, "api.sock")
	srv, err := StartServer(path, SocketOptions{Group: group}, newMemBackend(1, 1), Options{}, ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())

	asUser := func(name string) (string, error) {
		u, err := user.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		var groups []uint32
		gids, _ := u.GroupIds() // the groups the user database gives the user
		for _, g := range gids {
			n, _ := strconv.Atoi(g)
			groups = append(groups, uint32(n))
		}
		cmd := exec.Command(bin)
		cmd.Dir = dir
		cmd.Env = []string{helperEnv + "=info", helperSocketEnv + "=" + path, "PATH=/usr/bin:/bin"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: groups}}
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	out, err := asUser(member)
	if err != nil || out != "node: node-a" {
		t.Errorf("member of %s: %v\n%s", group, err, out)
	}
	out, err = asUser(outsider)
	want := fmt.Sprintf("error: cannot read %s: join group %s (the socket's group) or run as root", path, group)
	if err == nil || out != want {
		t.Errorf("outsider: %v\n%s\nwant %s", err, out, want)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
