package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store/etcdtest"
)

// buildGwlbctl builds the real binary (go build ./cmd/gwlbctl) into a
// temporary directory, with a symlink named aws next to it.
func buildGwlbctl(t *testing.T) (bin, dir string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir = t.TempDir()
	bin = filepath.Join(dir, "gwlbctl")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/gwlbctl/gwlbctl/cmd/gwlbctl")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := os.Symlink(bin, filepath.Join(dir, "aws")); err != nil {
		t.Fatal(err)
	}
	return bin, dir
}

// cleanEnv is the environment for binary runs: no user config, no AWS_*
// or GWLBCTL_* settings from the developer's shell.
func cleanEnv(home, state string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GWLBCTL_") || strings.HasPrefix(kv, "AWS_") ||
			strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "GWLBCTL_STATE="+state)
	return append(env, extra...)
}

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, bin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	return result{code, out.String(), errOut.String()}
}

// TestBinary runs the control-plane acceptance suite with the real binary
// on each state backend (TestBinary/file/..., TestBinary/etcd/...); the
// interrupt (a held file lock) and the demo (its own state file) are the
// file's.
func TestBinary(t *testing.T) {
	bin, dir := buildGwlbctl(t)
	for _, b := range clitest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Run("GettingStartedGuide", func(t *testing.T) { testGettingStarted(t, dir, b) })
			t.Run("ConcurrentRegisterTargets", func(t *testing.T) { testConcurrentRegister(t, bin, b) })
			t.Run("BadInputs", func(t *testing.T) { testBadInputs(t, bin, b) })
			if b.Name == "file" {
				t.Run("Interrupt", func(t *testing.T) { testInterrupt(t, bin) })
				t.Run("Demo", func(t *testing.T) { testDemo(t, bin) })
			}
		})
	}
}

// testGettingStarted runs AWS's getting-started guide, written for the AWS
// CLI, with `aws` being the gwlbctl binary.
func testGettingStarted(t *testing.T, bindir string, b clitest.Backend) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found")
	}
	home := t.TempDir()
	e := b.New(t)
	state := e.StatePath
	cmd := exec.Command("bash", filepath.Join(testdata, "getting-started.sh"))
	cmd.Env = cleanEnv(home, state)
	for i, kv := range cmd.Env {
		if strings.HasPrefix(kv, "PATH=") {
			cmd.Env[i] = "PATH=" + bindir + string(os.PathListSeparator) + strings.TrimPrefix(kv, "PATH=")
		}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("getting-started.sh: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "getting started: done") {
		t.Fatalf("script did not finish:\n%s", out)
	}

	// The ARNs and ids it captured with --query ... --output text are exact.
	st := e.State()
	if len(st.LoadBalancers) != 1 || len(st.Endpoints) != 1 || len(st.EndpointServices) != 1 {
		t.Fatalf("state: %d load balancers, %d endpoint services, %d endpoints", len(st.LoadBalancers), len(st.EndpointServices), len(st.Endpoints))
	}
	lb := st.LoadBalancers[0].LoadBalancer
	if !strings.Contains(string(out), "load balancer: "+lb.LoadBalancerArn+"\n") ||
		!strings.HasPrefix(lb.LoadBalancerArn, "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/gwy/my-load-balancer/") {
		t.Errorf("load balancer ARN %s not printed as captured:\n%s", lb.LoadBalancerArn, out)
	}
	ep := st.Endpoints[0].Endpoint
	if ep.State != control.EndpointStateAvailable || !strings.Contains(string(out), "endpoint:      "+ep.VpcEndpointId+"\n") {
		t.Errorf("endpoint %s is %s", ep.VpcEndpointId, ep.State)
	}
	if svc := st.EndpointServices[0].Service; !strings.HasPrefix(svc.ServiceName, "com.amazonaws.vpce.us-east-2.vpce-svc-") {
		t.Errorf("service name %s", svc.ServiceName)
	}
	if n := len(st.TargetGroups[0].Targets); n != 2 {
		t.Errorf("%d targets registered, want 2", n)
	}
}

