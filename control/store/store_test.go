package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// The test binary doubles as the child process of the cross-process tests:
// with GWLBCTL_STORE_CHILD set, TestMain runs the child's job and exits.
func TestMain(m *testing.M) {
	switch os.Getenv("GWLBCTL_STORE_CHILD") {
	case "":
		os.Exit(m.Run())
	case "register":
		os.Exit(childRegister())
	case "writer":
		os.Exit(childWriter())
	default:
		fmt.Fprintln(os.Stderr, "unknown child job")
		os.Exit(2)
	}
}

type seqReader struct{ n byte }

func (r *seqReader) Read(p []byte) (int, error) {
	for i := range p {
		r.n++
		p[i] = r.n
	}
	return len(p), nil
}

var fixedNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func testEnv() control.Env {
	return control.Env{Region: "us-east-1", Account: "123456789012", Now: func() time.Time { return fixedNow }, Rand: &seqReader{}}
}

// seed creates a VPC with a subnet and an ip target group; it returns the
// target group ARN.
func seed(t testing.TB, st *Store) string {
	t.Helper()
	var arn string
	err := st.Update(func(s *control.State) error {
		env := testEnv()
		v, err := s.CreateVpc(env, control.CreateVpcInput{CidrBlock: "10.0.0.0/16"})
		if err != nil {
			return err
		}
		if _, err := s.CreateSubnet(env, control.CreateSubnetInput{VpcId: v.Vpc.VpcId, CidrBlock: "10.0.0.0/17", AvailabilityZone: "us-east-1a"}); err != nil {
			return err
		}
		port := 6081
		tg, err := s.CreateTargetGroup(env, control.CreateTargetGroupInput{Name: "tg", Protocol: "GENEVE", Port: &port, VpcId: v.Vpc.VpcId, TargetType: "ip"})
		if err != nil {
			return err
		}
		arn = tg.TargetGroups[0].TargetGroupArn
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

func register(s *control.State, tgArn, ip string) error {
	_, err := s.RegisterTargets(testEnv(), control.RegisterTargetsInput{TargetGroupArn: tgArn, Targets: []control.TargetDescription{{Id: ip}}})
	return err
}

func targetIDs(t *testing.T, st *Store, tgArn string) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	err := st.View(func(s *control.State) error {
		tg := s.TargetGroupByArn(tgArn)
		if tg == nil {
			return errors.New("target group missing")
		}
		for _, x := range tg.Targets {
			ids[x.Target.Id] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestMissingFileIsEmptyAndFirstWriteCreatesDirAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sub", "gwlbctl")
	st, err := Open(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.View(func(s *control.State) error {
		if len(s.Vpcs)+len(s.LoadBalancers) != 0 {
			return errors.New("missing file should be an empty state")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if rev, err := st.Revision(); err != nil || rev != 0 {
		t.Fatalf("revision of missing file = %d, %v", rev, err)
	}
	seed(t, st)
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("state dir mode = %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	fi, err = os.Stat(st.Path())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	b, _ := os.ReadFile(st.Path())
	var h struct {
		SchemaVersion int    `json:"schemaVersion"`
		Revision      uint64 `json:"revision"`
	}
	if err := json.Unmarshal(b, &h); err != nil || h.SchemaVersion != SchemaVersion || h.Revision != 1 {
		t.Fatalf("header = %+v, %v; want schemaVersion %d revision 1", h, err, SchemaVersion)
	}
}

func TestFailedUpdateWritesNothing(t *testing.T) {
	st, _ := Open(filepath.Join(t.TempDir(), "state.json"))
	arn := seed(t, st)
	before, _ := os.ReadFile(st.Path())
	err := st.Update(func(s *control.State) error {
		if err := register(s, arn, "10.0.0.5"); err != nil {
			return err
		}
		return register(s, arn, "not-an-ip") // fails after a change
	})
	if control.ErrorCode(err) != control.CodeInvalidTarget {
		t.Fatalf("err = %v, want InvalidTarget passed through", err)
	}
	after, _ := os.ReadFile(st.Path())
	if !bytes.Equal(before, after) {
		t.Fatal("a failed update changed the file")
	}
}

func TestConcurrentUpdatesInProcess(t *testing.T) {
	st, _ := Open(filepath.Join(t.TempDir(), "state.json"))
	arn := seed(t, st)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				ip := fmt.Sprintf("10.0.%d.%d", g+1, i+1)
				errs <- st.Update(func(s *control.State) error { return register(s, arn, ip) })
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if ids := targetIDs(t, st, arn); len(ids) != 50 {
		t.Fatalf("%d targets after 50 concurrent registrations, want 50", len(ids))
	}
	if rev, _ := st.Revision(); rev != 51 {
		t.Fatalf("revision = %d, want 51 (seed + 50 updates)", rev)
	}
}

func childRegister() int {
	st, err := Open(os.Getenv("GWLBCTL_STATE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	err = st.Update(func(s *control.State) error { return register(s, os.Getenv("TG_ARN"), os.Getenv("TARGET_IP")) })
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func TestConcurrentProcessesRegisterDistinctTargets(t *testing.T) {
	st, _ := Open(filepath.Join(t.TempDir(), "state.json"))
	arn := seed(t, st)
	const n = 50
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	for i := range n {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "GWLBCTL_STORE_CHILD=register", "GWLBCTL_STATE="+st.Path(), "TG_ARN="+arn, fmt.Sprintf("TARGET_IP=10.0.1.%d", i+1))
		outs[i] = &bytes.Buffer{}
		cmd.Stderr = outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v: %s", i, err, outs[i])
		}
	}
	ids := targetIDs(t, st, arn)
	for i := range n {
		if ip := fmt.Sprintf("10.0.1.%d", i+1); !ids[ip] {
			t.Errorf("target %s lost", ip)
		}
	}
	if len(ids) != n {
		t.Fatalf("%d targets, want %d", len(ids), n)
	}
	if rev, _ := st.Revision(); rev != n+1 {
		t.Fatalf("revision = %d, want %d", rev, n+1)
	}
}

// childWriter bumps the target group's deregistration delay by one per
// update, forever, until killed. The state carries 300 targets so that each
// write takes a while (about 100 kB).
func childWriter() int {
	st, err := Open(os.Getenv("GWLBCTL_STATE"))
	if err != nil {
		return 1
	}
	arn := os.Getenv("TG_ARN")
	for {
		err := st.Update(func(s *control.State) error {
			tg := s.TargetGroupByArn(arn)
			n, _ := strconv.Atoi(tg.Attribute(control.AttrDeregistrationDelay))
			_, err := s.ModifyTargetGroupAttributes(testEnv(), control.ModifyTargetGroupAttributesInput{TargetGroupArn: arn,
				Attributes: []control.Attribute{{Key: control.AttrDeregistrationDelay, Value: strconv.Itoa((n + 1) % 3601)}}})
			return err
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
}

func TestSIGKILLedWriterLeavesOldOrNewState(t *testing.T) {
	trials := 60
	if testing.Short() {
		trials = 10
	}
	st, _ := Open(filepath.Join(t.TempDir(), "state.json"))
	arn := seed(t, st)
	if err := st.Update(func(s *control.State) error {
		var ts []control.TargetDescription
		for i := range 300 {
			ts = append(ts, control.TargetDescription{Id: fmt.Sprintf("10.0.%d.%d", i/250, i%250+1)})
		}
		_, err := s.RegisterTargets(testEnv(), control.RegisterTargetsInput{TargetGroupArn: arn, Targets: ts})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const baseRev, baseDelay = 2, 300
	rng := rand.New(rand.NewPCG(1, 2))
	completed, midWrite := 0, 0
	for trial := range trials {
		beforeBytes, _ := os.ReadFile(st.Path())
		beforeRev, _ := st.Revision()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "GWLBCTL_STORE_CHILD=writer", "GWLBCTL_STATE="+st.Path(), "TG_ARN="+arn)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(40_000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		if left, _ := filepath.Glob(filepath.Join(st.Dir(), ".state.json.tmp-*")); len(left) > 0 {
			midWrite++ // killed between creating the temp file and the rename
		}
		s, rev, err := st.Snapshot()
		if err != nil {
			t.Fatalf("trial %d: state does not load after SIGKILL: %v", trial, err)
		}
		switch {
		case rev < beforeRev:
			t.Fatalf("trial %d: revision went back from %d to %d", trial, beforeRev, rev)
		case rev == beforeRev:
			if after, _ := os.ReadFile(st.Path()); !bytes.Equal(beforeBytes, after) {
				t.Fatalf("trial %d: same revision %d but different content", trial, rev)
			}
		default:
			completed++
		}
		// Every revision on disk is a complete one: revision r holds the
		// delay the r-th update wrote, and all 300 targets.
		tg := s.TargetGroupByArn(arn)
		want := strconv.Itoa((baseDelay + int(rev) - baseRev) % 3601)
		if got := tg.Attribute(control.AttrDeregistrationDelay); got != want || len(tg.Targets) != 300 {
			t.Fatalf("trial %d: revision %d holds delay %s and %d targets, want %s and 300", trial, rev, got, len(tg.Targets), want)
		}
	}
	t.Logf("%d trials: %d killed the writer after at least one complete update, %d in the middle of writing a new revision", trials, completed, midWrite)
	if !testing.Short() && midWrite == 0 {
		t.Fatal("no trial killed the writer mid-write; the test did not exercise what it is for")
	}
	// The next update cleans the temporary files killed writers left.
	if err := st.Update(func(*control.State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(st.Dir(), ".state.json.tmp-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left after an update: %v", left)
	}
}

func TestCorruptedFileIsReportedAndNeverOverwritten(t *testing.T) {
	for name, content := range map[string]string{
		"garbage":   "{not json",
		"truncated": `{"schemaVersion": 1, "revision": 3, "vpcs": [`,
		"no-schema": `{"revision": 3}`,
		"empty":     "",
		"trailing":  `{"schemaVersion": 1, "revision": 1} {}`,
	} {
		t.Run(name, func(t *testing.T) {
			st, _ := Open(filepath.Join(t.TempDir(), "state.json"))
			os.WriteFile(st.Path(), []byte(content), 0o600)
			err := st.View(func(*control.State) error { return nil })
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("View err = %v, want ErrCorrupt", err)
			}
			for _, want := range []string{st.Path(), "backup"} {
				if !bytes.Contains([]byte(err.Error()), []byte(want)) {
					t.Errorf("message %q does not mention %q", err, want)
				}
			}
			called := false
			err = st.Update(func(*control.State) error { called = true; return nil })
			if !errors.Is(err, ErrCorrupt) || called {
				t.Fatalf("Update err = %v (fn called %v), want ErrCorrupt without calling fn", err, called)
			}
			if b, _ := os.ReadFile(st.Path()); string(b) != content {
				t.Fatal("corrupted file was overwritten")
			}
		})
	}
}

func TestNewerSchemaIsRefusedAndNeverOverwritten(t *testing.T) {
	st, _ := Open(filepath.Join(t.TempDir(), "state.json"))
	content := `{"schemaVersion": ` + strconv.Itoa(SchemaVersion+1) + `, "revision": 9, "futureThing": {}}`
	os.WriteFile(st.Path(), []byte(content), 0o600)
	err := st.Update(func(*control.State) error { return nil })
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("err = %v, want ErrNewerSchema", err)
	}
	if !bytes.Contains([]byte(err.Error()), []byte("upgrade gwlbctl")) {
		t.Errorf("message %q does not say what to do", err)
	}
	if err := st.View(func(*control.State) error { return nil }); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("View err = %v, want ErrNewerSchema", err)
	}
	if b, _ := os.ReadFile(st.Path()); string(b) != content {
		t.Fatal("newer-schema file was overwritten")
	}
}

func TestUnreadablePath(t *testing.T) {
	dir := t.TempDir()
	// A directory where the file should be (root ignores permission bits,
	// so the test uses shapes of path no user can read as a file).
	asDir := filepath.Join(dir, "state.json")
	os.Mkdir(asDir, 0o700)
	blocker := filepath.Join(dir, "plainfile")
	os.WriteFile(blocker, []byte("x"), 0o600)
	for name, path := range map[string]string{
		"directory":        asDir,
		"parent-is-a-file": filepath.Join(blocker, "state.json"),
	} {
		t.Run(name, func(t *testing.T) {
			st, _ := Open(path)
			err := st.View(func(*control.State) error { return nil })
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(path)) {
				t.Fatalf("View err = %v, want an error naming %s", err, path)
			}
			if err := st.Update(func(*control.State) error { return nil }); err == nil {
				t.Fatal("Update succeeded on an unusable path")
			}
		})
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/x/state")
	if p, _ := DefaultPath(); p != "/x/state/gwlbctl/state.json" {
		t.Fatalf("with XDG_STATE_HOME: %s", p)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if p, _ := DefaultPath(); p != "/home/u/.local/state/gwlbctl/state.json" {
		t.Fatalf("with HOME: %s", p)
	}
}

func TestStateRoundTripsThroughFile(t *testing.T) {
	st, _ := Open(filepath.Join(t.TempDir(), "state.json"))
	arn := seed(t, st)
	if err := st.Update(func(s *control.State) error { return register(s, arn, "10.0.0.9") }); err != nil {
		t.Fatal(err)
	}
	s1, _, _ := st.Snapshot()
	if err := st.Update(func(*control.State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	s2, rev, _ := st.Snapshot()
	a, _ := json.Marshal(s1)
	b, _ := json.Marshal(s2)
	if !bytes.Equal(a, b) || rev != 3 {
		t.Fatalf("state changed across a no-op update (rev %d):\n%s\n%s", rev, a, b)
	}
}

func TestWatchSeesEachNewRevision(t *testing.T) {
	st, _ := Open(filepath.Join(t.TempDir(), "state.json"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	revs := make(chan uint64, 16)
	done := make(chan error, 1)
	go func() {
		done <- st.Watch(ctx, 0, func(_ *control.State, rev uint64, err error) {
			if err == nil {
				revs <- rev
			}
		})
	}()
	wait := func(want uint64) {
		t.Helper()
		select {
		case got := <-revs:
			if got != want {
				t.Fatalf("watch reported revision %d, want %d", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("watch did not report revision %d", want)
		}
	}
	wait(0)
	seed(t, st)
	wait(1)
	if err := st.Update(func(*control.State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	wait(2)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSymlinkedStateFileStaysALink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real", "state.json")
	os.MkdirAll(filepath.Dir(real), 0o700)
	os.WriteFile(real, []byte(`{"schemaVersion":1,"revision":4}`), 0o600)
	link := filepath.Join(dir, "state.json")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	st, err := Open(link)
	if err != nil {
		t.Fatal(err)
	}
	seed(t, st)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced by a file")
	}
	if rev, _ := st.Revision(); rev != 5 {
		t.Fatalf("revision %d, want 5 (written through the link)", rev)
	}
}

func TestSkipWrite(t *testing.T) {
	st, _ := Open(filepath.Join(t.TempDir(), "state.json"))
	seed(t, st)
	before, _ := os.ReadFile(st.Path())
	rev, err := st.UpdateRevision(func(s *control.State) error {
		s.Vpcs = nil // discarded
		return ErrSkipWrite
	})
	if err != nil || rev != 1 {
		t.Fatalf("UpdateRevision = %d, %v; want 1, nil", rev, err)
	}
	if after, _ := os.ReadFile(st.Path()); !bytes.Equal(before, after) {
		t.Fatal("ErrSkipWrite wrote the file")
	}
}
