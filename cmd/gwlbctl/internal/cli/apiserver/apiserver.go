// Package apiserver implements `gwlbctl api-server`: the AWS API itself
// (the Query protocol of ELBv2 and EC2, control/awsapi) over the state
// store every gwlbctl command uses, for the AWS CLI's --endpoint-url, the
// SDKs' endpoint overrides and Terraform's AWS provider.
package apiserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control/awsapi"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// DefaultListen is LocalStack's address, so existing endpoint overrides
// (http://localhost:4566) work unchanged.
const DefaultListen = "127.0.0.1:4566"

// Options are api-server's inputs.
type Options struct {
	IO     *cmdutil.IOStreams
	Config func() (*cmdutil.Config, error)
	Store  func() (store.Store, error)
	Now    func() time.Time

	Listen          string
	AllowRemote     bool
	AccessKeyID     string
	SecretAccessKey string
	LogRequests     bool
	MaxBodyBytes    int64

	// StopOnSignal is told that SIGINT/SIGTERM is the server's normal
	// stop, so the process exits 0 after a clean shutdown.
	StopOnSignal func()
	// Listening, when set, is called with the address served (tests).
	Listening func(addr string)
}

// setting is one of api-server's own settings: its flag, environment
// variable (GWLBCTL_ + the flag in upper case, '-' as '_') and default.
type setting struct {
	flag, help string
	def        any
}

var settings = []setting{
	{"listen", "address to listen on (host:port); loopback only unless --allow-remote", DefaultListen},
	{"allow-remote", "allow a non-loopback --listen address: anyone who reaches it can change the state, so set credentials too", false},
	{"access-key-id", "verify SigV4 signatures against this access key id (with --secret-access-key; prefer the environment)", ""},
	{"secret-access-key", "secret access key of --access-key-id (prefer GWLBCTL_SECRET_ACCESS_KEY: flags are visible in ps)", ""},
	{"log-requests", "log every request (action, status, error code, duration) to stderr; 5xx answers are always logged", false},
	{"max-body-bytes", "largest request body accepted (larger: 413 RequestEntityTooLarge)", int64(awsapi.DefaultMaxBodyBytes)},
}

