package apiserver

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/gwlbctl/gwlbctl/control"
)

// debianAWS is the AWS CLI v2 of Debian's awscli package (make deps). It
// is named by path: another aws on PATH (a pip install) is not the client
// this test is about.
const debianAWS = "/usr/bin/aws"

var gettingStarted = filepath.Join("..", "..", "..", "testdata", "getting-started.sh")

// buildGwlbctl builds the real binary into a temporary directory.
func buildGwlbctl(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped in -short: builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "gwlbctl")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/gwlbctl/gwlbctl/cmd/gwlbctl").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cleanEnv is the environment without the developer's AWS_*, GWLBCTL_*
// and HOME settings, plus extra.
func cleanEnv(home string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "GWLBCTL_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "XDG_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	return append(env, extra...)
}

func withPath(env []string, dir string) []string {
	for i, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			env[i] = "PATH=" + dir + string(os.PathListSeparator) + strings.TrimPrefix(kv, "PATH=")
		}
	}
	return env
}

// startAPIServer starts `gwlbctl api-server` on a free loopback port and
// returns its URL; it is stopped (SIGTERM, by PID) when the test ends and
// must exit 0.
func startAPIServer(t *testing.T, bin string, env []string, args ...string) (url, banner string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"api-server", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:[0-9]+)`)
	var log []string
	for url == "" {
		l, ok := <-lines
		if !ok {
			cmd.Wait()
			t.Fatalf("api-server exited before listening:\n%s", strings.Join(log, "\n"))
		}
		log = append(log, l)
		if m := re.FindStringSubmatch(l); m != nil {
			url, banner = m[1], l
		}
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		var rest []string
		for l := range lines {
			rest = append(rest, l)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("api-server after SIGTERM: %v\n%s", err, strings.Join(rest, "\n"))
		}
	})
	return url, banner
}

// runGettingStarted runs AWS's getting-started script with the aws found
// in dir first on PATH.
func runGettingStarted(t *testing.T, dir string, env []string) string {
	t.Helper()
	cmd := exec.Command("bash", gettingStarted)
	cmd.Env = withPath(env, dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "getting started: done") {
		t.Fatalf("getting-started.sh: %v\n%s", err, out)
	}
	return string(out)
}

var (
	timeRe = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)`)
	hexRe  = regexp.MustCompile(`[0-9a-f]{8,}`)
)

// normalizedState is the state document with its update time dropped,
// timestamps replaced by TIME and every generated identifier (a run of 8
// or more hex digits) by ID<n>, numbered in order of appearance; two runs
// that create the same resources in the same order normalize alike.
func normalizedState(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "updatedAt")
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	s := timeRe.ReplaceAllString(string(out), "TIME")
	ids := map[string]string{}
	return hexRe.ReplaceAllStringFunc(s, func(h string) string {
		if _, ok := ids[h]; !ok {
			ids[h] = fmt.Sprintf("ID%d", len(ids)+1)
		}
		return ids[h]
	})
}

// TestAWSCLIGettingStarted runs AWS's getting-started guide, steps 1 to 4
// (the load balancer and its targets, the endpoint service, the
// endpoint, and the routing through it), with Debian's real AWS CLI v2
// against a running api-server (--endpoint-url), with signatures
// verified, and checks that the state it leaves is the one the same
// script leaves when `aws` is the gwlbctl CLI itself.
func TestAWSCLIGettingStarted(t *testing.T) {
	if _, err := os.Stat(debianAWS); err != nil {
		t.Skipf("skipped: %s not found (install Debian's awscli, AWS CLI v2: make deps)", debianAWS)
	}
	bin := buildGwlbctl(t)

	// The gwlbctl CLI run: aws is gwlbctl.
	cliHome := t.TempDir()
	cliState := filepath.Join(cliHome, "state.json")
	cliBin := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(cliBin, "aws")); err != nil {
		t.Fatal(err)
	}
	runGettingStarted(t, cliBin, cleanEnv(cliHome, "GWLBCTL_STATE="+cliState))

	// The API run: aws is Debian's AWS CLI with --endpoint-url.
	apiHome := t.TempDir()
	apiState := filepath.Join(apiHome, "state.json")
	const key, secret = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	url, banner := startAPIServer(t, bin, cleanEnv(apiHome, "GWLBCTL_STATE="+apiState,
		"GWLBCTL_ACCESS_KEY_ID="+key, "GWLBCTL_SECRET_ACCESS_KEY="+secret), "--log-requests")
	if !strings.Contains(banner, "signatures verified against access key "+key) {
		t.Fatalf("api-server does not verify signatures: %s", banner)
	}
	apiBin := t.TempDir()
	wrapper := "#!/bin/sh\nexec " + debianAWS + " --endpoint-url " + url + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(apiBin, "aws"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	out := runGettingStarted(t, apiBin, cleanEnv(apiHome,
		"AWS_ACCESS_KEY_ID="+key, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(apiHome, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(apiHome, "aws-credentials")))
	if !regexp.MustCompile(`load balancer: arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/gwy/my-load-balancer/[0-9a-f]{16}\n`).MatchString(out) {
		t.Errorf("the load balancer ARN the AWS CLI captured is not printed:\n%s", out)
	}

	cli, api := normalizedState(t, cliState), normalizedState(t, apiState)
	if cli != api {
		t.Errorf("the state the AWS CLI built through the API differs from the gwlbctl CLI's:\n--- gwlbctl CLI\n%s\n--- aws CLI via api-server\n%s", cli, api)
	}
	if !strings.Contains(cli, `"LoadBalancerArn": "arn:aws:elasticloadbalancing:us-east-2:ID1:loadbalancer/gwy/my-load-balancer/ID`) ||
		!strings.Contains(cli, `"VpcEndpointState": "available"`) && !strings.Contains(cli, `"State": "available"`) {
		t.Errorf("normalized state lacks what the script built:\n%s", cli)
	}
	checkStep4(t, apiState)
}

// checkStep4 checks that the state holds step 4 of the guide, routing, as
// the data path reads it: the application subnet's traffic to the
// internet goes to the endpoint, the endpoint subnet's to the internet
// gateway, and the gateway's traffic for the application subnet to the
// endpoint.
func checkStep4(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s control.State
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Endpoints) != 1 || len(s.InternetGateways) != 1 || len(s.RouteTables) != 5 {
		t.Fatalf("%d endpoints, %d internet gateways, %d route tables; want 1, 1 and 5 (two main tables and step 4's three)",
			len(s.Endpoints), len(s.InternetGateways), len(s.RouteTables))
	}
	vpce, igw := s.Endpoints[0].Endpoint.VpcEndpointId, s.InternetGateways[0].InternetGatewayId
	var app, endpoint string
	for _, sn := range s.Subnets {
		switch sn.CidrBlock {
		case "10.0.2.0/24":
			app = sn.SubnetId
		case "10.0.1.0/24":
			endpoint = sn.SubnetId
		}
	}
	internet := netip.MustParseAddr("198.51.100.7")
	for subnet, want := range map[string]string{app: vpce, endpoint: igw} {
		if m, ok, err := s.SubnetRoute(subnet, internet); err != nil || !ok || m.Route.GatewayId != want {
			t.Errorf("subnet %s to %s: %+v %v %v, want via %s", subnet, internet, m, ok, err, want)
		}
	}
	if m, ok := s.GatewayRoute(igw, netip.MustParseAddr("10.0.2.10")); !ok || m.Route.GatewayId != vpce {
		t.Errorf("the gateway's edge route to the application subnet: %+v %v, want via %s", m, ok, vpce)
	}
}
