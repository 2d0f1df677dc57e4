package apply

import (
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/control"
)

// Each EC2 kind is matched by its Name tag; two resources carrying the
// same name are refused, naming the kind and the count.
func TestDuplicateNameTagsAreRefused(t *testing.T) {
	env := testEnv()
	topo, err := Parse([]byte("vpcs:\n  - {name: lab, cidr: 10.0.0.0/16, subnets: [{name: lab-a, cidr: 10.0.1.0/24, zone: us-east-1a}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	st := &control.State{}
	if _, err := Apply(st, env, topo); err != nil {
		t.Fatal(err)
	}
	// A second VPC and subnet with the same Name tags, made by hand.
	name := func(n string) []control.TagSpecification {
		return []control.TagSpecification{{ResourceType: "vpc", Tags: []control.Tag{{Key: NameKey, Value: n}}}}
	}
	v, err := st.CreateVpc(env, control.CreateVpcInput{CidrBlock: "10.1.0.0/16", TagSpecifications: name("lab")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PlanFor(st, env, topo); err == nil || !strings.Contains(err.Error(), `vpc lab: 2 VPCs carry the Name tag "lab"; make it unique`) {
		t.Fatalf("duplicate VPC name: %v", err)
	}
	if _, err := st.DeleteVpc(env, control.DeleteVpcInput{VpcId: v.Vpc.VpcId}); err != nil {
		t.Fatal(err)
	}
	sn := []control.TagSpecification{{ResourceType: "subnet", Tags: []control.Tag{{Key: NameKey, Value: "lab-a"}}}}
	if _, err := st.CreateSubnet(env, control.CreateSubnetInput{VpcId: st.Vpcs[0].VpcId, CidrBlock: "10.0.2.0/24", AvailabilityZone: "us-east-1a", TagSpecifications: sn}); err != nil {
		t.Fatal(err)
	}
	if _, err := PlanFor(st, env, topo); err == nil || !strings.Contains(err.Error(), `subnet lab-a: 2 subnets carry the Name tag "lab-a"; make it unique`) {
		t.Fatalf("duplicate subnet name: %v", err)
	}
}

// prune deletes only what apply manages and the topology no longer names,
// in the state's order, and puts each deletion in the plan.
func TestPruneDeletesOnlyManagedLeftovers(t *testing.T) {
	managedTags := []control.Tag{{Key: ManagedByKey, Value: ManagedByValue}}
	type res struct {
		name string
		tags []control.Tag
	}
	have := []*res{{"keep", managedTags}, {"gone", managedTags}, {"hand-made", nil}, {"other-owner", []control.Tag{{Key: ManagedByKey, Value: "terraform"}}}}
	r := &reconciler{plan: Plan{Changes: []Change{}}}
	var deleted []string
	err := prune(r, "vpc", have, []string{"keep"}, func(x *res) []control.Tag { return x.tags }, func(x *res) string { return x.name },
		func(x *res) (string, error) { deleted = append(deleted, x.name); return "id-" + x.name, nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(deleted) != 1 || deleted[0] != "gone" {
		t.Fatalf("deleted %v, want [gone]", deleted)
	}
	if want := (Change{Action: Delete, Kind: "vpc", Name: "gone", Detail: "id-gone"}); len(r.plan.Changes) != 1 || r.plan.Changes[0] != want {
		t.Fatalf("plan %+v", r.plan.Changes)
	}
}
