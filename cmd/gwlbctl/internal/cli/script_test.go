package cli

import (
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// testdata is cmd/gwlbctl/testdata.
var testdata = filepath.Join("..", "..", "testdata")

// scriptEnv gives every script its own state file and no user config.
func scriptEnv(env *testscript.Env) error {
	work := env.Getenv("WORK")
	env.Setenv("HOME", work)
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(work, ".config"))
	env.Setenv("XDG_STATE_HOME", filepath.Join(work, ".state"))
	env.Setenv("GWLBCTL_STATE", filepath.Join(work, "state.json"))
	env.Setenv("COLUMNS", "200")
	return nil
}

// scriptCmds are the commands txtar scripts get besides testscript's own:
//
//	capture NAME        set $NAME to the last command's stdout, trimmed
//	capturejson NAME    set $NAME to the JSON string the last command printed
//	exits CODE PROG ... run PROG and require exit status CODE
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"capture": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: capture NAME")
		}
		ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile("stdout")))
	},
	"capturejson": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: capturejson NAME")
		}
		var v string
		ts.Check(json.Unmarshal([]byte(ts.ReadFile("stdout")), &v))
		ts.Setenv(args[0], v)
	},
	"exits": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 2 {
			ts.Fatalf("usage: exits CODE PROG [ARGS...]")
		}
		want, err := strconv.Atoi(args[0])
		ts.Check(err)
		err = ts.Exec(args[1], args[2:]...)
		got := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			got = ee.ExitCode()
		} else if err != nil {
			ts.Fatalf("%s: %v", args[1], err)
		}
		if got != want {
			ts.Fatalf("%s exited %d, want %d", args[1], got, want)
		}
	},
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:   filepath.Join(testdata, "script"),
		Setup: scriptEnv,
		Cmds:  scriptCmds,
	})
}
