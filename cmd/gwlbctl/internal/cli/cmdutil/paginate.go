package cmdutil

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/output"
)

// Paginator is one operation's entry in botocore's paginators-1.json
// (elbv2 2015-12-01, ec2 2016-11-15): the request member that takes the
// service's token, the response member that returns it, the request member
// that limits a page, and the members whose lists the pages add up.
// MinLimit is the limit's minimum in the service model, which botocore
// checks before calling (0: none).
type Paginator struct {
	InputToken, OutputToken, LimitKey string
	ResultKeys                        []string
	MinLimit                          int
}

// Paginators are the paginated operations gwlbctl has, as paginators-1.json
// defines them.
var Paginators = map[string]Paginator{
	"DescribeLoadBalancers":                    {"Marker", "NextMarker", "PageSize", []string{"LoadBalancers"}, 1},
	"DescribeTargetGroups":                     {"Marker", "NextMarker", "PageSize", []string{"TargetGroups"}, 1},
	"DescribeListeners":                        {"Marker", "NextMarker", "PageSize", []string{"Listeners"}, 1},
	"DescribeVpcs":                             {"NextToken", "NextToken", "MaxResults", []string{"Vpcs"}, 5},
	"DescribeSubnets":                          {"NextToken", "NextToken", "MaxResults", []string{"Subnets"}, 5},
	"DescribeRouteTables":                      {"NextToken", "NextToken", "MaxResults", []string{"RouteTables"}, 5},
	"DescribeInternetGateways":                 {"NextToken", "NextToken", "MaxResults", []string{"InternetGateways"}, 5},
	"DescribeVpcEndpoints":                     {"NextToken", "NextToken", "MaxResults", []string{"VpcEndpoints"}, 0},
	"DescribeVpcEndpointServices":              {"NextToken", "NextToken", "MaxResults", []string{"ServiceDetails", "ServiceNames"}, 0},
	"DescribeVpcEndpointConnections":           {"NextToken", "NextToken", "MaxResults", []string{"VpcEndpointConnections"}, 0},
	"DescribeVpcEndpointServiceConfigurations": {"NextToken", "NextToken", "MaxResults", []string{"ServiceConfigurations"}, 0},
	"DescribeVpcEndpointServicePermissions":    {"NextToken", "NextToken", "MaxResults", []string{"AllowedPrincipals"}, 0},
	"DescribeTags":                             {"NextToken", "NextToken", "MaxResults", []string{"Tags"}, 0},
}

// pagingArgs are the AWS CLI's pagination arguments of one invocation.
type pagingArgs struct {
	maxItems, pageSize *int
	startingToken      string
	// manual: the request names a service token (--next-token, --marker,
	// --max-results, or one of them in --cli-input-json), so the CLI does
	// not paginate, as the AWS CLI does not.
	manual bool
	// noPaginate is the global --no-paginate.
	noPaginate bool
}

type pagingKey struct{}

