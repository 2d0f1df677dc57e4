#!/usr/bin/env bash
# The AWS guide "Getting started with Gateway Load Balancers using the AWS
# CLI" (docs.aws.amazon.com/elasticloadbalancing/latest/gateway/
# getting-started-cli.html), command for command, plus the prerequisites it
# assumes (a service provider VPC and a service consumer VPC with an
# internet gateway, an endpoint subnet and an application subnet) and the
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
application_subnet_id=$(aws ec2 create-subnet --vpc-id "$consumer_vpc_id" --cidr-block 10.0.2.0/24 \
  --availability-zone "$zone" --query Subnet.SubnetId --output text)
igw_id=$(aws ec2 create-internet-gateway --query InternetGateway.InternetGatewayId --output text)
aws ec2 attach-internet-gateway --internet-gateway-id "$igw_id" --vpc-id "$consumer_vpc_id"
aws ec2 wait vpc-available --vpc-ids "$provider_vpc_id" "$consumer_vpc_id"
aws ec2 wait subnet-available --subnet-ids "$provider_subnet_id" "$consumer_subnet_id" "$application_subnet_id"

# Step 1: Create a Gateway Load Balancer and register targets.
loadbalancer_arn=$(aws elbv2 create-load-balancer --name my-load-balancer --type gateway \
  --subnets "$provider_subnet_id" --query 'LoadBalancers[0].LoadBalancerArn' --output text)
echo "load balancer: $loadbalancer_arn"
aws elbv2 wait load-balancer-available --load-balancer-arns "$loadbalancer_arn"

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

# Step 4: Configure routing. The application subnet's default route goes to
# the endpoint; the endpoint subnet's to the internet gateway; and the
# gateway's route table (an edge association) sends traffic for the
# application subnet to the endpoint.
app_rtb=$(aws ec2 create-route-table --vpc-id "$consumer_vpc_id" --query RouteTable.RouteTableId --output text)
aws ec2 create-route --route-table-id "$app_rtb" --destination-cidr-block 0.0.0.0/0 --vpc-endpoint-id "$vpce_id"
aws ec2 associate-route-table --route-table-id "$app_rtb" --subnet-id "$application_subnet_id"
endpoint_rtb=$(aws ec2 create-route-table --vpc-id "$consumer_vpc_id" --query RouteTable.RouteTableId --output text)
aws ec2 create-route --route-table-id "$endpoint_rtb" --destination-cidr-block 0.0.0.0/0 --gateway-id "$igw_id"
aws ec2 associate-route-table --route-table-id "$endpoint_rtb" --subnet-id "$consumer_subnet_id"
igw_rtb=$(aws ec2 create-route-table --vpc-id "$consumer_vpc_id" --query RouteTable.RouteTableId --output text)
aws ec2 create-route --route-table-id "$igw_rtb" --destination-cidr-block 10.0.2.0/24 --vpc-endpoint-id "$vpce_id"
aws ec2 associate-route-table --route-table-id "$igw_rtb" --gateway-id "$igw_id"

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
via=$(aws ec2 describe-route-tables --filters Name=association.subnet-id,Values="$application_subnet_id" \
  --query 'RouteTables[0].Routes[?DestinationCidrBlock==`0.0.0.0/0`].GatewayId' --output text)
if [ "$via" != "$vpce_id" ]; then
  echo "the application subnet routes 0.0.0.0/0 to $via, want $vpce_id" >&2
  exit 1
fi
edge=$(aws ec2 describe-route-tables --filters Name=association.gateway-id,Values="$igw_id" \
  --query 'RouteTables[0].Routes[?DestinationCidrBlock==`10.0.2.0/24`].GatewayId' --output text)
if [ "$edge" != "$vpce_id" ]; then
  echo "the gateway routes the application subnet to $edge, want $vpce_id" >&2
  exit 1
fi
echo "getting started: done"
