package atomicfile

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteReplacesWithModeWhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	p := filepath.Join(t.TempDir(), "stats.json")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(b) != "new" || fi.Mode().Perm() != 0o644 {
		t.Fatalf("content %q mode %v, want \"new\" 0644", b, fi.Mode().Perm())
	}
}

// While the new content is being written, the path still holds the old
// content, and the temporary file is the one TempPattern names.
func TestReadersSeeOldContentUntilTheRename(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(p, []byte("old"), 0o600)
	err := WriteFunc(p, 0o600, func(w io.Writer) error {
		if _, err := io.WriteString(w, "ne"); err != nil {
			return err
		}
		if b, _ := os.ReadFile(p); string(b) != "old" {
			t.Errorf("mid-write the file holds %q", b)
		}
		if m, _ := filepath.Glob(TempPattern(p)); len(m) != 1 {
			t.Errorf("temporary files %v, want one matching %s", m, TempPattern(p))
		}
		_, err := io.WriteString(w, "w")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Fatalf("file holds %q", b)
	}
	if m, _ := filepath.Glob(TempPattern(p)); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
}

func TestFailedWriteLeavesTheFileAndNoTemporary(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(p, []byte("old"), 0o600)
	boom := errors.New("boom")
	err := WriteFunc(p, 0o600, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom wrapped", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Fatalf("file holds %q after a failed write", b)
	}
	if m, _ := filepath.Glob(TempPattern(p)); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
}

func TestMissingDirectoryIsNamed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	err := Write(filepath.Join(dir, "f"), nil, 0o600)
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("err = %v, want one naming %s", err, dir)
	}
}

func TestWriteJSON(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.json")
	in := map[string]any{"a": 1.0, "b": []any{"x"}}
	if err := WriteJSON(p, in, 0o600); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if !strings.HasSuffix(string(b), "}\n") || !strings.Contains(string(b), "\n  \"a\": 1") {
		t.Fatalf("not indented JSON with a final newline: %q", b)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil || out["a"] != 1.0 {
		t.Fatalf("round trip: %v %v", out, err)
	}
	if err := WriteJSON(p, func() {}, 0o600); err == nil {
		t.Fatal("an unencodable value was written")
	}
	if b2, _ := os.ReadFile(p); string(b2) != string(b) {
		t.Fatal("a failed encoding changed the file")
	}
}
