package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
)

// shellWords splits an example command line the way a POSIX shell would for
// the quoting the examples use: single and double quotes, backslash escapes.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				t.Fatalf("unterminated ' in %q", line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			j := strings.IndexByte(line[i+1:], '"')
			if j < 0 {
				t.Fatalf("unterminated \" in %q", line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			inWord = true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// exampleCommands returns the command lines of an Example text, joining
// lines continued with a backslash.
func exampleCommands(example string) []string {
	var cmds []string
	var cur string
	for _, line := range strings.Split(example, "\n") {
		line = strings.TrimSpace(line)
		if cont, ok := strings.CutSuffix(line, "\\"); ok {
			cur += cont
			continue
		}
		cur += line
		if strings.HasPrefix(cur, "gwlbctl ") {
			cmds = append(cmds, cur)
		}
		cur = ""
	}
	return cmds
}

func leafCommands(c *cobra.Command) []*cobra.Command {
	if !c.HasSubCommands() {
		return []*cobra.Command{c}
	}
	var out []*cobra.Command
	for _, sub := range c.Commands() {
		out = append(out, leafCommands(sub)...)
	}
	return out
}

// TestEveryVerbHasRunnableExamples: each elbv2/ec2 verb and apply has an
// Example, and every example is a command line gwlbctl accepts (flags,
// values and --query parse; running it may still fail with an AWS error
// code because the example's ARNs are not in the state file).
func TestEveryVerbHasRunnableExamples(t *testing.T) {
	root := NewCmdRoot(clitest.New(t).Factory)
	var verbs []*cobra.Command
	for _, c := range root.Commands() {
		switch c.Name() {
		case "elbv2", "ec2", "apply":
			verbs = append(verbs, leafCommands(c)...)
		}
	}
	if len(verbs) < 40 {
		t.Fatalf("found %d verbs, want every elbv2/ec2 verb", len(verbs))
	}
	repo, err := filepath.Abs(filepath.Join("..", "..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(repo) // examples name configs/topology.yaml
	for _, verb := range verbs {
		t.Run(verb.CommandPath(), func(t *testing.T) {
			cmds := exampleCommands(verb.Example)
			if len(cmds) == 0 {
				t.Fatalf("%s has no example", verb.CommandPath())
			}
			for _, line := range cmds {
				e := clitest.New(t)
				e.Seed()
				t.Setenv("GWLBCTL_STATE", e.StatePath)
				io, _, _, errOut := cmdutil.TestIO()
				f := cmdutil.NewFactory(openStore)
				f.IOStreams = io
				// A waiter's example polls without waiting; one whose
				// condition the seeded state never meets runs out of
				// attempts, which is how it ends on AWS too.
				f.Sleep = func(context.Context, time.Duration) error { return nil }
				t.Setenv("GWLBCTL_CONFIG", "")
				t.Setenv("XDG_CONFIG_HOME", t.TempDir())
				args := shellWords(t, line)[1:]
				code := Run(context.Background(), f, args)
				waiterTimedOut := verb.Parent().Name() == "wait" && code == cmdutil.ExitError && strings.Contains(errOut.String(), "Waiter ")
				if code != cmdutil.ExitOK && code != cmdutil.ExitService && !waiterTimedOut {
					t.Errorf("example %q exited %d:\n%s", line, code, errOut)
				}
			}
		})
	}
}
