package control

import (
	"fmt"
	"slices"
	"strconv"
)

// Listener attribute keys and GWLB's flow idle timeouts, in seconds: TCP
// flows time out after the listener's tcp.idle_timeout.seconds (60-6000,
// default 350); flows of every other protocol after a fixed 120.
const (
	AttrTCPIdleTimeout    = "tcp.idle_timeout.seconds"
	DefaultTCPIdleTimeout = 350
	MinTCPIdleTimeout     = 60
	MaxTCPIdleTimeout     = 6000
	NonTCPIdleTimeout     = 120
)

// ParseTCPIdleTimeout reads a tcp.idle_timeout.seconds value: whole seconds
// from MinTCPIdleTimeout to MaxTCPIdleTimeout.
func ParseTCPIdleTimeout(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < MinTCPIdleTimeout || n > MaxTCPIdleTimeout {
		return 0, fmt.Errorf("%s must be a number of seconds from %d to %d, not '%s'", AttrTCPIdleTimeout, MinTCPIdleTimeout, MaxTCPIdleTimeout, v)
	}
	return n, nil
}

// TCPIdleTimeout is the listener's TCP idle timeout in seconds: its
// attribute, or the default when it has none. A value the operations would
// not have stored (a hand-edited file) is an error, with the default.
func (l *ListenerRecord) TCPIdleTimeout() (int, error) {
	v := l.Attribute(AttrTCPIdleTimeout)
	if v == "" {
		return DefaultTCPIdleTimeout, nil
	}
	n, err := ParseTCPIdleTimeout(v)
	if err != nil {
		return DefaultTCPIdleTimeout, err
	}
	return n, nil
}

// CreateListenerInput mirrors elbv2 CreateListener. Gateway listeners take
// no port and no protocol.
type CreateListenerInput struct {
	LoadBalancerArn string   `json:"LoadBalancerArn"`
	Protocol        string   `json:"Protocol,omitempty"`
	Port            *int     `json:"Port,omitempty"`
	DefaultActions  []Action `json:"DefaultActions"`
	Tags            []Tag    `json:"Tags,omitempty"`
}

// ListenersOutput is the response of create-, describe- and modify-listener(s).
type ListenersOutput struct {
	Listeners []Listener `json:"Listeners"`
	// NextMarker is set by describe-listeners when a page is cut.
	NextMarker string `json:"NextMarker,omitempty"`
}

// CreateListenerOutput mirrors elbv2 CreateListener's response.
type CreateListenerOutput = ListenersOutput

// listenerTargetGroups returns every target group a listener forwards to.
func listenerTargetGroups(l *Listener) []string {
	var out []string
	for _, a := range l.DefaultActions {
		if a.TargetGroupArn != "" && !slices.Contains(out, a.TargetGroupArn) {
			out = append(out, a.TargetGroupArn)
		}
		if a.ForwardConfig != nil {
			for _, t := range a.ForwardConfig.TargetGroups {
				if !slices.Contains(out, t.TargetGroupArn) {
					out = append(out, t.TargetGroupArn)
				}
			}
		}
	}
	return out
}

