// Command modelgen writes the trimmed service models control/awsapi
// embeds: for each model file the action table names, botocore's
// data/<service>/<version>/service-2.json reduced to the table's
// operations and the shapes they reach, without documentation. Run it
// through `go generate ./control/awsapi`; it reads Debian's
// python3-botocore by default (make deps installs it).
package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/gwlbctl/gwlbctl/control/awsapi"
)

func main() {
	botocore := flag.String("botocore", "/usr/lib/python3/dist-packages/botocore", "botocore package directory (Debian's python3-botocore)")
	out := flag.String("out", "models", "directory to write the models to")
	flag.Parse()
	if err := run(*botocore, *out); err != nil {
		fmt.Fprintln(os.Stderr, "modelgen:", err)
		os.Exit(1)
	}
}

func run(botocore, out string) error {
	version, err := botocoreVersion(botocore)
	if err != nil {
		return err
	}
	for file, ops := range awsapi.ModelOperations() {
		service, apiVersion, ok := strings.Cut(strings.TrimSuffix(file, ".json"), "-")
		if !ok {
			return fmt.Errorf("model file name %q is not <service>-<version>.json", file)
		}
		src := filepath.Join(botocore, "data", service, apiVersion, "service-2.json")
		b, err := os.ReadFile(src)
		if err != nil {
			return fmt.Errorf("%w (install python3-botocore: make deps)", err)
		}
		doc, err := decodeOrdered(b)
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		m, ok := doc.(*object)
		if !ok {
			return fmt.Errorf("%s: not a JSON object", src)
		}
		if err := supplement(m, file); err != nil {
			return err
		}
		trimmed, err := trim(m, ops)
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		trimmed.set("x-gwlbctl-source", fmt.Sprintf("botocore %s data/%s/%s/service-2.json, trimmed to the operations gwlbctl serves; Apache-2.0, see NOTICE", version, service, apiVersion))
		compact, err := json.Marshal(trimmed)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := json.Indent(&buf, compact, "", " "); err != nil {
			return err
		}
		buf.WriteByte('\n')
		if err := os.WriteFile(filepath.Join(out, file), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// The supplements add, in botocore's format, what the botocore version
// Debian packages predates: operations and shapes ("operations",
// "shapes"), and members of shapes botocore has ("members": shape name ->
// member name -> member). They never replace what botocore has.
//
//go:embed supplement/*.json
var supplements embed.FS

func supplement(m *object, file string) error {
	b, err := supplements.ReadFile("supplement/" + file)
	if err != nil {
		return nil // none for this model
	}
	doc, err := decodeOrdered(b)
	if err != nil {
		return fmt.Errorf("supplement %s: %w", file, err)
	}
	sup, ok := doc.(*object)
	if !ok {
		return fmt.Errorf("supplement %s: not a JSON object", file)
	}
	shapes, ok := section2(m, "shapes")
	if !ok {
		return fmt.Errorf("%s: no shapes object", file)
	}
	for _, section := range []string{"operations", "shapes"} {
		src, ok := section2(sup, section)
		if !ok {
			continue
		}
		dst, ok := section2(m, section)
		if !ok {
			return fmt.Errorf("%s: no %s object", file, section)
		}
		for _, k := range src.keys {
			if _, ok := dst.get(k); ok {
				return fmt.Errorf("supplement %s: botocore already has %s %s; remove it from the supplement", file, section, k)
			}
			dst.set(k, src.vals[k])
		}
	}
	if members, ok := section2(sup, "members"); ok {
		for _, name := range members.keys {
			add, ok := members.vals[name].(*object)
			sh, _ := shapes.get(name)
			shape, isObj := sh.(*object)
			if !ok || !isObj {
				return fmt.Errorf("supplement %s: members of %s: botocore has no such shape, or the entry is not an object", file, name)
			}
			dst, ok := section2(shape, "members")
			if !ok {
				return fmt.Errorf("supplement %s: shape %s has no members", file, name)
			}
			for _, k := range add.keys {
				if _, ok := dst.get(k); ok {
					return fmt.Errorf("supplement %s: botocore already has member %s of %s; remove it from the supplement", file, k, name)
				}
				dst.set(k, add.vals[k])
			}
		}
	}
	return nil
}

var versionRe = regexp.MustCompile(`(?m)^__version__ = '([^']+)'`)

func botocoreVersion(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "__init__.py"))
	if err != nil {
		return "", fmt.Errorf("%w (install python3-botocore: make deps)", err)
	}
	m := versionRe.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("%s/__init__.py names no __version__", dir)
	}
	return string(m[1]), nil
}

func section2(o *object, name string) (*object, bool) {
	v, _ := o.get(name)
	s, ok := v.(*object)
	return s, ok
}

// trim keeps metadata, the operations ops and every shape they reach.
func trim(m *object, ops []string) (*object, error) {
	allOps, ok1 := section2(m, "operations")
	allShapes, ok2 := section2(m, "shapes")
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("no operations or shapes")
	}
	keptShapes := newObject()
	var visit func(any)
	visit = func(node any) {
		switch n := node.(type) {
		case *object:
			if name, ok := n.vals["shape"].(string); ok {
				if _, done := keptShapes.get(name); !done {
					if s, ok := allShapes.get(name); ok {
						keptShapes.set(name, strip(s))
						visit(s)
					}
				}
			}
			for _, k := range n.keys {
				if k != "documentation" {
					visit(n.vals[k])
				}
			}
		case []any:
			for _, v := range n {
				visit(v)
			}
		}
	}
	slices.Sort(ops)
	keptOps := newObject()
	for _, name := range ops {
		op, ok := allOps.get(name)
		if !ok {
			return nil, fmt.Errorf("operation %s is in the action table but not in the model (add it to a supplement only if botocore lacks it)", name)
		}
		keptOps.set(name, strip(op))
		visit(op)
	}
	// Shapes sorted by name, as botocore lists them.
	sorted := newObject()
	names := slices.Clone(keptShapes.keys)
	slices.Sort(names)
	for _, n := range names {
		sorted.set(n, keptShapes.vals[n])
	}
	out := newObject()
	for _, k := range []string{"version", "metadata"} {
		if v, ok := m.get(k); ok {
			out.set(k, v)
		}
	}
	out.set("operations", keptOps)
	out.set("shapes", sorted)
	return out, nil
}

// strip returns node without documentation.
func strip(node any) any {
	switch n := node.(type) {
	case *object:
		out := newObject()
		for _, k := range n.keys {
			if k == "documentation" || k == "documentationUrl" || k == "examples" {
				continue
			}
			out.set(k, strip(n.vals[k]))
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, v := range n {
			out[i] = strip(v)
		}
		return out
	}
	return node
}