// testConcurrentRegister starts 50 gwlbctl processes at once, each
// registering a different target into one target group: none may be lost.
func testConcurrentRegister(t *testing.T, bin string, b clitest.Backend) {
	const n = 50
	e := b.New(t)
	fx := e.Seed()
	env := cleanEnv(t.TempDir(), e.StatePath)
	var wg sync.WaitGroup
	results := make([]result, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			cmd := exec.Command(bin, "elbv2", "register-targets", "--target-group-arn", fx.TargetGroupArn,
				"--targets", fmt.Sprintf("Id=10.0.1.%d", 100+i))
			cmd.Env = env
			var errOut bytes.Buffer
			cmd.Stderr = &errOut
			err := cmd.Run()
			results[i] = result{code: cmd.ProcessState.ExitCode(), stderr: errOut.String()}
			if err != nil && results[i].code == 0 {
				results[i].code = -1
			}
		}()
	}
	close(start)
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("process %d exited %d: %s", i, r.code, r.stderr)
		}
	}
	r := run(t, bin, env, "elbv2", "describe-target-health", "--target-group-arn", fx.TargetGroupArn,
		"--query", "TargetHealthDescriptions[].Target.Id", "--output", "json")
	var ids []string
	if err := json.Unmarshal([]byte(r.stdout), &ids); err != nil {
		t.Fatalf("describe-target-health: %v\n%s%s", err, r.stdout, r.stderr)
	}
	have := map[string]bool{}
	for _, id := range ids {
		have[id] = true
	}
	for i := range n {
		if id := fmt.Sprintf("10.0.1.%d", 100+i); !have[id] {
			t.Errorf("target %s lost", id)
		}
	}
	if len(ids) != n+2 { // plus the two the fixture registered
		t.Errorf("%d targets, want %d", len(ids), n+2)
	}
}

