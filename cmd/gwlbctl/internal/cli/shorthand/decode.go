package shorthand

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// ParamError says which parameter (and which member of it) is wrong, in the
// AWS CLI's words where it has them.
type ParamError struct {
	Param string // e.g. "--targets"
	Msg   string
	Err   error
}

func (e *ParamError) Error() string {
	if e.Msg == "" && e.Err != nil {
		return fmt.Sprintf("invalid value for %s: %v", e.Param, e.Err)
	}
	return fmt.Sprintf("invalid value for %s: %s", e.Param, e.Msg)
}

func (e *ParamError) Unwrap() error { return e.Err }

// looksJSON reports whether the AWS CLI would treat s as JSON rather than
// shorthand: it starts with '{' or '['. (A shorthand list `[a,b]` for a
// whole parameter is not accepted by the AWS CLI either.)
func looksJSON(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")
}

// DecodeStruct decodes one structure-valued parameter (shorthand, JSON or
// file://) into dst, a pointer to a struct with JSON tags.
func DecodeStruct(param, raw string, dst any) error {
	s, err := ResolveFile(raw)
	if err != nil {
		return &ParamError{Param: param, Err: err}
	}
	if looksJSON(s) {
		return decodeJSON(param, s, dst)
	}
	m, err := Parse(s)
	if err != nil {
		return &ParamError{Param: param, Err: err}
	}
	return assign(param, m, reflect.ValueOf(dst).Elem())
}

// DecodeList decodes a list-of-structures parameter given as the AWS CLI
// takes it: several shorthand tokens (`Id=a Id=b`), one JSON array, JSON
// objects, or file:// references to any of those. dst points to a slice.
func DecodeList(param string, tokens []string, dst any) error {
	sv := reflect.ValueOf(dst).Elem()
	out := reflect.MakeSlice(sv.Type(), 0, len(tokens))
	for i, raw := range tokens {
		s, err := ResolveFile(raw)
		if err != nil {
			return &ParamError{Param: param, Err: err}
		}
		t := strings.TrimSpace(s)
		switch {
		case strings.HasPrefix(t, "["):
			part := reflect.New(sv.Type())
			if err := decodeJSON(param, t, part.Interface()); err != nil {
				return err
			}
			out = reflect.AppendSlice(out, part.Elem())
		case strings.HasPrefix(t, "{"):
			elem := reflect.New(sv.Type().Elem())
			if err := decodeJSON(param, t, elem.Interface()); err != nil {
				return err
			}
			out = reflect.Append(out, elem.Elem())
		default:
			m, err := Parse(t)
			if err != nil {
				return &ParamError{Param: param, Err: err}
			}
			elem := reflect.New(sv.Type().Elem()).Elem()
			if err := assign(fmt.Sprintf("%s[%d]", param, i), m, elem); err != nil {
				return err
			}
			out = reflect.Append(out, elem)
		}
	}
	sv.Set(out)
	return nil
}

// Strings decodes a list-of-strings parameter: space-separated tokens as the
// AWS CLI takes them, each of which may also be a JSON array, a comma list or
// a file:// reference. Empty items are dropped.
func Strings(param string, tokens []string) ([]string, error) {
	var out []string
	for _, raw := range tokens {
		s, err := ResolveFile(raw)
		if err != nil {
			return nil, &ParamError{Param: param, Err: err}
		}
		t := strings.TrimSpace(s)
		if strings.HasPrefix(t, "[") {
			var list []string
			if err := decodeJSON(param, t, &list); err != nil {
				return nil, err
			}
			out = append(out, list...)
			continue
		}
		for _, item := range strings.Split(t, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out, nil
}

func decodeJSON(param, s string, dst any) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return &ParamError{Param: param, Msg: "invalid JSON: " + err.Error(), Err: err}
	}
	if dec.More() {
		return &ParamError{Param: param, Msg: "invalid JSON: extra data after the value"}
	}
	return nil
}

// fieldsOf maps JSON member names to struct field indexes.
func fieldsOf(t reflect.Type) (map[string][]int, []string) {
	m := map[string][]int{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name = n
			}
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			sub, subNames := fieldsOf(f.Type)
			for k, idx := range sub {
				m[k] = append([]int{i}, idx...)
			}
			names = append(names, subNames...)
			continue
		}
		m[name] = []int{i}
		names = append(names, name)
	}
	return m, names
}

var errNotScalar = errors.New("not a scalar")

// assign stores a shorthand value into v, converting strings to the field
// types; where is the parameter path used in messages.
func assign(where string, val Value, v reflect.Value) error {
	if v.Kind() == reflect.Pointer {
		nv := reflect.New(v.Type().Elem())
		if err := assign(where, val, nv.Elem()); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	}
	switch v.Kind() {
	case reflect.Struct:
		m, ok := val.(map[string]Value)
		if !ok {
			return &ParamError{Param: where, Msg: fmt.Sprintf("expected a structure (Key=Value,...), got %s", describe(val))}
		}
		fields, names := fieldsOf(v.Type())
		for k, sub := range m {
			idx, ok := fields[k]
			if !ok {
				return &ParamError{Param: where, Msg: fmt.Sprintf("unknown parameter %q, must be one of: %s", k, strings.Join(names, ", "))}
			}
			if err := assign(where+"."+k, sub, v.FieldByIndex(idx)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		var items []Value
		switch x := val.(type) {
		case []Value:
			items = x
		default:
			items = []Value{x}
		}
		out := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, it := range items {
			if err := assign(fmt.Sprintf("%s[%d]", where, i), it, out.Index(i)); err != nil {
				return err
			}
		}
		v.Set(out)
		return nil
	case reflect.Map:
		m, ok := val.(map[string]Value)
		if !ok || v.Type().Key().Kind() != reflect.String {
			return &ParamError{Param: where, Msg: fmt.Sprintf("expected a map (Key=Value,...), got %s", describe(val))}
		}
		out := reflect.MakeMap(v.Type())
		for k, sub := range m {
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := assign(where+"."+k, sub, ev); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), ev)
		}
		v.Set(out)
		return nil
	}
	s, ok := val.(string)
	if !ok {
		return &ParamError{Param: where, Msg: fmt.Sprintf("expected a single value, got %s", describe(val)), Err: errNotScalar}
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.ToLower(s))
		if err != nil {
			return &ParamError{Param: where, Msg: fmt.Sprintf("%q is not a boolean (true or false)", s)}
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return &ParamError{Param: where, Msg: fmt.Sprintf("%q is not an integer", s)}
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			return &ParamError{Param: where, Msg: fmt.Sprintf("%q is not a non-negative integer", s)}
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return &ParamError{Param: where, Msg: fmt.Sprintf("%q is not a number", s)}
		}
		v.SetFloat(n)
	case reflect.Interface:
		v.Set(reflect.ValueOf(s))
	default:
		return &ParamError{Param: where, Msg: fmt.Sprintf("cannot set a %s from shorthand", v.Type())}
	}
	return nil
}

func describe(v Value) string {
	switch v.(type) {
	case []Value:
		return "a list"
	case map[string]Value:
		return "a structure"
	default:
		return "a single value"
	}
}
