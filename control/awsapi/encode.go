package awsapi

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// awsTime is how AWS writes timestamps in Query responses.
const awsTime = "2006-01-02T15:04:05.000Z"

// encoder writes an operation's *Output as the XML of its output shape,
// walking the shape and the Go value together. Members are written in the
// model's order; a Go field that encoding/json would leave out (omitempty,
// omitzero, a nil pointer or slice) is left out.
type encoder struct {
	buf *bytes.Buffer
}

func (e *encoder) open(tag string) {
	e.buf.WriteByte('<')
	e.buf.WriteString(tag)
	e.buf.WriteByte('>')
}

func (e *encoder) close(tag string) {
	e.buf.WriteString("</")
	e.buf.WriteString(tag)
	e.buf.WriteByte('>')
}

func (e *encoder) text(s string) { _ = xml.EscapeText(e.buf, []byte(s)) }

func (e *encoder) structure(sh *shape, v reflect.Value) error {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct || isTime(v.Type()) {
		return fmt.Errorf("output: model shape %s (structure) does not fit Go type %s", sh.name, v.Type())
	}
	fields := fieldsOf(v.Type())
	for _, name := range sh.order {
		f, ok := fields[name]
		if !ok {
			continue
		}
		fv := v.FieldByIndex(f.index)
		if omitted(fv, f) {
			continue
		}
		if err := e.member(sh.Members[name], name, fv); err != nil {
			return err
		}
	}
	// A set field the shape has no member for would be lost.
	for name, f := range fields {
		if _, ok := sh.Members[name]; !ok && !omitted(v.FieldByIndex(f.index), f) {
			return fmt.Errorf("output: %s.%s is set but model shape %s has no member %s to write it in", v.Type(), name, sh.name, name)
		}
	}
	return nil
}

// omitted reports whether encoding/json leaves the field out or writes
// null for it.
func omitted(v reflect.Value, f goField) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		if v.IsNil() {
			return true
		}
	}
	if f.omitZero && v.IsZero() {
		return true
	}
	if f.omitEmpty {
		switch v.Kind() {
		case reflect.Slice, reflect.Map, reflect.String, reflect.Array:
			return v.Len() == 0
		case reflect.Bool:
			return !v.Bool()
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return v.Int() == 0
		case reflect.Float32, reflect.Float64:
			return v.Float() == 0
		}
	}
	return false
}

func (e *encoder) member(r *ref, name string, v reflect.Value) error {
	if r.shape.Type == "list" && r.flattened() {
		tag := r.serializedName(name)
		if n := r.shape.Member.LocationName; n != "" {
			tag = n
		}
		for i := 0; i < v.Len(); i++ {
			e.open(tag)
			if err := e.value(r.shape.Member, v.Index(i)); err != nil {
				return err
			}
			e.close(tag)
		}
		return nil
	}
	tag := r.serializedName(name)
	e.open(tag)
	if err := e.value(r, v); err != nil {
		return err
	}
	e.close(tag)
	return nil
}

func (e *encoder) value(r *ref, v reflect.Value) error {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	sh := r.shape
	bad := func() error {
		return fmt.Errorf("output: model shape %s (%s) does not fit Go type %s", sh.name, sh.Type, v.Type())
	}
	switch sh.Type {
	case "structure":
		return e.structure(sh, v)
	case "list":
		if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
			return bad()
		}
		tag := "member"
		if n := sh.Member.serializedName(""); n != "" {
			tag = n
		}
		for i := 0; i < v.Len(); i++ {
			e.open(tag)
			if err := e.value(sh.Member, v.Index(i)); err != nil {
				return err
			}
			e.close(tag)
		}
	case "map":
		if v.Kind() != reflect.Map {
			return bad()
		}
		kt, vt := sh.Key.serializedName("key"), sh.Value.serializedName("value")
		iter := v.MapRange()
		for iter.Next() {
			if !r.flattened() {
				e.open("entry")
			}
			e.open(kt)
			if err := e.value(sh.Key, iter.Key()); err != nil {
				return err
			}
			e.close(kt)
			e.open(vt)
			if err := e.value(sh.Value, iter.Value()); err != nil {
				return err
			}
			e.close(vt)
			if !r.flattened() {
				e.close("entry")
			}
		}
	case "timestamp":
		var t time.Time
		switch x := v.Interface().(type) {
		case control.Timestamp:
			t = x.Time
		case time.Time:
			t = x
		default:
			return bad()
		}
		e.buf.WriteString(t.UTC().Format(awsTime))
	case "boolean":
		if v.Kind() != reflect.Bool {
			return bad()
		}
		e.buf.WriteString(strconv.FormatBool(v.Bool()))
	case "integer", "long":
		if !isInt(v.Kind()) {
			return bad()
		}
		e.buf.WriteString(strconv.FormatInt(v.Int(), 10))
	case "double", "float":
		if v.Kind() != reflect.Float64 && v.Kind() != reflect.Float32 {
			return bad()
		}
		e.buf.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case "string":
		if v.Kind() != reflect.String {
			return bad()
		}
		e.text(v.String())
	default:
		return fmt.Errorf("output: model type %q of shape %s is not supported", sh.Type, sh.name)
	}
	return nil
}