// testBadInputs checks that each bad input gives its error code in the
// message, the documented exit code, and leaves the stored document as it
// was, byte for byte.
func testBadInputs(t *testing.T, bin string, b clitest.Backend) {
	long := strings.Repeat("a", 33)
	type row struct {
		name string
		// fileOnly: the row is about the state file's path.
		fileOnly bool
		// prepare may change the seeded state file before the snapshot.
		prepare func(t *testing.T, e *clitest.Env, fx clitest.Fixture, env []string) (statePath string)
		args    func(fx clitest.Fixture) []string
		code    int
		msg     string
	}
	tgFlags := func(fx clitest.Fixture, extra ...string) []string {
		return append([]string{"elbv2", "create-target-group", "--name", "fw", "--protocol", "GENEVE", "--port", "6081", "--vpc-id", fx.ProviderVpc}, extra...)
	}
	rows := []row{
		{name: "load balancer name with a trailing hyphen", args: func(fx clitest.Fixture) []string {
			return []string{"elbv2", "create-load-balancer", "--name", "gwlb-", "--subnets", fx.SubnetA}
		}, code: 254, msg: "(ValidationError)"},
		{name: "load balancer name too long", args: func(fx clitest.Fixture) []string {
			return []string{"elbv2", "create-load-balancer", "--name", long, "--subnets", fx.SubnetA}
		}, code: 254, msg: "(ValidationError)"},
		{name: "load balancer name starting internal-", args: func(fx clitest.Fixture) []string {
			return []string{"elbv2", "create-load-balancer", "--name", "internal-gw", "--subnets", fx.SubnetA}
		}, code: 254, msg: "(ValidationError)"},
		{name: "duplicate load balancer name", args: func(fx clitest.Fixture) []string {
			return []string{"elbv2", "create-load-balancer", "--name", "my-gwlb", "--subnets", fx.SubnetA}
		}, code: 254, msg: "(DuplicateLoadBalancerName)"},
		{name: "target group name with underscore", args: func(fx clitest.Fixture) []string {
			return []string{"elbv2", "create-target-group", "--name", "fw_1", "--protocol", "GENEVE", "--port", "6081", "--vpc-id", fx.ProviderVpc}
		}, code: 254, msg: "(ValidationError)"},
		{name: "health check timeout 1", args: func(fx clitest.Fixture) []string { return tgFlags(fx, "--health-check-timeout-seconds", "1") }, code: 254, msg: "(ValidationError)"},
		{name: "health check interval 301", args: func(fx clitest.Fixture) []string { return tgFlags(fx, "--health-check-interval-seconds", "301") }, code: 254, msg: "(ValidationError)"},
		{name: "health check timeout above interval", args: func(fx clitest.Fixture) []string {
			return tgFlags(fx, "--health-check-interval-seconds", "5", "--health-check-timeout-seconds", "6")
		}, code: 254, msg: "(ValidationError)"},
		{name: "healthy threshold 11", args: func(fx clitest.Fixture) []string { return tgFlags(fx, "--healthy-threshold-count", "11") }, code: 254, msg: "(ValidationError)"},
		{name: "unhealthy threshold 1", args: func(fx clitest.Fixture) []string { return tgFlags(fx, "--unhealthy-threshold-count", "1") }, code: 254, msg: "(ValidationError)"},
		{name: "health check port 65536", args: func(fx clitest.Fixture) []string { return tgFlags(fx, "--health-check-port", "65536") }, code: 254, msg: "(ValidationError)"},
		{name: "protocol TCP", args: func(fx clitest.Fixture) []string {
			return []string{"elbv2", "create-target-group", "--name", "fw", "--protocol", "TCP", "--port", "6081"}
		}, code: 252, msg: `argument --protocol: Invalid choice "TCP"`},
		{name: "unknown load balancer ARN", args: func(fx clitest.Fixture) []string {
			return []string{"elbv2", "describe-load-balancer-attributes", "--load-balancer-arn", strings.Replace(fx.LoadBalancerArn, "my-gwlb", "other", 1)}
		}, code: 254, msg: "(LoadBalancerNotFound)"},
		{name: "unknown target group ARN", args: func(fx clitest.Fixture) []string {
			return []string{"elbv2", "register-targets", "--target-group-arn", otherARN(fx.TargetGroupArn), "--targets", "Id=10.0.1.20"}
		}, code: 254, msg: "(TargetGroupNotFound)"},
		{name: "malformed ARN", args: func(fx clitest.Fixture) []string {
			return []string{"elbv2", "describe-target-group-attributes", "--target-group-arn", "my-appliances"}
		}, code: 254, msg: "(ValidationError)"},
		{name: "second listener", args: func(fx clitest.Fixture) []string {
			return []string{"elbv2", "create-listener", "--load-balancer-arn", fx.LoadBalancerArn, "--default-actions", "Type=forward,TargetGroupArn=" + fx.SpareTargetGroupArn}
		}, code: 254, msg: "(DuplicateListener)"},
		{name: "delete in-use target group", args: func(fx clitest.Fixture) []string {
			return []string{"elbv2", "delete-target-group", "--target-group-arn", fx.TargetGroupArn}
		}, code: 254, msg: "(ResourceInUse)"},
		{name: "delete load balancer with deletion protection",
			prepare: func(t *testing.T, e *clitest.Env, fx clitest.Fixture, env []string) string {
				if r := run(t, bin, env, "elbv2", "modify-load-balancer-attributes", "--load-balancer-arn", fx.LoadBalancerArn,
					"--attributes", "Key=deletion_protection.enabled,Value=true"); r.code != 0 {
					t.Fatalf("prepare: %s", r.stderr)
				}
				return e.StatePath
			},
			args: func(fx clitest.Fixture) []string {
				return []string{"elbv2", "delete-load-balancer", "--load-balancer-arn", fx.LoadBalancerArn}
			}, code: 254, msg: "(OperationNotPermitted)"},
		{name: "endpoint in a zone the load balancer lacks", args: func(fx clitest.Fixture) []string {
			return []string{"ec2", "create-vpc-endpoint", "--vpc-endpoint-type", "GatewayLoadBalancer", "--service-name", fx.ServiceName,
				"--vpc-id", fx.ConsumerVpc, "--subnet-ids", fx.ConsumerC}
		}, code: 254, msg: "(InvalidParameter)"},
		{name: "accept a non-pending endpoint",
			prepare: func(t *testing.T, e *clitest.Env, fx clitest.Fixture, env []string) string {
				if r := run(t, bin, env, "ec2", "accept-vpc-endpoint-connections", "--service-id", fx.ServiceId, "--vpc-endpoint-ids", fx.EndpointId); r.code != 0 {
					t.Fatalf("prepare: %s", r.stderr)
				}
				return e.StatePath
			},
			args: func(fx clitest.Fixture) []string {
				return []string{"ec2", "accept-vpc-endpoint-connections", "--service-id", fx.ServiceId, "--vpc-endpoint-ids", fx.EndpointId}
			}, code: 254, msg: "(InvalidState)"},
		{name: "corrupted state file",
			prepare: func(t *testing.T, e *clitest.Env, fx clitest.Fixture, env []string) string {
				b := e.StateBytes()
				e.SetStateBytes(b[:len(b)/2])
				return e.StatePath
			},
			args: func(fx clitest.Fixture) []string {
				return []string{"elbv2", "register-targets", "--target-group-arn", fx.TargetGroupArn, "--targets", "Id=10.0.1.20"}
			}, code: 253, msg: "state file is corrupted"},
		{name: "newer schema",
			prepare: func(t *testing.T, e *clitest.Env, fx clitest.Fixture, env []string) string {
				e.SetStateBytes(bytes.Replace(e.StateBytes(), []byte(`"schemaVersion": 1`), []byte(`"schemaVersion": 7`), 1))
				return e.StatePath
			},
			args: func(fx clitest.Fixture) []string {
				return []string{"elbv2", "describe-load-balancers"}
			}, code: 253, msg: "newer schema version"},
		{name: "state path is a directory",
			prepare: func(t *testing.T, e *clitest.Env, fx clitest.Fixture, env []string) string {
				dir := filepath.Join(t.TempDir(), "state.json")
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				return dir
			},
			args: func(fx clitest.Fixture) []string {
				return []string{"elbv2", "describe-load-balancers"}
			}, code: 253, msg: "cannot read state file"},
		{name: "state path under a regular file", fileOnly: true,
			prepare: func(t *testing.T, e *clitest.Env, fx clitest.Fixture, env []string) string {
				return filepath.Join(e.StatePath, "state.json")
			},
			args: func(fx clitest.Fixture) []string {
				return []string{"ec2", "create-vpc", "--cidr-block", "10.5.0.0/16"}
			}, code: 253, msg: "not a directory (give --state or GWLBCTL_STATE a writable path)"},
		{name: "unreadable state file", fileOnly: true,
			prepare: func(t *testing.T, e *clitest.Env, fx clitest.Fixture, env []string) string {
				if os.Geteuid() == 0 || runtime.GOOS == "windows" {
					t.Skip("root reads any file")
				}
				if err := os.Chmod(e.StatePath, 0); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.Chmod(e.StatePath, 0o600) })
				return e.StatePath
			},
			args: func(fx clitest.Fixture) []string {
				return []string{"elbv2", "describe-load-balancers"}
			}, code: 253, msg: "permission denied"},
		{name: "etcd unreachable",
			prepare: func(t *testing.T, e *clitest.Env, fx clitest.Fixture, env []string) string {
				return "etcd://" + etcdtest.DeadEndpoint(t) + "/gwlbctl?dial-timeout=500ms"
			},
			args: func(fx clitest.Fixture) []string {
				return []string{"elbv2", "register-targets", "--target-group-arn", fx.TargetGroupArn, "--targets", "Id=10.0.1.20"}
			}, code: 253, msg: "did not answer within 500ms"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			if r.fileOnly && b.Name != "file" {
				t.Skip("about the state file's path")
			}
			e := b.New(t)
			fx := e.Seed()
			env := cleanEnv(t.TempDir(), e.StatePath)
			path := e.StatePath
			if r.prepare != nil {
				path = r.prepare(t, e, fx, env)
			}
			// The document at the seeded location, and the file at path
			// when the row points the command elsewhere.
			document := func() []byte {
				if path == e.StatePath {
					return e.StateBytes()
				}
				b, _ := os.ReadFile(path)
				return append(b, e.StateBytes()...)
			}
			before := document()
			res := run(t, bin, append(env, "GWLBCTL_STATE="+path), r.args(fx)...)
			if res.code != r.code {
				t.Errorf("exit code %d, want %d\nstderr: %s", res.code, r.code, res.stderr)
			}
			if !strings.Contains(res.stderr, r.msg) {
				t.Errorf("stderr %q does not contain %q", res.stderr, r.msg)
			}
			if r.code == cmdutil.ExitService && !strings.Contains(res.stderr, "An error occurred (") {
				t.Errorf("stderr %q lacks the AWS CLI's error form", res.stderr)
			}
			if after := document(); !bytes.Equal(before, after) {
				t.Error("the stored state changed")
			}
		})
	}
}

