package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store/etcdtest"
)

// openEtcd opens location and closes it when t ends.
func openEtcd(t testing.TB, location string) *Etcd {
	t.Helper()
	s, err := OpenEtcd(location)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestEtcdLocation(t *testing.T) {
	for _, e := range EtcdOptions {
		t.Setenv(e.Env, "")
	}
	for loc, want := range map[string]etcdLocation{
		"etcd://127.0.0.1:2379/gwlbctl": {Endpoints: []string{"127.0.0.1:2379"}, Prefix: "/gwlbctl"},
		"etcd://a:1,b,[::1]:3/x/y/":     {Endpoints: []string{"a:1", "b:2379", "[::1]:3"}, Prefix: "/x/y"},
		"etcd://h":                      {Endpoints: []string{"h:2379"}, Prefix: DefaultEtcdPrefix},
		"etcds://h:2379/p":              {Endpoints: []string{"h:2379"}, Prefix: "/p", TLS: true},
		"ETCD://h:2379/p?tls=true&dial-timeout=250ms&user=gw&password=s%26cret": {Endpoints: []string{"h:2379"}, Prefix: "/p", TLS: true,
			User: "gw", Password: "s&cret", DialTimeout: 250 * time.Millisecond},
		"etcd://h/p?ca-file=/ca.pem&cert-file=/c.pem&key-file=/k.pem": {Endpoints: []string{"h:2379"}, Prefix: "/p", TLS: true,
			CAFile: "/ca.pem", CertFile: "/c.pem", KeyFile: "/k.pem"},
	} {
		got, err := parseEtcdLocation(loc)
		if err != nil {
			t.Fatalf("%s: %v", loc, err)
		}
		if want.DialTimeout == 0 {
			want.DialTimeout = DefaultEtcdDialTimeout
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s:\n got %+v\nwant %+v", loc, got, want)
		}
	}

	// The environment fills what the location leaves out; the location wins.
	t.Setenv("GWLBCTL_ETCD_USER", "env-user")
	t.Setenv("GWLBCTL_ETCD_PASSWORD", "env-secret")
	t.Setenv("GWLBCTL_ETCD_DIAL_TIMEOUT", "2s")
	got, err := parseEtcdLocation("etcd://h/p?user=flag-user")
	if err != nil || got.User != "flag-user" || got.Password != "env-secret" || got.DialTimeout != 2*time.Second {
		t.Fatalf("env and query: %+v, %v", got, err)
	}
	if got.describe() != "etcd://h:2379/p" {
		t.Fatalf("describe = %s", got.describe())
	}
	t.Setenv("GWLBCTL_ETCD_DIAL_TIMEOUT", "soon")
	if _, err := parseEtcdLocation("etcd://h/p"); err == nil || !strings.Contains(err.Error(), "GWLBCTL_ETCD_DIAL_TIMEOUT") {
		t.Fatalf("bad env value: %v", err)
	}
	t.Setenv("GWLBCTL_ETCD_DIAL_TIMEOUT", "")
	t.Setenv("GWLBCTL_ETCD_USER", "")
	t.Setenv("GWLBCTL_ETCD_PASSWORD", "")

	const secret = "hunter2-secret"
	for loc, want := range map[string]string{
		"etcd://":                                 "no etcd endpoint",
		"etcd://h:99999/p":                        "not a number from 1 to 65535",
		"etcd://h:2379//p":                        "empty, . and .. path elements",
		"etcd://h:2379/p?colour=red":              `unknown option "colour"`,
		"etcd://h:2379/p?dial-timeout=-1s":        "want a positive duration",
		"etcd://h:2379/p?cert-file=/c.pem":        "cert-file and key-file go together",
		"etcd://u:" + secret + "@h:2379/p":        "do not go before the host",
		"etcd://h/p?password=" + secret:           "a password without a user",
		"etcd://h/p?user=u&password=%zz" + secret: "not URL-encoded properly",
	} {
		_, err := OpenEtcd(loc)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want %q", loc, err, want)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the password: %v", loc, err)
		}
	}
}

