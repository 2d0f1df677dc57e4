// Package store owns gwlbctl's state file: where it lives, its JSON format
// (schema version, revision, the control.State), locking between processes,
// and atomic replacement so that a reader or a crash never sees a
// half-written file.
//
// Every change runs as lock -> read -> fn -> write temp -> fsync -> rename
// -> fsync dir -> unlock. The lock is an flock(2) on a sibling file
// (state.json.lock), so concurrent gwlbctl processes serialize their
// updates and none is lost. Readers take no lock: rename(2) replaces the
// file atomically, so a reader sees either the old or the new content.
package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/gwlbctl/gwlbctl/control"
)

// SchemaVersion is the version of the state file format this build writes.
// Older versions are migrated on read; newer ones are refused.
const SchemaVersion = 1

// Errors a caller can test for with errors.Is.
var (
	// ErrNewerSchema: the file was written by a newer gwlbctl. It is left
	// untouched.
	ErrNewerSchema = errors.New("state file has a newer schema version")
	// ErrCorrupt: the file is not a valid state file. It is left untouched.
	ErrCorrupt = errors.New("state file is corrupted")
	// ErrSkipWrite, returned by an Update function, ends the update without
	// writing (nothing changed); Update then returns nil and the revision
	// stays, so watchers do not reload for nothing.
	ErrSkipWrite = errors.New("nothing to write")
)

// file is the on-disk document: a header followed by the state's fields.
type file struct {
	SchemaVersion int                `json:"schemaVersion"`
	Revision      uint64             `json:"revision"`
	UpdatedAt     *control.Timestamp `json:"updatedAt,omitempty"`
	*control.State
}

// header is decoded first, so a newer schema is recognized before the body
// is interpreted.
type header struct {
	SchemaVersion *int   `json:"schemaVersion"`
	Revision      uint64 `json:"revision"`
}

// Store is a state file at a path. It holds no open files between calls, so
// one Store may be used from many goroutines.
type Store struct {
	path string
	// Now stamps updatedAt; tests may replace it.
	Now func() time.Time
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

// Open returns the store for path. It creates nothing: a missing file is an
// empty state, and the directory is made (0700) by the first Update.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("state file path is empty")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("state file path %q: %w", path, err)
	}
	// Writes replace the file by rename; through a symlink that would
	// replace the link itself, so work on the file it points to.
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return nil, fmt.Errorf("state file %s is a symlink that cannot be followed: %w", abs, err)
		}
		abs = target
	}
	return &Store{path: abs, Now: time.Now}, nil
}

// Path is the state file's absolute path.
func (s *Store) Path() string { return s.path }

// Dir is the directory holding the state file; a watcher (fsnotify) watches
// it, because each write replaces the file by rename.
func (s *Store) Dir() string { return filepath.Dir(s.path) }

// LockPath is the sibling file updates flock.
func (s *Store) LockPath() string { return s.path + ".lock" }

// load reads and decodes the state file. A missing file is an empty state
// at revision 0.
func (s *Store) load() (*control.State, uint64, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return &control.State{}, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read state file %s: %w (check its permissions, or point --state/GWLBCTL_STATE elsewhere)", s.path, err)
	}
	return decode(s.path, b)
}

func decode(path string, b []byte) (*control.State, uint64, error) {
	corrupt := func(why error) error {
		return fmt.Errorf("%w: %s: %v; the file was left as it is: restore it from a backup, or move it aside to start from an empty state", ErrCorrupt, path, why)
	}
	var h header
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, 0, corrupt(err)
	}
	if h.SchemaVersion == nil {
		return nil, 0, corrupt(errors.New("no schemaVersion field"))
	}
	switch v := *h.SchemaVersion; {
	case v > SchemaVersion:
		return nil, 0, fmt.Errorf("%w: %s has schema version %d, this gwlbctl understands up to %d; upgrade gwlbctl (the file was not changed)", ErrNewerSchema, path, v, SchemaVersion)
	case v < 1:
		return nil, 0, corrupt(fmt.Errorf("schema version %d is not valid", v))
	}
	f := file{State: &control.State{}}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		return nil, 0, corrupt(err)
	}
	if dec.More() {
		return nil, 0, corrupt(errors.New("trailing data after the JSON document"))
	}
	if err := f.State.Check(); err != nil {
		return nil, 0, corrupt(err)
	}
	return f.State, f.Revision, nil
}

// View calls fn with the current state. Changes fn makes are discarded.
func (s *Store) View(fn func(*control.State) error) error {
	st, _, err := s.load()
	if err != nil {
		return err
	}
	return fn(st)
}

// Snapshot returns the current state and its revision.
func (s *Store) Snapshot() (*control.State, uint64, error) { return s.load() }

// Revision returns the revision of the file on disk (0 when missing). It
// decodes only the header, so a watcher can poll it cheaply.
func (s *Store) Revision() (uint64, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("cannot read state file %s: %w", s.path, err)
	}
	var h header
	if err := json.Unmarshal(b, &h); err != nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrCorrupt, s.path, err)
	}
	return h.Revision, nil
}

// Update runs fn on the current state under an exclusive lock and, when fn
// returns nil, writes the result as the next revision. When fn returns an
// error nothing is written and that error is returned as is (a
// *control.Error stays one).
func (s *Store) Update(fn func(*control.State) error) error {
	_, err := s.UpdateRevision(fn)
	return err
}

// UpdateRevision is Update that also returns the revision written.
func (s *Store) UpdateRevision(fn func(*control.State) error) (uint64, error) {
	dir := s.Dir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("cannot create state directory %s: %w (give --state or GWLBCTL_STATE a writable path)", dir, err)
	}
	lock := flock.New(s.LockPath(), flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	if err := lock.Lock(); err != nil {
		return 0, fmt.Errorf("cannot lock state file %s: %w", s.LockPath(), err)
	}
	defer lock.Unlock()

	s.removeStaleTemps()
	st, rev, err := s.load()
	if err != nil {
		return 0, err
	}
	if err := fn(st); err != nil {
		if errors.Is(err, ErrSkipWrite) {
			return rev, nil
		}
		return 0, err
	}
	rev++
	ts := control.NewTimestamp(s.Now())
	b, err := json.MarshalIndent(file{SchemaVersion: SchemaVersion, Revision: rev, UpdatedAt: &ts, State: st}, "", "  ")
	if err != nil {
		return 0, fmt.Errorf("encoding state: %w", err)
	}
	b = append(b, '\n')
	if err := writeAtomic(s.path, b); err != nil {
		return 0, err
	}
	return rev, nil
}

// removeStaleTemps deletes temporary files a killed writer left behind.
// It runs under the lock, so no live writer owns one of them.
func (s *Store) removeStaleTemps() {
	matches, _ := filepath.Glob(filepath.Join(s.Dir(), "."+filepath.Base(s.path)+".tmp-*"))
	for _, m := range matches {
		os.Remove(m)
	}
}

// writeAtomic replaces path with b: temp file in the same directory, fsync,
// rename over path, fsync the directory so the rename itself is durable.
func writeAtomic(path string, b []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot create a temporary file in %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if _, err = tmp.Write(b); err != nil {
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp.Name(), err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening %s to fsync: %w", dir, err)
	}
	defer d.Close()
	if err = d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}
