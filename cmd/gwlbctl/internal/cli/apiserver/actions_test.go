package apiserver

import (
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/ec2"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/elbv2"
	"github.com/gwlbctl/gwlbctl/control/awsapi"
)

// cliOnly are the CLI's verbs that are no API action: the AWS CLI's own
// commands, which it runs as API calls of other actions.
var cliOnly = []string{"wait"}

// actionName is the API action of a CLI verb, as the AWS CLI derives the
// verb from the action (create-load-balancer: CreateLoadBalancer).
func actionName(verb string) string {
	var b strings.Builder
	for _, w := range strings.Split(verb, "-") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// TestEveryCLIVerbIsAnAction: the API serves exactly the CLI's elbv2 and
// ec2 verbs, so that neither can gain an operation the other lacks.
func TestEveryCLIVerbIsAnAction(t *testing.T) {
	f := clitest.New(t).Factory
	groups := map[string]*cobra.Command{
		"elbv2": elbv2.NewCmdELBv2(f),
		"ec2":   ec2.NewCmdEC2(f),
	}
	served := map[string]bool{}
	for _, a := range awsapi.Actions() {
		served[a.Service+" "+a.Name] = true
	}
	verbs := map[string]bool{}
	for service, g := range groups {
		for _, c := range g.Commands() {
			if slices.Contains(cliOnly, c.Name()) || c.Name() == "help" || c.Name() == "completion" {
				continue
			}
			name := service + " " + actionName(c.Name())
			verbs[name] = true
			if !served[name] {
				t.Errorf("the CLI has %s %s but the API has no action %s: add it to control/awsapi's actionTable and run go generate ./control/awsapi",
					service, c.Name(), name)
			}
		}
	}
	for name := range served {
		if !verbs[name] {
			t.Errorf("the API serves %s, which no CLI verb runs", name)
		}
	}
}

// TestActionName: the verb-to-action spelling the test above relies on.
func TestActionName(t *testing.T) {
	for verb, want := range map[string]string{
		"create-load-balancer":                         "CreateLoadBalancer",
		"describe-vpc-endpoint-service-configurations": "DescribeVpcEndpointServiceConfigurations",
		"replace-route-table-association":              "ReplaceRouteTableAssociation",
		"add-tags":                                     "AddTags",
	} {
		if got := actionName(verb); got != want {
			t.Errorf("actionName(%q) = %q, want %q", verb, got, want)
		}
	}
}
