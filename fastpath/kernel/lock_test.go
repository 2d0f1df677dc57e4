package kernel

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

const childEnv = "GWLBCTL_KERNEL_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "lock" {
		os.Exit(childLock())
	}
	os.Exit(m.Run())
}

// childLock holds a lock until its stdin closes.
func childLock() int {
	l, err := AcquireLock(os.Getenv("GWLBCTL_KERNEL_TEST_DIR"), "iface:eth-test", "device net_af_packet0,iface=eth-test")
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	defer l.Release()
	fmt.Println("locked")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	return 0
}

func TestLockRefusesSecondHolderNamingItsPid(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run", "gwlbctl") // missing: created
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=lock", "GWLBCTL_KERNEL_TEST_DIR="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("child: %q %v", line, err)
	}
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("run directory: %v %v; want it created 0755", st.Mode(), err)
	}

	// The same interface under another device name is the same key.
	_, err = AcquireLock(dir, "iface:eth-test", "device net_af_packet1,iface=eth-test")
	var busy *InUseError
	if !errors.As(err, &busy) || busy.PID != cmd.Process.Pid {
		t.Fatalf("second holder: %v; want an InUseError naming pid %d", err, cmd.Process.Pid)
	}
	want := fmt.Sprintf("device net_af_packet1,iface=eth-test is in use by kernel.test pid %d (as device net_af_packet0,iface=eth-test)", cmd.Process.Pid)
	if err.Error() != want {
		t.Fatalf("message %q\nwant    %q", err, want)
	}

	// Once the holder is gone, however it went, the lock is free.
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	l, err := AcquireLock(dir, "iface:eth-test", "device net_af_packet1,iface=eth-test")
	if err != nil {
		t.Fatalf("after the holder exited: %v", err)
	}
	b, err := os.ReadFile(l.Path())
	if err != nil || !strings.Contains(string(b), fmt.Sprintf("pid=%d\n", os.Getpid())) {
		t.Fatalf("lock file %q %v: want our pid", b, err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(l.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file after Release: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatalf("second Release: %v", err)
	}
}

func TestLockInOneProcess(t *testing.T) {
	dir := t.TempDir()
	a, err := AcquireLock(dir, "socket:/run/gwlbctl/serve.sock", "API socket /run/gwlbctl/serve.sock")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(a.Path()) != "socket:%2Frun%2Fgwlbctl%2Fserve.sock.lock" {
		t.Fatalf("lock file %s", a.Path())
	}
	_, err = AcquireLock(dir, "socket:/run/gwlbctl/serve.sock", "API socket /run/gwlbctl/serve.sock")
	want := fmt.Sprintf("API socket /run/gwlbctl/serve.sock is in use by kernel.test pid %d", os.Getpid())
	if err == nil || err.Error() != want {
		t.Fatalf("second lock in the same process: %v; want %q", err, want)
	}
	b, err := AcquireLock(dir, "iface:eth1", "device x")
	if err != nil {
		t.Fatalf("another key: %v", err)
	}
	b.Release()
	a.Release()
	// A lock file left by a holder that died without Release guards
	// nothing: it is taken over.
	if err := os.WriteFile(filepath.Join(dir, "iface:eth2.lock"), []byte("pid=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := AcquireLock(dir, "iface:eth2", "device y")
	if err != nil {
		t.Fatalf("stale lock file: %v", err)
	}
	c.Release()
	if _, err := AcquireLock(dir, "", "nothing"); err == nil {
		t.Fatal("empty key accepted")
	}
	k1, err1 := SocketKey("/run/gwlbctl/../gwlbctl/serve.sock")
	k2, err2 := SocketKey("/run/gwlbctl/serve.sock")
	if err1 != nil || err2 != nil || k1 != k2 || k1 != "socket:/run/gwlbctl/serve.sock" {
		t.Fatalf("SocketKey: %q %v, %q %v", k1, err1, k2, err2)
	}
	if got := lockFileName("../x"); strings.Contains(got, "/") || strings.HasPrefix(got, ".") {
		t.Fatalf("lock file name %q escapes the directory", got)
	}
}

// Many goroutines taking and releasing one lock: never two holders at
// once, whatever the interleaving of Release's remove with another's open.
func TestLockNeverTwoHolders(t *testing.T) {
	dir := t.TempDir()
	var holders, overlaps, taken atomic.Int32
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				l, err := AcquireLock(dir, "iface:race", "device race")
				if err != nil {
					var busy *InUseError
					if !errors.As(err, &busy) {
						t.Error(err)
						return
					}
					continue
				}
				if holders.Add(1) > 1 {
					overlaps.Add(1)
				}
				taken.Add(1)
				// Hold it a moment, so the others' opens and locks
				// interleave with this holder's Release.
				for k := 0; k < 20; k++ {
					runtime.Gosched()
				}
				holders.Add(-1)
				if err := l.Release(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if overlaps.Load() != 0 || taken.Load() == 0 {
		t.Fatalf("two holders at once %d times (taken %d times)", overlaps.Load(), taken.Load())
	}
}

// SweepStaleLocks removes the lock files nobody holds and nothing else:
// not a held one, not other files.
func TestSweepStaleLocks(t *testing.T) {
	dir := t.TempDir()
	held, err := AcquireLock(dir, "socket:/run/gwlbctl/serve.sock", "API socket")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	for _, name := range []string{"iface:eth1.lock", "socket:%2Ftmp%2Fgone%2Fserve.sock.lock"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("pid=1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "d.lock"), 0o755); err != nil {
		t.Fatal(err)
	}
	n, err := SweepStaleLocks(dir)
	if err != nil || n != 2 {
		t.Fatalf("SweepStaleLocks: %d, %v; want 2 removed", n, err)
	}
	var left []string
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		left = append(left, e.Name())
	}
	want := []string{"d.lock", "notes.txt", filepath.Base(held.Path())}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Fatalf("left after the sweep: %q; want %q", left, want)
	}
	if _, err := AcquireLock(dir, "socket:/run/gwlbctl/serve.sock", "API socket"); err == nil {
		t.Fatal("the held lock was taken again after the sweep")
	}
	if n, err := SweepStaleLocks(filepath.Join(dir, "missing")); n != 0 || err != nil {
		t.Fatalf("a missing directory: %d, %v", n, err)
	}
}
