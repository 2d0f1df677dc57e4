package state

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/control/store/etcdtest"
)

// BenchmarkCLI measures control operations per second with one gwlbctl
// process per call, as scripts run them, on the state file and on etcd:
// describe is `elbv2 describe-target-health`, register is `elbv2
// register-targets` of a new target. Each figure includes starting the
// process (and, for etcd, connecting). The state is seeded again, outside
// the timer, every 250 registrations (a load balancer takes 300 targets).
func BenchmarkCLI(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "gwlbctl")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/gwlbctl/gwlbctl/cmd/gwlbctl").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	srv := etcdtest.Start(b)
	backends := []struct {
		name string
		env  func(b *testing.B) *clitest.Env
	}{
		{"file", func(b *testing.B) *clitest.Env { return clitest.New(b) }},
		{"etcd", func(b *testing.B) *clitest.Env { return clitest.NewEtcd(b, srv) }},
	}
	home := b.TempDir() // no config file
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GWLBCTL_") && !strings.HasPrefix(kv, "XDG_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+home, "XDG_CONFIG_HOME="+home)
	gwlbctl := func(b *testing.B, e *clitest.Env, args ...string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(env, "GWLBCTL_STATE="+e.StatePath)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("gwlbctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, be := range backends {
		b.Run(be.name+"/describe", func(b *testing.B) {
			e := be.env(b)
			fx := e.Seed()
			b.ResetTimer()
			for range b.N {
				gwlbctl(b, e, "elbv2", "describe-target-health", "--target-group-arn", fx.TargetGroupArn)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
		b.Run(be.name+"/register", func(b *testing.B) {
			e := be.env(b)
			fx := e.Seed()
			b.ResetTimer()
			for i := range b.N {
				if i%250 == 0 && i > 0 {
					b.StopTimer()
					e = be.env(b)
					fx = e.Seed()
					b.StartTimer()
				}
				gwlbctl(b, e, "elbv2", "register-targets", "--target-group-arn", fx.TargetGroupArn,
					"--targets", fmt.Sprintf("Id=10.0.1.%d", 11+i%250))
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}
