package cmdutil

import (
	"context"
	"errors"
	"reflect"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/output"
	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// Operation is a control operation: a method expression such as
// (*control.State).CreateLoadBalancer.
type Operation[I, O any] = store.Operation[I, O]

// Run executes one AWS operation against the state file and prints its
// response. The operation runs as store.Run runs it for every front end:
// mutating operations inside one locked read-modify-write; an operation
// error leaves the file untouched. name is the API operation
// ("CreateLoadBalancer"), used in error messages and as the table title.
func Run[I, O any](ctx context.Context, o Op, name string, mutates bool, op Operation[I, O], in I) error {
	if ctx.Value(skeletonKey{}) != nil {
		// --generate-cli-skeleton output: the response's shape, printed
		// like a response; nothing is called.
		var zero O
		return Print(o, name, skeletonOf(reflect.TypeOf(zero), true, ""))
	}
	if args, ok := pagingFrom(ctx); ok && !args.manual && !args.noPaginate {
		if pg, ok := Paginators[name]; ok {
			return runPaginated(ctx, o, name, op, in, pg, args)
		}
	}
	out, err := Call(ctx, o, name, mutates, op, in)
	if err != nil {
		return err
	}
	if err := Print(o, name, out); err != nil {
		return err
	}
	return unsuccessfulErr(name, out)
}

// Call is Run without printing.
func Call[I, O any](ctx context.Context, o Op, name string, mutates bool, op Operation[I, O], in I) (*O, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg, err := o.Config()
	if err != nil {
		return nil, err
	}
	st, err := o.Store()
	if err != nil {
		return nil, stateFileError(err)
	}
	env := cfg.Env()
	env.Now = o.Now
	out, err := store.Run(st, env, name, mutates, op, in)
	if err != nil {
		var svc *control.Error
		if errors.As(err, &svc) {
			return nil, svc
		}
		return nil, stateFileError(err)
	}
	return out, nil
}

// Print renders a response with the configured format and query.
func Print(o Op, title string, v any) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	width := 0
	switch cfg.Output {
	case "table":
		// The AWS CLI fits tables to the terminal, and to 80 columns
		// when stdout is not one.
		width = o.IO.TableWidth()
	case "columns":
		width = o.IO.TerminalWidth()
	}
	err = output.Render(o.IO.Out, output.Options{Format: cfg.Output, Query: cfg.Query, Title: title, Width: width}, v)
	var qe *output.QueryError
	if errors.As(err, &qe) {
		return &FlagError{Err: err}
	}
	return err
}

// stateFileError classifies a failure to open, lock, read or write the state
// file as a configuration problem (exit 253). The store's messages already
// name the file and say what to do (restore, upgrade, fix permissions), so
// they are passed on as they are.
func stateFileError(err error) error {
	var cfgErr *ConfigError
	var flagErr *FlagError
	if errors.As(err, &cfgErr) || errors.As(err, &flagErr) || errors.Is(err, context.Canceled) {
		return err
	}
	return &ConfigError{Err: err}
}

// unsuccessfulErr turns the Unsuccessful items of an EC2 batch response into
// an error. Deviation: the AWS CLI prints them and exits 0; gwlbctl prints
// them too but exits 254 so that scripts notice (e.g. accepting an endpoint
// that is not pending).
func unsuccessfulErr(name string, out any) error {
	v := reflect.ValueOf(out)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	f := v.FieldByName("Unsuccessful")
	if !f.IsValid() {
		return nil
	}
	if u, ok := f.Interface().(control.Unsuccessful); ok {
		return u.Err(name)
	}
	if u, ok := f.Interface().([]control.UnsuccessfulItem); ok {
		return control.Unsuccessful(u).Err(name)
	}
	return nil
}
