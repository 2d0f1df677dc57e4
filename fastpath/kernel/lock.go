package kernel

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// DefaultRunDir is where a node keeps its lock files (and, by default, its
// API socket). Lock creates it (mode 0755) when it is missing.
const DefaultRunDir = "/run/gwlbctl"

// Lock is an exclusive hold on one resource of the host (a network
// device, a socket path) shared by every process that locks the same key
// under the same run directory. The kernel releases it when the holder
// exits, however it exits, so a crashed node never blocks the next one.
type Lock struct {
	f        *os.File
	path     string
	resource string
}

// InUseError is Lock's answer when another process holds the resource.
type InUseError struct {
	Resource string // what the caller asked for, e.g. "device net_af_packet0,iface=eth1"
	PID      int    // the holder's process id (0 if it had not written it yet)
	Program  string // the holder's program name
	// HolderResource is how the holder named the resource, when it named
	// it differently (the same interface under another device name).
	HolderResource string
	LockFile       string
}

func (e *InUseError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = fmt.Sprintf("%s pid %d", e.Program, e.PID)
	}
	msg := fmt.Sprintf("%s is in use by %s", e.Resource, who)
	if e.HolderResource != "" && e.HolderResource != e.Resource {
		msg += " (as " + e.HolderResource + ")"
	}
	if e.PID <= 0 {
		msg += "; lock file " + e.LockFile
	}
	return msg
}

// AcquireLock takes the exclusive lock on key under dir (DefaultRunDir if
// empty), or fails at once with an *InUseError naming the holder's pid.
// key is the resource's identity: two names of one resource must give one
// key (a DPDK device's dpdk.Device.HostKeys, SocketKey for a socket).
// resource is how messages name it ("device net_af_packet0,iface=eth1").
// The lock file, dir/<key>.lock, holds the holder's pid, program and
// resource; Release removes it.
func AcquireLock(dir, key, resource string) (*Lock, error) {
	if key == "" {
		return nil, errors.New("kernel: lock: empty key")
	}
	if dir == "" {
		dir = DefaultRunDir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("kernel: run directory: %w", err)
	}
	path := filepath.Join(dir, lockFileName(key))
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("kernel: lock for %s: %w", resource, err)
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return nil, inUse(path, resource)
			}
			return nil, fmt.Errorf("kernel: locking %s for %s: %w", path, resource, err)
		}
		// The holder removes the file when it releases: a lock taken on
		// a file that was removed (or replaced) meanwhile guards
		// nothing; take the one at the path again.
		if !stillAt(f, path) {
			f.Close()
			continue
		}
		prog := filepath.Base(os.Args[0])
		if exe, err := os.Executable(); err == nil {
			prog = filepath.Base(exe)
		}
		content := fmt.Sprintf("pid=%d\nprogram=%s\nresource=%s\n", os.Getpid(), prog, strings.ReplaceAll(resource, "\n", " "))
		if err := f.Truncate(0); err == nil {
			_, err = f.WriteAt([]byte(content), 0)
		}
		if err != nil {
			_ = os.Remove(path)
			f.Close()
			return nil, fmt.Errorf("kernel: writing lock file %s: %w", path, err)
		}
		return &Lock{f: f, path: path, resource: resource}, nil
	}
}

// SweepStaleLocks removes the lock files under dir (DefaultRunDir if
// empty) that nobody holds: those of nodes that ended without releasing
// them (killed, or crashed), whose resources (a socket in a directory
// since deleted, a namespace's interface) may never be locked again. A
// file is removed the way Release removes it, while locked, so a process
// about to take it finds it gone and takes a new one (AcquireLock's inode
// check). It returns how many it removed; a missing dir is no error.
func SweepStaleLocks(dir string) (int, error) {
	if dir == "" {
		dir = DefaultRunDir
	}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("kernel: run directory: %w", err)
	}
	removed := 0
	for _, ent := range ents {
		if !ent.Type().IsRegular() || !strings.HasSuffix(ent.Name(), ".lock") {
			continue
		}
		path := filepath.Join(dir, ent.Name())
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			continue // removed meanwhile, or not ours to open
		}
		if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil {
			if stillAt(f, path) && os.Remove(path) == nil {
				removed++
			}
		}
		f.Close()
	}
	return removed, nil
}

// stillAt reports whether the open file f is still the file at path (not
// removed or replaced since it was opened).
func stillAt(f *os.File, path string) bool {
	var held, now unix.Stat_t
	return unix.Fstat(int(f.Fd()), &held) == nil && unix.Stat(path, &now) == nil && held.Ino == now.Ino && held.Dev == now.Dev
}

// inUse describes the holder from its lock file.
func inUse(path, resource string) error {
	e := &InUseError{Resource: resource, LockFile: path, Program: "gwlbctl"}
	b, err := os.ReadFile(path)
	if err != nil {
		return e
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "pid":
			e.PID, _ = strconv.Atoi(v)
		case "program":
			if v != "" {
				e.Program = v
			}
		case "resource":
			e.HolderResource = v
		}
	}
	return e
}

// lockFileName makes a file name of a key: letters, digits and ._:=-
// stay, anything else (the slashes of a path) becomes %XX.
func lockFileName(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("._:=-", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	if b.Len() > 0 && b.String()[0] == '.' {
		return "%2E" + b.String()[1:] + ".lock"
	}
	return b.String() + ".lock"
}

// SocketKey is the lock key of a unix socket path: "socket:" and the
// absolute, cleaned path, so two spellings of one path are one key.
func SocketKey(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("kernel: socket path %s: %w", path, err)
	}
	return "socket:" + abs, nil
}

// Path returns the lock file's path.
func (l *Lock) Path() string { return l.path }

// Resource returns the resource's name as given to AcquireLock.
func (l *Lock) Resource() string { return l.resource }

// Release removes the lock file and releases the lock. Safe to call more
// than once.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	// Removed while still held, so nobody can lock the old file and
	// believe it guards the resource.
	err := os.Remove(l.path)
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