// resolveForward validates a gateway listener's default actions: exactly one
// forward action to one GENEVE target group in the load balancer's VPC, not
// used by another load balancer. It returns the normalized action as AWS
// prints it.
func (s *State) resolveForward(op string, lb *LoadBalancerRecord, actions []Action) (Action, *TargetGroupRecord, error) {
	if len(actions) != 1 {
		return Action{}, nil, newError(op, CodeValidationError, "A gateway listener needs exactly one default action: --default-actions Type=forward,TargetGroupArn=<arn>")
	}
	a := actions[0]
	if a.Type != "forward" {
		return Action{}, nil, newError(op, CodeValidationError, "Action type '%s' is not supported for gateway load balancers: use forward", a.Type)
	}
	tgs := listenerTargetGroups(&Listener{DefaultActions: actions})
	if len(tgs) != 1 {
		return Action{}, nil, newError(op, CodeValidationError, "A gateway listener forwards to exactly one target group; %d given", len(tgs))
	}
	tg, err := s.targetGroup(op, tgs[0])
	if err != nil {
		return Action{}, nil, err
	}
	if tg.TargetGroup.Protocol != "GENEVE" {
		return Action{}, nil, newError(op, CodeIncompatibleProtocols, "Target group '%s' uses protocol %s; gateway listeners forward to GENEVE target groups", tgs[0], tg.TargetGroup.Protocol)
	}
	if tg.TargetGroup.VpcId != lb.LoadBalancer.VpcId {
		return Action{}, nil, newError(op, CodeValidationError, "Target group '%s' is in VPC %s but the load balancer is in VPC %s", tgs[0], tg.TargetGroup.VpcId, lb.LoadBalancer.VpcId)
	}
	for _, other := range tg.TargetGroup.LoadBalancerArns {
		if other != lb.LoadBalancer.LoadBalancerArn {
			return Action{}, nil, newError(op, CodeTargetGroupAssociationLimit, "The following target groups cannot be associated with more than one load balancer: %s (it is used by %s)", tgs[0], other)
		}
	}
	norm := Action{
		Type:           "forward",
		TargetGroupArn: tgs[0],
		ForwardConfig: &ForwardConfig{
			TargetGroups:                []TargetGroupTuple{{TargetGroupArn: tgs[0], Weight: ptr(1)}},
			TargetGroupStickinessConfig: &TargetGroupStickinessConfig{Enabled: false},
		},
	}
	return norm, tg, nil
}

// CreateListener creates the load balancer's one listener. Repeating the
// same request returns the existing listener; a second, different listener
// is refused with DuplicateListener.
func (s *State) CreateListener(env Env, in CreateListenerInput) (*CreateListenerOutput, error) {
	const op = "CreateListener"
	lb, err := s.loadBalancer(op, in.LoadBalancerArn)
	if err != nil {
		return nil, err
	}
	if in.Protocol != "" || in.Port != nil {
		return nil, newError(op, CodeValidationError, "Listeners of gateway load balancers have no protocol and no port; leave out --protocol and --port")
	}
	action, tg, err := s.resolveForward(op, lb, in.DefaultActions)
	if err != nil {
		return nil, err
	}
	if err := validateTags(op, in.Tags, CodeDuplicateTagKeys); err != nil {
		return nil, err
	}
	if old := s.ListenerOf(in.LoadBalancerArn); old != nil {
		if slices.Equal(listenerTargetGroups(&old.Listener), []string{action.TargetGroupArn}) {
			return &CreateListenerOutput{Listeners: []Listener{old.Listener}}, nil
		}
		// AWS allows one listener per gateway load balancer (quota 1, not
		// adjustable); since gateway listeners have no port, a second one is
		// a duplicate of the first.
		return nil, newError(op, CodeDuplicateListener, "A listener already exists for load balancer '%s' (%s); a gateway load balancer has one listener: change its target group with modify-listener", in.LoadBalancerArn, old.Listener.ListenerArn)
	}
	l := Listener{
		ListenerArn:     listenerArn(lb.LoadBalancer.LoadBalancerArn, env.hexID(16)),
		LoadBalancerArn: in.LoadBalancerArn,
		DefaultActions:  []Action{action},
	}
	s.Listeners = append(s.Listeners, &ListenerRecord{
		Listener:   l,
		Attributes: DefaultListenerAttributes(),
		Tags:       slices.Clone(in.Tags),
	})
	tg.TargetGroup.LoadBalancerArns = []string{in.LoadBalancerArn}
	return &CreateListenerOutput{Listeners: []Listener{l}}, nil
}

// listenerArn turns ...:loadbalancer/gwy/<name>/<id> into
// ...:listener/gwy/<name>/<id>/<suffix>.
func listenerArn(lbArn, suffix string) string {
	const from, to = ":loadbalancer/", ":listener/"
	for i := 0; i+len(from) <= len(lbArn); i++ {
		if lbArn[i:i+len(from)] == from {
			return lbArn[:i] + to + lbArn[i+len(from):] + "/" + suffix
		}
	}
	return lbArn + "/" + suffix
}

