package awsapi

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
)

// The service models are botocore's (Apache-2.0, see models/NOTICE),
// trimmed by `go generate` to the operations of the action table and the
// shapes they reach, documentation removed. They are the one spelling of
// the wire format: parameter names, list and member element names, result
// wrappers, required members, types and error status codes.
//
//go:generate go run ./internal/modelgen -out models
//go:embed models/*.json
var modelFiles embed.FS

// model is a botocore service model (service-2.json), the parts the Query
// and EC2 protocols need.
type model struct {
	Source   string `json:"x-gwlbctl-source,omitempty"`
	Metadata struct {
		APIVersion     string `json:"apiVersion"`
		EndpointPrefix string `json:"endpointPrefix"`
		Protocol       string `json:"protocol"`
		SigningName    string `json:"signingName"`
		XMLNamespace   string `json:"xmlNamespace"`
	} `json:"metadata"`
	Operations map[string]*operation `json:"operations"`
	Shapes     map[string]*shape     `json:"shapes"`

	// errStatus maps the error codes of the model's error shapes to their
	// HTTP status.
	errStatus map[string]int
}

// operation is one API operation of a model.
type operation struct {
	Name   string `json:"name"`
	Input  *ref   `json:"input"`
	Output *ref   `json:"output"`
	Errors []ref  `json:"errors"`
}

// ref is a reference to a shape (a member, a list's member, an operation's
// input or output) with the serialization traits set on the reference.
type ref struct {
	Shape         string `json:"shape"`
	LocationName  string `json:"locationName"`
	QueryName     string `json:"queryName"`
	ResultWrapper string `json:"resultWrapper"`
	Flattened     bool   `json:"flattened"`
	// IdempotencyToken marks a client token (ClientToken), which the
	// SDKs fill in themselves when the caller gives none.
	IdempotencyToken bool `json:"idempotencyToken"`

	shape *shape
}

// shape is a botocore shape.
type shape struct {
	Type         string          `json:"type"`
	Members      map[string]*ref `json:"members"`
	Member       *ref            `json:"member"`
	Key          *ref            `json:"key"`
	Value        *ref            `json:"value"`
	Required     []string        `json:"required"`
	Flattened    bool            `json:"flattened"`
	LocationName string          `json:"locationName"`
	Exception    bool            `json:"exception"`
	Error        *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
		SenderFault    bool   `json:"senderFault"`
	} `json:"error"`

	name string
	// order is the member names in the model's order, which is the order
	// AWS writes them in.
	order []string
}

// UnmarshalJSON decodes a shape and remembers its members' order.
func (s *shape) UnmarshalJSON(b []byte) error {
	type plain shape
	if err := json.Unmarshal(b, (*plain)(s)); err != nil {
		return err
	}
	var raw struct {
		Members json.RawMessage `json:"members"`
	}
	if err := json.Unmarshal(b, &raw); err != nil || len(raw.Members) == 0 {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw.Members))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return err
		}
		s.order = append(s.order, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

// serializedName is a member's name on the wire: the reference's
// locationName, else the shape's, else the member name.
func (r *ref) serializedName(member string) string {
	if r.LocationName != "" {
		return r.LocationName
	}
	if r.shape.LocationName != "" {
		return r.shape.LocationName
	}
	return member
}

func (r *ref) flattened() bool { return r.Flattened || r.shape.Flattened }

func (r *ref) required(member string) bool {
	for _, m := range r.shape.Required {
		if m == member {
			return true
		}
	}
	return false
}

// loadModel reads the embedded model file and resolves every reference.
func loadModel(file string) (*model, error) {
	b, err := modelFiles.ReadFile("models/" + file)
	if err != nil {
		return nil, fmt.Errorf("service model %s is not embedded (run go generate ./control/awsapi): %w", file, err)
	}
	m := &model{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("service model %s: %w", file, err)
	}
	resolve := func(r *ref) error {
		if r == nil {
			return nil
		}
		r.shape = m.Shapes[r.Shape]
		if r.shape == nil {
			return fmt.Errorf("service model %s: shape %q is referenced but not defined", file, r.Shape)
		}
		return nil
	}
	m.errStatus = map[string]int{}
	for name, s := range m.Shapes {
		s.name = name
		if s.Error != nil && s.Error.Code != "" {
			m.errStatus[s.Error.Code] = s.Error.HTTPStatusCode
		}
		for _, r := range s.Members {
			if err := resolve(r); err != nil {
				return nil, err
			}
		}
		for _, r := range []*ref{s.Member, s.Key, s.Value} {
			if err := resolve(r); err != nil {
				return nil, err
			}
		}
	}
	for _, op := range m.Operations {
		if err := resolve(op.Input); err != nil {
			return nil, err
		}
		if err := resolve(op.Output); err != nil {
			return nil, err
		}
		for i := range op.Errors {
			if err := resolve(&op.Errors[i]); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// signingName is the service name of SigV4 credential scopes.
func (m *model) signingName() string {
	if m.Metadata.SigningName != "" {
		return m.Metadata.SigningName
	}
	return m.Metadata.EndpointPrefix
}

// errorStatus is the HTTP status the model gives error code code, or 0.
func (m *model) errorStatus(code string) int { return m.errStatus[code] }
