package cmdutil

import (
	"context"
	"errors"
	"fmt"

	"github.com/gwlbctl/gwlbctl/control"
)

// Exit codes. They follow the AWS CLI v2's return codes so that scripts
// written for `aws` keep their error handling.
const (
	ExitOK        = 0   // success
	ExitInterrupt = 130 // interrupted by SIGINT
	ExitUsage     = 252 // bad command line: unknown/missing/invalid flags or values
	ExitConfig    = 253 // bad configuration or state file: unreadable, corrupt, newer schema
	ExitService   = 254 // the operation was refused: an AWS error code (control.Error)
	ExitError     = 255 // anything else
)

// FlagError is a usage error: the command line itself is wrong.
type FlagError struct{ Err error }

func (e *FlagError) Error() string { return e.Err.Error() }
func (e *FlagError) Unwrap() error { return e.Err }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, a ...any) error {
	return &FlagError{Err: fmt.Errorf(format, a...)}
}

// ConfigError is a problem with the configuration or the state file: the
// command was fine but its environment is not. Hint says what to do.
type ConfigError struct {
	Err  error
	Hint string
}

func (e *ConfigError) Error() string {
	if e.Hint == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + "\n" + e.Hint
}
func (e *ConfigError) Unwrap() error { return e.Err }

// ErrSilent means the command already reported its failure; exit non-zero
// without printing anything more.
var ErrSilent = errors.New("silent error")

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var flagErr *FlagError
	var cfgErr *ConfigError
	var svcErr *control.Error
	switch {
	case errors.Is(err, context.Canceled):
		return ExitInterrupt
	case errors.As(err, &svcErr):
		return ExitService
	case errors.As(err, &flagErr):
		return ExitUsage
	case errors.As(err, &cfgErr):
		return ExitConfig
	default:
		return ExitError
	}
}
