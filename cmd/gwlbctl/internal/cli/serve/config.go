package serve

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/fastpath/node"
)

// GlobalState is the global state setting and the layer it came from.
type GlobalState struct {
	Location string
	Source   cmdutil.Source
}

// envPrefix is shared by every gwlbctl setting: GWLBCTL_LOAD_BALANCER,
// GWLBCTL_APPLIANCE_ADDRESS, ...
const envPrefix = "GWLBCTL"

// setting declares one node config key once: its flag, default and help.
// The env variable is derived from the key (GWLBCTL_ + upper case, '.' and
// '-' as '_').
type setting struct {
	key, flag, help string
	def             any
}

var settings = []setting{
	{"load-balancer", "load-balancer", "gateway load balancer this node serves (ARN or name)", ""},
	{"availability-zone", "availability-zone", "availability zone of this node (e.g. us-east-1a)", ""},
	{"node.id", "node-id", "id of this node among the nodes sharing its store; keys its view of target health in the state (default: the host name)", ""},
	{"node.lease-ttl", "lease-ttl", "lease of the node's registration in an etcd store: a dead node is listed this long", node.DefaultLeaseTTL},
	{"eal.args", "eal-args", "DPDK EAL arguments, space separated (default \"" + strings.Join(node.DefaultEALArgs, " ") + "\")", ""},
	{"eal.workers", "workers", "forwarding workers, each on its own worker lcore of --eal-args: 0 (one per worker lcore) up to " + strconv.Itoa(node.MaxWorkers), 0},
	{"eal.mbuf-count", "mbuf-count", "packet buffers in the pool (0: DPDK layer default)", 0},
	{"eal.mbuf-data-room", "mbuf-data-room", "bytes per packet buffer, headroom included (0: what the largest port MTU needs, at least 2176)", 0},
	{"appliance.device", "appliance-device", "DPDK device of the appliance port (e.g. net_af_packet0,iface=eth1)", ""},
	{"appliance.address", "appliance-address", "node IPv4 address/prefix on the appliance network", ""},
	{"appliance.gateway", "appliance-gateway", "optional gateway towards targets outside the node's subnet", ""},
	{"appliance.mac", "appliance-mac", "MAC of the appliance port and exception TAP (default: the device's)", ""},
	{"appliance.mtu", "appliance-mtu", "MTU of the appliance port (0: keep the device's); inner packets beyond it minus 68 are dropped as too_big", 0},
	{"appliance.tap", "tap", "kernel TAP interface of the exception path (empty: none)", node.DefaultTAP},
	{"flows.capacity", "flow-capacity", "flows per worker flow table", node.DefaultFlowCapacity},
	{"stats.interval", "stats-interval", "interval of the stats log line (0: off)", node.DefaultStatsInterval},
	{"stats.file", "stats-file", "write the stats document (GET /stats) to this file every second and at exit (mode 0640)", ""},
	{"api.socket", "api-socket", "unix socket of the node API and /metrics (mode 0660; empty: off)", api.DefaultSocket},
	{"api.group", "api-group", "group of the API socket and the stats file (default: the serving user's)", ""},
	{"metrics.listen", "metrics-listen", "also serve /metrics on this TCP address (a port alone: loopback; empty: off)", ""},
}

// endpointFlag attaches endpoints from the command line, replacing the
// file's list: --endpoint 'vpce-...=DEVICE_A;DEVICE_B'.
const endpointFlag = "endpoint"

// addConfigFlags declares every setting's flag on fs.
func addConfigFlags(fs *pflag.FlagSet) {
	for _, s := range settings {
		switch d := s.def.(type) {
		case string:
			fs.String(s.flag, d, s.help)
		case int:
			fs.Int(s.flag, d, s.help)
		case time.Duration:
			fs.Duration(s.flag, d, s.help)
		default:
			panic(fmt.Sprintf("serve: setting %s has unsupported default %T", s.key, s.def))
		}
	}
	fs.StringArray(endpointFlag, nil, "attach an endpoint: 'vpce-ID=DEVICE_A;DEVICE_B' (bump mode; repeatable; replaces the file's endpoints)")
}

