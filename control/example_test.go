package control_test

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0xab
	}
	return len(p), nil
}

// A gateway load balancer in one subnet, as `aws elbv2 create-load-balancer
// --type gateway` prints it.
func ExampleState_CreateLoadBalancer() {
	env := control.Env{Region: "us-east-1", Account: "123456789012", Rand: zeros{},
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	s := &control.State{}
	vpc, _ := s.CreateVpc(env, control.CreateVpcInput{CidrBlock: "10.0.0.0/16"})
	sn, _ := s.CreateSubnet(env, control.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a"})
	out, err := s.CreateLoadBalancer(env, control.CreateLoadBalancerInput{Name: "my-gwlb", Type: "gateway", Subnets: []string{sn.Subnet.SubnetId}})
	if err != nil {
		fmt.Println(err)
		return
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "    ")
	enc.Encode(out)
	_, err = s.CreateLoadBalancer(env, control.CreateLoadBalancerInput{Name: "my-gwlb", Type: "gateway", Subnets: []string{"subnet-0123456789abcdef0"}})
	fmt.Println(err)
	// Output:
	// {
	//     "LoadBalancers": [
	//         {
	//             "LoadBalancerArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/my-gwlb/abababababababab",
	//             "DNSName": "my-gwlb-abababababababab.elb.us-east-1.amazonaws.com",
	//             "CanonicalHostedZoneId": "Z26RNL4JYFTOTI",
	//             "CreatedTime": "2026-01-02T03:04:05+00:00",
	//             "LoadBalancerName": "my-gwlb",
	//             "VpcId": "vpc-0abababababababab",
	//             "State": {
	//                 "Code": "active"
	//             },
	//             "Type": "gateway",
	//             "AvailabilityZones": [
	//                 {
	//                     "ZoneName": "us-east-1a",
	//                     "SubnetId": "subnet-0abababababababab"
	//                 }
	//             ],
	//             "IpAddressType": "ipv4"
	//         }
	//     ]
	// }
	// An error occurred (SubnetNotFound) when calling the CreateLoadBalancer operation: The subnet ID 'subnet-0123456789abcdef0' is not valid (create it with 'ec2 create-subnet' or list them with 'ec2 describe-subnets')
}
