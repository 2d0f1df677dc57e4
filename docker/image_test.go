// Package docker holds the image and compose files that run gwlbctl serve
// on EC2 with ENA NICs; its test checks them without a Docker engine.
//
// hadolint has no Debian 12 package and its released binary cannot be
// fetched on the development machines, so TestDockerfileRules checks the
// hadolint rules this Dockerfile could break (their DL numbers in the
// comments) and the image's own: two stages, Debian 12's DPDK in both, only
// DPDK 22.11 runtime libraries in the final one, each a real Debian
// package. cmd/scripts/docker-check.sh runs hadolint as well where it is
// installed, and `docker compose config` where Compose is.
package docker

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	line int
	cmd  string // upper case
	args string
}

func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []instruction
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || (line == "" && cur.Len() == 0) {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		cont := strings.HasSuffix(line, "\\")
		cur.WriteString(strings.TrimSuffix(line, "\\"))
		cur.WriteByte(' ')
		if cont {
			continue
		}
		cmd, args, _ := strings.Cut(strings.TrimSpace(cur.String()), " ")
		out = append(out, instruction{start, strings.ToUpper(cmd), strings.Join(strings.Fields(args), " ")})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur.Len() != 0 {
		t.Fatalf("%s: the last instruction ends in a line continuation", path)
	}
	return out
}

// stage is one FROM ... block.
type stage struct {
	from, name string
	ins        []instruction
}

func stages(ins []instruction) (args []instruction, st []stage) {
	for _, in := range ins {
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			s := stage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			st = append(st, s)
			continue
		}
		if len(st) == 0 {
			args = append(args, in)
			continue
		}
		st[len(st)-1].ins = append(st[len(st)-1].ins, in)
	}
	return args, st
}

// aptInstalls returns the packages a RUN's apt-get install names.
func aptInstalls(run string) []string {
	var pkgs []string
	for _, part := range regexp.MustCompile(`&&|;|\|\|`).Split(run, -1) {
		f := strings.Fields(part)
		if len(f) < 2 || f[0] != "apt-get" || !slices.Contains(f, "install") {
			continue
		}
		for _, w := range f[slices.Index(f, "install")+1:] {
			if !strings.HasPrefix(w, "-") {
				pkgs = append(pkgs, w)
			}
		}
	}
	return pkgs
}

// The DPDK 22.11 (ABI 23) runtime the final stage must install: the
// libraries gwlbctl links and the drivers serve needs on ENA.
var wantRuntime = []string{
	"librte-eal23", "librte-ethdev23", "librte-mbuf23", "librte-mempool23", "librte-timer23",
	"librte-bus-pci23", "librte-bus-vdev23", "librte-mempool-ring23", "librte-net-ena23", "librte-net-tap23",
}

