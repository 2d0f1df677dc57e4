package awsapi

import (
	"fmt"
	"reflect"
)

type typePair struct {
	t reflect.Type
	s *shape
}

// checkTypes lists where Go type t cannot hold the values of shape sh,
// for every member both have: New refuses such an action.
func checkTypes(t reflect.Type, sh *shape, path string, seen map[typePair]bool) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if seen[typePair{t, sh}] {
		return nil
	}
	seen[typePair{t, sh}] = true
	bad := func() []string {
		return []string{fmt.Sprintf("%s: model shape %s (%s) does not fit Go type %s", path, sh.name, sh.Type, t)}
	}
	switch sh.Type {
	case "structure":
		if t.Kind() != reflect.Struct || isTime(t) {
			return bad()
		}
		var out []string
		fields := fieldsOf(t)
		for _, name := range sh.order {
			f, ok := fields[name]
			if !ok {
				continue
			}
			out = append(out, checkTypes(t.FieldByIndex(f.index).Type, sh.Members[name].shape, path+"."+name, seen)...)
		}
		return out
	case "list":
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return bad()
		}
		return checkTypes(t.Elem(), sh.Member.shape, path+"[]", seen)
	case "map":
		if t.Kind() != reflect.Map || t.Key().Kind() != reflect.String {
			return bad()
		}
		return checkTypes(t.Elem(), sh.Value.shape, path+"{}", seen)
	case "string":
		if t.Kind() != reflect.String {
			return bad()
		}
	case "integer", "long":
		if !isInt(t.Kind()) {
			return bad()
		}
	case "boolean":
		if t.Kind() != reflect.Bool {
			return bad()
		}
	case "double", "float":
		if t.Kind() != reflect.Float64 && t.Kind() != reflect.Float32 {
			return bad()
		}
	case "timestamp":
		if !isTime(t) {
			return bad()
		}
	default:
		return []string{fmt.Sprintf("%s: model type %q is not supported", path, sh.Type)}
	}
	return nil
}

// unmodelled lists the JSON fields of Go type t (and of the structures
// under it) that shape sh has no member for: fields the API can neither
// read nor write.
func unmodelled(t reflect.Type, sh *shape, path string, seen map[typePair]bool) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	if sh.Type == "list" {
		return unmodelled(t, sh.Member.shape, path+"[]", seen)
	}
	if sh.Type != "structure" || t.Kind() != reflect.Struct || isTime(t) || seen[typePair{t, sh}] {
		return nil
	}
	seen[typePair{t, sh}] = true
	var out []string
	for name, f := range fieldsOf(t) {
		m, ok := sh.Members[name]
		if !ok {
			out = append(out, path+"."+name)
			continue
		}
		out = append(out, unmodelled(t.FieldByIndex(f.index).Type, m.shape, path+"."+name, seen)...)
	}
	return out
}
