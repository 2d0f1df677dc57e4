package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gofrs/flock"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/atomicfile"
)

// SchemaVersion is the version of the state file format this build writes.
// Older versions are migrated on read; newer ones are refused.
const SchemaVersion = 1

// Modes of what the file store creates: the state is the account's whole
// configuration, readable by its owner only.
const (
	fileMode fs.FileMode = 0o600
	dirMode  fs.FileMode = 0o700
)

// header is decoded first, so a newer schema is recognized before the body
// is interpreted.
type header struct {
	SchemaVersion *int   `json:"schemaVersion"`
	Revision      uint64 `json:"revision"`
}

// body is the on-disk document decoded as a whole: the header followed by
// the state's fields.
type body struct {
	SchemaVersion int                `json:"schemaVersion"`
	Revision      uint64             `json:"revision"`
	UpdatedAt     *control.Timestamp `json:"updatedAt,omitempty"`
	*control.State
}

// File is the state file backend. It holds no open files between calls, so
// one File may be used from many goroutines; its fields are set before use.
type File struct {
	path string
	// Now stamps updatedAt; tests may replace it.
	Now func() time.Time
	// WatchPoll is how often Watch also checks the file without a
	// notification (a missed event, a file system without inotify); 0
	// means one second.
	WatchPoll time.Duration
	// WatchSettle is how long Watch waits after a notification before
	// reading, so a burst of events (temp written, synced, renamed) costs
	// one read; and how long a vanished file may stay away (an editor
	// saving by delete and create) before ErrDeleted is reported. 0 means
	// 20 ms.
	WatchSettle time.Duration

	// writeHook, when set (by this package's tests), is called in the
	// middle of writing the temporary file ("mid-write") and after its
	// last byte, before the sync and the rename ("before-rename").
	writeHook func(point string)
}

var _ Store = (*File)(nil)

// OpenFile returns the file store at path. It creates nothing: a missing
// file is an empty state, and the directory is made (0700) by the first
// Update.
func OpenFile(path string) (*File, error) {
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
	return &File{path: abs, Now: time.Now}, nil
}

// Path is the state file's absolute path.
func (s *File) Path() string { return s.path }

// Describe is the state file's path.
func (s *File) Describe() string { return s.path }

// Dir is the directory holding the state file.
func (s *File) Dir() string { return filepath.Dir(s.path) }

// LockPath is the sibling file updates flock.
func (s *File) LockPath() string { return s.path + ".lock" }

// read returns the file's bytes; exists is false when there is no file.
func (s *File) read() (b []byte, exists bool, err error) {
	b, err = os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cannot read state file %s: %w (check its permissions, or point --state/GWLBCTL_STATE elsewhere)", s.path, err)
	}
	return b, true, nil
}

