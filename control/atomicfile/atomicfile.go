// Package atomicfile replaces a file so that a reader, or a crash, sees
// either the old content or the new, never a mix: the new content goes to
// a temporary file in the same directory, which is given its mode, synced,
// renamed over the target and the directory synced, so the rename itself
// survives a power loss.
//
// It is the one atomic writer of the project: the state file
// (control/store) and the stats files use it. It does not lock; callers that
// can race with another writer of the same file serialise themselves (the
// state file's flock), since the last rename wins.
package atomicfile

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// TempPattern is the glob of the temporary files a write of path creates
// next to it (".state.json.tmp-*" for state.json). A writer killed between
// creating one and the rename leaves it behind; an owner that holds the
// file's lock can remove what matches.
func TempPattern(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
}

// Write replaces path with data, created with mode (umask does not apply).
func Write(path string, data []byte, mode fs.FileMode) error {
	return WriteFunc(path, mode, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteJSON replaces path with v encoded as indented JSON and a newline.
func WriteJSON(path string, v any, mode fs.FileMode) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return Write(path, append(b, '\n'), mode)
}

// WriteFunc replaces path with what write writes. When write or any step
// fails, path is left as it was and the temporary file is removed.
func WriteFunc(path string, mode fs.FileMode, write func(io.Writer) error) (err error) {
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
	// Chmod the open file: the mode holds whatever the umask, and before
	// any byte is written, so the content is never readable more widely.
	if err = tmp.Chmod(mode.Perm()); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if err = write(tmp); err != nil {
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
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("opening %s to fsync: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}
