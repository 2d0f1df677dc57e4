package awsapi

import (
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// decoder reads a request's form parameters into an operation's Input,
// walking the input shape and the Go type together: a parameter the
// model has and the Go type lacks is refused by name, one the model does
// not have is unknown, and every parameter must be used.
type decoder struct {
	svc  *service
	form url.Values
	keys []string // the parameter names, sorted
	used map[string]bool
}

// reserved are parameters that belong to the protocol, not to an input:
// the action and version, and SigV4 query-string (and SigV2) signing.
func reserved(key string) bool {
	switch key {
	case "Action", "Version", "AWSAccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "Timestamp", "Expires", "SecurityToken":
		return true
	}
	return len(key) > 6 && strings.EqualFold(key[:6], "X-Amz-")
}

func newDecoder(svc *service, form url.Values) *decoder {
	d := &decoder{svc: svc, form: form, used: map[string]bool{}}
	for k := range form {
		d.keys = append(d.keys, k)
	}
	sort.Strings(d.keys)
	return d
}

// decode returns the Input value (of type t) the request's parameters
// describe.
func (d *decoder) decode(in *ref, t reflect.Type) (any, error) {
	v := reflect.New(t).Elem()
	if in != nil {
		if v.Kind() != reflect.Struct {
			return nil, fmt.Errorf("input type %s is not a struct", t)
		}
		if err := d.structure(in.shape, v, "", ""); err != nil {
			return nil, err
		}
	}
	for _, k := range d.keys {
		if !d.used[k] && !reserved(k) {
			return nil, d.svc.unknown(k)
		}
	}
	return v.Interface(), nil
}

// present reports whether key, or a parameter under it (key.*), is given.
func (d *decoder) present(key string) bool {
	i := sort.SearchStrings(d.keys, key)
	if i < len(d.keys) && d.keys[i] == key {
		return true
	}
	p := key + "."
	i = sort.SearchStrings(d.keys, p)
	return i < len(d.keys) && strings.HasPrefix(d.keys[i], p)
}

// take returns the value of parameter key and marks it used.
func (d *decoder) take(key string) (string, bool, error) {
	vals, ok := d.form[key]
	if !ok {
		return "", false, nil
	}
	d.used[key] = true
	if len(vals) != 1 {
		return "", true, d.svc.badValue(key, key, strings.Join(vals, ","), "the parameter is given more than once")
	}
	return vals[0], true, nil
}

// pathJoin builds the member path AWS's ELBv2 messages use
// ('targets.1.member.id').
func pathJoin(path, member string) string {
	m := strings.ToLower(member[:1]) + member[1:]
	if path == "" {
		return m
	}
	return path + "." + m
}

func (d *decoder) structure(sh *shape, v reflect.Value, prefix, path string) error {
	fields := fieldsOf(v.Type())
	for _, name := range sh.order {
		m := sh.Members[name]
		key := d.svc.paramName(m, name)
		if prefix != "" {
			key = prefix + "." + key
		}
		p := pathJoin(path, name)
		if !d.present(key) && !(m.shape.Type == "list" && d.present(d.listPrefix(m, key))) {
			if slices.Contains(sh.Required, name) {
				return d.svc.missing(key, p)
			}
			continue
		}
		f, ok := fields[name]
		if !ok && ignoredToken(m) {
			// The SDKs send it on every call; see ignoredToken.
			if _, _, err := d.take(key); err != nil {
				return err
			}
			continue
		}
		if !ok {
			return d.svc.unsupported(key)
		}
		if err := d.value(m, v.FieldByIndex(f.index), key, p); err != nil {
			return err
		}
	}
	return nil
}

// ignoredToken reports whether m is an idempotency token of an operation
// that takes none (its Input has no field for it): such a token is
// accepted and not acted on rather than refused, because the AWS SDKs
// fill one in on every call, so refusing it would refuse every SDK call.
// A retried request is then not recognised as a retry. Today every
// served operation with a token takes it (TestIgnoredTokens).
func ignoredToken(m *ref) bool {
	return m.IdempotencyToken && m.shape.Type == "string"
}

func (d *decoder) value(r *ref, v reflect.Value, key, path string) error {
	if v.Kind() == reflect.Pointer {
		nv := reflect.New(v.Type().Elem())
		if err := d.value(r, nv.Elem(), key, path); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	}
	sh := r.shape
	switch sh.Type {
	case "structure":
		if v.Kind() != reflect.Struct || isTime(v.Type()) {
			return mismatch(key, sh, v.Type())
		}
		return d.structure(sh, v, key, path)
	case "list":
		return d.list(r, v, key, path)
	case "map":
		return d.mapValue(r, v, key, path)
	}
	s, ok, err := d.take(key)
	if err != nil {
		return err
	}
	if !ok {
		// Only parameters under key were given (Key.1=...): a scalar
		// takes none.
		return d.svc.unknown(d.keys[sort.SearchStrings(d.keys, key+".")])
	}
	return d.scalar(sh, v, s, key, path)
}

func (d *decoder) scalar(sh *shape, v reflect.Value, s, key, path string) error {
	switch sh.Type {
	case "string":
		if v.Kind() != reflect.String {
			return mismatch(key, sh, v.Type())
		}
		v.SetString(s)
	case "integer", "long":
		if !isInt(v.Kind()) {
			return mismatch(key, sh, v.Type())
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v.OverflowInt(n) {
			return d.svc.badValue(key, path, s, "Member must be an integer")
		}
		v.SetInt(n)
	case "boolean":
		if v.Kind() != reflect.Bool {
			return mismatch(key, sh, v.Type())
		}
		switch strings.ToLower(s) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return d.svc.badValue(key, path, s, "Member must be true or false")
		}
	case "double", "float":
		if v.Kind() != reflect.Float64 && v.Kind() != reflect.Float32 {
			return mismatch(key, sh, v.Type())
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return d.svc.badValue(key, path, s, "Member must be a number")
		}
		v.SetFloat(f)
	case "timestamp":
		t, err := parseTimestamp(s)
		if err != nil {
			return d.svc.badValue(key, path, s, "Member must be an ISO 8601 time")
		}
		switch v.Type() {
		case reflect.TypeFor[control.Timestamp]():
			v.Set(reflect.ValueOf(control.NewTimestamp(t)))
		case reflect.TypeFor[time.Time]():
			v.Set(reflect.ValueOf(t))
		default:
			return mismatch(key, sh, v.Type())
		}
	default:
		return fmt.Errorf("parameter %s: model type %q is not supported", key, sh.Type)
	}
	return nil
}

func parseTimestamp(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(int64(f * 1000)).UTC(), nil
}

// listPrefix is the prefix of a list's elements, as botocore's serializers
// write them: EC2 Name.N; Query Name.member.N (the member's locationName
// instead of member when it has one), or, flattened, Name.N with the last
// segment replaced by the member's locationName when it has one.
func (d *decoder) listPrefix(r *ref, key string) string {
	if d.svc.ec2 {
		return key
	}
	member := r.shape.Member
	if r.flattened() {
		if n := member.LocationName; n != "" {
			if i := strings.LastIndexByte(key, '.'); i >= 0 {
				return key[:i+1] + n
			}
			return n
		}
		return key
	}
	if n := member.LocationName; n != "" {
		return key + "." + n
	}
	return key + ".member"
}

// indices returns the element numbers given under prefix (prefix.N...),
// in order. A segment that is not a number is left unused, and so
// reported as unknown.
func (d *decoder) indices(prefix string) []int {
	p := prefix + "."
	var out []int
	for i := sort.SearchStrings(d.keys, p); i < len(d.keys) && strings.HasPrefix(d.keys[i], p); i++ {
		seg, _, _ := strings.Cut(d.keys[i][len(p):], ".")
		n, err := strconv.Atoi(seg)
		if err != nil || n < 1 || strconv.Itoa(n) != seg {
			continue
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (d *decoder) list(r *ref, v reflect.Value, key, path string) error {
	if v.Kind() != reflect.Slice {
		return mismatch(key, r.shape, v.Type())
	}
	prefix := d.listPrefix(r, key)
	empty := false
	// The Query serializers send an empty list as "Name=".
	if vals, ok := d.form[key]; ok && !d.svc.ec2 && len(vals) == 1 && vals[0] == "" {
		d.used[key] = true
		empty = true
	}
	idx := d.indices(prefix)
	out := reflect.MakeSlice(v.Type(), 0, len(idx))
	for _, n := range idx {
		e := reflect.New(v.Type().Elem()).Elem()
		ek := prefix + "." + strconv.Itoa(n)
		if err := d.value(r.shape.Member, e, ek, fmt.Sprintf("%s.%d.member", path, n)); err != nil {
			return err
		}
		out = reflect.Append(out, e)
	}
	if len(idx) > 0 || empty {
		v.Set(out)
	}
	return nil
}

func (d *decoder) mapValue(r *ref, v reflect.Value, key, path string) error {
	if v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String {
		return mismatch(key, r.shape, v.Type())
	}
	prefix := key + ".entry"
	if r.flattened() {
		prefix = key
	}
	kname := r.shape.Key.serializedName("key")
	vname := r.shape.Value.serializedName("value")
	m := reflect.MakeMap(v.Type())
	for _, n := range d.indices(prefix) {
		ep := prefix + "." + strconv.Itoa(n)
		k := reflect.New(v.Type().Key()).Elem()
		if err := d.value(r.shape.Key, k, ep+"."+kname, path); err != nil {
			return err
		}
		e := reflect.New(v.Type().Elem()).Elem()
		if err := d.value(r.shape.Value, e, ep+"."+vname, path); err != nil {
			return err
		}
		m.SetMapIndex(k, e)
	}
	v.Set(m)
	return nil
}

// mismatch is a Go type that cannot hold the model's shape: a defect of
// gwlbctl's types, which New's check reports before any request.
func mismatch(key string, sh *shape, t reflect.Type) error {
	return fmt.Errorf("parameter %s: model shape %s (%s) does not fit Go type %s", key, sh.name, sh.Type, t)
}

func isInt(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return true
	}
	return false
}

func isTime(t reflect.Type) bool {
	return t == reflect.TypeFor[control.Timestamp]() || t == reflect.TypeFor[time.Time]()
}

// goField is a struct field as encoding/json sees it.
type goField struct {
	index     []int
	omitEmpty bool
	omitZero  bool
}

var fieldCache sync.Map // reflect.Type -> map[string]goField

// fieldsOf maps the JSON names of struct type t's fields (AWS's member
// names) to the fields.
func fieldsOf(t reflect.Type) map[string]goField {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]goField)
	}
	out := map[string]goField{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		gf := goField{index: f.Index}
		for _, o := range strings.Split(opts, ",") {
			gf.omitEmpty = gf.omitEmpty || o == "omitempty"
			gf.omitZero = gf.omitZero || o == "omitzero"
		}
		out[name] = gf
	}
	fieldCache.Store(t, out)
	return out
}
