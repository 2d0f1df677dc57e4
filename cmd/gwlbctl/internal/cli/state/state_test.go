package state

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store/etcdtest"
)

func TestMigrateFlags(t *testing.T) {
	type opts struct {
		From, To string
		Force    bool
	}
	clitest.FlagTests(t, NewCmdMigrate, func(o *MigrateOptions) opts { return opts{o.From, o.To, o.Force} }, []clitest.FlagCase[opts]{
		{Name: "to only", Args: []string{"--to", "etcd://h:2379/p"}, Want: opts{To: "etcd://h:2379/p"}},
		{Name: "all", Args: []string{"--from", "a.json", "--to", "b.json", "--force"}, Want: opts{From: "a.json", To: "b.json", Force: true}},
		{Name: "no destination", Args: []string{"--from", "a.json"}, WantErr: "the following arguments are required: --to"},
		{Name: "empty destination", Args: []string{"--to", ""}, WantErr: "argument --to: give a location"},
		{Name: "empty source", Args: []string{"--from", "", "--to", "b.json"}, WantErr: "argument --from: give a location"},
		{Name: "positional", Args: []string{"a.json", "--to", "b.json"}, WantErr: "Unknown options: a.json"},
	})
}

func newMigrate(f *cmdutil.Factory) *cobra.Command { return NewCmdMigrate(f, nil) }
func newShow(f *cmdutil.Factory) *cobra.Command    { return NewCmdShow(f, nil) }

func migrated(t *testing.T, e *clitest.Env) MigrateResult {
	t.Helper()
	var r MigrateResult
	e.JSON(&r)
	return r
}

// The copy goes file -> etcd -> file -> file; each lands with the source's
// state digest, as the destination's next revision.
func TestMigrateRoundTrip(t *testing.T) {
	srv := etcdtest.Start(t)
	e := clitest.New(t) // the configured state: a file
	e.Seed()
	e.Do(func(s *control.State, env control.Env) error {
		_, err := s.CreateVpc(env, control.CreateVpcInput{CidrBlock: "10.9.0.0/16"})
		return err
	})
	src, srcVer, _ := e.Store.Snapshot()
	want, _ := stateDigest(src)
	etcdLoc := srv.NewLocation(t)

	if err := e.Run(newMigrate, "--to", etcdLoc); err != nil {
		t.Fatalf("%v\n%s", err, e.Err)
	}
	r := migrated(t, e)
	if r.From != e.StatePath || r.To != etcdLoc || r.SourceRevision != srcVer.Revision || r.Revision != 1 ||
		r.StateDigest != want || r.Replaced != 0 || r.Resources["vpcs"] != 3 || r.Resources["loadBalancers"] != 1 {
		t.Fatalf("file -> etcd: %+v (source at %v, state sha256 %s)", r, srcVer, want)
	}
	back := filepath.Join(t.TempDir(), "back.json")
	if err := e.Run(newMigrate, "--from", etcdLoc, "--to", back); err != nil {
		t.Fatalf("%v\n%s", err, e.Err)
	}
	if r := migrated(t, e); r.SourceRevision != 1 || r.Revision != 1 || r.StateDigest != want {
		t.Fatalf("etcd -> file: %+v", r)
	}
	again := filepath.Join(t.TempDir(), "again.json")
	if err := e.Run(newMigrate, "--from", back, "--to", "file://"+again); err != nil {
		t.Fatalf("%v\n%s", err, e.Err)
	}
	if r := migrated(t, e); r.StateDigest != want || r.To != again {
		t.Fatalf("file -> file: %+v", r)
	}

	// show on the etcd copy.
	e.Config.State = etcdLoc
	e.Config.StateSource = cmdutil.SourceFlag
	if err := e.Run(newShow); err != nil {
		t.Fatal(err)
	}
	var show ShowResult
	e.JSON(&show)
	if show.Location != etcdLoc || show.Source != "flag" || show.Revision != 1 || show.StateDigest != want || len(show.Digest) != 64 || show.Resources["vpcs"] != 3 {
		t.Fatalf("show: %+v", show)
	}
}

