package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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
	case "etcd-writer":
		os.Exit(childEtcdWriter())
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
func seed(t testing.TB, st Store) string {
	t.Helper()
	var arn string
	_, err := st.Update(func(s *control.State) error {
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

func targetIDs(t *testing.T, st Store, tgArn string) map[string]bool {
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

// revOf is the revision of the stored state (0 when missing).
func revOf(t *testing.T, st Store) uint64 {
	t.Helper()
	_, v, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return v.Revision
}

func TestMissingFileIsEmptyAndFirstWriteCreatesDirAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sub", "gwlbctl")
	st, err := OpenFile(filepath.Join(dir, "state.json"))
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
	if _, v, err := st.Snapshot(); err != nil || v != (Version{}) {
		t.Fatalf("version of missing file = %v, %v; want the zero Version", v, err)
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
	st, _ := OpenFile(filepath.Join(t.TempDir(), "state.json"))
	arn := seed(t, st)
	before, _ := os.ReadFile(st.Path())
	_, err := st.Update(func(s *control.State) error {
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
	st, _ := OpenFile(filepath.Join(t.TempDir(), "state.json"))
	arn := seed(t, st)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				ip := fmt.Sprintf("10.0.%d.%d", g+1, i+1)
				_, err := st.Update(func(s *control.State) error { return register(s, arn, ip) })
				errs <- err
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
	if rev := revOf(t, st); rev != 51 {
		t.Fatalf("revision = %d, want 51 (seed + 50 updates)", rev)
	}
}

func childRegister() int {
	st, err := Open(os.Getenv("GWLBCTL_STATE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_, err = st.Update(func(s *control.State) error { return register(s, os.Getenv("TG_ARN"), os.Getenv("TARGET_IP")) })
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func TestConcurrentProcessesRegisterDistinctTargets(t *testing.T) {
	st, _ := OpenFile(filepath.Join(t.TempDir(), "state.json"))
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
	if rev := revOf(t, st); rev != n+1 {
		t.Fatalf("revision = %d, want %d", rev, n+1)
	}
}

// childWriter bumps the target group's deregistration delay by one per
// update, forever, until killed. The state carries 300 targets so that each
// write takes a while (about 100 kB). With GWLBCTL_STORE_PAUSE set to a
// point of the write ("mid-write": half of the temporary file written;
// "before-rename": all of it written, not yet synced and renamed), the
// first update stops there and says so on file descriptor 3, so the parent
// kills it at a known point.
func childWriter() int {
	st, err := OpenFile(os.Getenv("GWLBCTL_STATE"))
	if err != nil {
		return 1
	}
	if pause := os.Getenv("GWLBCTL_STORE_PAUSE"); pause != "" {
		ready := os.NewFile(3, "ready")
		st.writeHook = func(point string) {
			if point == pause {
				fmt.Fprintln(ready, point)
				select {} // until SIGKILL
			}
		}
	}
	arn := os.Getenv("TG_ARN")
	for {
		_, err := st.Update(func(s *control.State) error {
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

// startWriter starts childWriter. With pause set it returns once the child
// has stopped at that point of its first write.
func startWriter(t *testing.T, st *File, arn, pause string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GWLBCTL_STORE_CHILD=writer", "GWLBCTL_STATE="+st.Path(), "TG_ARN="+arn, "GWLBCTL_STORE_PAUSE="+pause)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd.ExtraFiles = []*os.File{w}
	err = cmd.Start()
	w.Close() // the child holds the write end now
	if err != nil {
		t.Fatal(err)
	}
	if pause != "" {
		line, err := bufio.NewReader(r).ReadString('\n')
		if err != nil || strings.TrimSpace(line) != pause {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("writer did not pause at %s: %q, %v; stderr: %s", pause, line, err, stderr.String())
		}
	}
	return cmd
}

// TestSIGKILLedWriterLeavesOldOrNewState kills a writer at each point of a
// write: in the middle of the temporary file, after it before the rename
// (both deterministic: the writer pauses there and says so), and at a
// random moment of a stream of updates. Every time the file holds a
// complete revision: the old one when the kill landed before the rename.
func TestSIGKILLedWriterLeavesOldOrNewState(t *testing.T) {
	rounds := 20
	if testing.Short() {
		rounds = 3
	}
	st, _ := OpenFile(filepath.Join(t.TempDir(), "state.json"))
	arn := seed(t, st)
	if _, err := st.Update(func(s *control.State) error {
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
	killed := map[string]int{}
	completed := 0
	temps := atomicTemps(st)
	for trial := range 3 * rounds {
		pause := []string{"mid-write", "before-rename", ""}[trial%3]
		beforeBytes, _ := os.ReadFile(st.Path())
		beforeRev := revOf(t, st)
		cmd := startWriter(t, st, arn, pause)
		if pause == "" {
			time.Sleep(time.Duration(rng.IntN(40_000)) * time.Microsecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		left, _ := filepath.Glob(temps)
		s, v, err := st.Snapshot()
		if err != nil {
			t.Fatalf("trial %d (%s): state does not load after SIGKILL: %v", trial, pause, err)
		}
		rev := v.Revision
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
		if pause != "" {
			// Killed before its rename: the old file, and the writer's
			// temporary file (the stale ones were removed under the lock
			// before it was created).
			if rev != beforeRev || len(left) != 1 {
				t.Fatalf("trial %d: killed at %s, revision %d -> %d, temporary files %v; want the old revision and one temporary file", trial, pause, beforeRev, rev, left)
			}
			killed[pause]++
		}
		// Every revision on disk is a complete one: revision r holds the
		// delay the r-th update wrote, and all 300 targets.
		tg := s.TargetGroupByArn(arn)
		want := strconv.Itoa((baseDelay + int(rev) - baseRev) % 3601)
		if got := tg.Attribute(control.AttrDeregistrationDelay); got != want || len(tg.Targets) != 300 {
			t.Fatalf("trial %d: revision %d holds delay %s and %d targets, want %s and 300", trial, rev, got, len(tg.Targets), want)
		}
	}
	t.Logf("%d trials: killed %d mid-write and %d before the rename; %d random kills came after at least one complete update",
		3*rounds, killed["mid-write"], killed["before-rename"], completed)
	// The next update cleans the temporary files killed writers left, even
	// when it changes nothing.
	if _, err := st.Update(func(*control.State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(temps); len(left) != 0 {
		t.Fatalf("temporary files left after an update: %v", left)
	}
}

func atomicTemps(st *File) string { return filepath.Join(st.Dir(), ".state.json.tmp-*") }

func TestCorruptedFileIsReportedAndNeverOverwritten(t *testing.T) {
	for name, content := range map[string]string{
		"garbage":   "{not json",
		"truncated": `{"schemaVersion": 1, "revision": 3, "vpcs": [`,
		"no-schema": `{"revision": 3}`,
		"empty":     "",
		"trailing":  `{"schemaVersion": 1, "revision": 1} {}`,
	} {
		t.Run(name, func(t *testing.T) {
			st, _ := OpenFile(filepath.Join(t.TempDir(), "state.json"))
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
			_, err = st.Update(func(*control.State) error { called = true; return nil })
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
	st, _ := OpenFile(filepath.Join(t.TempDir(), "state.json"))
	content := `{"schemaVersion": ` + strconv.Itoa(SchemaVersion+1) + `, "revision": 9, "futureThing": {}}`
	os.WriteFile(st.Path(), []byte(content), 0o600)
	_, err := st.Update(func(*control.State) error { return nil })
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
			st, _ := OpenFile(path)
			err := st.View(func(*control.State) error { return nil })
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(path)) {
				t.Fatalf("View err = %v, want an error naming %s", err, path)
			}
			if _, err := st.Update(func(*control.State) error { return nil }); err == nil {
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
	st, _ := OpenFile(filepath.Join(t.TempDir(), "state.json"))
	arn := seed(t, st)
	rev, err := st.Update(func(s *control.State) error { return register(s, arn, "10.0.0.9") })
	if err != nil || rev != 2 {
		t.Fatalf("Update = %d, %v; want revision 2", rev, err)
	}
	s1, v1, _ := st.Snapshot()
	a, _ := json.Marshal(s1)
	// The document is the header, then the state, indented as
	// json.MarshalIndent writes it.
	doc, _ := os.ReadFile(st.Path())
	var f body
	f.State = &control.State{}
	if err := json.Unmarshal(doc, &f); err != nil {
		t.Fatal(err)
	}
	want, _ := json.MarshalIndent(f, "", "  ")
	if !bytes.Equal(doc, append(want, '\n')) || f.Revision != 2 || f.SchemaVersion != SchemaVersion || f.UpdatedAt == nil {
		t.Fatalf("document is not the indented header + state:\n%s", doc)
	}
	if v1.Revision != 2 || v1.Digest != digest(doc) {
		t.Fatalf("version %v, want revision 2 and the file's SHA-256", v1)
	}
	s2, v2, _ := st.Snapshot()
	b, _ := json.Marshal(s2)
	if !bytes.Equal(a, b) || v2 != v1 {
		t.Fatalf("two snapshots differ: %v %v", v1, v2)
	}
}

// An update whose function changes nothing (an idempotent create, a batch
// whose every item failed) leaves the file, its revision and its mtime as
// they were; one that changes something and puts it back does too.
func TestUnchangedUpdateWritesNothing(t *testing.T) {
	st, _ := OpenFile(filepath.Join(t.TempDir(), "state.json"))
	arn := seed(t, st)
	before, _ := os.ReadFile(st.Path())
	fi1, _ := os.Stat(st.Path())
	for name, fn := range map[string]func(*control.State) error{
		"nothing":            func(*control.State) error { return nil },
		"changed and undone": func(s *control.State) error { v := s.Vpcs; s.Vpcs = nil; s.Vpcs = v; return nil },
		"idempotent create": func(s *control.State) error {
			port := 6081
			_, err := s.CreateTargetGroup(testEnv(), control.CreateTargetGroupInput{Name: "tg", Protocol: "GENEVE", Port: &port, VpcId: s.Vpcs[0].VpcId, TargetType: "ip"})
			return err
		},
	} {
		rev, err := st.Update(fn)
		if err != nil || rev != 1 {
			t.Fatalf("%s: Update = %d, %v; want the current revision 1", name, rev, err)
		}
	}
	after, _ := os.ReadFile(st.Path())
	fi2, _ := os.Stat(st.Path())
	if !bytes.Equal(before, after) || !os.SameFile(fi1, fi2) || !fi1.ModTime().Equal(fi2.ModTime()) {
		t.Fatal("an update that changed nothing wrote the file")
	}
	rev, err := st.Update(func(s *control.State) error { return register(s, arn, "10.0.0.7") })
	if err != nil || rev != 2 {
		t.Fatalf("a real change: Update = %d, %v; want 2", rev, err)
	}
}

func TestOpenPicksTheBackend(t *testing.T) {
	dir := t.TempDir()
	for _, loc := range []string{filepath.Join(dir, "a.json"), "file://" + filepath.Join(dir, "a.json"), "FILE://" + filepath.Join(dir, "a.json")} {
		s, err := Open(loc)
		if err != nil {
			t.Fatalf("Open(%q): %v", loc, err)
		}
		if s.Describe() != filepath.Join(dir, "a.json") {
			t.Fatalf("Open(%q).Describe() = %q", loc, s.Describe())
		}
	}
	// A relative path, even one with "://" inside a path element.
	t.Chdir(dir)
	if s, err := Open("./odd://name.json"); err != nil || s.Describe() != filepath.Join(dir, "odd:", "name.json") {
		t.Fatalf("relative path: %v, %v", s, err)
	}
	for loc, want := range map[string]string{
		"s3://bucket/state.json": `unknown scheme "s3"`,
		"":                       "location is empty",
	} {
		_, err := Open(loc)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Open(%q) err = %v, want %q", loc, err, want)
		}
		if loc != "" && !errors.Is(err, ErrUnsupported) {
			t.Fatalf("Open(%q) err = %v, want ErrUnsupported", loc, err)
		}
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
	st, err := OpenFile(link)
	if err != nil {
		t.Fatal(err)
	}
	seed(t, st)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced by a file")
	}
	if rev := revOf(t, st); rev != 5 {
		t.Fatalf("revision %d, want 5 (written through the link)", rev)
	}
}