// load reads and decodes the state file. A missing file is an empty state
// at the zero Version. The digest is computed when withDigest is set.
func (s *File) load(withDigest bool) (*control.State, Version, error) {
	b, exists, err := s.read()
	if err != nil || !exists {
		return &control.State{}, Version{}, err
	}
	st, rev, err := decode(s.path, b)
	if err != nil {
		return nil, Version{}, err
	}
	v := Version{Revision: rev}
	if withDigest {
		v.Digest = digest(b)
	}
	return st, v, nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// fileRestoreHint is what to do about a bad state file.
const fileRestoreHint = "the file was left as it is: restore it from a backup, or move it aside to start from an empty state"

func decode(path string, b []byte) (*control.State, uint64, error) {
	return decodeDoc(path, fileRestoreHint, b)
}

// decodeDoc decodes a state document, from a file or another backend:
// name says where it is and restoreHint what to do when it is corrupted.
func decodeDoc(name, restoreHint string, b []byte) (*control.State, uint64, error) {
	path := name
	corrupt := func(why error) error {
		return fmt.Errorf("%w: %s: %v; %s", ErrCorrupt, path, why, restoreHint)
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
		return nil, 0, fmt.Errorf("%w: %s has schema version %d, this gwlbctl understands up to %d; upgrade gwlbctl (it was not changed)", ErrNewerSchema, path, v, SchemaVersion)
	case v < 1:
		return nil, 0, corrupt(fmt.Errorf("schema version %d is not valid", v))
	}
	f := body{State: &control.State{}}
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

// encode builds the document for st at rev: the header fields, then the
// state's, indented as json.MarshalIndent would. state is st's compact
// encoding, which Update already has.
func encode(state []byte, rev uint64, updatedAt control.Timestamp) ([]byte, error) {
	ts, err := json.Marshal(updatedAt)
	if err != nil {
		return nil, err
	}
	doc := make([]byte, 0, len(state)+80)
	doc = append(doc, `{"schemaVersion":`...)
	doc = strconv.AppendInt(doc, SchemaVersion, 10)
	doc = append(doc, `,"revision":`...)
	doc = strconv.AppendUint(doc, rev, 10)
	doc = append(doc, `,"updatedAt":`...)
	doc = append(doc, ts...)
	if len(state) < 2 || state[0] != '{' || state[len(state)-1] != '}' {
		return nil, fmt.Errorf("state encodes as %.20q, not a JSON object", state)
	}
	if inner := state[1 : len(state)-1]; len(inner) > 0 {
		doc = append(doc, ',')
		doc = append(doc, inner...)
	}
	doc = append(doc, '}')
	var out bytes.Buffer
	out.Grow(len(doc) * 5 / 4)
	if err := json.Indent(&out, doc, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// View calls fn with the current state. Changes fn makes are discarded.
func (s *File) View(fn func(*control.State) error) error {
	st, _, err := s.load(false)
	if err != nil {
		return err
	}
	return fn(st)
}

// Snapshot returns the current state and its version.
func (s *File) Snapshot() (*control.State, Version, error) { return s.load(true) }

// Update runs fn on the current state under the file's lock and, when fn
// returns nil and changed the state, writes the result as the next
// revision. See Store.Update.
func (s *File) Update(fn func(*control.State) error) (uint64, error) {
	dir := s.Dir()
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return 0, fmt.Errorf("cannot create state directory %s: %w (give --state or GWLBCTL_STATE a writable path)", dir, err)
	}
	lock := flock.New(s.LockPath(), flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(fileMode))
	if err := lock.Lock(); err != nil {
		return 0, fmt.Errorf("cannot lock state file %s: %w", s.LockPath(), err)
	}
	defer lock.Unlock()

	s.removeStaleTemps()
	st, ver, err := s.load(false)
	if err != nil {
		return 0, err
	}
	doc, rev, err := change(st, ver, s.Now(), fn)
	if err != nil || doc == nil {
		return rev, err
	}
	if err := atomicfile.WriteFunc(s.path, fileMode, s.writeDoc(doc)); err != nil {
		return 0, err
	}
	return rev, nil
}

// change runs fn on st, the state at version ver, and returns the document
// to store as revision ver.Revision+1, stamped now. When fn leaves the state
// as it was, doc is nil and rev is ver.Revision: nothing is written (see
// Store.Update). Both backends' Update use it.
func change(st *control.State, ver Version, now time.Time, fn func(*control.State) error) (doc []byte, rev uint64, err error) {
	before, err := json.Marshal(st)
	if err != nil {
		return nil, 0, fmt.Errorf("encoding state: %w", err)
	}
	if err := fn(st); err != nil {
		return nil, 0, err
	}
	after, err := json.Marshal(st)
	if err != nil {
		return nil, 0, fmt.Errorf("encoding state: %w", err)
	}
	if bytes.Equal(before, after) {
		return nil, ver.Revision, nil
	}
	rev = ver.Revision + 1
	doc, err = encode(after, rev, control.NewTimestamp(now))
	if err != nil {
		return nil, 0, fmt.Errorf("encoding state: %w", err)
	}
	return doc, rev, nil
}

// writeDoc writes doc, calling the test hook at its points.
func (s *File) writeDoc(doc []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		if s.writeHook == nil {
			_, err := w.Write(doc)
			return err
		}
		half := len(doc) / 2
		if _, err := w.Write(doc[:half]); err != nil {
			return err
		}
		s.writeHook("mid-write")
		if _, err := w.Write(doc[half:]); err != nil {
			return err
		}
		s.writeHook("before-rename")
		return nil
	}
}

// removeStaleTemps deletes temporary files a killed writer left behind.
// It runs under the lock, so no live writer owns one of them.
func (s *File) removeStaleTemps() {
	matches, _ := filepath.Glob(atomicfile.TempPattern(s.path))
	for _, m := range matches {
		os.Remove(m)
	}
}
