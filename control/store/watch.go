package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/gwlbctl/gwlbctl/control"
)

// Watch calls onChange with the current state, then again each time a new
// revision lands, until ctx is done. It watches the directory (writes
// replace the file by rename) and re-reads only when the revision moved.
// A state that fails to load (corrupted, newer schema) is passed as err
// with a nil state; the watcher keeps going, so a fixed file is picked up.
// A poll every interval (when > 0) backs up the notifications.
func (s *Store) Watch(ctx context.Context, interval time.Duration, onChange func(st *control.State, rev uint64, err error)) error {
	if err := os.MkdirAll(s.Dir(), 0o700); err != nil {
		return fmt.Errorf("cannot create state directory %s: %w", s.Dir(), err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching %s: %w", s.Dir(), err)
	}
	defer w.Close()
	if err := w.Add(s.Dir()); err != nil {
		return fmt.Errorf("watching %s: %w", s.Dir(), err)
	}
	var last uint64
	first := true
	check := func() {
		rev, err := s.Revision()
		if err == nil && !first && rev == last {
			return
		}
		st, rev, err := s.load()
		if err != nil {
			onChange(nil, 0, err)
			return
		}
		if !first && rev == last {
			return
		}
		first, last = false, rev
		onChange(st, rev, nil)
	}
	check()
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	base := filepath.Base(s.path)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if filepath.Base(ev.Name) == base && ev.Op&(fsnotify.Create|fsnotify.Write|fsnotify.Rename) != 0 {
				check()
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			onChange(nil, 0, fmt.Errorf("watching %s: %w", s.Dir(), err))
		case <-tick:
			check()
		}
	}
}