// DescribeListenersInput mirrors elbv2 DescribeListeners.
type DescribeListenersInput struct {
	Marker          string   `json:"Marker,omitempty"`
	PageSize        *int     `json:"PageSize,omitempty"`
	LoadBalancerArn string   `json:"LoadBalancerArn,omitempty"`
	ListenerArns    []string `json:"ListenerArns,omitempty"`
}

// DescribeListenersOutput mirrors elbv2 DescribeListeners' response.
type DescribeListenersOutput = ListenersOutput

// DescribeListeners lists the listeners of a load balancer or those named.
func (s *State) DescribeListeners(env Env, in DescribeListenersInput) (*DescribeListenersOutput, error) {
	const op = "DescribeListeners"
	if (in.LoadBalancerArn == "") == (len(in.ListenerArns) == 0) {
		return nil, newError(op, CodeValidationError, "Give either --load-balancer-arn or --listener-arns")
	}
	out := &DescribeListenersOutput{Listeners: []Listener{}}
	if in.LoadBalancerArn != "" {
		if _, err := s.loadBalancer(op, in.LoadBalancerArn); err != nil {
			return nil, err
		}
		if l := s.ListenerOf(in.LoadBalancerArn); l != nil {
			out.Listeners = append(out.Listeners, l.Listener)
		}
	}
	for _, arn := range in.ListenerArns {
		l, err := s.listener(op, arn)
		if err != nil {
			return nil, err
		}
		out.Listeners = append(out.Listeners, l.Listener)
	}
	pg, next, err := page(elbPaging(op, in.PageSize, in.Marker), out.Listeners, func(x Listener) string { return x.ListenerArn })
	if err != nil {
		return nil, err
	}
	out.Listeners, out.NextMarker = pg, next
	return out, nil
}

func (s *State) listener(op, arn string) (*ListenerRecord, error) {
	if err := checkArn(op, arn, "listener"); err != nil {
		return nil, err
	}
	l := s.ListenerByArn(arn)
	if l == nil {
		return nil, newError(op, CodeListenerNotFound, "Listener '%s' not found (list them with 'elbv2 describe-listeners --load-balancer-arn ...')", arn)
	}
	return l, nil
}

// ModifyListenerInput mirrors elbv2 ModifyListener.
type ModifyListenerInput struct {
	ListenerArn    string   `json:"ListenerArn"`
	Protocol       string   `json:"Protocol,omitempty"`
	Port           *int     `json:"Port,omitempty"`
	DefaultActions []Action `json:"DefaultActions,omitempty"`
}

// ModifyListenerOutput mirrors elbv2 ModifyListener's response.
type ModifyListenerOutput = ListenersOutput

// ModifyListener points the listener at another target group.
func (s *State) ModifyListener(env Env, in ModifyListenerInput) (*ModifyListenerOutput, error) {
	const op = "ModifyListener"
	l, err := s.listener(op, in.ListenerArn)
	if err != nil {
		return nil, err
	}
	if in.Protocol != "" || in.Port != nil {
		return nil, newError(op, CodeValidationError, "Listeners of gateway load balancers have no protocol and no port; leave out --protocol and --port")
	}
	if len(in.DefaultActions) == 0 {
		return &ModifyListenerOutput{Listeners: []Listener{l.Listener}}, nil
	}
	lb := s.LoadBalancerByArn(l.Listener.LoadBalancerArn)
	action, tg, err := s.resolveForward(op, lb, in.DefaultActions)
	if err != nil {
		return nil, err
	}
	for _, old := range listenerTargetGroups(&l.Listener) {
		if o := s.TargetGroupByArn(old); o != nil {
			o.TargetGroup.LoadBalancerArns = slices.DeleteFunc(o.TargetGroup.LoadBalancerArns, func(a string) bool { return a == lb.LoadBalancer.LoadBalancerArn })
		}
	}
	tg.TargetGroup.LoadBalancerArns = []string{lb.LoadBalancer.LoadBalancerArn}
	l.Listener.DefaultActions = []Action{action}
	return &ModifyListenerOutput{Listeners: []Listener{l.Listener}}, nil
}

