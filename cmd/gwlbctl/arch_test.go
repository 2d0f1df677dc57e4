package main

// TestArchitecture keeps the layout's import rules true (the README's code
// map): it parses the imports of every Go file of the module.

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// goPackage is one directory's imports: of its non-test files, and whether
// any of its files (tests included) uses cgo.
type goPackage struct {
	imports []string // module-relative for the module's own ("fastpath/engine"), full otherwise
	cgo     []string // files that import "C"
}

// modulePackages parses every Go file of the module under root.
func modulePackages(t *testing.T) map[string]*goPackage {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	module := strings.Fields(strings.SplitN(string(mod), "\n", 2)[0])[1]
	pkgs := map[string]*goPackage{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(path))
		p := pkgs[dir]
		if p == nil {
			p = &goPackage{}
			pkgs[dir] = p
		}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			if ip == "C" {
				p.cgo = append(p.cgo, filepath.Base(path))
				continue
			}
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			if rest, ok := strings.CutPrefix(ip, module+"/"); ok {
				ip = rest
			}
			if !slices.Contains(p.imports, ip) {
				p.imports = append(p.imports, ip)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func under(dir, tree string) bool { return dir == tree || strings.HasPrefix(dir, tree+"/") }

// isStdlib: standard library paths have no dot in their first element.
func isStdlib(ip string) bool {
	return !strings.Contains(strings.SplitN(ip, "/", 2)[0], ".") && !under(ip, "fastpath") && !under(ip, "control") && !under(ip, "cmd") && !under(ip, "tui")
}

func TestArchitecture(t *testing.T) {
	pkgs := modulePackages(t)
	for _, must := range []string{"fastpath/node", "fastpath/dpdk", "fastpath/engine", "fastpath/packet", "control", "control/api"} {
		if pkgs[must] == nil {
			t.Fatalf("package %s not found: the rules below would check nothing", must)
		}
	}
	if len(pkgs["fastpath/dpdk"].cgo) == 0 || !slices.Contains(pkgs["fastpath/node"].imports, "control") {
		t.Fatal("the parse found no cgo in fastpath/dpdk or no control import in fastpath/node: the rules below would check nothing")
	}
	for dir, p := range pkgs {
		// Only fastpath/dpdk speaks C.
		if len(p.cgo) > 0 && dir != "fastpath/dpdk" {
			t.Errorf("%s uses cgo (%s): only fastpath/dpdk may", dir, strings.Join(p.cgo, ", "))
		}
		for _, ip := range p.imports {
			switch {
			// From fastpath, only fastpath/node imports the control plane.
			case under(dir, "fastpath") && under(ip, "control") && dir != "fastpath/node":
				t.Errorf("%s imports %s: from fastpath only fastpath/node may import control", dir, ip)
			// The control plane and the TUI never import the fast path.
			case (under(dir, "control") || under(dir, "tui")) && under(ip, "fastpath"):
				t.Errorf("%s imports %s: control/ and tui/ never import fastpath/", dir, ip)
			// The packet core is stdlib only.
			case (dir == "fastpath/packet" || dir == "fastpath/flow" || dir == "fastpath/balance") && !isStdlib(ip):
				t.Errorf("%s imports %s: fastpath/packet, flow and balance import the standard library only", dir, ip)
			// The engine builds on packet, flow and balance alone.
			case dir == "fastpath/engine" && !isStdlib(ip) && ip != "fastpath/packet" && ip != "fastpath/flow" && ip != "fastpath/balance":
				t.Errorf("%s imports %s: fastpath/engine imports only fastpath/packet, flow and balance (and the standard library)", dir, ip)
			}
		}
	}
}
