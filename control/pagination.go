package control

import (
	"encoding/base64"
	"encoding/json"
)

// Paging limits of the describe actions, from the service models: EC2's
// MaxResults and ELBv2's PageSize ranges.
const (
	MinEC2MaxResults        = 5
	MaxEC2MaxResults        = 1000
	MaxRouteTableMaxResults = 100
	MinELBPageSize          = 1
	MaxELBPageSize          = 400
)

// CodeInvalidPaginationToken is EC2's error for a NextToken it did not
// issue.
const CodeInvalidPaginationToken = "InvalidPaginationToken"

// pageToken is what a NextToken or NextMarker holds: where the next page
// starts (the index) and the identifier of the last item returned, so that
// a list that changed between calls resumes after that item. It is opaque
// to callers (base64 of JSON) and only means something to gwlbctl.
type pageToken struct {
	Index int    `json:"i"`
	After string `json:"after"`
}

func encodePageToken(t pageToken) string {
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

// paging is one describe call's paging request, the same for EC2
// (MaxResults/NextToken) and ELBv2 (PageSize/Marker).
type paging struct {
	op          string
	limit       *int
	token       string
	min, max    int
	clampAbove  bool   // more than max returns max (EC2 VPC endpoints), instead of an error
	limitParam  string // maxResults or pageSize, for messages
	tokenParam  string // nextToken or marker
	invalidCode string // InvalidPaginationToken (EC2) or ValidationError (ELBv2)
}

func ec2Paging(op string, maxResults *int, nextToken string, max int, clampAbove bool) paging {
	return paging{op: op, limit: maxResults, token: nextToken, min: MinEC2MaxResults, max: max, clampAbove: clampAbove,
		limitParam: "maxResults", tokenParam: "nextToken", invalidCode: CodeInvalidPaginationToken}
}

func elbPaging(op string, pageSize *int, marker string) paging {
	return paging{op: op, limit: pageSize, token: marker, min: MinELBPageSize, max: MaxELBPageSize,
		limitParam: "pageSize", tokenParam: "marker", invalidCode: CodeValidationError}
}

// check validates the limit and decodes the token before the action does
// anything else.
func (p paging) check() (limit int, start *pageToken, err error) {
	if p.limit != nil {
		n := *p.limit
		switch {
		case n < p.min:
			return 0, nil, p.limitError(n)
		case n > p.max && !p.clampAbove:
			return 0, nil, p.limitError(n)
		case n > p.max:
			n = p.max
		}
		limit = n
	}
	if p.token != "" {
		b, err := base64.RawURLEncoding.DecodeString(p.token)
		var t pageToken
		if err != nil || json.Unmarshal(b, &t) != nil || t.Index < 0 {
			return 0, nil, newError(p.op, p.invalidCode, "The %s '%s' is not valid: pass the value of the previous response's token unchanged", p.tokenParam, p.token)
		}
		start = &t
	}
	return limit, start, nil
}

func (p paging) limitError(n int) error {
	if p.invalidCode == CodeValidationError {
		return newError(p.op, CodeValidationError, "1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value between %d and %d", n, p.limitParam, p.min, p.max)
	}
	return newError(p.op, CodeInvalidParameterValue, "Value ( %d ) for parameter %s is invalid. Parameter must be between %d and %d.", n, p.limitParam, p.min, p.max)
}

// page cuts one page out of items (already filtered, in their stored
// order) and returns it with the token of the next page ("" on the last).
// id names an item, for resuming after it.
func page[T any](p paging, items []T, id func(T) string) ([]T, string, error) {
	limit, start, err := p.check()
	if err != nil {
		return nil, "", err
	}
	from := 0
	if start != nil {
		from = start.Index
		if from > 0 && from <= len(items) && id(items[from-1]) == start.After {
			// The list did not change before the resume point.
		} else if i := indexOf(items, start.After, id); i >= 0 {
			from = i + 1
		}
		from = min(from, len(items))
	}
	rest := items[from:]
	if limit == 0 || len(rest) <= limit {
		return rest, "", nil
	}
	pg := rest[:limit]
	return pg, encodePageToken(pageToken{Index: from + limit, After: id(pg[len(pg)-1])}), nil
}

func indexOf[T any](items []T, want string, id func(T) string) int {
	for i, x := range items {
		if id(x) == want {
			return i
		}
	}
	return -1
}

// CodeDryRunOperation is EC2's answer to a request with DryRun set that
// would have succeeded.
const CodeDryRunOperation = "DryRunOperation"

// dryRun answers an EC2 request with DryRun set: the request runs on a
// copy of the state, so it is validated as a real call would be, and
// DryRunOperation comes back when it would have succeeded. Deviation: EC2
// checks IAM permissions only and answers UnauthorizedOperation when they
// are missing; gwlbctl has no IAM, so it validates the request instead and
// never answers UnauthorizedOperation.
func dryRun[I, O any](s *State, env Env, op string, in I, action func(*State, Env, I) (*O, error)) error {
	if _, err := action(s.Clone(), env, in); err != nil {
		return err
	}
	return newError(op, CodeDryRunOperation, "Request would have succeeded, but DryRun flag is set.")
}
