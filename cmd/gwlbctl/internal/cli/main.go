// Package cli is gwlbctl's command line: Main (signals, the process exit
// code), the root command that gathers the top-level commands (`elbv2`,
// `ec2`, `apply`, `serve`, `appliance`, each in its own package), the
// production opener of the state store, and the printing of errors the way
// the AWS CLI words them. What the commands share (the factory, the global
// settings and their precedence, the exit-code table) is in cmdutil.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// StopDeadline bounds the clean stop of serve and appliance after the
// first SIGINT or SIGTERM.
const StopDeadline = 10 * time.Second

// Main runs the command line and returns the process exit code (see the
// exit-code table in package cmdutil).
func Main() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := cmdutil.NewFactory(openStore)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	interrupted := make(chan struct{})
	go func() {
		sig, ok := <-sigs
		if !ok {
			return
		}
		close(interrupted)
		cancel()
		code := cmdutil.ExitInterrupt // 130, as the AWS CLI on Ctrl-C
		if sig == syscall.SIGTERM {
			code = 128 + int(syscall.SIGTERM)
		}
		if !f.StopOnSignal.Load() {
			// Control-plane commands stop at once, even while waiting for
			// the state file lock: every write is a temp file renamed into
			// place, so stopping anywhere leaves the old or the new state.
			os.Exit(code)
		}
		// serve and appliance stop cleanly on the first signal. A second
		// one is ignored: process managers and timeout(1) send SIGTERM
		// twice, and the clean stop (final stats, sockets removed) must
		// not be cut short. A third one, or a stop that takes longer than
		// StopDeadline, leaves at once.
		deadline := time.NewTimer(StopDeadline)
		defer deadline.Stop()
		for n := 1; ; {
			select {
			case _, ok := <-sigs:
				if !ok {
					return
				}
				if n++; n >= 3 {
					os.Exit(code)
				}
				fmt.Fprintln(f.IOStreams.ErrOut, "gwlbctl: stopping cleanly; a third signal stops at once")
			case <-deadline.C:
				fmt.Fprintf(f.IOStreams.ErrOut, "gwlbctl: no clean stop within %v of the signal; stopping at once\n", StopDeadline)
				os.Exit(code)
			}
		}
	}()

	code := Run(ctx, f, os.Args[1:])
	select {
	case <-interrupted:
		if f.StopOnSignal.Load() {
			return code
		}
		return cmdutil.ExitInterrupt
	default:
		return code
	}
}

// Run executes one command line with f and returns its exit code, printing
// errors to f's stderr. Tests call it in-process.
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	root := NewCmdRoot(f)
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	expanded, err := cmdutil.ExpandListArgs(root, args)
	if err != nil {
		PrintError(f.IOStreams.ErrOut, root, err)
		return cmdutil.ExitCode(err)
	}
	root.SetArgs(expanded)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil {
		PrintError(f.IOStreams.ErrOut, cmd, err)
	}
	return cmdutil.ExitCode(err)
}

// PrintError prints err the way the AWS CLI would: service errors as
// "An error occurred (Code) when calling the X operation: ...", usage errors
// with the usage hint, and everything else as a plain message.
func PrintError(w io.Writer, cmd *cobra.Command, err error) {
	var svc *control.Error
	var flagErr *cmdutil.FlagError
	var cfgErr *cmdutil.ConfigError
	switch {
	case errors.Is(err, cmdutil.ErrSilent):
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(w, "\ninterrupted")
	case errors.As(err, &svc):
		// err, not svc: apply prefixes the resource the error is about.
		fmt.Fprintf(w, "\n%s\n", err.Error())
	case errors.As(err, &flagErr):
		path := "gwlbctl"
		if cmd != nil {
			path = cmd.CommandPath()
		}
		fmt.Fprintf(w, "\nusage: gwlbctl [options] <command> <subcommand> [parameters]\n"+
			"To see help text, you can run:\n\n"+
			"  gwlbctl --help\n"+
			"  gwlbctl <command> --help\n"+
			"  %s --help\n\n"+
			"%s: error: %s\n", path, path, flagErr.Error())
	case errors.As(err, &cfgErr):
		fmt.Fprintf(w, "\n%s\n", cfgErr.Error())
	default:
		fmt.Fprintf(w, "\n%s\n", err.Error())
	}
}