// loadConfig builds the node config from, in increasing precedence: the
// defaults, the config file, GWLBCTL_* environment variables and flags.
//
// The state file is not a node setting: it is gwlbctl's global state
// setting (cmdutil.Config.State, resolved once for every verb: --state >
// GWLBCTL_STATE > config file > default path). The node config file's
// state key counts as a config file, above the global one: it is used
// unless --state or GWLBCTL_STATE is given.
func loadConfig(fs *pflag.FlagSet, file string, state GlobalState) (node.Config, error) {
	var cfg node.Config
	v := viper.New()
	for _, s := range settings {
		if err := v.BindPFlag(s.key, fs.Lookup(s.flag)); err != nil {
			return cfg, fmt.Errorf("binding flag --%s: %w", s.flag, err)
		}
		if err := v.BindEnv(s.key, envName(s.key)); err != nil {
			return cfg, fmt.Errorf("binding %s: %w", envName(s.key), err)
		}
	}
	if file != "" {
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			var nf viper.ConfigFileNotFoundError
			if errors.As(err, &nf) || os.IsNotExist(err) || errors.Is(err, os.ErrNotExist) {
				return cfg, fmt.Errorf("node config %s: file not found; pass an existing file with --node-config (see configs/node.yaml)", file)
			}
			return cfg, fmt.Errorf("node config %s: %w", file, err)
		}
	}

	// Values from env/flags are strings; EAL arguments are a list split on
	// white space, the only []string setting.
	hook := mapstructure.ComposeDecodeHookFunc(
		mapstructure.StringToTimeDurationHookFunc(),
		func(from, to reflect.Type, data any) (any, error) {
			if from.Kind() == reflect.String && to == reflect.TypeOf([]string(nil)) {
				return strings.Fields(data.(string)), nil
			}
			return data, nil
		},
	)
	if err := v.UnmarshalExact(&cfg, viper.DecodeHook(hook)); err != nil {
		return cfg, fmt.Errorf("node config: %w (keys are listed in configs/node.yaml)", err)
	}

	if f := fs.Lookup(endpointFlag); f != nil && f.Changed {
		list, _ := fs.GetStringArray(endpointFlag)
		eps, err := parseEndpoints(list, "--"+endpointFlag)
		if err != nil {
			return cfg, err
		}
		cfg.Endpoints = eps
	} else if s, ok := os.LookupEnv(envName("endpoints")); ok && s != "" {
		eps, err := parseEndpoints(strings.Fields(s), envName("endpoints"))
		if err != nil {
			return cfg, err
		}
		cfg.Endpoints = eps
	}
	if cfg.State == "" || state.Source >= cmdutil.SourceEnv {
		cfg.State = state.Location
	}
	if len(cfg.EAL.Args) == 0 {
		cfg.EAL.Args = append([]string(nil), node.DefaultEALArgs...)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// parseEndpoints reads 'vpce-ID=DEVICE_A;DEVICE_B' items. Devices carry
// commas (devargs), hence ';' between the two sides.
func parseEndpoints(items []string, source string) ([]node.EndpointPorts, error) {
	var eps []node.EndpointPorts
	for _, it := range items {
		id, devs, ok := strings.Cut(it, "=")
		a, b, ok2 := strings.Cut(devs, ";")
		if !ok || !ok2 || id == "" || a == "" || b == "" {
			return nil, fmt.Errorf("%s %q: want 'vpce-ID=DEVICE_A;DEVICE_B', e.g. 'vpce-0123456789abcdef0=net_af_packet1,iface=eth2;net_af_packet2,iface=eth3'", source, it)
		}
		eps = append(eps, node.EndpointPorts{ID: id, Mode: node.ModeBump, SideA: a, SideB: b})
	}
	return eps, nil
}

func envName(key string) string {
	return envPrefix + "_" + strings.NewReplacer(".", "_", "-", "_").Replace(strings.ToUpper(key))
}
