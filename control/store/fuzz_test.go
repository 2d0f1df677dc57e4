package store

import (
	"errors"
	"testing"

	"github.com/gwlbctl/gwlbctl/control"
)

// FuzzDecode: any file content either decodes to a state the operations can
// run on, or is reported as corrupted / newer; it never panics.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"schemaVersion":1,"revision":2,"vpcs":[{"VpcId":"vpc-1","CidrBlock":"10.0.0.0/16"}]}`,
		`{"schemaVersion":1,"revision":1,"vpcs":[null]}`,
		`{"schemaVersion":1,"revision":1,"targetGroups":[{"targetGroup":{"TargetGroupArn":"x"},"targets":[null]}]}`,
		`{"schemaVersion":2}`, `{}`, `[]`, `{"schemaVersion":"1"}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, _, err := decode("fuzz.json", b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNewerSchema) {
				t.Fatalf("unclassified error %v", err)
			}
			if st != nil {
				t.Fatal("state returned with an error")
			}
			return
		}
		env := testEnv()
		// Operations over whatever decoded must not panic.
		st.DescribeLoadBalancers(env, control.DescribeLoadBalancersInput{})
		st.DescribeVpcs(env, control.DescribeVpcsInput{})
		if len(st.Vpcs) > 0 {
			st.CreateSubnet(env, control.CreateSubnetInput{VpcId: st.Vpcs[0].VpcId, CidrBlock: "10.0.0.0/24"})
		}
		for _, tg := range st.TargetGroups {
			st.DescribeTargetHealth(env, control.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroup.TargetGroupArn})
			st.RegisterTargets(env, control.RegisterTargetsInput{TargetGroupArn: tg.TargetGroup.TargetGroupArn, Targets: []control.TargetDescription{{Id: "10.0.0.1", AvailabilityZone: "us-east-1a"}}})
		}
		st.Prune(fixedNow)
		st.Clone()
	})
}
