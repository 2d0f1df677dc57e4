package awsapi

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gwlbctl/gwlbctl/control"
)

// The benchmarks report req/s: requests answered per second through the
// API (one keep-alive client on loopback, each request a full parse, store
// operation and response; a register is one locked read-modify-write of
// the state file with its fsync), against one gwlbctl process per call,
// which is what a script driving the CLI pays.

func benchServer(b *testing.B) (*testServer, string) {
	ts := newTestServer(b, func(c *Config) { c.Log = nil })
	tg := benchSeed(b, ts)
	return ts, tg
}

// benchSeed is a small account: a VPC, a load balancer, a target group
// with ten targets.
func benchSeed(b *testing.B, ts *testServer) string {
	var tgArn string
	_, err := ts.Store.Update(func(s *control.State) error {
		env := control.Env{Region: testRegion, Account: testAccount}
		v, err := s.CreateVpc(env, control.CreateVpcInput{CidrBlock: "10.0.0.0/16"})
		if err != nil {
			return err
		}
		sn, err := s.CreateSubnet(env, control.CreateSubnetInput{VpcId: v.Vpc.VpcId, CidrBlock: "10.0.0.0/17", AvailabilityZone: "us-east-1a"})
		if err != nil {
			return err
		}
		if _, err := s.CreateLoadBalancer(env, control.CreateLoadBalancerInput{Name: "lb", Subnets: []string{sn.Subnet.SubnetId}}); err != nil {
			return err
		}
		port := 6081
		tg, err := s.CreateTargetGroup(env, control.CreateTargetGroupInput{Name: "tg", Protocol: "GENEVE", Port: &port, VpcId: v.Vpc.VpcId, TargetType: "ip"})
		if err != nil {
			return err
		}
		tgArn = tg.TargetGroups[0].TargetGroupArn
		var targets []control.TargetDescription
		for i := range 10 {
			targets = append(targets, control.TargetDescription{Id: fmt.Sprintf("10.0.0.%d", 10+i)})
		}
		_, err = s.RegisterTargets(env, control.RegisterTargetsInput{TargetGroupArn: tgArn, Targets: targets})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return tgArn
}

func post(b *testing.B, c *http.Client, u string, form url.Values) {
	resp, err := c.PostForm(u, form)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("%s: status %d", form.Get("Action"), resp.StatusCode)
	}
}

func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// targetIP is the i-th of the addresses the register benchmarks use.
func targetIP(i int) string { return fmt.Sprintf("10.0.%d.%d", 1+i/250%100, 1+i%250) }

// deregisterAll removes the targets registered since the last call, so a
// benchmark never reaches the per-group limit; the group is not used by a
// listener, so deregistered targets are gone at once.
func deregisterAll(b *testing.B, c *http.Client, u, tg string, from, to int) {
	form := url.Values{"Action": {"DeregisterTargets"}, "Version": {"2015-12-01"}, "TargetGroupArn": {tg}}
	for i := from; i < to; i++ {
		form.Set(fmt.Sprintf("Targets.member.%d.Id", i-from+1), targetIP(i))
	}
	post(b, c, u, form)
}

func BenchmarkAPIDescribe(b *testing.B) {
	ts, _ := benchServer(b)
	c := ts.Client()
	form := url.Values{"Action": {"DescribeLoadBalancers"}, "Version": {"2015-12-01"}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		post(b, c, ts.URL, form)
	}
	reportRate(b)
}

func BenchmarkAPIRegister(b *testing.B) {
	ts, tg := benchServer(b)
	c := ts.Client()
	const batch = 250 // under the 300 targets per zone of a group
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i > 0 && i%batch == 0 {
			b.StopTimer()
			deregisterAll(b, c, ts.URL, tg, i-batch, i)
			b.StartTimer()
		}
		post(b, c, ts.URL, url.Values{"Action": {"RegisterTargets"}, "Version": {"2015-12-01"}, "TargetGroupArn": {tg},
			"Targets.member.1.Id": {targetIP(i)}})
	}
	reportRate(b)
}

var (
	cliOnce sync.Once
	cliDir  string // removed by TestMain when the run ends
	cliBin  string
	cliErr  error
)

// TestMain removes the binary the CLI benchmarks built.
func TestMain(m *testing.M) {
	code := m.Run()
	if cliDir != "" {
		os.RemoveAll(cliDir)
	}
	os.Exit(code)
}

// gwlbctlBinary builds the gwlbctl binary once per benchmark run.
func gwlbctlBinary(b *testing.B) string {
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gwlbctl-bench-")
		if err != nil {
			cliErr = err
			return
		}
		cliDir = dir
		cliBin = filepath.Join(dir, "gwlbctl")
		if out, err := exec.Command("go", "build", "-o", cliBin, "github.com/gwlbctl/gwlbctl/cmd/gwlbctl").CombinedOutput(); err != nil {
			cliErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if cliErr != nil {
		b.Fatal(cliErr)
	}
	return cliBin
}

func cli(b *testing.B, bin, state string, args ...string) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GWLBCTL_STATE="+state, "GWLBCTL_REGION="+testRegion, "GWLBCTL_ACCOUNT="+testAccount, "GWLBCTL_CONFIG=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("gwlbctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func BenchmarkCLIDescribe(b *testing.B) {
	bin := gwlbctlBinary(b)
	ts, _ := benchServer(b)
	b.ResetTimer()
	for range b.N {
		cli(b, bin, ts.StatePath, "elbv2", "describe-load-balancers")
	}
	reportRate(b)
}

func BenchmarkCLIRegister(b *testing.B) {
	bin := gwlbctlBinary(b)
	ts, tg := benchServer(b)
	c := ts.Client()
	const batch = 250 // under the 300 targets per zone of a group
	b.ResetTimer()
	for i := range b.N {
		if i > 0 && i%batch == 0 {
			b.StopTimer()
			deregisterAll(b, c, ts.URL, tg, i-batch, i)
			b.StartTimer()
		}
		cli(b, bin, ts.StatePath, "elbv2", "register-targets", "--target-group-arn", tg, "--targets", "Id="+targetIP(i))
	}
	reportRate(b)
}