// testInterrupt: a command waiting for the state file lock exits 130 on
// SIGINT and leaves the file as it was.
func testInterrupt(t *testing.T, bin string) {
	e := clitest.New(t)
	fx := e.Seed()
	before := e.StateBytes()
	lock := flock.New(e.StatePath + ".lock")
	if err := lock.Lock(); err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	cmd := exec.Command(bin, "elbv2", "register-targets", "--target-group-arn", fx.TargetGroupArn, "--targets", "Id=10.0.1.99")
	cmd.Env = cleanEnv(t.TempDir(), e.StatePath)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForOpenFile(t, cmd.Process.Pid, e.StatePath+".lock")
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("gwlbctl did not stop on SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != cmdutil.ExitInterrupt {
		t.Errorf("exit code %d, want %d", code, cmdutil.ExitInterrupt)
	}
	if !bytes.Equal(before, e.StateBytes()) {
		t.Error("the interrupted command changed the state file")
	}
}

// waitForOpenFile waits until process pid has path open (it is then past
// its signal setup and blocked on the lock), reading /proc; elsewhere it
// just waits a little.
func waitForOpenFile(t *testing.T, pid int, path string) {
	t.Helper()
	fdDir := fmt.Sprintf("/proc/%d/fd", pid)
	if _, err := os.Stat(fdDir); err != nil {
		time.Sleep(500 * time.Millisecond)
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		fds, _ := os.ReadDir(fdDir)
		for _, fd := range fds {
			if target, err := os.Readlink(filepath.Join(fdDir, fd.Name())); err == nil && target == path {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d never opened %s", pid, path)
}

// testDemo runs the provisioning walk-through `make demo` runs.
func testDemo(t *testing.T, bin string) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found")
	}
	cmd := exec.Command("bash", filepath.Join("..", "..", "..", "scripts", "demo.sh"))
	// The forwarder part (root, DPDK) is covered by the e2e test.
	cmd.Env = append(cleanEnv(t.TempDir(), "/nonexistent/ignored.json"), "GWLBCTL="+bin, "TMPDIR="+t.TempDir(), "GWLBCTL_DEMO_FORWARDER=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo.sh: %v\n%s", err, out)
	}
	for _, want := range []string{"No changes. The state matches the topology.", "An error occurred (DuplicateListener)", "exit status: 254", "Demo complete"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

// otherARN is arn with its last hex digit changed: the same form, never
// the same resource (the ids are random, so replacing the digit with a
// fixed one would sometimes give arn back).
func otherARN(arn string) string {
	last := arn[len(arn)-1]
	repl := byte('0')
	if last == '0' {
		repl = '1'
	}
	return arn[:len(arn)-1] + string(repl)
}

func TestOtherARNIsAnotherARN(t *testing.T) {
	for _, d := range "0123456789abcdef" {
		arn := "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcde" + string(d)
		if o := otherARN(arn); o == arn || len(o) != len(arn) || o[:len(o)-1] != arn[:len(arn)-1] {
			t.Fatalf("otherARN(%s) = %s", arn, o)
		}
	}
}
