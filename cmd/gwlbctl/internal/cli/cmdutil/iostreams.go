package cmdutil

import (
	"bytes"
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// IOStreams are a command's standard streams. Commands never touch os.Stdout
// directly so that tests can capture what they print.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdoutTTY bool
	width     int
}

// SystemIO returns the process's streams.
func SystemIO() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	if ws, err := unix.IoctlGetWinsize(int(os.Stdout.Fd()), unix.TIOCGWINSZ); err == nil {
		s.stdoutTTY = true
		s.width = int(ws.Col)
	}
	return s
}

// TestIO returns streams backed by buffers: stdin, stdout, stderr.
func TestIO() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// SetStdoutTTY marks stdout as a terminal of the given width (tests).
func (s *IOStreams) SetStdoutTTY(isTTY bool, width int) { s.stdoutTTY, s.width = isTTY, width }

// TableWidth is the width --output table is fitted to, as the AWS CLI
// fits it: the terminal's, else 80.
func (s *IOStreams) TableWidth() int {
	if s.stdoutTTY && s.width > 0 {
		return s.width
	}
	return 80
}

// TerminalWidth is the width --output columns is fitted to: the terminal's, else
// $COLUMNS, else 160 (wide enough for an ARN and a few short columns).
func (s *IOStreams) TerminalWidth() int {
	if s.width > 0 {
		return s.width
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 160
}
