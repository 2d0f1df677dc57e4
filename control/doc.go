// Package control owns gwlbctl's resource model and its operations: VPCs,
// subnets, gateway load balancers, GENEVE target groups and their targets,
// listeners, VPC endpoint services, Gateway Load Balancer endpoints and their
// connections, with AWS's identifiers, ARNs, validation rules and error codes.
//
// Every AWS action is one method on *State taking an Input struct and
// returning an Output struct whose JSON encoding is what the AWS CLI prints
// for that action (`aws elbv2 describe-load-balancers` prints
// {"LoadBalancers": [...]}, and so does DescribeLoadBalancersOutput). An
// operation validates its whole request before it changes anything, so a call
// that returns an error leaves the State exactly as it was. Persistence,
// locking and atomic replacement of the state file belong to control/store.
//
// Where gwlbctl deviates from AWS the deviation is stated next to the code
// that implements it (search for "Deviation:").
package control
