package apply

import (
	"fmt"
	"slices"

	"github.com/gwlbctl/gwlbctl/control"
)

// byTagName returns the resource of have whose Name tag is name: nil when
// none carries it, an error when several do (EC2 resources are matched by
// that tag, which AWS does not keep unique). kind names the resource in
// the plan ("vpc"), plural in the message ("VPCs").
func byTagName[T any](have []*T, name, kind, plural string, tags func(*T) []control.Tag) (*T, error) {
	var found []*T
	for _, x := range have {
		if nameOf(tags(x)) == name {
			found = append(found, x)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	default:
		return nil, fmt.Errorf("%s %s: %d %s carry the Name tag %q; make it unique", kind, name, len(found), plural, name)
	}
}

// prune deletes the resources of have that apply manages (tag
// gwlbctl:managed-by=apply) and the topology no longer names (keep),
// through del, which returns the plan's detail. Resources apply did not
// create are never deleted. have is copied first: del removes from the
// state's list.
func prune[T any](r *reconciler, kind string, have []*T, keep []string, tags func(*T) []control.Tag, name func(*T) string, del func(*T) (detail string, err error)) error {
	for _, x := range slices.Clone(have) {
		n := name(x)
		if !managed(tags(x)) || slices.Contains(keep, n) {
			continue
		}
		detail, err := del(x)
		if err != nil {
			return wrap(kind, n, err)
		}
		r.add(Delete, kind, n, "%s", detail)
	}
	return nil
}

// names lists the names of a topology's resources of one kind.
func names[S any](specs []S, name func(S) string) []string {
	out := make([]string, len(specs))
	for i, s := range specs {
		out[i] = name(s)
	}
	return out
}
