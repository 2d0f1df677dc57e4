// Package store is the seam between gwlbctl's control plane and where its
// state lives. Every caller (the elbv2/ec2 verbs, apply, serve) goes
// through the Store interface; Open picks the backend from a location.
//
// The backends:
//
//   - a state file (the default): a plain path or file://PATH. JSON with a
//     schema version and a revision; every change runs as lock (flock on
//     PATH.lock) -> read -> fn -> write temp -> fsync -> rename -> fsync dir
//     -> unlock, so concurrent gwlbctl processes never lose an update and a
//     crash never leaves a half-written file. Readers take no lock: rename(2)
//     replaces the file atomically. A corrupted file or one from a newer
//     gwlbctl is refused and never overwritten.
//   - etcd://HOST:PORT[,HOST:PORT...]/PREFIX (etcds:// for TLS): the shared
//     store of several nodes. The same document under PREFIX/state; every
//     change is a read, fn, then a compare-and-swap on the key's etcd
//     revision, retried on conflict (see Etcd).
//
// A new backend implements Store and takes one entry in the backends table
// of Open; no caller changes.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gwlbctl/gwlbctl/control"
)

// Store holds the control-plane state. Implementations are safe for use by
// many goroutines, and by many processes at once.
type Store interface {
	// View calls fn with the current state. Changes fn makes are discarded.
	View(fn func(*control.State) error) error
	// Update runs fn on the current state as one transaction and saves the
	// result as the next revision, which it returns: the file runs fn once
	// under its exclusive lock; etcd runs it optimistically and, when
	// another writer saved first, again on the new state (only the last
	// run is saved, so fn must keep its results in variables it
	// overwrites). When fn
	// returns an error nothing is saved and the error is returned as is (a
	// *control.Error stays one). When fn leaves the state unchanged
	// (compared by encoding) nothing is saved either and the current
	// revision is returned: watchers do not reload for nothing.
	Update(fn func(*control.State) error) (uint64, error)
	// Snapshot returns the current state and its version.
	Snapshot() (*control.State, Version, error)
	// Watch calls fn with the current state, then with every change,
	// until ctx is done (it then returns nil); it returns an error only
	// when it cannot watch at all. fn runs on Watch's goroutine, one call
	// at a time; changes that land while it runs coalesce (each call
	// carries the latest content). Every backend follows these rules:
	//
	//   - The first call carries the current state as Snapshot returns it
	//     (the empty state at the zero Version when the store holds
	//     nothing yet), or the error reading it.
	//   - A change is new content, compared by digest: content replaced
	//     without a new revision (a restored backup) is delivered with its
	//     Version; the same content written again is not a change.
	//   - State that existed and is gone is delivered as an error matching
	//     ErrDeleted, never as an empty state; when it comes back it is
	//     delivered.
	//   - Other errors (ErrCorrupt, ErrNewerSchema, a read error) are
	//     delivered once per bad content, and the state that follows an
	//     error is always delivered, even when it equals the last good
	//     one, so the caller learns the cause is fixed. Keeping the last
	//     good state meanwhile is the caller's choice.
	Watch(ctx context.Context, fn func(Event)) error
	// Describe names the store for messages: the state file's path, or
	// the backend's location.
	Describe() string
}

// Version identifies a state's content. Revision goes up by one per saved
// change; Digest is the SHA-256 (hex) of the stored document, so content
// that changed without a new revision (a backup restored over the file) is
// a different version too. The zero Version is the empty state of a store
// that holds nothing yet.
type Version struct {
	Revision uint64
	Digest   string
}

func (v Version) String() string {
	d := v.Digest
	if len(d) > 12 {
		d = d[:12]
	}
	if d == "" {
		d = "none"
	}
	return fmt.Sprintf("revision %d (sha256 %s)", v.Revision, d)
}

// Event is one delivery of Watch: a state and its version, or an error.
type Event struct {
	// State is nil when Err is set.
	State   *control.State
	Version Version
	// Err says why the current state cannot be read: ErrDeleted,
	// ErrCorrupt, ErrNewerSchema (test with errors.Is), a read error or a
	// failure of the watch itself. The watch goes on: the next good
	// state is delivered when the cause is fixed. What to keep meanwhile
	// (the last good state, usually) is the caller's choice.
	Err error
}

// Errors a caller can test for with errors.Is.
var (
	// ErrNewerSchema: the file was written by a newer gwlbctl. It is left
	// untouched.
	ErrNewerSchema = errors.New("state file has a newer schema version")
	// ErrCorrupt: the file is not a valid state file. It is left untouched.
	ErrCorrupt = errors.New("state file is corrupted")
	// ErrDeleted: a watched state file that existed is gone (deleted, or
	// moved away). Watch reports it instead of an empty state, which would
	// look like every resource had been deleted.
	ErrDeleted = errors.New("state file was deleted or moved")
	// ErrUnsupported: the location names a backend this build does not have.
	ErrUnsupported = errors.New("state store not supported by this build")
)

// backends maps a location's scheme to the function that opens it. A plain
// path has the scheme "file".
var backends = map[string]func(location, rest string) (Store, error){
	"file":  func(_, path string) (Store, error) { return OpenFile(path) },
	"etcd":  func(location, _ string) (Store, error) { return OpenEtcd(location) },
	"etcds": func(location, _ string) (Store, error) { return OpenEtcd(location) },
}

// Open returns the store at location: a path or file://PATH for a state
// file, etcd://... or etcds://... for etcd (see OpenEtcd).
func Open(location string) (Store, error) {
	if location == "" {
		return nil, errors.New("state store location is empty: give a state file path (--state, GWLBCTL_STATE)")
	}
	scheme, rest := "file", location
	if s, r, ok := strings.Cut(location, "://"); ok && isScheme(s) {
		scheme, rest = strings.ToLower(s), r
	}
	open, ok := backends[scheme]
	if !ok {
		names := make([]string, 0, len(backends))
		for k := range backends {
			names = append(names, k+"://")
		}
		slices.Sort(names)
		return nil, fmt.Errorf("%w: %s: unknown scheme %q (known: a path, %s)", ErrUnsupported, location, scheme, strings.Join(names, ", "))
	}
	return open(location, rest)
}

// isScheme reports whether s is a URL scheme (RFC 3986: a letter, then
// letters, digits, '+', '-', '.'), so that a path such as "./a://b" stays a
// path.
func isScheme(s string) bool {
	if s == "" || !('a' <= s[0]|0x20 && s[0]|0x20 <= 'z') {
		return false
	}
	for _, c := range []byte(s) {
		ok := 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}

// DefaultPath is $XDG_STATE_HOME/gwlbctl/state.json, or
// $HOME/.local/state/gwlbctl/state.json when XDG_STATE_HOME is unset.
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "gwlbctl", "state.json"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", fmt.Errorf("cannot find the default state file: neither XDG_STATE_HOME nor HOME is set; give --state or GWLBCTL_STATE: %w", err)
	}
	return filepath.Join(home, ".local", "state", "gwlbctl", "state.json"), nil
}
