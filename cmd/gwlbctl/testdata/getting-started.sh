#!/usr/bin/env bash
# The AWS guide "Getting started with Gateway Load Balancers using the AWS
# CLI", command for command, plus the prerequisites it assumes (a service
# provider VPC and a service consumer VPC, each with a subnet) and the
# connection acceptance a service that requires acceptance needs.
#
# It is written for the AWS CLI: run it with `aws` being gwlbctl (a symlink
# named aws, or `aws() { gwlbctl "$@"; }`) and nothing else changes.
set -euo pipefail

export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-2}
zone=${AWS_DEFAULT_REGION}a

# Prerequisites: the provider VPC (appliances) and the consumer VPC
# (application servers). Their CIDRs may overlap.
provider_vpc_id=$(aws ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text)
provider_subnet_id=$(aws ec2 create-subnet --vpc-id "$provider_vpc_id" --cidr-block 10.0.0.0/24 \
  --availability-zone "$zone" --query Subnet.SubnetId --output text)
consumer_vpc_id=$(aws ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text)
consumer_subnet_id=$(aws ec2 create-subnet --vpc-id "$consumer_vpc_id" --cidr-block 10.0.1.0/24 \
  --availability-zone "$zone" --query Subnet.SubnetId --output text)

# Step 1: Create a Gateway Load Balancer and register targets.
loadbalancer_arn=$(aws elbv2 create-load-balancer --name my-load-balancer --type gateway \
  --subnets "$provider_subnet_id" --query 'LoadBalancers[0].LoadBalancerArn' --output text)
echo "load balancer: $loadbalancer_arn"

targetgroup_arn=$(aws elbv2 create-target-group --name my-targets --protocol GENEVE --port 6081 \
  --vpc-id "$provider_vpc_id" --query 'TargetGroups[0].TargetGroupArn' --output text)
echo "target group:  $targetgroup_arn"

aws elbv2 register-targets --target-group-arn "$targetgroup_arn" \
  --targets Id=i-1234567890abcdef0 Id=i-0abcdef1234567890

aws elbv2 create-listener --load-balancer-arn "$loadbalancer_arn" \
  --default-actions Type=forward,TargetGroupArn="$targetgroup_arn"

# Step 2: Create a Gateway Load Balancer endpoint service.
service_id=$(aws ec2 create-vpc-endpoint-service-configuration \
  --gateway-load-balancer-arns "$loadbalancer_arn" --acceptance-required \
  --query ServiceConfiguration.ServiceId --output text)
service_name=$(aws ec2 describe-vpc-endpoint-service-configurations --service-ids "$service_id" \
  --query 'ServiceConfigurations[0].ServiceName' --output text)
echo "service:       $service_name"

aws ec2 modify-vpc-endpoint-service-permissions --service-id "$service_id" \
  --add-allowed-principals "arn:aws:iam::${GWLBCTL_ACCOUNT:-123456789012}:root"

# Step 3: Create a Gateway Load Balancer endpoint.
vpce_id=$(aws ec2 create-vpc-endpoint --vpc-endpoint-type GatewayLoadBalancer \
  --service-name "$service_name" --vpc-id "$consumer_vpc_id" --subnet-ids "$consumer_subnet_id" \
  --query VpcEndpoint.VpcEndpointId --output text)
echo "endpoint:      $vpce_id"

# The service requires acceptance: the provider accepts the connection.
aws ec2 describe-vpc-endpoint-connections \
  --filters Name=service-id,Values="$service_id" Name=vpc-endpoint-state,Values=pendingAcceptance
aws ec2 accept-vpc-endpoint-connections --service-id "$service_id" --vpc-endpoint-ids "$vpce_id"

# Describe what was built.
aws elbv2 describe-load-balancers --load-balancer-arns "$loadbalancer_arn"
aws elbv2 describe-listeners --load-balancer-arn "$loadbalancer_arn"
aws elbv2 describe-target-health --target-group-arn "$targetgroup_arn"
aws ec2 describe-vpc-endpoints --vpc-endpoint-ids "$vpce_id"

state=$(aws ec2 describe-vpc-endpoints --vpc-endpoint-ids "$vpce_id" --query 'VpcEndpoints[0].State' --output text)
if [ "$state" != available ]; then
  echo "endpoint $vpce_id is $state, want available" >&2
  exit 1
fi
targets=$(aws elbv2 describe-target-health --target-group-arn "$targetgroup_arn" \
  --query 'length(TargetHealthDescriptions)' --output text)
if [ "$targets" != 2 ]; then
  echo "target group has $targets targets, want 2" >&2
  exit 1
fi
echo "getting started: done"
