package apply

import (
	"fmt"

	"github.com/gwlbctl/gwlbctl/control"
)

// vpcs creates the topology's VPCs and subnets that do not exist, and
// brings the tags of those that do in line; a CIDR never changes in place.
func (r *reconciler) vpcs() error {
	for _, v := range r.t.Vpcs {
		have, err := byTagName(r.s.Vpcs, v.Name, "vpc", "VPCs", func(v *control.Vpc) []control.Tag { return v.Tags })
		if err != nil {
			return err
		}
		if have == nil {
			out, err := r.s.CreateVpc(r.env, control.CreateVpcInput{CidrBlock: v.Cidr, TagSpecifications: tagSpec("vpc", desiredTags(v.Tags, v.Name, true))})
			if err != nil {
				return wrap("vpc", v.Name, err)
			}
			r.vpcIDs[v.Name] = out.Vpc.VpcId
			r.add(Create, "vpc", v.Name, "%s", v.Cidr)
		} else {
			if have.CidrBlock != v.Cidr {
				return fmt.Errorf("vpc %s: its CIDR is %s and cannot change to %s; rename the VPC in the file to create a new one", v.Name, have.CidrBlock, v.Cidr)
			}
			r.vpcIDs[v.Name] = have.VpcId
			if err := r.ec2Tags("vpc", v.Name, have.VpcId, have.Tags, v.Tags); err != nil {
				return err
			}
		}
		for _, sn := range v.Subnets {
			if err := r.subnet(v.Name, sn); err != nil {
				return err
			}
		}
	}
	return nil
}

// subnet creates or updates one subnet of vpcName.
func (r *reconciler) subnet(vpcName string, sn SubnetSpec) error {
	vpcID := r.vpcIDs[vpcName]
	have, err := byTagName(r.s.Subnets, sn.Name, "subnet", "subnets", func(s *control.Subnet) []control.Tag { return s.Tags })
	if err != nil {
		return err
	}
	if have == nil {
		out, err := r.s.CreateSubnet(r.env, control.CreateSubnetInput{VpcId: vpcID, CidrBlock: sn.Cidr, AvailabilityZone: sn.Zone, TagSpecifications: tagSpec("subnet", desiredTags(sn.Tags, sn.Name, true))})
		if err != nil {
			return wrap("subnet", sn.Name, err)
		}
		r.subnetIDs[sn.Name] = out.Subnet.SubnetId
		r.add(Create, "subnet", sn.Name, "%s in %s (vpc %s)", sn.Cidr, sn.Zone, vpcName)
		return nil
	}
	if have.VpcId != vpcID || have.CidrBlock != sn.Cidr || have.AvailabilityZone != sn.Zone {
		return fmt.Errorf("subnet %s: it is %s in %s (%s) and cannot change to %s in %s (vpc %s); rename it in the file to create a new one",
			sn.Name, have.CidrBlock, have.AvailabilityZone, have.VpcId, sn.Cidr, sn.Zone, vpcName)
	}
	r.subnetIDs[sn.Name] = have.SubnetId
	return r.ec2Tags("subnet", sn.Name, have.SubnetId, have.Tags, sn.Tags)
}

// vpcRef resolves a VPC reference: a name in the topology, else an id.
func (r *reconciler) vpcRef(ref string) string {
	if id, ok := r.vpcIDs[ref]; ok {
		return id
	}
	return ref
}

// subnetRef resolves a subnet reference: a name in the topology, else an id.
func (r *reconciler) subnetRef(ref string) string {
	if id, ok := r.subnetIDs[ref]; ok {
		return id
	}
	return ref
}

// deleteSubnets deletes the managed subnets the topology no longer lists.
func (r *reconciler) deleteSubnets() error {
	var keep []string
	for _, v := range r.t.Vpcs {
		keep = append(keep, names(v.Subnets, func(s SubnetSpec) string { return s.Name })...)
	}
	tags := func(s *control.Subnet) []control.Tag { return s.Tags }
	return prune(r, "subnet", r.s.Subnets, keep, tags, func(s *control.Subnet) string { return nameOf(s.Tags) },
		func(s *control.Subnet) (string, error) {
			_, err := r.s.DeleteSubnet(r.env, control.DeleteSubnetInput{SubnetId: s.SubnetId})
			return s.SubnetId, err
		})
}

// deleteVpcs deletes the managed VPCs the topology no longer lists.
func (r *reconciler) deleteVpcs() error {
	keep := names(r.t.Vpcs, func(v VpcSpec) string { return v.Name })
	tags := func(v *control.Vpc) []control.Tag { return v.Tags }
	return prune(r, "vpc", r.s.Vpcs, keep, tags, func(v *control.Vpc) string { return nameOf(v.Tags) },
		func(v *control.Vpc) (string, error) {
			_, err := r.s.DeleteVpc(r.env, control.DeleteVpcInput{VpcId: v.VpcId})
			return v.VpcId, err
		})
}
