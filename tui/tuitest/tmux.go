package tuitest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Terminal is a shell in a detached tmux session of fixed size, on a tmux
// server of its own (a private socket), as a person's terminal: a test
// types command lines and keys into it and reads the screen. Close (run at
// the end of the test) kills the session by its unique name, which ends
// that private server.
type Terminal struct {
	// Session is the tmux session's unique name.
	Session string
	// Width and Height are the pane's size.
	Width, Height int

	t       testing.TB
	socket  string
	timeout time.Duration
	closed  bool
}

// TerminalOptions shape a Terminal.
type TerminalOptions struct {
	// Width and Height of the pane (0: 100x30).
	Width, Height int
	// Dir is the shell's working directory (empty: a new temporary one).
	Dir string
	// Env are KEY=VALUE pairs set in the shell's environment.
	Env []string
	// Timeout bounds each WaitFor (0: 20s). It is a failure deadline, not
	// a pace: WaitFor returns as soon as its condition holds.
	Timeout time.Duration
}

// Prompt is the Terminal shell's prompt.
const Prompt = "$ "

var sessions atomic.Int64

// StartTerminal starts a Terminal, or fails the test when tmux is missing
// (it is a dependency of the tests: make deps installs it).
func StartTerminal(t testing.TB, o TerminalOptions) *Terminal {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux not found (%v): run make deps", err)
	}
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = 100, 30
	}
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	tm := &Terminal{
		Session: fmt.Sprintf("gwlbctl-test-%d-%d", os.Getpid(), sessions.Add(1)),
		Width:   o.Width, Height: o.Height,
		t:       t,
		socket:  filepath.Join(SocketDir(t), "tmux.sock"),
		timeout: o.Timeout,
	}
	args := []string{"new-session", "-d", "-s", tm.Session, "-x", fmt.Sprint(o.Width), "-y", fmt.Sprint(o.Height), "-c", o.Dir}
	// A plain shell: no rc files, no history, a fixed prompt.
	for _, kv := range append([]string{"PS1=" + Prompt, "HISTFILE=/dev/null"}, o.Env...) {
		args = append(args, "-e", kv)
	}
	args = append(args, "bash", "--norc", "--noprofile", ";", "set-option", "-t", tm.Session, "status", "off")
	if out, err := tm.tmux(args...); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(tm.Close)
	// capture-pane trims trailing blanks: the prompt shows as "$".
	tm.WaitFor("the shell's prompt", func(s string) bool { return strings.HasPrefix(s, strings.TrimSpace(Prompt)) })
	return tm
}

func (tm *Terminal) tmux(args ...string) (string, error) {
	cmd := exec.Command("tmux", append([]string{"-f", "/dev/null", "-S", tm.socket}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Run types a command line into the shell and presses Enter.
func (tm *Terminal) Run(cmdline string) {
	tm.t.Helper()
	tm.Type(cmdline)
	tm.SendKeys("Enter")
}

// Type types s literally.
func (tm *Terminal) Type(s string) {
	tm.t.Helper()
	if out, err := tm.tmux("send-keys", "-t", tm.Session, "-l", s); err != nil {
		tm.t.Fatalf("tmux send-keys %q: %v\n%s", s, err, out)
	}
}

// SendKeys presses keys by tmux's names: Enter, Escape, Tab, BTab, Up,
// Down, C-c, C-u, or a character.
func (tm *Terminal) SendKeys(keys ...string) {
	tm.t.Helper()
	if out, err := tm.tmux(append([]string{"send-keys", "-t", tm.Session}, keys...)...); err != nil {
		tm.t.Fatalf("tmux send-keys %q: %v\n%s", keys, err, out)
	}
}

// Screen is the pane's visible text, one line per row (trailing blanks
// trimmed by tmux).
func (tm *Terminal) Screen() string {
	tm.t.Helper()
	out, err := tm.tmux("capture-pane", "-p", "-t", tm.Session)
	if err != nil {
		tm.t.Fatalf("tmux capture-pane: %v\n%s", err, out)
	}
	return out
}

// AltScreen reports whether the pane shows the alternate screen (a
// full-screen program is drawing on it).
func (tm *Terminal) AltScreen() bool {
	tm.t.Helper()
	out, err := tm.tmux("display-message", "-p", "-t", tm.Session, "#{alternate_on}")
	if err != nil {
		tm.t.Fatalf("tmux display-message: %v\n%s", err, out)
	}
	return strings.TrimSpace(out) == "1"
}

// WaitFor polls the screen until cond holds and returns that screen; when
// the deadline passes first it fails the test, naming what it waited for
// and showing the last screen.
func (tm *Terminal) WaitFor(what string, cond func(screen string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(tm.timeout)
	for {
		s := tm.Screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("waited %v for %s; the screen:\n%s", tm.timeout, what, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// WaitForText waits until the screen contains s.
func (tm *Terminal) WaitForText(s string) string {
	tm.t.Helper()
	return tm.WaitFor(fmt.Sprintf("%q on the screen", s), func(screen string) bool { return strings.Contains(screen, s) })
}

// Close kills the Terminal's tmux session by its name (its private server
// then exits).
func (tm *Terminal) Close() {
	if tm.closed {
		return
	}
	tm.closed = true
	if out, err := tm.tmux("kill-session", "-t", tm.Session); err != nil && !strings.Contains(out, "no server") {
		tm.t.Logf("tmux kill-session %s: %v\n%s", tm.Session, err, out)
	}
}
