package apply

import (
	"maps"
	"slices"
	"strings"

	"github.com/gwlbctl/gwlbctl/control"
)

func managed(tags []control.Tag) bool {
	v, ok := control.TagValue(tags, ManagedByKey)
	return ok && v == ManagedByValue
}

func nameOf(tags []control.Tag) string {
	v, _ := control.TagValue(tags, NameKey)
	return v
}

// desiredTags is the file's tags plus the managed-by tag (and Name for EC2
// resources), sorted by key.
func desiredTags(spec map[string]string, name string, ec2 bool) []control.Tag {
	m := maps.Clone(spec)
	if m == nil {
		m = map[string]string{}
	}
	m[ManagedByKey] = ManagedByValue
	if ec2 {
		m[NameKey] = name
	}
	out := make([]control.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, control.Tag{Key: k, Value: m[k]})
	}
	return out
}

// tagDiff returns the tags to set and the keys to remove to turn have into want.
func tagDiff(have, want []control.Tag) (set []control.Tag, remove []string) {
	for _, w := range want {
		if v, ok := control.TagValue(have, w.Key); !ok || v != w.Value {
			set = append(set, w)
		}
	}
	for _, h := range have {
		if _, ok := control.TagValue(want, h.Key); !ok {
			remove = append(remove, h.Key)
		}
	}
	return set, remove
}

func tagDetail(set []control.Tag, remove []string) string {
	var parts []string
	for _, t := range set {
		parts = append(parts, "tag "+t.Key+"="+t.Value)
	}
	for _, k := range remove {
		parts = append(parts, "untag "+k)
	}
	return strings.Join(parts, ", ")
}

func (r *reconciler) ec2Tags(kind, name, id string, have []control.Tag, spec map[string]string) error {
	set, remove := tagDiff(have, desiredTags(spec, name, true))
	if len(set) == 0 && len(remove) == 0 {
		return nil
	}
	if len(set) > 0 {
		if _, err := r.s.CreateTags(r.env, control.CreateTagsInput{Resources: []string{id}, Tags: set}); err != nil {
			return wrap(kind, name, err)
		}
	}
	if len(remove) > 0 {
		del := make([]control.Tag, len(remove))
		for i, k := range remove {
			del[i] = control.Tag{Key: k}
		}
		if _, err := r.s.DeleteTags(r.env, control.DeleteTagsInput{Resources: []string{id}, Tags: del}); err != nil {
			return wrap(kind, name, err)
		}
	}
	r.add(Update, kind, name, "%s", tagDetail(set, remove))
	return nil
}

func (r *reconciler) elbTags(kind, name, arn string, have []control.Tag, spec map[string]string) error {
	set, remove := tagDiff(have, desiredTags(spec, name, false))
	if len(set) == 0 && len(remove) == 0 {
		return nil
	}
	if len(set) > 0 {
		if _, err := r.s.AddTags(r.env, control.AddTagsInput{ResourceArns: []string{arn}, Tags: set}); err != nil {
			return wrap(kind, name, err)
		}
	}
	if len(remove) > 0 {
		if _, err := r.s.RemoveTags(r.env, control.RemoveTagsInput{ResourceArns: []string{arn}, TagKeys: remove}); err != nil {
			return wrap(kind, name, err)
		}
	}
	r.add(Update, kind, name, "%s", tagDetail(set, remove))
	return nil
}

func tagSpec(resourceType string, tags []control.Tag) []control.TagSpecification {
	return []control.TagSpecification{{ResourceType: resourceType, Tags: tags}}
}

// attrDiff returns the attributes of want (defaults overlaid with the
// file) whose value differs from have.
func attrDiff(have, defaults []control.Attribute, spec map[string]string) []control.Attribute {
	want := slices.Clone(defaults)
	for _, k := range slices.Sorted(maps.Keys(spec)) {
		i := slices.IndexFunc(want, func(a control.Attribute) bool { return a.Key == k })
		if i >= 0 {
			want[i].Value = spec[k]
		} else {
			want = append(want, control.Attribute{Key: k, Value: spec[k]})
		}
	}
	var out []control.Attribute
	for _, w := range want {
		if control.AttributeValue(have, w.Key) != w.Value {
			out = append(out, w)
		}
	}
	return out
}

func attrDetail(attrs []control.Attribute) string {
	parts := make([]string, len(attrs))
	for i, a := range attrs {
		parts[i] = a.Key + "=" + a.Value
	}
	return strings.Join(parts, ", ")
}