func TestEtcdFirstWriteIsTheFilesDocument(t *testing.T) {
	srv := etcdtest.Start(t)
	st := openEtcd(t, srv.NewLocation(t))
	if _, v, err := st.Snapshot(); err != nil || v != (Version{}) {
		t.Fatalf("empty store: %v, %v; want the zero Version", v, err)
	}
	st.Now = func() time.Time { return fixedNow }
	arn := seed(t, st)
	rev, err := st.Update(func(s *control.State) error { return register(s, arn, "10.0.0.9") })
	if err != nil || rev != 2 {
		t.Fatalf("Update = %d, %v; want revision 2", rev, err)
	}
	doc := srv.Get(t, st.Key())
	if st.Key() != st.Prefix()+"/state" {
		t.Fatalf("key %s", st.Key())
	}
	// The same document a state file holds: header, then the state,
	// indented; the version's digest is over these bytes.
	f := body{State: &control.State{}}
	if err := json.Unmarshal(doc, &f); err != nil {
		t.Fatal(err)
	}
	want, _ := json.MarshalIndent(f, "", "  ")
	if !bytes.Equal(doc, append(want, '\n')) || f.Revision != 2 || f.SchemaVersion != SchemaVersion || f.UpdatedAt == nil {
		t.Fatalf("document is not the indented header + state:\n%s", doc)
	}
	_, v, err := st.Snapshot()
	if err != nil || v.Revision != 2 || v.Digest != digest(doc) {
		t.Fatalf("version %v, %v; want revision 2 and the document's SHA-256", v, err)
	}
	file, _ := OpenFile(t.TempDir() + "/state.json")
	file.Now = st.Now
	if err := os.WriteFile(file.Path(), doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if fs, fv, err := file.Snapshot(); err != nil || fv != v || fs.TargetGroupByArn(arn).Target("10.0.0.9") == nil {
		t.Fatalf("the etcd document as a state file: %v, %v", fv, err)
	}
}

func TestEtcdFailedOrUnchangedUpdateWritesNothing(t *testing.T) {
	srv := etcdtest.Start(t)
	st := openEtcd(t, srv.NewLocation(t))
	arn := seed(t, st)
	modRev := func() int64 {
		_, m, err := st.get()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	before, m0 := srv.Get(t, st.Key()), modRev()
	_, err := st.Update(func(s *control.State) error {
		if err := register(s, arn, "10.0.0.5"); err != nil {
			return err
		}
		return register(s, arn, "not-an-ip")
	})
	if control.ErrorCode(err) != control.CodeInvalidTarget {
		t.Fatalf("err = %v, want InvalidTarget passed through", err)
	}
	for name, fn := range map[string]func(*control.State) error{
		"nothing":            func(*control.State) error { return nil },
		"changed and undone": func(s *control.State) error { v := s.Vpcs; s.Vpcs = nil; s.Vpcs = v; return nil },
	} {
		if rev, err := st.Update(fn); err != nil || rev != 1 {
			t.Fatalf("%s: Update = %d, %v; want the current revision 1", name, rev, err)
		}
	}
	if !bytes.Equal(before, srv.Get(t, st.Key())) || modRev() != m0 {
		t.Fatal("a failed or unchanged update wrote the key")
	}
}

// Ten goroutines with a client each, five registrations apiece: every
// compare-and-swap that loses is retried on the new state.
func TestEtcdConcurrentUpdatesInProcess(t *testing.T) {
	srv := etcdtest.Start(t)
	loc := srv.NewLocation(t)
	arn := seed(t, openEtcd(t, loc))
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for g := range 10 {
		st := openEtcd(t, loc)
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
	st := openEtcd(t, loc)
	if ids := targetIDs(t, st, arn); len(ids) != 50 {
		t.Fatalf("%d targets after 50 concurrent registrations, want 50", len(ids))
	}
	if rev := revOf(t, st); rev != 51 {
		t.Fatalf("revision = %d, want 51 (seed + 50 updates)", rev)
	}
}

func TestEtcdConcurrentProcessesRegisterDistinctTargets(t *testing.T) {
	srv := etcdtest.Start(t)
	loc := srv.NewLocation(t)
	st := openEtcd(t, loc)
	arn := seed(t, st)
	const n = 50
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	for i := range n {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "GWLBCTL_STORE_CHILD=register", "GWLBCTL_STATE="+loc, "TG_ARN="+arn, fmt.Sprintf("TARGET_IP=10.0.1.%d", i+1))
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
	if rev := revOf(t, st); len(ids) != n || rev != n+1 {
		t.Fatalf("%d targets at revision %d, want %d at %d", len(ids), rev, n, n+1)
	}
}

// childEtcdWriter is childWriter on etcd: with GWLBCTL_STORE_PAUSE set to
// "before-commit" (the new document built, the compare-and-swap not sent)
// or "after-commit" (etcd acknowledged it), the first update stops there
// and says so on file descriptor 3.
func childEtcdWriter() int {
	st, err := OpenEtcd(os.Getenv("GWLBCTL_STATE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if pause := os.Getenv("GWLBCTL_STORE_PAUSE"); pause != "" {
		ready := os.NewFile(3, "ready")
		st.commitHook = func(point string) {
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

// TestEtcdSIGKILLedWriterLeavesOldOrNewState kills a writer before its
// compare-and-swap is sent and after etcd acknowledged it (both
// deterministic: the writer pauses there and says so), and at random
// moments of a stream of updates. Every time the key holds a complete
// revision: the old one before the commit, the new one after.
func TestEtcdSIGKILLedWriterLeavesOldOrNewState(t *testing.T) {
	rounds := 10
	if testing.Short() {
		rounds = 2
	}
	srv := etcdtest.Start(t)
	loc := srv.NewLocation(t)
	st := openEtcd(t, loc)
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
	for trial := range 3 * rounds {
		pause := []string{"before-commit", "after-commit", ""}[trial%3]
		beforeDoc := srv.Get(t, st.Key())
		beforeRev := revOf(t, st)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "GWLBCTL_STORE_CHILD=etcd-writer", "GWLBCTL_STATE="+loc, "TG_ARN="+arn, "GWLBCTL_STORE_PAUSE="+pause)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.ExtraFiles = []*os.File{w}
		err = cmd.Start()
		w.Close()
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
		} else {
			time.Sleep(time.Duration(rng.IntN(100_000)) * time.Microsecond)
		}
		r.Close()
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		s, v, err := st.Snapshot()
		if err != nil {
			t.Fatalf("trial %d (%s): state does not load after SIGKILL: %v", trial, pause, err)
		}
		switch rev := v.Revision; {
		case rev < beforeRev:
			t.Fatalf("trial %d: revision went back from %d to %d", trial, beforeRev, rev)
		case rev == beforeRev && !bytes.Equal(beforeDoc, srv.Get(t, st.Key())):
			t.Fatalf("trial %d: same revision %d but different content", trial, rev)
		case pause == "before-commit" && rev != beforeRev:
			t.Fatalf("trial %d: killed before the commit, revision %d -> %d; want the old one", trial, beforeRev, rev)
		case pause == "after-commit" && rev != beforeRev+1:
			t.Fatalf("trial %d: killed after the commit, revision %d -> %d; want the new one", trial, beforeRev, rev)
		}
		if pause != "" {
			killed[pause]++
		}
		tg := s.TargetGroupByArn(arn)
		want := strconv.Itoa((baseDelay + int(v.Revision) - baseRev) % 3601)
		if got := tg.Attribute(control.AttrDeregistrationDelay); got != want || len(tg.Targets) != 300 {
			t.Fatalf("trial %d: revision %d holds delay %s and %d targets, want %s and 300", trial, v.Revision, got, len(tg.Targets), want)
		}
	}
	t.Logf("%d trials: killed %d before and %d after the commit, the rest at random", 3*rounds, killed["before-commit"], killed["after-commit"])
}

func TestEtcdCorruptOrNewerDocumentIsRefusedAndNeverOverwritten(t *testing.T) {
	srv := etcdtest.Start(t)
	for name, content := range map[string]string{
		"garbage":      "{not json",
		"truncated":    `{"schemaVersion": 1, "revision": 3, "vpcs": [`,
		"no-schema":    `{"revision": 3}`,
		"empty":        "",
		"newer-schema": `{"schemaVersion": ` + strconv.Itoa(SchemaVersion+1) + `, "revision": 9, "futureThing": {}}`,
	} {
		t.Run(name, func(t *testing.T) {
			st := openEtcd(t, srv.NewLocation(t))
			srv.Put(t, st.Key(), []byte(content))
			want, hint := ErrCorrupt, "restore it from a backup"
			if name == "newer-schema" {
				want, hint = ErrNewerSchema, "upgrade gwlbctl"
			}
			err := st.View(func(*control.State) error { return nil })
			if !errors.Is(err, want) || !strings.Contains(err.Error(), st.Key()) || !strings.Contains(err.Error(), hint) {
				t.Fatalf("View err = %v, want %v naming %s and saying %q", err, want, st.Key(), hint)
			}
			called := false
			if _, err := st.Update(func(*control.State) error { called = true; return nil }); !errors.Is(err, want) || called {
				t.Fatalf("Update err = %v (fn called %v), want %v without calling fn", err, called, want)
			}
			if got := srv.Get(t, st.Key()); string(got) != content {
				t.Fatal("the bad document was overwritten")
			}
		})
	}
}

// etcd unreachable: an error naming the endpoint and the bound, and no
// hang. With a second endpoint that answers, the store works through it.
func TestEtcdUnreachable(t *testing.T) {
	dead := etcdtest.DeadEndpoint(t)
	st := openEtcd(t, "etcd://"+dead+"/gwlbctl?dial-timeout=300ms")
	called := false
	_, err := st.Update(func(*control.State) error { called = true; return nil })
	if err == nil || called {
		t.Fatalf("Update err = %v, fn called %v; want an error before fn", err, called)
	}
	for _, want := range []string{"etcd at " + dead + " did not answer within 300ms", "dial-timeout", "nothing was changed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, _, err := st.Snapshot(); err == nil || !strings.Contains(err.Error(), dead) {
		t.Errorf("Snapshot err = %v", err)
	}

	srv := etcdtest.Start(t)
	prefix := srv.Prefix(t)
	both := openEtcd(t, "etcd://"+dead+","+srv.Endpoint+prefix+"?dial-timeout=5s")
	if both.Describe() != "etcd://"+dead+","+srv.Endpoint+prefix {
		t.Errorf("Describe = %s", both.Describe())
	}
	for i := range 3 {
		if _, err := both.Update(func(s *control.State) error {
			_, err := s.CreateVpc(testEnv(), control.CreateVpcInput{CidrBlock: fmt.Sprintf("10.%d.0.0/16", i)})
			return err
		}); err != nil {
			t.Fatalf("with one endpoint of two answering: %v", err)
		}
	}
	if rev := revOf(t, both); rev != 3 {
		t.Fatalf("revision %d, want 3", rev)
	}
}

func TestEtcdTLS(t *testing.T) {
	srv := etcdtest.StartWith(t, etcdtest.Options{TLS: true})
	loc := srv.NewLocation(t)
	if !strings.HasPrefix(loc, "etcds://") {
		t.Fatalf("location %s", loc)
	}
	st := openEtcd(t, loc)
	seed(t, st)
	if rev := revOf(t, st); rev != 1 {
		t.Fatalf("revision %d", rev)
	}
	// The same server through etcd:// and ?tls=true, the files from the
	// environment.
	t.Setenv("GWLBCTL_ETCD_CA_FILE", srv.TLS.CA)
	t.Setenv("GWLBCTL_ETCD_CERT_FILE", srv.TLS.Cert)
	t.Setenv("GWLBCTL_ETCD_KEY_FILE", srv.TLS.Key)
	env := openEtcd(t, "etcd://"+srv.Endpoint+st.Prefix()+"?tls=true")
	if rev := revOf(t, env); rev != 1 {
		t.Fatalf("through the environment: revision %d", rev)
	}
	// Without the client certificate etcd refuses the connection.
	t.Setenv("GWLBCTL_ETCD_CERT_FILE", "")
	t.Setenv("GWLBCTL_ETCD_KEY_FILE", "")
	noCert := openEtcd(t, "etcds://"+srv.Endpoint+st.Prefix()+"?dial-timeout=500ms")
	if _, _, err := noCert.Snapshot(); err == nil || !strings.Contains(err.Error(), srv.Endpoint) {
		t.Fatalf("without a client certificate: %v", err)
	}
}

func TestEtcdUserAndPassword(t *testing.T) {
	srv := etcdtest.Start(t)
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const password = "correct-horse-battery"
	steps := []func() error{
		func() error { _, err := c.RoleAdd(ctx, "root"); return err },
		func() error { _, err := c.UserAdd(ctx, "root", password); return err },
		func() error { _, err := c.UserGrantRole(ctx, "root", "root"); return err },
		func() error { _, err := c.AuthEnable(ctx); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil && !(i == 0 && strings.Contains(err.Error(), "already exists")) {
			t.Fatalf("enabling authentication, step %d: %v", i, err)
		}
	}
	prefix := srv.Prefix(t)
	t.Setenv("GWLBCTL_ETCD_PASSWORD", password)
	st := openEtcd(t, srv.Location(prefix)+"?user=root")
	seed(t, st)

	t.Setenv("GWLBCTL_ETCD_PASSWORD", "wrong-"+password)
	_, err := OpenEtcd(srv.Location(prefix) + "?user=root&dial-timeout=2s")
	if err == nil || !strings.Contains(err.Error(), `refused user "root"`) || strings.Contains(err.Error(), password) {
		t.Fatalf("wrong password: %v", err)
	}
	t.Setenv("GWLBCTL_ETCD_PASSWORD", "")
	anon := openEtcd(t, srv.Location(prefix)+"?dial-timeout=2s")
	if _, _, err := anon.Snapshot(); err == nil || !strings.Contains(err.Error(), "may not read") {
		t.Fatalf("without a user: %v", err)
	}
}

// The README's option table names every option and its variable.
func TestEtcdOptionsAreDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range EtcdOptions {
		if !bytes.Contains(readme, []byte("`"+o.Query+"=")) || !bytes.Contains(readme, []byte("`"+o.Env+"`")) {
			t.Errorf("README lacks option %s / %s", o.Query, o.Env)
		}
	}
}
