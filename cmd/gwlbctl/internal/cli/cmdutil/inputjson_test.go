package cmdutil

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestFlagName(t *testing.T) {
	for member, flag := range map[string]string{
		"Name": "name", "LoadBalancerArn": "load-balancer-arn", "VpcId": "vpc-id", "DNSName": "dns-name",
		"HealthCheckIntervalSeconds": "health-check-interval-seconds", "SubnetIds": "subnet-ids",
		"GatewayLoadBalancerArns": "gateway-load-balancer-arns", "IpAddressType": "ip-address-type",
	} {
		if got := FlagName(member); got != flag {
			t.Errorf("FlagName(%q) = %q, want %q", member, got, flag)
		}
	}
}

type skeletonInput struct {
	Name    string   `json:"Name"`
	Port    *int     `json:"Port,omitempty"`
	Enabled *bool    `json:"Enabled,omitempty"`
	Subnets []string `json:"Subnets,omitempty"`
	Tags    []struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	} `json:"Tags,omitempty"`
}

func TestGenerateCLISkeleton(t *testing.T) {
	var in skeletonInput
	ran := false
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { ran = true; return nil }}
	InputJSON(cmd, &in)
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--generate-cli-skeleton"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := `{
    "Name": "",
    "Port": 0,
    "Enabled": true,
    "Subnets": [
        ""
    ],
    "Tags": [
        {
            "Key": "",
            "Value": ""
        }
    ]
}
`
	if out.String() != want {
		t.Errorf("skeleton:\n%s\nwant:\n%s", out.String(), want)
	}
	if ran {
		t.Error("--generate-cli-skeleton ran the command")
	}
}

func TestCLIInputJSONErrors(t *testing.T) {
	for args, want := range map[string]string{
		`{"Name": 1`:                  "invalid JSON",
		`{"Colour":"x"}`:              `unknown parameter "Colour"`,
		"file:///nonexistent/in.json": "reading parameter file",
	} {
		cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
		var name string
		cmd.Flags().StringVar(&name, "name", "", "")
		InputJSON(cmd, &struct{ Name string }{})
		cmd.SetArgs([]string{"--cli-input-json", args})
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		if ExitCode(err) != ExitUsage || err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--cli-input-json %s: err = %v, want a usage error containing %q", args, err, want)
		}
	}
}
