package awsapi

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// DefaultMaxBodyBytes is the largest request body accepted: far above any
// real request (a register-targets of 1000 targets is ~60 KiB), so a
// larger one is refused (413) before it is read.
const DefaultMaxBodyBytes = 1 << 20

// Config is what the Handler serves from.
type Config struct {
	// Store is the state store, the same the CLI uses.
	Store store.Store
	// Region is the region of requests whose signature names none
	// (unsigned requests); a signed request acts in its credential
	// scope's region, as the CLI acts in --region.
	Region string
	// Account is the account every request acts in.
	Account string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Credentials, when set, are verified against every request's
	// signature; when nil, signatures are parsed but not verified.
	Credentials *Credentials
	// MaxBodyBytes caps request bodies (DefaultMaxBodyBytes when 0).
	MaxBodyBytes int64
	// Log, when set, is called once per answered request.
	Log func(RequestLog)
}

// RequestLog describes one answered request.
type RequestLog struct {
	RequestID string
	Service   string // elbv2 or ec2; "" when none could be chosen
	Action    string
	Status    int
	Code      string // the error code; "" on success
	Message   string // the error message; "" on success
	Duration  time.Duration
}

// Handler serves the AWS Query API of ELBv2 and EC2 over the control
// operations. It is safe for concurrent use: mutating requests serialize
// on the store's lock, as concurrent CLI processes do.
type Handler struct {
	cfg       Config
	services  []*service
	bySigning map[string]*service
	byVersion map[string]*service
}

// New checks cfg and the action table against the embedded models.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("awsapi: no state store")
	}
	if err := (control.Env{Region: cfg.Region, Account: cfg.Account}).Validate(); err != nil {
		return nil, err
	}
	if cfg.Credentials != nil && (cfg.Credentials.AccessKeyID == "" || cfg.Credentials.SecretAccessKey == "") {
		return nil, errors.New("awsapi: credentials need both an access key id and a secret access key")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	h := &Handler{cfg: cfg, bySigning: map[string]*service{}, byVersion: map[string]*service{}}
	byID := map[string]*service{}
	for _, id := range []string{serviceELBv2, serviceEC2} {
		m, err := loadModel(modelFile[id])
		if err != nil {
			return nil, err
		}
		s := &service{id: id, model: m, ec2: m.Metadata.Protocol == "ec2", actions: map[string]*action{}}
		h.services = append(h.services, s)
		h.bySigning[m.signingName()] = s
		h.byVersion[m.Metadata.APIVersion] = s
		byID[id] = s
	}
	var problems []string
	for _, a := range actionTable {
		s := byID[a.service]
		op := s.model.Operations[a.name]
		if op == nil {
			problems = append(problems, fmt.Sprintf("%s %s is not in the embedded model (run go generate ./control/awsapi)", a.service, a.name))
			continue
		}
		if op.Input != nil {
			problems = append(problems, checkTypes(a.input, op.Input.shape, a.name+"Input", map[typePair]bool{})...)
		}
		if op.Output != nil {
			problems = append(problems, checkTypes(a.output, op.Output.shape, a.name+"Output", map[typePair]bool{})...)
		}
		s.actions[a.name] = a
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("awsapi: the action table does not fit the service models:\n  %s", strings.Join(problems, "\n  "))
	}
	return h, nil
}

// request is one request being answered.
type request struct {
	id     string
	svc    *service
	action string
	start  time.Time
}

// ServeHTTP answers one Query API request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := &request{id: newRequestID(), start: time.Now()}
	w.Header().Set("x-amzn-RequestId", q.id)
	body, err := h.serve(q, w, r)
	if err != nil {
		h.writeError(w, q, err)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	h.log(q, http.StatusOK, nil)
}

