package control

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// ClientTokenRecord remembers one create made with a client token, as EC2
// does for idempotency: the same token with the same parameters returns
// the resource it created, with other parameters it is refused
// (IdempotentParameterMismatch).
type ClientTokenRecord struct {
	// Operation is the create's action name (CreateRouteTable).
	Operation string `json:"operation"`
	// Token is the client token, case-sensitive.
	Token string `json:"token"`
	// Digest is the SHA-256 of the request's parameters other than the
	// token and DryRun (RequestDigest).
	Digest string `json:"digest"`
	// ResourceId is the id of the resource the create made.
	ResourceId string `json:"resourceId"`
}

// MaxClientTokenLength is the longest client token EC2 takes (64 ASCII
// characters).
const MaxClientTokenLength = 64

// checkClientToken refuses a token EC2 would not take.
func checkClientToken(op, token string) error {
	if len(token) > MaxClientTokenLength {
		return newError(op, CodeInvalidParameterValue, "Client token '%s' is longer than %d characters", token, MaxClientTokenLength)
	}
	for _, c := range []byte(token) {
		if c < 0x20 || c > 0x7e {
			return newError(op, CodeInvalidParameterValue, "Client token '%s' has a character that is not printable ASCII", token)
		}
	}
	return nil
}

// RequestDigest is the digest of a create's parameters that a client
// token's retries must repeat: the input as JSON with the ClientToken and
// DryRun members left out, null and empty values dropped (an omitted list
// and an empty one are the same request) and keys in order.
func RequestDigest(in any) (string, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "", err
	}
	if m, ok := v.(map[string]any); ok {
		delete(m, "ClientToken")
		delete(m, "DryRun")
	}
	b, err = json.Marshal(pruneEmpty(v))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// pruneEmpty drops null, empty-string, empty-list and empty-object members,
// recursively (false stays: an explicit false may differ from a default).
func pruneEmpty(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			e = pruneEmpty(e)
			if isEmptyJSON(e) {
				delete(x, k)
			} else {
				x[k] = e
			}
		}
	case []any:
		for i, e := range x {
			x[i] = pruneEmpty(e)
		}
	}
	return v
}

func isEmptyJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// createdWithToken looks up a client token of op: the id of the resource
// the same request created ("" when the token is new, or when its resource
// no longer exists: the record is then forgotten and the request creates
// anew), or IdempotentParameterMismatch when the token came with other
// parameters. exists reports whether a resource id still exists. A
// request without a token returns "".
func (s *State) createdWithToken(op, token string, in any, exists func(id string) bool) (string, error) {
	if token == "" {
		return "", nil
	}
	if err := checkClientToken(op, token); err != nil {
		return "", err
	}
	digest, err := RequestDigest(in)
	if err != nil {
		return "", fmt.Errorf("%s: client token digest: %w", op, err)
	}
	for i, r := range s.ClientTokens {
		if r.Operation != op || r.Token != token {
			continue
		}
		if !exists(r.ResourceId) {
			s.ClientTokens = append(s.ClientTokens[:i], s.ClientTokens[i+1:]...)
			return "", nil
		}
		if r.Digest != digest {
			return "", newError(op, CodeIdempotentParameterMismatch, "Client token '%s' was used with different parameters", token)
		}
		return r.ResourceId, nil
	}
	return "", nil
}

// rememberToken records that op's request with token created id (nothing
// without a token).
func (s *State) rememberToken(op, token string, in any, id string) error {
	if token == "" {
		return nil
	}
	digest, err := RequestDigest(in)
	if err != nil {
		return fmt.Errorf("%s: client token digest: %w", op, err)
	}
	s.ClientTokens = append(s.ClientTokens, &ClientTokenRecord{Operation: op, Token: token, Digest: digest, ResourceId: id})
	return nil
}
