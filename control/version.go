package control

import "runtime/debug"

// BuildVersion is the module version and VCS revision the running binary
// was built from ("(unknown)" without build information): what
// `gwlbctl --version` prints and a node reports in its API, metrics and
// registration.
func BuildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}
