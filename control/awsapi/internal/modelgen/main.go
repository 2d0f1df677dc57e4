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
	"github.com/gwlbctl/gwlbctl/control/orderedjson"
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
		doc, err := orderedjson.Decode(b)
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		m, ok := doc.(*orderedjson.Object)
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
		trimmed.Set("x-gwlbctl-source", fmt.Sprintf("botocore %s data/%s/%s/service-2.json, trimmed to the operations gwlbctl serves; Apache-2.0, see NOTICE", version, service, apiVersion))
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

func supplement(m *orderedjson.Object, file string) error {
	b, err := supplements.ReadFile("supplement/" + file)
	if err != nil {
		return nil // none for this model
	}
	doc, err := orderedjson.Decode(b)
	if err != nil {
		return fmt.Errorf("supplement %s: %w", file, err)
	}
	sup, ok := doc.(*orderedjson.Object)
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
		for _, k := range src.Keys {
			if _, ok := dst.Get(k); ok {
				return fmt.Errorf("supplement %s: botocore already has %s %s; remove it from the supplement", file, section, k)
			}
			dst.Set(k, src.Values[k])
		}
	}
	if members, ok := section2(sup, "members"); ok {
		for _, name := range members.Keys {
			add, ok := members.Values[name].(*orderedjson.Object)
			sh, _ := shapes.Get(name)
			shape, isObj := sh.(*orderedjson.Object)
			if !ok || !isObj {
				return fmt.Errorf("supplement %s: members of %s: botocore has no such shape, or the entry is not an object", file, name)
			}
			dst, ok := section2(shape, "members")
			if !ok {
				return fmt.Errorf("supplement %s: shape %s has no members", file, name)
			}
			for _, k := range add.Keys {
				if _, ok := dst.Get(k); ok {
					return fmt.Errorf("supplement %s: botocore already has member %s of %s; remove it from the supplement", file, k, name)
				}
				dst.Set(k, add.Values[k])
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

func section2(o *orderedjson.Object, name string) (*orderedjson.Object, bool) {
	v, _ := o.Get(name)
	s, ok := v.(*orderedjson.Object)
	return s, ok
}

// trim keeps metadata, the operations ops and every shape they reach.
func trim(m *orderedjson.Object, ops []string) (*orderedjson.Object, error) {
	allOps, ok1 := section2(m, "operations")
	allShapes, ok2 := section2(m, "shapes")
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("no operations or shapes")
	}
	keptShapes := orderedjson.New()
	var visit func(any)
	visit = func(node any) {
		switch n := node.(type) {
		case *orderedjson.Object:
			if name, ok := n.Values["shape"].(string); ok {
				if _, done := keptShapes.Get(name); !done {
					if s, ok := allShapes.Get(name); ok {
						keptShapes.Set(name, strip(s))
						visit(s)
					}
				}
			}
			for _, k := range n.Keys {
				if k != "documentation" {
					visit(n.Values[k])
				}
			}
		case []any:
			for _, v := range n {
				visit(v)
			}
		}
	}
	slices.Sort(ops)
	keptOps := orderedjson.New()
	for _, name := range ops {
		op, ok := allOps.Get(name)
		if !ok {
			return nil, fmt.Errorf("operation %s is in the action table but not in the model (add it to a supplement only if botocore lacks it)", name)
		}
		keptOps.Set(name, strip(op))
		visit(op)
	}
	// Shapes sorted by name, as botocore lists them.
	sorted := orderedjson.New()
	names := slices.Clone(keptShapes.Keys)
	slices.Sort(names)
	for _, n := range names {
		sorted.Set(n, keptShapes.Values[n])
	}
	out := orderedjson.New()
	for _, k := range []string{"version", "metadata"} {
		if v, ok := m.Get(k); ok {
			out.Set(k, v)
		}
	}
	out.Set("operations", keptOps)
	out.Set("shapes", sorted)
	return out, nil
}

// strip returns node without documentation.
func strip(node any) any {
	switch n := node.(type) {
	case *orderedjson.Object:
		out := orderedjson.New()
		for _, k := range n.Keys {
			if k == "documentation" || k == "documentationUrl" || k == "examples" {
				continue
			}
			out.Set(k, strip(n.Values[k]))
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
