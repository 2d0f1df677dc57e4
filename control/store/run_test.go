package store

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/gwlbctl/gwlbctl/control"
)

func TestRunMutatingSavesAndNamesErrors(t *testing.T) {
	st, err := OpenFile(filepath.Join(t.TempDir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	arn := seed(t, st)
	in := control.RegisterTargetsInput{TargetGroupArn: arn, Targets: []control.TargetDescription{{Id: "10.0.0.10"}}}
	if _, err := Run(st, testEnv(), "RegisterTargets", true, (*control.State).RegisterTargets, in); err != nil {
		t.Fatal(err)
	}
	if !targetIDs(t, st, arn)["10.0.0.10"] {
		t.Fatal("registered target not saved")
	}
	before, err := os.ReadFile(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	bad := control.RegisterTargetsInput{TargetGroupArn: arn, Targets: []control.TargetDescription{{Id: "10.0.0.11"}, {Id: "127.0.0.1"}}}
	_, err = Run(st, testEnv(), "RegisterTargets", true, (*control.State).RegisterTargets, bad)
	e, ok := control.AsError(err)
	if !ok || e.Code != control.CodeInvalidTarget || e.Operation != "RegisterTargets" {
		t.Fatalf("error %v (%#v), want InvalidTarget naming RegisterTargets", err, e)
	}
	after, err := os.ReadFile(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("a failed operation changed the state file")
	}
}

func TestRunReadOnlyDiscardsChanges(t *testing.T) {
	st, err := OpenFile(filepath.Join(t.TempDir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	arn := seed(t, st)
	rev := revOf(t, st)
	// A mutating operation run as read-only saves nothing.
	in := control.RegisterTargetsInput{TargetGroupArn: arn, Targets: []control.TargetDescription{{Id: "10.0.0.10"}}}
	if _, err := Run(st, testEnv(), "RegisterTargets", false, (*control.State).RegisterTargets, in); err != nil {
		t.Fatal(err)
	}
	if revOf(t, st) != rev || targetIDs(t, st, arn)["10.0.0.10"] {
		t.Fatal("a read-only run saved its changes")
	}
	out, err := Run(st, testEnv(), "DescribeTargetGroups", false, (*control.State).DescribeTargetGroups, control.DescribeTargetGroupsInput{})
	if err != nil || len(out.TargetGroups) != 1 || out.TargetGroups[0].TargetGroupArn != arn {
		t.Fatalf("describe: %+v, %v", out, err)
	}
}