func TestDockerfileRules(t *testing.T) {
	ins := parseDockerfile(t, "Dockerfile")
	args, st := stages(ins)
	declared := map[string]bool{}
	for _, a := range args {
		if a.cmd != "ARG" {
			t.Errorf("line %d: only ARG may come before the first FROM, got %s", a.line, a.cmd)
		}
		name, _, _ := strings.Cut(a.args, "=")
		declared[name] = strings.Contains(a.args, "=")
	}
	if len(st) != 2 || st[0].name == "" {
		t.Fatalf("want two stages, a named build stage and the runtime, got %d", len(st))
	}
	for i, s := range st {
		_, tag, ok := strings.Cut(s.from, ":")
		// DL3006, DL3007: every image has a tag, and not latest.
		if !ok || tag == "" || tag == "latest" {
			t.Errorf("stage %d: FROM %s: give an explicit tag (not latest)", i, s.from)
		}
		for _, v := range regexp.MustCompile(`\$\{(\w+)\}`).FindAllStringSubmatch(s.from, -1) {
			if !declared[v[1]] {
				t.Errorf("stage %d: FROM %s uses ARG %s without a default", i, s.from, v[1])
			}
		}
	}
	if !strings.HasPrefix(st[0].from, "golang:") || !strings.HasSuffix(st[0].from, "-bookworm") {
		t.Errorf("the build stage is FROM %s; want the golang image on Debian 12 (golang:<version>-bookworm)", st[0].from)
	}
	if st[1].from != "debian:12-slim" {
		t.Errorf("the runtime stage is FROM %s; want debian:12-slim", st[1].from)
	}
	hasPipefail := false
	for si, s := range st {
		for _, in := range s.ins {
			where := func() string { return "stage " + s.from + " line " + strconv.Itoa(in.line) }
			switch in.cmd {
			case "ADD": // DL3020
				t.Errorf("%s: use COPY, not ADD", where())
			case "SHELL":
				hasPipefail = hasPipefail || strings.Contains(in.args, "pipefail")
			case "WORKDIR": // DL3000
				if !strings.HasPrefix(in.args, "/") {
					t.Errorf("%s: WORKDIR %s is not absolute", where(), in.args)
				}
			case "USER": // DL3002
				if in.args == "root" {
					t.Errorf("%s: no USER root (the image runs as root already)", where())
				}
			case "ENTRYPOINT", "CMD": // DL3025
				var v []string
				if err := json.Unmarshal([]byte(in.args), &v); err != nil || len(v) == 0 {
					t.Errorf("%s: %s %s is not in exec (JSON array) form", where(), in.cmd, in.args)
				}
			case "RUN":
				r := in.args
				for _, bad := range []struct{ re, why string }{
					{`(^|\s)sudo\s`, "no sudo (DL3004)"},
					{`(^|&&|;)\s*cd\s`, "no cd in RUN; use WORKDIR (DL3003)"},
					{`apt-get\s+(dist-)?upgrade`, "no apt-get upgrade (DL3005)"},
					{`(^|\s)(curl|wget)\s`, "nothing downloaded outside package managers (the build must work from registries alone)"},
					{`(^|\s)apt\s`, "apt-get, not apt, in scripts (DL3027)"},
				} {
					if regexp.MustCompile(bad.re).MatchString(r) {
						t.Errorf("%s: %s", where(), bad.why)
					}
				}
				if strings.Contains(r, "|") && !strings.Contains(r, "||") && !hasPipefail { // DL4006
					t.Errorf("%s: a pipe in RUN needs SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] first", where())
				}
				if strings.Contains(r, "apt-get install") {
					if !strings.Contains(r, "--no-install-recommends") { // DL3015
						t.Errorf("%s: apt-get install without --no-install-recommends", where())
					}
					if !regexp.MustCompile(`apt-get install (-\S+ )*-y`).MatchString(r) { // DL3014
						t.Errorf("%s: apt-get install without -y", where())
					}
					if !strings.Contains(r, "apt-get update") || !strings.HasSuffix(strings.TrimSpace(r), "rm -rf /var/lib/apt/lists/*") { // DL3009, DL3059
						t.Errorf("%s: apt-get update, install and rm -rf /var/lib/apt/lists/* belong in one RUN", where())
					}
				}
				if si == 0 && strings.Contains(r, "go build") && !strings.Contains(r, "-trimpath") {
					t.Errorf("%s: go build without -trimpath (make build uses it)", where())
				}
			}
		}
	}

	var build, runtime []string
	for _, in := range st[0].ins {
		if in.cmd == "RUN" {
			build = append(build, aptInstalls(in.args)...)
		}
	}
	copied := false
	for _, in := range st[1].ins {
		switch in.cmd {
		case "RUN":
			runtime = append(runtime, aptInstalls(in.args)...)
		case "COPY":
			copied = copied || strings.HasPrefix(in.args, "--from="+st[0].name+" ") && strings.HasSuffix(in.args, " /usr/local/bin/gwlbctl")
		}
	}
	for _, p := range []string{"libdpdk-dev", "pkg-config"} {
		if !slices.Contains(build, p) {
			t.Errorf("the build stage does not install %s (cgo builds against Debian's DPDK through pkg-config)", p)
		}
	}
	for _, p := range wantRuntime {
		if !slices.Contains(runtime, p) {
			t.Errorf("the runtime stage does not install %s", p)
		}
	}
	for _, p := range runtime {
		if !regexp.MustCompile(`^librte-[a-z0-9-]+23$`).MatchString(p) {
			t.Errorf("the runtime stage installs %s: only DPDK 22.11 runtime libraries (librte-*23) belong there", p)
		}
	}
	if !copied {
		t.Errorf("the runtime stage does not COPY --from=%s the binary to /usr/local/bin/gwlbctl", st[0].name)
	}
	checkDebianPackages(t, append(build, runtime...))
}

