package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/control/atomicfile"
)

// StatsFileMode is the stats file's permission: the API socket's
// (api.SocketMode) without write, so the members of the socket's group
// (api.group) read the stats file as they read the API, and nobody else
// does.
const StatsFileMode fs.FileMode = 0o640

// statsFile writes stats.file: atomically (readers never see half a
// document), mode StatsFileMode, group the API socket's. A write that
// fails is reported once, and once more when writing works again, not
// every second.
type statsFile struct {
	gid     int // the socket's group; -1 or 0 before the API is up: the process's
	failing bool
}

func (f *statsFile) write(n *Node, doc api.Stats) {
	path := n.cfg.Stats.File
	if path == "" {
		return
	}
	err := atomicfile.WriteFunc(path, StatsFileMode, func(w io.Writer) error {
		if f.gid > 0 && f.gid != os.Getegid() {
			c, ok := w.(interface{ Chown(uid, gid int) error })
			if !ok {
				return errors.New("cannot give the stats file to the API socket's group")
			}
			if err := c.Chown(-1, f.gid); err != nil {
				return fmt.Errorf("giving it to the API socket's group %d: %w", f.gid, err)
			}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	})
	switch {
	case err != nil && !f.failing:
		f.failing = true
		msg := "the stats file cannot be written; retrying every second"
		if _, serr := os.Stat(filepath.Dir(path)); errors.Is(serr, fs.ErrNotExist) {
			msg = "the stats file's directory does not exist; create it (retrying every second)"
		}
		n.log.Warn("node: "+msg, "file", path, "err", err)
		n.events.Append(api.Event{Kind: api.EventWarning, Message: fmt.Sprintf("stats.file %s: %s: %v", path, msg, err)})
	case err == nil && f.failing:
		f.failing = false
		n.log.Info("node: the stats file is written again", "file", path)
	}
}

// fileGID is the group of a file.
func fileGID(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Gid)
	}
	return -1
}