func (h *Handler) serve(q *request, w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		return nil, errorf(codeMethodNotAllowed, "method %s is not allowed: the Query API takes POST (form-encoded) or GET", r.Method)
	}
	body, aerr := h.readBody(w, r)
	if aerr != nil {
		return nil, aerr
	}
	urlQuery, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errorf(codeMalformedQueryString, "the query string is not valid: %v", err)
	}
	form := urlQuery
	if len(body) > 0 {
		bodyForm, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, errorf(codeMalformedQueryString, "the form-encoded body is not valid: %v", err)
		}
		form = url.Values{}
		for _, src := range []url.Values{urlQuery, bodyForm} {
			for k, vs := range src {
				form[k] = append(form[k], vs...)
			}
		}
	}

	sig, aerr := parseSignature(r, urlQuery)
	q.svc = h.pickService(sig, r.Host, form.Get("Version"))
	if aerr != nil {
		return nil, aerr
	}
	if sig != nil && h.bySigning[sig.service] == nil {
		return nil, errorf(codeSignatureDoesNotMatch, "Credential should be scoped to correct service: '%s' is not served here (%s)", sig.service, strings.Join(h.signingNames(), ", "))
	}
	version := form.Get("Version")
	q.action = form.Get("Action")
	if q.svc == nil {
		if version == "" {
			return nil, errorf(codeMissingParameter, "The request must contain the parameter Version (%s)", h.versions())
		}
		return nil, errorf(codeNoSuchVersion, "The requested version (%s) does not exist here; gwlbctl serves %s", version, h.versions())
	}
	svc := q.svc
	if q.action == "" {
		return nil, errorf(codeMissingAction, "The request must contain the parameter Action")
	}
	if version != svc.model.Metadata.APIVersion {
		return nil, svc.wrongVersion(q.action, version)
	}
	act := svc.actions[q.action]
	if act == nil {
		return nil, svc.invalidAction(q.action, version)
	}
	if h.cfg.Credentials != nil {
		if sig == nil {
			return nil, errorf(codeMissingAuthenticationToken, "Request is missing Authentication Token")
		}
		if aerr := sig.verify(r, body, h.cfg.Credentials, h.cfg.Now(), svc.ec2); aerr != nil {
			return nil, aerr
		}
	}
	env := control.Env{Region: h.cfg.Region, Account: h.cfg.Account, Now: h.cfg.Now}
	if sig != nil {
		env.Region = sig.region
		if err := env.Validate(); err != nil {
			return nil, errorf(codeSignatureDoesNotMatch, "Credential should be scoped to a valid region, not '%s'", sig.region)
		}
	}

	op := svc.model.Operations[q.action]
	dec := newDecoder(svc, form)
	in, err := dec.decode(op.Input, act.input)
	if err != nil {
		return nil, h.asAPIError(svc, err)
	}
	out, err := act.run(h.cfg.Store, env, act.mutates, in)
	if err != nil {
		return nil, h.asAPIError(svc, err)
	}
	b, err := h.encodeResult(q, op, out)
	if err != nil {
		return nil, svc.internal(err)
	}
	return b, nil
}

func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	tooLarge := errorf(codeRequestEntityTooLarge, "the request body is larger than %d bytes", h.cfg.MaxBodyBytes)
	if r.ContentLength > h.cfg.MaxBodyBytes {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, tooLarge
	}
	if err != nil {
		return nil, errorf(codeMalformedQueryString, "reading the request body: %v", err)
	}
	if len(body) > 0 {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			mt, _, err := mime.ParseMediaType(ct)
			if err != nil || mt != "application/x-www-form-urlencoded" {
				return nil, errorf(codeUnsupportedMediaType, "Content-Type %q is not served: the Query API takes application/x-www-form-urlencoded bodies", ct)
			}
		}
	}
	return body, nil
}

// pickService chooses the service of a request: by its signature's
// credential scope (elasticloadbalancing, ec2), else by the Host name's
// first label (as on AWS's endpoints), else by Version.
func (h *Handler) pickService(sig *signature, host, version string) *service {
	if sig != nil {
		if s := h.bySigning[sig.service]; s != nil {
			return s
		}
	}
	if name, _, err := net.SplitHostPort(host); err == nil {
		host = name
	}
	label, _, _ := strings.Cut(host, ".")
	if s := h.bySigning[strings.ToLower(label)]; s != nil {
		return s
	}
	return h.byVersion[version]
}