func envName(flag string) string {
	return "GWLBCTL_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// NewCmdAPIServer returns `gwlbctl api-server`. runF replaces the run
// function in tests (nil: serve).
func NewCmdAPIServer(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Config: f.Config, Store: f.Store, Now: f.Now,
		StopOnSignal: func() { f.StopOnSignal.Store(true) }}
	cmd := &cobra.Command{
		Use:   "api-server",
		Short: "Serve the AWS API (ELBv2 and EC2 Query protocol) for the AWS CLI, SDKs and Terraform",
		Long: `Serve the AWS API itself: the Query protocol of Elastic Load Balancing v2
(API version 2015-12-01) and EC2 (2016-11-15), for every action the elbv2 and
ec2 commands have, over the same operations and the same locked state file.
Point any AWS client at it:

  aws --endpoint-url http://127.0.0.1:4566 elbv2 describe-load-balancers

A request acts in the region of its signature's credential scope (unsigned:
--region) and in --account. Signatures are accepted and not verified unless
credentials are given (--access-key-id and --secret-access-key, or
GWLBCTL_ACCESS_KEY_ID and GWLBCTL_SECRET_ACCESS_KEY): then every request must
be signed with them (SigV4 Authorization header).

It listens on loopback only: the API changes the whole state, and has no
authorization beyond the optional signature check. --allow-remote lifts that.
Every flag also reads GWLBCTL_<FLAG> (e.g. GWLBCTL_LISTEN).`,
		Example: `  gwlbctl api-server
  gwlbctl --state /tmp/gwlb.json api-server --listen 127.0.0.1:0
  GWLBCTL_ACCESS_KEY_ID=AKIDEXAMPLE GWLBCTL_SECRET_ACCESS_KEY=secret gwlbctl api-server`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := viper.New()
			for _, s := range settings {
				if err := v.BindPFlag(s.flag, cmd.Flags().Lookup(s.flag)); err != nil {
					return err
				}
				if err := v.BindEnv(s.flag, envName(s.flag)); err != nil {
					return err
				}
			}
			opts.Listen = v.GetString("listen")
			opts.AllowRemote = v.GetBool("allow-remote")
			opts.AccessKeyID = v.GetString("access-key-id")
			opts.SecretAccessKey = v.GetString("secret-access-key")
			opts.LogRequests = v.GetBool("log-requests")
			opts.MaxBodyBytes = v.GetInt64("max-body-bytes")
			if err := opts.Validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	for _, s := range settings {
		help := s.help + " (env " + envName(s.flag) + ")"
		switch d := s.def.(type) {
		case string:
			cmd.Flags().String(s.flag, d, help)
		case bool:
			cmd.Flags().Bool(s.flag, d, help)
		case int64:
			cmd.Flags().Int64(s.flag, d, help)
		}
	}
	return cmd
}

// Validate checks the options: a loopback address unless AllowRemote,
// credentials in pairs, a positive body cap.
func (o *Options) Validate() error {
	if err := checkListen(o.Listen, o.AllowRemote); err != nil {
		return &cmdutil.FlagError{Err: err}
	}
	if (o.AccessKeyID == "") != (o.SecretAccessKey == "") {
		return cmdutil.FlagErrorf("--access-key-id and --secret-access-key go together (or GWLBCTL_ACCESS_KEY_ID and GWLBCTL_SECRET_ACCESS_KEY): give both to verify signatures, neither to accept them unverified")
	}
	if o.MaxBodyBytes <= 0 {
		return cmdutil.FlagErrorf("argument --max-body-bytes: %d is not a positive number of bytes", o.MaxBodyBytes)
	}
	return nil
}

// checkListen refuses an address that is not loopback unless allowRemote:
// the API can change the whole state, and verifies at most a signature.
func checkListen(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("argument --listen: %q is not host:port (%v); e.g. %s", addr, err, DefaultListen)
	}
	if allowRemote {
		return nil
	}
	loopback := false
	if host == "localhost" {
		loopback = true
	} else if ip, err := netip.ParseAddr(host); err == nil {
		loopback = ip.IsLoopback()
	}
	if !loopback {
		return fmt.Errorf("argument --listen: %s is not a loopback address; the AWS API can change the whole state and checks nothing but an optional signature, so it listens on loopback (127.0.0.1, ::1, localhost) only. Give --allow-remote to listen on %s anyway, with --access-key-id/--secret-access-key so that only signed requests are served", addr, host)
	}
	return nil
}

// Run serves until ctx is done, then shuts down, letting requests in
// flight finish.
func Run(ctx context.Context, o *Options) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	st, err := o.Store()
	if err != nil {
		return err
	}
	var creds *awsapi.Credentials
	if o.AccessKeyID != "" {
		creds = &awsapi.Credentials{AccessKeyID: o.AccessKeyID, SecretAccessKey: o.SecretAccessKey}
	}
	h, err := awsapi.New(awsapi.Config{
		Store: st, Region: cfg.Region, Account: cfg.Account, Now: o.Now,
		Credentials: creds, MaxBodyBytes: o.MaxBodyBytes,
		Log: requestLogger(o.IO.ErrOut, o.LogRequests),
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return &cmdutil.ConfigError{Err: fmt.Errorf("api-server: %w", err), Hint: "Pick another address with --listen (port 0: any free port)."}
	}
	if o.StopOnSignal != nil {
		o.StopOnSignal()
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	verify := "accepted, not verified"
	if creds != nil {
		verify = "verified against access key " + creds.AccessKeyID
	}
	fmt.Fprintf(o.IO.ErrOut, "gwlbctl api-server: listening on http://%s (state %s, region %s for unsigned requests, account %s; signatures %s)\n",
		ln.Addr(), st.Describe(), cfg.Region, cfg.Account, verify)
	if o.Listening != nil {
		o.Listening(ln.Addr().String())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("api-server: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("api-server: shutting down: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("api-server: %w", err)
	}
	fmt.Fprintln(o.IO.ErrOut, "gwlbctl api-server: stopped")
	return nil
}

// requestLogger logs every request when all is set, else the 5xx ones.
func requestLogger(w io.Writer, all bool) func(awsapi.RequestLog) {
	return func(l awsapi.RequestLog) {
		if !all && l.Status < 500 {
			return
		}
		msg := ""
		if l.Code != "" {
			msg = " " + l.Code + ": " + l.Message
		}
		fmt.Fprintf(w, "api-server: %s %s %s %d %s%s\n", l.RequestID, l.Service, l.Action, l.Status, l.Duration.Round(time.Microsecond), msg)
	}
}
