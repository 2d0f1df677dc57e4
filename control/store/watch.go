package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/gwlbctl/gwlbctl/control"
)

// Watch delivers the state and its changes as Store.Watch says: the file
// is compared by its SHA-256, and a file deleted or moved away (after
// WatchSettle, see below) is ErrDeleted.
//
// It watches the state file's directory (writes replace the
// file by rename, and editors replace it by rename or by delete and
// create, which a watch on the file itself would lose). A directory that
// does not exist yet is waited for: its nearest existing parent is watched
// until it appears; a directory removed while watched is waited for the
// same way. WatchSettle delays each read after a notification so a burst of
// events costs one read, and gives a vanished file that long to come back
// (an editor's delete and create) before ErrDeleted; every WatchPoll the
// file is read and compared without a notification too.
func (s *File) Watch(ctx context.Context, fn func(Event)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching %s: %w", s.Dir(), err)
	}
	defer w.Close()
	poll, settle := s.WatchPoll, s.WatchSettle
	if poll <= 0 {
		poll = time.Second
	}
	if settle <= 0 {
		settle = 20 * time.Millisecond
	}
	wt := &fileWatch{s: s, w: w, fn: fn}
	wt.rewatch()
	wt.check(true)

	tick := time.NewTicker(poll)
	defer tick.Stop()
	var settleC <-chan time.Time
	arm := func() {
		if settleC == nil {
			settleC = time.After(settle)
		}
	}
	for {
		if wt.deletePending {
			arm()
		}
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return fmt.Errorf("watching %s: the watcher closed", s.Dir())
			}
			if wt.relevant(ev) {
				arm()
			}
		case err, ok := <-w.Errors:
			if !ok {
				return fmt.Errorf("watching %s: the watcher closed", s.Dir())
			}
			if !errors.Is(err, fsnotify.ErrEventOverflow) {
				wt.deliver("watch-error:"+err.Error(), Event{Err: fmt.Errorf("watching %s: %w", wt.watched, err)})
			}
			// Events may have been lost: look again.
			arm()
		case <-settleC:
			settleC = nil
			wt.rewatch()
			wt.check(false)
		case <-tick.C:
			wt.rewatch()
			wt.check(false)
		}
	}
}

// fileWatch is the state of one Watch call.
type fileWatch struct {
	s  *File
	w  *fsnotify.Watcher
	fn func(Event)
	// watched is the directory being watched: the state file's, or its
	// nearest existing parent while it does not exist.
	watched string
	// last identifies what was delivered last: the content's digest, or
	// the error, so that nothing is delivered twice.
	last string
	// seen: the file has existed during this watch (or at its start), so
	// its absence is a deletion.
	seen bool
	// deletePending: the file was found missing once; it is reported
	// deleted if still missing at the next check.
	deletePending bool
}

// rewatch makes sure the state file's directory is watched, or its nearest
// existing parent while it is missing.
func (fw *fileWatch) rewatch() {
	dir := fw.s.Dir()
	if fw.watched != "" && slices.Contains(fw.w.WatchList(), fw.watched) {
		if fw.watched == dir || !isDir(dir) {
			return
		}
	}
	if err := fw.w.Add(dir); err == nil {
		if fw.watched != "" && fw.watched != dir {
			_ = fw.w.Remove(fw.watched)
		}
		fw.watched = dir
		return
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		if isDir(p) {
			if fw.watched != "" && fw.watched != p {
				_ = fw.w.Remove(fw.watched)
			}
			if err := fw.w.Add(p); err == nil {
				fw.watched = p
			} else {
				fw.watched = "" // the poll keeps trying
			}
			return
		}
		if p == filepath.Dir(p) {
			fw.watched = ""
			return
		}
	}
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// relevant reports whether an event may concern the state file: the file
// itself, its directory, or (while the directory is missing) a directory
// on the way to it.
func (fw *fileWatch) relevant(ev fsnotify.Event) bool {
	dir := fw.s.Dir()
	switch {
	case ev.Name == fw.s.path:
		return true
	case ev.Name == dir:
		return true
	case fw.watched != dir && strings.HasPrefix(dir, ev.Name+string(filepath.Separator)):
		return true
	}
	return false
}

// check reads the file and delivers what changed.
func (fw *fileWatch) check(first bool) {
	s := fw.s
	b, exists, err := s.read()
	switch {
	case err != nil:
		fw.deletePending = false
		fw.deliver("read-error:"+err.Error(), Event{Err: err})
	case !exists && first:
		fw.deliver("absent", Event{State: &control.State{}})
	case !exists && !fw.seen:
		// Never existed: still the empty state already delivered.
	case !exists && !fw.deletePending:
		fw.deletePending = true // give it WatchSettle to come back
	case !exists:
		fw.deletePending = false
		fw.deliver("deleted", Event{Err: &deletedError{path: s.path}})
	default:
		fw.seen, fw.deletePending = true, false
		d := digest(b)
		if fw.last == "content:"+d {
			return
		}
		st, rev, err := decode(s.path, b)
		if err != nil {
			fw.deliver("content:"+d, Event{Err: err})
			return
		}
		fw.deliver("content:"+d, Event{State: st, Version: Version{Revision: rev, Digest: d}})
	}
}

func (fw *fileWatch) deliver(key string, ev Event) {
	if ev.Err != nil {
		// Whatever comes after an error is delivered, even the content
		// that was good before it.
		key = "error:" + key
	}
	if key == fw.last {
		return
	}
	fw.last = key
	fw.fn(ev)
}

// deletedError is ErrDeleted with the file's path.
type deletedError struct{ path string }

func (e *deletedError) Error() string {
	return "state file " + e.path + " was deleted or moved: restore it (or a backup) there, or point the state setting (--state, GWLBCTL_STATE) at where it is now; an empty state is not assumed"
}

func (e *deletedError) Is(target error) bool { return target == ErrDeleted || target == fs.ErrNotExist }