// runPaginated is botocore's PageIterator and build_full_result as the AWS
// CLI uses them: call the operation page by page (PageSize/MaxResults set
// from --page-size), drop what --starting-token's truncation amount says
// was already shown, stop at --max-items, and print the pages with
// NextToken. The NextToken is the AWS CLI's format: base64 of JSON holding
// the service's token and boto_truncate_amount. Only gwlbctl can resume
// from it, as only the AWS service that issued a token can.
func runPaginated[I, O any](ctx context.Context, o Op, name string, op Operation[I, O], in I, pg Paginator, args pagingArgs) error {
	base, err := toJSONMap(in)
	if err != nil {
		return err
	}
	var next resumeToken // the service token the next call takes
	truncation := 0
	if args.startingToken != "" {
		next, truncation, err = decodeStartingToken(args.startingToken, pg.InputToken)
		if err != nil {
			return err
		}
		inject(base, pg.InputToken, next.service)
	}
	if args.pageSize != nil {
		if pg.MinLimit > 0 && *args.pageSize < pg.MinLimit {
			return FlagErrorf("Parameter validation failed:\nInvalid range for parameter %s, value: %d, valid min value: %d", pg.LimitKey, *args.pageSize, pg.MinLimit)
		}
		base[pg.LimitKey] = *args.pageSize
	}
	var pages []any
	var resume *resumeToken
	total := 0
	first := true
	previous := ""
	for {
		req, err := fromJSONMap[I](base)
		if err != nil {
			return err
		}
		out, err := Call(ctx, o, name, false, op, req)
		if err != nil {
			return err
		}
		data, err := output.Ordered(out)
		if err != nil {
			return err
		}
		page, ok := data.(*output.Map)
		if !ok {
			return fmt.Errorf("%s: response is not an object", name)
		}
		primary := pg.ResultKeys[0]
		start := 0
		if first && args.startingToken != "" {
			start = truncation
			if l, ok := page.Values[primary].([]any); ok {
				page.Values[primary] = l[min(start, len(l)):]
			}
			for _, k := range pg.ResultKeys[1:] {
				if _, ok := page.Values[k].([]any); ok {
					page.Values[k] = []any{}
				}
			}
		}
		first = false
		items, _ := page.Values[primary].([]any)
		if args.maxItems != nil && total+len(items) > *args.maxItems {
			keep := len(items) - (total + len(items) - *args.maxItems)
			page.Values[primary] = items[:keep]
			next.truncate = ptrTo(keep + start)
			resume = &next
			pages = append(pages, page)
			break
		}
		pages = append(pages, page)
		total += len(items)
		tok, _ := page.Values[pg.OutputToken].(string)
		if tok == "" {
			break
		}
		next = resumeToken{service: tok}
		if args.maxItems != nil && total == *args.maxItems {
			resume = &next
			break
		}
		if previous == tok {
			return fmt.Errorf("The same next token was received twice: {'%s': '%s'}", pg.InputToken, tok)
		}
		previous = tok
		inject(base, pg.InputToken, tok)
	}
	token := ""
	if resume != nil {
		token = resume.encode(pg.InputToken)
	}
	return Print(o, name, &output.Paged{Pages: pages, ResultKeys: pg.ResultKeys, NextToken: token})
}

// resumeToken is what the AWS CLI's NextToken holds: the service's token
// for the next call ("" for none: Python's None) and, when the output was
// cut inside a page, how many of that page's items were shown.
type resumeToken struct {
	service  string
	truncate *int
}

func ptrTo[T any](v T) *T { return &v }

func inject(kwargs map[string]any, key, token string) {
	if token != "" && token != "None" {
		kwargs[key] = token
	} else {
		delete(kwargs, key)
	}
}

// encode writes the AWS CLI's token: base64 of Python's json.dumps of
// {"<InputToken>": token, "boto_truncate_amount": n}.
func (t resumeToken) encode(inputToken string) string {
	var b []byte
	b = append(b, '{')
	b = strconv.AppendQuote(b, inputToken) // ASCII names: the same as json.dumps
	b = append(b, ": "...)
	if t.service != "" {
		js, _ := json.Marshal(t.service)
		b = append(b, js...)
	} else {
		b = append(b, "null"...)
	}
	if t.truncate != nil {
		b = append(b, `, "boto_truncate_amount": `...)
		b = strconv.AppendInt(b, int64(*t.truncate), 10)
	}
	b = append(b, '}')
	return base64.StdEncoding.EncodeToString(b)
}

func decodeStartingToken(tok, inputToken string) (resumeToken, int, error) {
	raw, err := base64.StdEncoding.DecodeString(tok)
	var m map[string]any
	if err == nil {
		err = json.Unmarshal(raw, &m)
	}
	bad := FlagErrorf("argument --starting-token: bad starting token %q: pass the NextToken of a previous gwlbctl output unchanged", tok)
	if err != nil || m == nil {
		return resumeToken{}, 0, bad
	}
	n := 0
	if v, ok := m["boto_truncate_amount"]; ok {
		f, ok := v.(float64)
		if !ok || f < 0 {
			return resumeToken{}, 0, bad
		}
		n = int(f)
		delete(m, "boto_truncate_amount")
	}
	v, ok := m[inputToken]
	if !ok || len(m) != 1 {
		return resumeToken{}, 0, bad
	}
	s, _ := v.(string)
	if v != nil && s == "" {
		return resumeToken{}, 0, bad
	}
	return resumeToken{service: s}, n, nil
}

func toJSONMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return m, d.Decode(&m)
}

func fromJSONMap[I any](m map[string]any) (I, error) {
	var in I
	b, err := json.Marshal(m)
	if err != nil {
		return in, err
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return in, errors.New("internal error: building a page request: " + err.Error())
	}
	return in, nil
}

// pagingFrom returns the paging arguments InputJSON recorded for this
// invocation, if the operation is paginated.
func pagingFrom(ctx context.Context) (pagingArgs, bool) {
	a, ok := ctx.Value(pagingKey{}).(pagingArgs)
	return a, ok
}
