// Package cmdutil holds what every gwlbctl command shares: the Factory of
// dependencies (streams, configuration, state store, clock), the global
// settings and their precedence, AWS-style list flags, typed errors and the
// exit-code table, and the runner that executes one control operation and
// prints its response.
package cmdutil

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/control/store"
)

// Factory carries a command's dependencies. Commands copy the funcs they
// need into their Options at construction; the funcs resolve lazily, after
// flags are parsed.
type Factory struct {
	IOStreams *IOStreams
	// Config returns the resolved global settings.
	Config func() (*Config, error)
	// Store opens the state store the configuration names (Config.State).
	Store func() (store.Store, error)
	// Now is the clock for timestamps and draining deadlines.
	Now func() time.Time
	// Sleep waits between a waiter's polls (SleepContext; tests inject
	// one that does not wait).
	Sleep func(ctx context.Context, d time.Duration) error

	// LoadConfig resolves the settings for the command being executed
	// (called once by the root's pre-run hook). Nil in tests, whose Config
	// is fixed.
	LoadConfig func(cmd *cobra.Command) error

	// StopOnSignal is set by commands whose normal way to stop is SIGINT or
	// SIGTERM (serve): the process then exits with the command's own code
	// instead of the interrupt code. Atomic: the signal goroutine reads it
	// while the command sets it.
	StopOnSignal atomic.Bool
}

var errConfigNotLoaded = errors.New("configuration not loaded (internal error: root pre-run hook did not run)")

// NewFactory returns the production factory: system streams, configuration
// from flags/env/file, the state store through openStore.
func NewFactory(openStore func(location string) (store.Store, error)) *Factory {
	f := &Factory{IOStreams: SystemIO(), Now: time.Now, Sleep: SleepContext}
	var cfg *Config
	cfgErr := errConfigNotLoaded
	f.LoadConfig = func(cmd *cobra.Command) error {
		cfg, cfgErr = LoadConfig(cmd)
		return cfgErr
	}
	f.Config = func() (*Config, error) { return cfg, cfgErr }
	f.Store = func() (store.Store, error) {
		c, err := f.Config()
		if err != nil {
			return nil, err
		}
		return openStore(c.State)
	}
	return f
}

// Op is the part of a verb's Options every AWS verb shares.
type Op struct {
	IO     *IOStreams
	Config func() (*Config, error)
	Store  func() (store.Store, error)
	Now    func() time.Time
}

// Op returns the shared dependencies for a verb's Options.
func (f *Factory) Op() Op {
	return Op{IO: f.IOStreams, Config: f.Config, Store: f.Store, Now: f.Now}
}
