package store

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// DefaultEtcdPrefix is the key prefix of a location that names none
// (etcd://host:2379).
const DefaultEtcdPrefix = "/gwlbctl"

// DefaultEtcdDialTimeout bounds each request to etcd, connecting included,
// when the location does not set dial-timeout.
const DefaultEtcdDialTimeout = 5 * time.Second

// defaultEtcdPort is etcd's client port, taken when an endpoint names none.
const defaultEtcdPort = "2379"

// etcdLocation is a parsed etcd://... or etcds://... location.
type etcdLocation struct {
	Endpoints []string // host:port
	Prefix    string   // "/gwlbctl": no trailing slash
	TLS       bool
	CAFile    string
	CertFile  string
	KeyFile   string
	User      string
	Password  string
	// DialTimeout bounds every request, connecting included.
	DialTimeout time.Duration
}

// EtcdOption is one setting of an etcd location: a query parameter
// (etcd://host:2379/prefix?NAME=VALUE) or, when the location does not give
// it, an environment variable. The README's table lists the same.
type EtcdOption struct {
	Query string
	Env   string
	Usage string
	set   func(l *etcdLocation, v string) error
}

// EtcdOptions are the settings an etcd location takes. The location's query
// parameter wins over the environment variable.
var EtcdOptions = []EtcdOption{
	{Query: "tls", Env: "GWLBCTL_ETCD_TLS", Usage: "true: connect with TLS (the same as etcds://); implied by ca-file, cert-file and key-file",
		set: func(l *etcdLocation, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("want true or false, not %q", v)
			}
			l.TLS = l.TLS || b
			return nil
		}},
	{Query: "ca-file", Env: "GWLBCTL_ETCD_CA_FILE", Usage: "PEM file of the CA that signed etcd's server certificate (default: the system's roots)",
		set: func(l *etcdLocation, v string) error { l.CAFile, l.TLS = v, true; return nil }},
	{Query: "cert-file", Env: "GWLBCTL_ETCD_CERT_FILE", Usage: "PEM client certificate, for etcd's --client-cert-auth (with key-file)",
		set: func(l *etcdLocation, v string) error { l.CertFile, l.TLS = v, true; return nil }},
	{Query: "key-file", Env: "GWLBCTL_ETCD_KEY_FILE", Usage: "PEM private key of cert-file",
		set: func(l *etcdLocation, v string) error { l.KeyFile, l.TLS = v, true; return nil }},
	{Query: "user", Env: "GWLBCTL_ETCD_USER", Usage: "etcd user name, when etcd's authentication is enabled",
		set: func(l *etcdLocation, v string) error { l.User = v; return nil }},
	{Query: "password", Env: "GWLBCTL_ETCD_PASSWORD", Usage: "the user's password (prefer the environment variable: a location may be seen in a process list); never printed",
		set: func(l *etcdLocation, v string) error { l.Password = v; return nil }},
	{Query: "dial-timeout", Env: "GWLBCTL_ETCD_DIAL_TIMEOUT", Usage: "bound on each request to etcd, connecting included (a Go duration: 500ms, 5s; default 5s)",
		set: func(l *etcdLocation, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("want a positive duration such as 5s or 500ms, not %q", v)
			}
			l.DialTimeout = d
			return nil
		}},
}