// checkDebianPackages asks apt whether each package exists, and that the
// DPDK ones are 22.11: a misspelt name fails here, not in a build.
func checkDebianPackages(t *testing.T, pkgs []string) {
	if _, err := exec.LookPath("apt-cache"); err != nil {
		t.Log("apt-cache not found: package names not checked against Debian")
		return
	}
	if out, _ := exec.Command("apt-cache", "policy", "libdpdk-dev").Output(); !strings.Contains(string(out), "Candidate:") || strings.Contains(string(out), "Candidate: (none)") {
		t.Log("apt has no package lists (run apt-get update): package names not checked against Debian")
		return
	}
	out, err := exec.Command("apt-cache", append([]string{"policy"}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("apt-cache policy: %v", err)
	}
	candidate := map[string]string{}
	name := ""
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(line, " ") && strings.HasSuffix(line, ":") {
			name, _, _ = strings.Cut(strings.TrimSuffix(line, ":"), ":") // "pkg:" or "pkg:amd64:"
			continue
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Candidate: "); ok && name != "" {
			candidate[name] = v
		}
	}
	for _, p := range pkgs {
		v, ok := candidate[p]
		switch {
		case !ok || v == "(none)":
			t.Errorf("%s is not a package of this Debian's archive", p)
		case (strings.HasPrefix(p, "librte-") || p == "libdpdk-dev") && !strings.HasPrefix(v, "22.11"):
			t.Errorf("%s is version %s; the image is built for DPDK 22.11", p, v)
		}
	}
}

// TestComposeFile checks docker/compose.yaml as Compose would read it:
// the image is built from the repository with docker/Dockerfile, serve
// runs with host networking, the capabilities of an ENA node and no
// others, the vfio and TUN device nodes, the hugepage mount, unlimited
// locked memory, and the node config and state it names mounted from
// files that exist.
func TestComposeFile(t *testing.T) {
	var c struct {
		Services map[string]struct {
			Build struct {
				Context    string `yaml:"context"`
				Dockerfile string `yaml:"dockerfile"`
			} `yaml:"build"`
			Command     []string `yaml:"command"`
			NetworkMode string   `yaml:"network_mode"`
			CapDrop     []string `yaml:"cap_drop"`
			CapAdd      []string `yaml:"cap_add"`
			SecurityOpt []string `yaml:"security_opt"`
			Devices     []string `yaml:"devices"`
			Ulimits     struct {
				Memlock int `yaml:"memlock"`
			} `yaml:"ulimits"`
			Volumes []struct {
				Type     string `yaml:"type"`
				Source   string `yaml:"source"`
				Target   string `yaml:"target"`
				ReadOnly bool   `yaml:"read_only"`
			} `yaml:"volumes"`
			StopSignal string `yaml:"stop_signal"`
		} `yaml:"services"`
	}
	b, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	s, ok := c.Services["serve"]
	if !ok {
		t.Fatal("no serve service")
	}
	if s.Build.Dockerfile != "docker/Dockerfile" {
		t.Errorf("build.dockerfile %q, want docker/Dockerfile", s.Build.Dockerfile)
	}
	if _, err := os.Stat(filepath.Join(s.Build.Context, "go.mod")); err != nil {
		t.Errorf("build.context %q is not the repository root: %v", s.Build.Context, err)
	}
	if s.NetworkMode != "host" {
		t.Errorf("network_mode %q, want host (the exception TAPs are host interfaces)", s.NetworkMode)
	}
	caps := slices.Clone(s.CapAdd)
	slices.Sort(caps)
	if want := []string{"IPC_LOCK", "NET_ADMIN", "SYS_ADMIN", "SYS_NICE", "SYS_RAWIO"}; !slices.Equal(caps, want) || !slices.Equal(s.CapDrop, []string{"ALL"}) {
		t.Errorf("capabilities: drop %v add %v; want drop [ALL], add %v", s.CapDrop, caps, want)
	}
	if !slices.Contains(s.SecurityOpt, "systempaths=unconfined") {
		t.Errorf("security_opt %v: serve writes the TAPs' sysctls under /proc/sys", s.SecurityOpt)
	}
	var vfio, group, tun bool
	for _, d := range s.Devices {
		host, _, _ := strings.Cut(d, ":")
		vfio = vfio || host == "/dev/vfio/vfio"
		group = group || strings.HasPrefix(host, "/dev/vfio/${GWLBCTL_VFIO_GROUP")
		tun = tun || host == "/dev/net/tun"
	}
	if !vfio || !group || !tun {
		t.Errorf("devices %v: want /dev/vfio/vfio, the ENIs' vfio group and /dev/net/tun", s.Devices)
	}
	if s.Ulimits.Memlock != -1 {
		t.Errorf("ulimits.memlock %d, want -1", s.Ulimits.Memlock)
	}
	if s.StopSignal != "SIGTERM" {
		t.Errorf("stop_signal %q, want SIGTERM (serve drains on it)", s.StopSignal)
	}
	mounts := map[string]string{}
	for _, v := range s.Volumes {
		if v.Type != "bind" {
			t.Errorf("volume %s: type %q, want bind", v.Target, v.Type)
		}
		mounts[v.Target] = v.Source
	}
	if mounts["/dev/hugepages"] != "/dev/hugepages" {
		t.Errorf("no hugepage mount: %v", mounts)
	}
	flag := func(name string) string {
		i := slices.Index(s.Command, name)
		if i < 0 || i+1 >= len(s.Command) {
			return ""
		}
		return s.Command[i+1]
	}
	if len(s.Command) == 0 || s.Command[0] != "serve" {
		t.Fatalf("command %v does not run serve", s.Command)
	}
	nc := flag("--node-config")
	src, ok := mounts[nc]
	if !ok {
		t.Fatalf("the node config %q is not mounted (%v)", nc, mounts)
	}
	if _, err := os.Stat(src); err != nil {
		t.Errorf("node config source %s: %v", src, err)
	}
	if st := flag("--state"); st == "" || mounts[filepath.Dir(st)] == "" {
		t.Errorf("the state file %q is not on a mounted directory (%v)", st, mounts)
	}
	if mounts["/run/gwlbctl"] == "" {
		t.Errorf("/run/gwlbctl (API socket, stats file) is not mounted")
	}
}