// A destination with resources is refused without --force and left as it
// is; with --force it is replaced, as a new revision. A corrupted one is
// refused even with --force.
func TestMigrateRefusesToOverwrite(t *testing.T) {
	for _, b := range clitest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := clitest.New(t)
			e.Seed()
			dst := b.New(t)
			dst.Do(func(s *control.State, env control.Env) error {
				_, err := s.CreateVpc(env, control.CreateVpcInput{CidrBlock: "10.7.0.0/16"})
				return err
			})
			before := dst.StateBytes()
			err := e.Run(newMigrate, "--to", dst.StatePath)
			if cmdutil.ExitCode(err) != cmdutil.ExitConfig || !strings.Contains(err.Error(), "holds 1 routeTables, 1 vpcs") || !strings.Contains(err.Error(), "--force") {
				t.Fatalf("without --force: %v (exit %d)", err, cmdutil.ExitCode(err))
			}
			if !bytes.Equal(before, dst.StateBytes()) {
				t.Fatal("the refused destination changed")
			}
			if err := e.Run(newMigrate, "--to", dst.StatePath, "--force"); err != nil {
				t.Fatal(err)
			}
			src, _, _ := e.Store.Snapshot()
			want, _ := stateDigest(src)
			if r := migrated(t, e); r.Revision != 2 || r.Replaced != 2 || r.StateDigest != want {
				t.Fatalf("with --force: %+v", r)
			}

			dst.SetStateBytes([]byte("{not json"))
			err = e.Run(newMigrate, "--to", dst.StatePath, "--force")
			if cmdutil.ExitCode(err) != cmdutil.ExitConfig || !strings.Contains(err.Error(), "corrupted") {
				t.Fatalf("corrupted destination: %v", err)
			}
			if got := dst.StateBytes(); string(got) != "{not json" {
				t.Fatal("the corrupted destination was overwritten")
			}
		})
	}
}

func TestMigrateErrors(t *testing.T) {
	e := clitest.New(t)
	for name, tc := range map[string]struct {
		args []string
		code int
		msg  string
	}{
		"empty source":     {[]string{"--to", filepath.Join(t.TempDir(), "x.json")}, cmdutil.ExitConfig, "holds no state"},
		"same store":       {[]string{"--from", e.StatePath, "--to", "file://" + e.StatePath}, cmdutil.ExitUsage, "the same store"},
		"bad destination":  {[]string{"--from", e.StatePath, "--to", "etcd://h:2379/p?colour=red"}, cmdutil.ExitConfig, `unknown option "colour"`},
		"unreachable etcd": {[]string{"--from", "etcd://" + etcdtest.DeadEndpoint(t) + "/p?dial-timeout=300ms", "--to", "x.json"}, cmdutil.ExitConfig, "did not answer within 300ms"},
	} {
		t.Run(name, func(t *testing.T) {
			err := e.Run(newMigrate, tc.args...)
			if cmdutil.ExitCode(err) != tc.code || err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err %v (exit %d), want exit %d and %q", err, cmdutil.ExitCode(err), tc.code, tc.msg)
			}
		})
	}
	if e.StateBytes() != nil {
		t.Fatal("a failed migration wrote the configured state")
	}
}

func TestCounts(t *testing.T) {
	c, err := countResources(&control.State{Vpcs: []*control.Vpc{{}, {}}, Subnets: []*control.Subnet{{}}})
	if err != nil || c.Total() != 3 || c.String() != "1 subnets, 2 vpcs" || c["loadBalancers"] != 0 {
		t.Fatalf("%v %v %s", c, err, c)
	}
	if s := (Counts{}).String(); s != "no resources" {
		t.Fatal(s)
	}
	b, _ := json.Marshal(Counts{"vpcs": 1})
	if string(b) != `{"vpcs":1}` {
		t.Fatal(string(b))
	}
}
