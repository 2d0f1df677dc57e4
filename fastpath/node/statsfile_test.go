package node

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// TestStatsFileMissingDirectoryWarnsOnce: a stats file whose directory is
// missing is reported once (log and event), not every second; once the
// directory exists the document is written, mode 0640, and the recovery
// is logged once.
func TestStatsFileMissingDirectoryWarnsOnce(t *testing.T) {
	var log bytes.Buffer
	n := &Node{log: slog.New(slog.NewTextHandler(&log, nil)), events: api.NewEventLog(0, nil)}
	dir := filepath.Join(t.TempDir(), "stats")
	n.cfg.Stats.File = filepath.Join(dir, "stats.json")
	doc := api.Stats{LoadBalancer: testLBArn, Revision: 3}
	for range 5 {
		n.stats.write(n, doc)
	}
	if c := strings.Count(log.String(), "level=WARN"); c != 1 || !strings.Contains(log.String(), "the stats file's directory does not exist") {
		t.Fatalf("%d warnings for 5 failed writes:\n%s", c, log.String())
	}
	if p := n.events.Read(0, 10); len(p.Events) != 1 || p.Events[0].Kind != api.EventWarning || !strings.Contains(p.Events[0].Message, "stats.file") {
		t.Fatalf("events %+v", p.Events)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n.stats.write(n, doc)
	n.stats.write(n, doc)
	if c := strings.Count(log.String(), "the stats file is written again"); c != 1 {
		t.Fatalf("recovery logged %d times:\n%s", c, log.String())
	}
	fi, err := os.Stat(n.cfg.Stats.File)
	if err != nil || fi.Mode().Perm() != StatsFileMode {
		t.Fatalf("stats file %v %v, want mode %v", fi, err, StatsFileMode)
	}
	var back api.Stats
	b, _ := os.ReadFile(n.cfg.Stats.File)
	if err := json.Unmarshal(b, &back); err != nil || back.LoadBalancer != testLBArn || back.Revision != 3 {
		t.Fatalf("stats file %s: %v", b, err)
	}
}
