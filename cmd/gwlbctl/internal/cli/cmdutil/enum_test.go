package cmdutil

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func enumCmd(got *string) *cobra.Command {
	cmd := &cobra.Command{Use: "paint", RunE: func(*cobra.Command, []string) error { return nil }}
	EnumFlag(cmd, got, "color", "red", "paint color", "red", "green", "blue")
	cmd.SetFlagErrorFunc(FlagErrorFunc)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd
}

func TestEnumFlag(t *testing.T) {
	var got string
	cmd := enumCmd(&got)
	if got != "red" {
		t.Fatalf("default %q", got)
	}
	if f := cmd.Flags().Lookup("color"); !strings.Contains(f.Usage, "paint color: red|green|blue") || strings.Join(Choices(f), ",") != "red,green,blue" {
		t.Fatalf("usage %q, choices %q", f.Usage, Choices(f))
	}
	cmd.SetArgs([]string{"--color", "green"})
	if err := cmd.Execute(); err != nil || got != "green" {
		t.Fatalf("valid choice: %q, %v", got, err)
	}

	cmd = enumCmd(&got)
	cmd.SetArgs([]string{"--color", "mauve"})
	err := cmd.Execute()
	if ExitCode(err) != ExitUsage || err.Error() != `argument --color: Invalid choice "mauve", valid choices are: red | green | blue` {
		t.Fatalf("bad choice: %v (exit %d)", err, ExitCode(err))
	}

	comp, ok := cmd.GetFlagCompletionFunc("color")
	if !ok {
		t.Fatal("no completion for --color")
	}
	if vals, dir := comp(cmd, nil, ""); strings.Join(vals, ",") != "red,green,blue" || dir != cobra.ShellCompDirectiveNoFileComp {
		t.Fatalf("completion %q %v", vals, dir)
	}
}

// A choice given through --cli-input-json is checked the same way.
func TestEnumFlagThroughInputJSON(t *testing.T) {
	var in struct{ Color string }
	cmd := enumCmd(&in.Color)
	InputJSON(cmd, &in)
	cmd.SetArgs([]string{"--cli-input-json", `{"Color": "mauve"}`})
	err := cmd.Execute()
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), `argument --cli-input-json: Color: Invalid choice "mauve", valid choices are: red | green | blue`) {
		t.Fatalf("bad choice in JSON: %v", err)
	}
}

func TestEnumFlagRefusesADefaultOutsideItsChoices(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a default that is not a choice")
		}
	}()
	var s string
	EnumFlag(&cobra.Command{Use: "x"}, &s, "color", "mauve", "", "red")
}
