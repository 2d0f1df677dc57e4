package control

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
)

func cloneJSON[T any](v *T) (*T, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		return nil, err
	}
	return out, nil
}

var nameRe = regexp.MustCompile(`^[A-Za-z0-9-]+$`)

// validateName applies the ELBv2 name rules: 1-32 characters, letters,
// digits and hyphens, no hyphen at either end. kind is "Load balancer" or
// "Target group".
func validateName(op, kind, name string) error {
	switch {
	case name == "":
		return newError(op, CodeValidationError, "%s name is required (--name): 1-32 letters, digits and hyphens", kind)
	case len(name) > 32:
		return newError(op, CodeValidationError, "%s name '%s' cannot be longer than 32 characters", kind, name)
	case !nameRe.MatchString(name):
		return newError(op, CodeValidationError, "%s name '%s' can only contain characters that are alphanumeric characters or hyphens(-)", kind, name)
	case strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-"):
		return newError(op, CodeValidationError, "%s name '%s' cannot begin or end with '-'", kind, name)
	}
	return nil
}

// validateTags checks a tag list: keys 1-128 characters, values up to 256,
// no "aws:" prefix, no duplicate keys.
func validateTags(op string, tags []Tag, dupCode string) error {
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case t.Key == "" || len(t.Key) > 128:
			return newError(op, CodeValidationError, "tag key '%s' must be 1-128 characters", t.Key)
		case len(t.Value) > 256:
			return newError(op, CodeValidationError, "value of tag '%s' must be at most 256 characters", t.Key)
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return newError(op, CodeValidationError, "tag key '%s' uses the reserved prefix 'aws:'", t.Key)
		case seen[t.Key]:
			return newError(op, dupCode, "tag key '%s' is given more than once", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

// MaxTagsPerResource is AWS's tag quota per resource.
const MaxTagsPerResource = 50

// mergeTags returns tags with add applied (same key: value replaced).
func mergeTags(tags, add []Tag) []Tag {
	out := slices.Clone(tags)
	for _, a := range add {
		i := slices.IndexFunc(out, func(t Tag) bool { return t.Key == a.Key })
		if i >= 0 {
			out[i].Value = a.Value
		} else {
			out = append(out, a)
		}
	}
	return out
}

// removeTagKeys returns tags without the given keys.
func removeTagKeys(tags []Tag, keys []string) []Tag {
	return slices.DeleteFunc(slices.Clone(tags), func(t Tag) bool { return slices.Contains(keys, t.Key) })
}

// TagValue returns the value of tag key in tags and whether it is present.
func TagValue(tags []Tag, key string) (string, bool) {
	for _, t := range tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

// sameSet reports whether a and b hold the same strings, ignoring order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(x, y)
}

// filterValues yields the values a resource has for one EC2 filter name;
// ok is false when the name is not a filter the resource type supports.
type filterValues func(name string) (values []string, ok bool)

// tagFilter answers the tag:<key>, tag-key and tag-value filters.
func tagFilter(tags []Tag, name string) ([]string, bool) {
	switch {
	case strings.HasPrefix(name, "tag:"):
		if v, ok := TagValue(tags, strings.TrimPrefix(name, "tag:")); ok {
			return []string{v}, true
		}
		return nil, true
	case name == "tag-key":
		var out []string
		for _, t := range tags {
			out = append(out, t.Key)
		}
		return out, true
	case name == "tag-value":
		var out []string
		for _, t := range tags {
			out = append(out, t.Value)
		}
		return out, true
	}
	return nil, false
}

// checkFilters reports an unsupported filter name before anything is matched.
func checkFilters(op string, filters []Filter, probe filterValues) error {
	for _, f := range filters {
		if f.Name == "" {
			return newError(op, CodeInvalidParameterValue, "a filter needs a Name (Name=<filter>,Values=<v1>,<v2>)")
		}
		if _, ok := probe(f.Name); !ok {
			return newError(op, CodeInvalidParameterValue, "The filter '%s' is invalid", f.Name)
		}
	}
	return nil
}

// matchFilters reports whether a resource passes every filter. Values
// support EC2's * and ? wildcards.
func matchFilters(filters []Filter, values filterValues) bool {
	for _, f := range filters {
		have, _ := values(f.Name)
		if !anyMatch(f.Values, have) {
			return false
		}
	}
	return true
}

func anyMatch(patterns, have []string) bool {
	for _, p := range patterns {
		for _, h := range have {
			if ok, err := path.Match(p, h); err == nil && ok {
				return true
			}
			if p == h {
				return true
			}
		}
	}
	return false
}

func boolString(b bool) string { return fmt.Sprint(b) }

func ptr[T any](v T) *T { return &v }