func (h *Handler) signingNames() []string {
	var out []string
	for _, s := range h.services {
		out = append(out, s.model.signingName())
	}
	return out
}

func (h *Handler) versions() string {
	var out []string
	for _, s := range h.services {
		out = append(out, s.model.Metadata.APIVersion+" for "+s.id)
	}
	return strings.Join(out, ", ")
}

// asAPIError turns an operation's or the decoder's error into the error
// answered: a *control.Error or *apiError as it is, anything else (the
// state store failing, a defect) as an internal error.
func (h *Handler) asAPIError(svc *service, err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if ce, ok := control.AsError(err); ok {
		return &apiError{Code: ce.Code, Message: ce.Message}
	}
	return svc.internal(err)
}

// namespace is the service's XML namespace as AWS writes it (with the
// trailing slash EC2's model leaves out).
func namespace(s *service) string {
	ns := s.model.Metadata.XMLNamespace
	if !strings.HasSuffix(ns, "/") {
		ns += "/"
	}
	return ns
}

func (h *Handler) encodeResult(q *request, op *operation, out any) ([]byte, error) {
	var buf bytes.Buffer
	e := &encoder{buf: &buf}
	root := q.action + "Response"
	v := reflect.ValueOf(out)
	if q.svc.ec2 {
		buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		fmt.Fprintf(&buf, `<%s xmlns="%s"><requestId>%s</requestId>`, root, namespace(q.svc), q.id)
		if op.Output != nil {
			if err := e.structure(op.Output.shape, v); err != nil {
				return nil, err
			}
		} else {
			// EC2 answers actions without output so.
			buf.WriteString("<return>true</return>")
		}
		e.close(root)
		return buf.Bytes(), nil
	}
	fmt.Fprintf(&buf, `<%s xmlns="%s">`, root, namespace(q.svc))
	if op.Output != nil {
		wrapper := op.Output.ResultWrapper
		if wrapper != "" {
			e.open(wrapper)
		}
		if err := e.structure(op.Output.shape, v); err != nil {
			return nil, err
		}
		if wrapper != "" {
			e.close(wrapper)
		}
	}
	fmt.Fprintf(&buf, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>", q.id)
	e.close(root)
	return buf.Bytes(), nil
}

// writeError answers err in the error shape of the request's service
// (ELBv2's when none could be chosen).
func (h *Handler) writeError(w http.ResponseWriter, q *request, err *apiError) {
	var m *model
	if q.svc != nil {
		m = q.svc.model
	}
	st := status(m, err.Code)
	var buf bytes.Buffer
	e := &encoder{buf: &buf}
	if q.svc != nil && q.svc.ec2 {
		buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Response><Errors><Error><Code>")
		e.text(err.Code)
		buf.WriteString("</Code><Message>")
		e.text(err.Message)
		fmt.Fprintf(&buf, "</Message></Error></Errors><RequestID>%s</RequestID></Response>", q.id)
	} else {
		ns := "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"
		if q.svc != nil {
			ns = namespace(q.svc)
		}
		typ := "Sender"
		if st >= 500 {
			typ = "Receiver"
		}
		fmt.Fprintf(&buf, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>`, ns, typ)
		e.text(err.Code)
		buf.WriteString("</Code><Message>")
		e.text(err.Message)
		fmt.Fprintf(&buf, "</Message></Error><RequestId>%s</RequestId></ErrorResponse>", q.id)
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(st)
	w.Write(buf.Bytes())
	h.log(q, st, err)
}

func (h *Handler) log(q *request, st int, err *apiError) {
	if h.cfg.Log == nil {
		return
	}
	l := RequestLog{RequestID: q.id, Action: q.action, Status: st, Duration: time.Since(q.start)}
	if q.svc != nil {
		l.Service = q.svc.id
	}
	if err != nil {
		l.Code, l.Message = err.Code, err.Message
	}
	h.cfg.Log(l)
}

// newRequestID returns a random (version 4) UUID, the form of AWS's
// request ids.
func newRequestID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("awsapi: reading random bytes: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