var pciDevice = regexp.MustCompile(`^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$`)

// TestENANodeConfig checks configs/node-ena.yaml against what ENA needs:
// PCI devices allowed with large_llq_hdr=1 and no --no-pci, MTU 9001 on
// both ENIs, and the endpoint in routed mode with its address, router and
// exception TAP.
func TestENANodeConfig(t *testing.T) {
	var c struct {
		EAL struct {
			Args []string `yaml:"args"`
		} `yaml:"eal"`
		Appliance struct {
			Device string `yaml:"device"`
			MTU    int    `yaml:"mtu"`
			TAP    string `yaml:"tap"`
		} `yaml:"appliance"`
		Endpoints []struct {
			ID      string `yaml:"id"`
			Mode    string `yaml:"mode"`
			Device  string `yaml:"device"`
			Address string `yaml:"address"`
			Gateway string `yaml:"gateway"`
			MTU     int    `yaml:"mtu"`
			TAP     string `yaml:"tap"`
		} `yaml:"endpoints"`
	}
	b, err := os.ReadFile("../configs/node-ena.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(c.EAL.Args, "--no-pci") {
		t.Error("eal.args has --no-pci: the ENIs are PCI devices")
	}
	allowed := map[string]bool{}
	for i, a := range c.EAL.Args {
		if a == "-a" && i+1 < len(c.EAL.Args) {
			dev, args, _ := strings.Cut(c.EAL.Args[i+1], ",")
			if !strings.Contains(","+args+",", ",large_llq_hdr=1,") {
				t.Errorf("-a %s: ENA needs large_llq_hdr=1 (the inner header is at byte 82)", c.EAL.Args[i+1])
			}
			allowed[dev] = true
		}
	}
	if len(c.Endpoints) != 1 {
		t.Fatalf("%d endpoints, want one routed endpoint", len(c.Endpoints))
	}
	e := c.Endpoints[0]
	for _, d := range []string{c.Appliance.Device, e.Device} {
		if !pciDevice.MatchString(d) || !allowed[d] {
			t.Errorf("device %q: want a PCI address given to EAL with -a", d)
		}
	}
	if c.Appliance.MTU != 9001 || e.MTU != 9001 {
		t.Errorf("MTUs %d (appliance) and %d (endpoint), want 9001 (EC2 inside a VPC)", c.Appliance.MTU, e.MTU)
	}
	if e.Mode != "routed" || e.Address == "" || e.Gateway == "" || e.TAP == "" || c.Appliance.TAP == "" || e.TAP == c.Appliance.TAP {
		t.Errorf("endpoint %+v (appliance TAP %q): want mode routed with an address, a gateway and a TAP of its own", e, c.Appliance.TAP)
	}
}