// parseEtcdLocation parses etcd://HOST[:PORT][,HOST[:PORT]...][/PREFIX][?OPTIONS]
// (etcds:// for TLS), then fills what the query left unset from the
// GWLBCTL_ETCD_* environment. Its errors never quote the password.
func parseEtcdLocation(location string) (etcdLocation, error) {
	scheme, rest, ok := strings.Cut(location, "://")
	if !ok {
		return etcdLocation{}, errors.New("an etcd location is etcd://HOST:PORT[,HOST:PORT...]/PREFIX")
	}
	if !strings.EqualFold(scheme, "etcd") && !strings.EqualFold(scheme, "etcds") {
		return etcdLocation{}, errors.New("an etcd location starts with etcd:// (or etcds:// for TLS)")
	}
	l := etcdLocation{TLS: strings.EqualFold(scheme, "etcds")}
	rest, query, _ := strings.Cut(rest, "?")
	hosts, path, _ := strings.Cut(rest, "/")
	if strings.Contains(hosts, "@") {
		return etcdLocation{}, errors.New("user names and passwords do not go before the host: give ?user= and GWLBCTL_ETCD_PASSWORD")
	}
	for h := range strings.SplitSeq(hosts, ",") {
		ep, err := etcdEndpoint(h)
		if err != nil {
			return etcdLocation{}, err
		}
		l.Endpoints = append(l.Endpoints, ep)
	}

	l.Prefix = DefaultEtcdPrefix
	if path = strings.TrimSuffix(path, "/"); path != "" {
		for seg := range strings.SplitSeq(path, "/") {
			if seg == "" || seg == "." || seg == ".." {
				return etcdLocation{}, fmt.Errorf("key prefix /%s: empty, . and .. path elements are not allowed", path)
			}
		}
		l.Prefix = "/" + path
	}

	given := map[string]bool{}
	if query != "" {
		for kv := range strings.SplitSeq(query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			opt := etcdOption(k)
			if opt == nil {
				return etcdLocation{}, fmt.Errorf("unknown option %q after '?' (known: %s)", k, etcdOptionNames())
			}
			uv, err := url.QueryUnescape(v)
			if err != nil {
				return etcdLocation{}, fmt.Errorf("option %s: the value is not URL-encoded properly", k)
			}
			if err := opt.set(&l, uv); err != nil {
				return etcdLocation{}, fmt.Errorf("option %s: %w", k, redact(err, opt))
			}
			given[k] = true
		}
	}
	for _, opt := range EtcdOptions {
		if given[opt.Query] {
			continue
		}
		if v := os.Getenv(opt.Env); v != "" {
			if err := opt.set(&l, v); err != nil {
				return etcdLocation{}, fmt.Errorf("%s: %w", opt.Env, redact(err, &opt))
			}
		}
	}
	if l.DialTimeout == 0 {
		l.DialTimeout = DefaultEtcdDialTimeout
	}
	if (l.CertFile == "") != (l.KeyFile == "") {
		return etcdLocation{}, errors.New("cert-file and key-file go together: give both or neither")
	}
	if l.Password != "" && l.User == "" {
		return etcdLocation{}, errors.New("a password without a user: give ?user= (or GWLBCTL_ETCD_USER) too")
	}
	return l, nil
}

// etcdEndpoint checks one HOST[:PORT] and adds the default port.
func etcdEndpoint(h string) (string, error) {
	if h == "" {
		return "", errors.New("no etcd endpoint: give HOST:PORT after etcd:// (several separated by commas)")
	}
	host, port, err := net.SplitHostPort(h)
	if err != nil {
		// No port (a bare host, or a bracketed IPv6 address).
		host, port = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), defaultEtcdPort
		if strings.ContainsAny(host, "[]") || (strings.Contains(host, ":") && !strings.HasPrefix(h, "[")) {
			return "", fmt.Errorf("endpoint %q: want HOST:PORT ([ADDR]:PORT for IPv6)", h)
		}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("endpoint %q: port %q is not a number from 1 to 65535", h, port)
	}
	if host == "" {
		return "", fmt.Errorf("endpoint %q: no host", h)
	}
	return net.JoinHostPort(host, port), nil
}

func etcdOption(query string) *EtcdOption {
	for i := range EtcdOptions {
		if EtcdOptions[i].Query == query {
			return &EtcdOptions[i]
		}
	}
	return nil
}

func etcdOptionNames() string {
	names := make([]string, len(EtcdOptions))
	for i, o := range EtcdOptions {
		names[i] = o.Query
	}
	return strings.Join(names, ", ")
}

// redact keeps a bad password out of an error (no setter fails on one
// today; this keeps it so).
func redact(err error, opt *EtcdOption) error {
	if opt.Query == "password" {
		return errors.New("not accepted")
	}
	return err
}

// describe is the location without its options: etcd://h1:2379,h2:2379/prefix.
func (l etcdLocation) describe() string {
	scheme := "etcd"
	if l.TLS {
		scheme = "etcds"
	}
	return scheme + "://" + strings.Join(l.Endpoints, ",") + l.Prefix
}

// key is where the state document lives.
func (l etcdLocation) key(name string) string { return l.Prefix + "/" + name }
