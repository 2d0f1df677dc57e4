//go:build e2e

package main

// serve forwarding for resources created through `gwlbctl api-server` by
// Debian's real AWS CLI.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// debianAWS is Debian's AWS CLI v2 (the awscli package, make deps), named
// by path: another aws on PATH is not the client this test is about.
const debianAWS = "/usr/bin/aws"

// startAPIServer runs `gwlbctl api-server` on a free loopback port over
// the run's state file and returns its URL; it is stopped by PID at the
// end and must exit 0.
func (e *e2e) startAPIServer() string {
	e.t.Helper()
	cmd := exec.Command(e.bin, "--state", e.state, "api-server", "--listen", "127.0.0.1:0", "--log-requests")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	logPath := filepath.Join(e.dir, "api-server.log")
	logf, err := os.Create(logPath)
	if err != nil {
		e.t.Fatal(err)
	}
	found := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:[0-9]+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(logf, sc.Text())
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	e.t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-copied
		if err := cmd.Wait(); err != nil {
			e.t.Errorf("api-server after SIGTERM: %v", err)
		}
		logf.Close()
		if e.t.Failed() {
			e.t.Logf("api-server log:\n%s", tail(readFile(logPath), 40))
		}
	})
	select {
	case url := <-found:
		return url
	case <-copied:
		e.t.Fatalf("api-server exited before listening:\n%s", readFile(logPath))
	case <-time.After(30 * time.Second):
		e.t.Fatalf("api-server not listening after 30 s:\n%s", readFile(logPath))
	}
	return ""
}

// provisionWithAWSCLI creates what provision creates, with Debian's AWS CLI
// against api-server (--endpoint-url), the endpoint accepted.
func (e *e2e) provisionWithAWSCLI() {
	url := e.startAPIServer()
	home := filepath.Join(e.dir, "aws-home")
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials")}
	aws := func(args ...string) string {
		e.t.Helper()
		cmd := exec.Command(debianAWS, append([]string{"--endpoint-url", url, "--output", "text"}, args...)...)
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			e.t.Fatalf("aws %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
		}
		return strings.TrimSpace(string(out))
	}
	name := "gwa-" + e.tp.suffix
	vpc := aws("ec2", "create-vpc", "--cidr-block", "198.19.0.0/16", "--query", "Vpc.VpcId")
	aws("ec2", "wait", "vpc-available", "--vpc-ids", vpc)
	subnet := aws("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "198.19.0.0/24", "--availability-zone", "us-east-1a", "--query", "Subnet.SubnetId")
	e.ids.lbArn = aws("elbv2", "create-load-balancer", "--name", name, "--type", "gateway", "--subnets", subnet,
		"--query", "LoadBalancers[0].LoadBalancerArn")
	aws("elbv2", "wait", "load-balancer-available", "--load-balancer-arns", e.ids.lbArn)
	e.ids.tgArn = aws("elbv2", "create-target-group", "--name", name, "--protocol", "GENEVE", "--port", "6081",
		"--vpc-id", vpc, "--target-type", "ip", "--health-check-protocol", "TCP", "--health-check-port", "80",
		"--query", "TargetGroups[0].TargetGroupArn")
	aws("elbv2", "register-targets", "--target-group-arn", e.ids.tgArn, "--targets", "Id="+appliance1, "Id="+appliance2)
	aws("elbv2", "create-listener", "--load-balancer-arn", e.ids.lbArn, "--default-actions", "Type=forward,TargetGroupArn="+e.ids.tgArn)
	e.ids.serviceID = aws("ec2", "create-vpc-endpoint-service-configuration", "--gateway-load-balancer-arns", e.ids.lbArn,
		"--acceptance-required", "--client-token", "e2e-"+name, "--query", "ServiceConfiguration.ServiceId")
	e.ids.serviceName = aws("ec2", "describe-vpc-endpoint-service-configurations", "--service-ids", e.ids.serviceID,
		"--query", "ServiceConfigurations[0].ServiceName")
	cvpc := aws("ec2", "create-vpc", "--cidr-block", "198.18.0.0/16", "--query", "Vpc.VpcId")
	csub := aws("ec2", "create-subnet", "--vpc-id", cvpc, "--cidr-block", "198.18.0.0/24", "--availability-zone", "us-east-1a", "--query", "Subnet.SubnetId")
	e.ids.endpointID = aws("ec2", "create-vpc-endpoint", "--vpc-endpoint-type", "GatewayLoadBalancer",
		"--service-name", e.ids.serviceName, "--vpc-id", cvpc, "--subnet-ids", csub, "--query", "VpcEndpoint.VpcEndpointId")
	if st := aws("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", e.ids.endpointID, "--query", "VpcEndpoints[0].State"); st != "pendingAcceptance" {
		e.t.Fatalf("new endpoint is %q, want pendingAcceptance", st)
	}
	aws("ec2", "accept-vpc-endpoint-connections", "--service-id", e.ids.serviceID, "--vpc-endpoint-ids", e.ids.endpointID)
	if st := aws("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", e.ids.endpointID, "--query", "VpcEndpoints[0].State"); st != "available" {
		e.t.Fatalf("accepted endpoint is %q, want available", st)
	}
}

// TestServeForwardsForAWSAPIResources: the load balancer, target group,
// targets, listener, endpoint service, endpoint and its acceptance are
// made by Debian's real AWS CLI through `gwlbctl api-server`; serve then
// forwards ping both ways and a 1 MiB TCP transfer each way (sha256
// checked at both ends) through them, the flow listed on serve's API
// with that endpoint and one of those targets.
func TestServeForwardsForAWSAPIResources(t *testing.T) {
	if _, err := os.Stat(debianAWS); err != nil {
		t.Skipf("skipped: %s not found (install Debian's awscli, AWS CLI v2: make deps)", debianAWS)
	}
	e := startForwarding(t, (*e2e).provisionWithAWSCLI)
	if err := e.ping(e.tp.client, false, serverIP4, 3); err != nil {
		t.Errorf("client -> server: %v", err)
	}
	if err := e.ping(e.tp.server, false, clientIP4, 3); err != nil {
		t.Errorf("server -> client: %v", err)
	}
	for _, dir := range []struct{ from, to, addr string }{
		{e.tp.client, e.tp.server, serverIP4 + ":5301"},
		{e.tp.server, e.tp.client, clientIP4 + ":5302"},
	} {
		srv := startHelper(t, dir.to, "tcp-echo", dir.addr)
		out := runHelperIn(t, dir.from, "tcp-send", dir.addr, fmt.Sprint(1<<20), "11")
		if err := srv.wait(30 * time.Second); err != nil {
			t.Fatalf("tcp-echo: %v", err)
		}
		if r := parseEcho(out, srv.output()); !r.ok(1 << 20) {
			t.Fatalf("%s: %v", dir.addr, r)
		}
	}
	f := e.onlyFlow("proto=tcp port=5301")
	if f.Endpoint != e.ids.endpointID || (f.Target != appliance1 && f.Target != appliance2) || f.Packets[0] == 0 || f.Packets[1] == 0 {
		t.Errorf("serve's flow of the transfer: %+v, want endpoint %s and target %s or %s, packets both ways", f, e.ids.endpointID, appliance1, appliance2)
	}
}
