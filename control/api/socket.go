package api

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// SocketMode is the API socket's permission: read and write for its owner
// (the serving user) and its group, nothing for others.
const SocketMode fs.FileMode = 0o660

// maxSocketPath is the longest unix socket path (sun_path holds 108 bytes
// with the terminating NUL).
const maxSocketPath = 107

// SocketOptions say who may use the API socket.
type SocketOptions struct {
	// Group owns the socket: a group name or a numeric gid. Empty is the
	// serving process's effective group (the user's primary group). Its
	// members can read the API without being root.
	Group string
	// Lock is an optional lock the caller already holds for this socket
	// path (the node's pid lock). The Listener closes it after removing the
	// socket, so a successor never starts while the old socket exists.
	Lock io.Closer
	// LiveCheckTimeout bounds the connection attempt that tells a live
	// socket from a stale one (0: one second).
	LiveCheckTimeout time.Duration
}

// Listener is the API's unix socket listener. Close removes the socket
// file if it is still the one this Listener created.
type Listener struct {
	*net.UnixListener
	path     string
	dev, ino uint64
	gid      int
	lock     io.Closer
	once     sync.Once
	closeErr error
}

// ListenUnix creates the API socket at path: mode SocketMode, owned by the
// serving user and the group of o (never world-accessible, not even for
// an instant: the socket is bound with mode 0600 and only then given to
// the group). A missing parent directory is created (0755). An existing
// socket is connected to first: if a process answers, ListenUnix refuses
// to touch it; if none does, it is stale (left by a killed node) and is
// replaced. Anything else at path is refused.
func ListenUnix(path string, o SocketOptions) (*Listener, error) {
	if path == "" {
		return nil, errors.New("api.socket: empty path")
	}
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("api.socket %s: %d bytes; a unix socket path has at most %d", path, len(path), maxSocketPath)
	}
	gid, gname, err := resolveGroup(o.Group)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("api.socket %s: create its directory: %w", path, err)
	}
	timeout := o.LiveCheckTimeout
	if timeout <= 0 {
		timeout = time.Second
	}
	if err := removeStale(path, timeout); err != nil {
		return nil, err
	}
	ul, err := bindUnix(path)
	if err != nil {
		return nil, err
	}
	l := &Listener{UnixListener: ul, path: path, gid: gid, lock: o.Lock}
	fail := func(err error) (*Listener, error) {
		l.lock = nil // the caller still owns its lock when we fail
		l.Close()
		return nil, err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return fail(fmt.Errorf("api.socket %s: %w", path, err))
	}
	st := fi.Sys().(*syscall.Stat_t)
	l.dev, l.ino = uint64(st.Dev), st.Ino
	if int(st.Gid) != gid {
		if err := os.Lchown(path, -1, gid); err != nil {
			return fail(fmt.Errorf("api.socket %s: give it to group %s: %w (the serving user must be a member of the group, or run as root)", path, gname, err))
		}
	}
	if err := os.Chmod(path, SocketMode); err != nil {
		return fail(fmt.Errorf("api.socket %s: %w", path, err))
	}
	return l, nil
}

// bindUnix binds and listens on path with the socket file created 0600:
// on Linux the file takes the mode of the socket inode, set by fchmod
// before bind, so there is no window in which the umask's mode applies.
func bindUnix(path string) (*net.UnixListener, error) {
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("api.socket %s: socket: %w", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	if err := syscall.Fchmod(fd, 0o600); err != nil {
		return nil, fmt.Errorf("api.socket %s: fchmod: %w", path, err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, fmt.Errorf("api.socket %s: another process created it meanwhile; is a second serve starting?", path)
		}
		return nil, fmt.Errorf("api.socket %s: bind: %w", path, err)
	}
	if err := syscall.Listen(fd, syscall.SOMAXCONN); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("api.socket %s: listen: %w", path, err)
	}
	ln, err := net.FileListener(f) // dups the descriptor
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("api.socket %s: %w", path, err)
	}
	ul := ln.(*net.UnixListener)
	ul.SetUnlinkOnClose(false) // Close removes the file only if it is still ours
	return ul, nil
}

// removeStale removes a socket nobody listens on, and refuses a live one or
// anything that is not a socket.
func removeStale(path string, timeout time.Duration) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("api.socket %s: %w", path, err)
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("api.socket %s exists and is not a socket: remove it or choose another api.socket", path)
	}
	c, err := net.DialTimeout("unix", path, timeout)
	if err == nil {
		c.Close()
		return fmt.Errorf("api.socket %s is in use: a running process answers on it (another gwlbctl serve?); stop it first or choose another api.socket", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("api.socket %s: cannot tell whether a process serves on it (%v); remove it if none does", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("api.socket %s: remove the stale socket: %w", path, err)
	}
	return nil
}

// resolveGroup returns the gid and name of a group given by name or gid
// ("" the effective group).
func resolveGroup(g string) (int, string, error) {
	if g == "" {
		gid := os.Getegid()
		return gid, groupName(gid), nil
	}
	if n, err := strconv.Atoi(g); err == nil {
		if n < 0 {
			return 0, "", fmt.Errorf("api.group %q: want a group name or a gid 0 or more", g)
		}
		return n, groupName(n), nil
	}
	gr, err := user.LookupGroup(g)
	if err != nil {
		return 0, "", fmt.Errorf("api.group %q: no such group (create it with groupadd, or give a gid)", g)
	}
	gid, err := strconv.Atoi(gr.Gid)
	if err != nil {
		return 0, "", fmt.Errorf("api.group %q: gid %q is not a number", g, gr.Gid)
	}
	return gid, gr.Name, nil
}

// groupName is gid's name, or the number when it has none.
func groupName(gid int) string {
	if gr, err := user.LookupGroupId(strconv.Itoa(gid)); err == nil {
		return gr.Name
	}
	return strconv.Itoa(gid)
}

// Path is the socket's path.
func (l *Listener) Path() string { return l.path }

// Close stops listening, removes the socket file if it is still the one
// this Listener created (not a successor's), then releases the lock.
func (l *Listener) Close() error {
	l.once.Do(func() {
		l.closeErr = l.UnixListener.Close()
		if fi, err := os.Lstat(l.path); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && uint64(st.Dev) == l.dev && st.Ino == l.ino {
				if err := os.Remove(l.path); err != nil && l.closeErr == nil {
					l.closeErr = err
				}
			}
		}
		if l.lock != nil {
			if err := l.lock.Close(); err != nil && l.closeErr == nil {
				l.closeErr = err
			}
		}
	})
	return l.closeErr
}