// DeleteListenerInput mirrors elbv2 DeleteListener.
type DeleteListenerInput struct {
	ListenerArn string `json:"ListenerArn"`
}

// DeleteListenerOutput is empty, as AWS's.
type DeleteListenerOutput struct{}

// DeleteListener deletes a listener; its target group is then unused.
func (s *State) DeleteListener(env Env, in DeleteListenerInput) (*DeleteListenerOutput, error) {
	const op = "DeleteListener"
	l, err := s.listener(op, in.ListenerArn)
	if err != nil {
		return nil, err
	}
	for _, arn := range listenerTargetGroups(&l.Listener) {
		if tg := s.TargetGroupByArn(arn); tg != nil {
			tg.TargetGroup.LoadBalancerArns = slices.DeleteFunc(tg.TargetGroup.LoadBalancerArns, func(a string) bool { return a == l.Listener.LoadBalancerArn })
		}
	}
	s.Listeners = slices.DeleteFunc(s.Listeners, func(x *ListenerRecord) bool { return x == l })
	return &DeleteListenerOutput{}, nil
}

// DescribeListenerAttributesInput mirrors elbv2 DescribeListenerAttributes.
type DescribeListenerAttributesInput struct {
	ListenerArn string `json:"ListenerArn"`
}

// ListenerAttributesOutput is the response of describe- and
// modify-listener-attributes.
type ListenerAttributesOutput struct {
	Attributes []Attribute `json:"Attributes"`
}

// DescribeListenerAttributes lists a listener's attributes.
func (s *State) DescribeListenerAttributes(env Env, in DescribeListenerAttributesInput) (*ListenerAttributesOutput, error) {
	l, err := s.listener("DescribeListenerAttributes", in.ListenerArn)
	if err != nil {
		return nil, err
	}
	return &ListenerAttributesOutput{Attributes: slices.Clone(l.Attributes)}, nil
}

// ModifyListenerAttributesInput mirrors elbv2 ModifyListenerAttributes.
type ModifyListenerAttributesInput struct {
	ListenerArn string      `json:"ListenerArn"`
	Attributes  []Attribute `json:"Attributes"`
}

// ModifyListenerAttributes sets tcp.idle_timeout.seconds (60-6000). It
// applies to 5-tuple flows, so it is refused while the target group has
// stickiness enabled.
func (s *State) ModifyListenerAttributes(env Env, in ModifyListenerAttributesInput) (*ListenerAttributesOutput, error) {
	const op = "ModifyListenerAttributes"
	l, err := s.listener(op, in.ListenerArn)
	if err != nil {
		return nil, err
	}
	if len(in.Attributes) == 0 {
		return nil, newError(op, CodeValidationError, "At least one attribute must be specified (--attributes Key=%s,Value=...)", AttrTCPIdleTimeout)
	}
	for _, a := range in.Attributes {
		if a.Key != AttrTCPIdleTimeout {
			return nil, newError(op, CodeValidationError, "Listener attribute key '%s' is not recognized; gateway listeners have %s", a.Key, AttrTCPIdleTimeout)
		}
		n, err := ParseTCPIdleTimeout(a.Value)
		if err != nil {
			return nil, newError(op, CodeValidationError, "%s", err)
		}
		if n != DefaultTCPIdleTimeout {
			for _, arn := range listenerTargetGroups(&l.Listener) {
				if tg := s.TargetGroupByArn(arn); tg != nil && tg.Attribute(AttrStickinessEnabled) == "true" {
					return nil, newError(op, CodeInvalidConfigurationRequest, "%s applies to 5-tuple flows only, but target group '%s' has stickiness enabled", AttrTCPIdleTimeout, arn)
				}
			}
		}
	}
	l.Attributes = setAttributes(l.Attributes, in.Attributes)
	return &ListenerAttributesOutput{Attributes: slices.Clone(l.Attributes)}, nil
}

// DefaultListenerAttributes returns a new gateway listener's attributes.
func DefaultListenerAttributes() []Attribute {
	return []Attribute{{Key: AttrTCPIdleTimeout, Value: strconv.Itoa(DefaultTCPIdleTimeout)}}
}
