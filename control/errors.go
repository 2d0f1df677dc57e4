package control

import (
	"errors"
	"fmt"
)

// Error is an AWS service error: the code AWS returns, a message, and the
// API operation that failed. Its text is exactly what the AWS CLI prints,
// so scripts that grep for "(DuplicateLoadBalancerName)" keep working.
type Error struct {
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Operation string `json:"-"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("An error occurred (%s) when calling the %s operation: %s", e.Code, e.Operation, e.Message)
}

// Error codes returned by the operations. ELBv2 codes follow the ELB API, EC2
// codes follow the EC2 API.
const (
	// ELBv2
	CodeDuplicateLoadBalancerName   = "DuplicateLoadBalancerName"
	CodeTooManyLoadBalancers        = "TooManyLoadBalancers"
	CodeInvalidConfigurationRequest = "InvalidConfigurationRequest"
	CodeSubnetNotFound              = "SubnetNotFound"
	CodeInvalidSubnet               = "InvalidSubnet"
	CodeOperationNotPermitted       = "OperationNotPermitted"
	CodeResourceInUse               = "ResourceInUse"
	CodeDuplicateTargetGroupName    = "DuplicateTargetGroupName"
	CodeTooManyTargetGroups         = "TooManyTargetGroups"
	CodeInvalidTarget               = "InvalidTarget"
	CodeTargetGroupNotFound         = "TargetGroupNotFound"
	CodeTooManyTargets              = "TooManyTargets"
	CodeDuplicateListener           = "DuplicateListener"
	CodeTooManyListeners            = "TooManyListeners"
	CodeListenerNotFound            = "ListenerNotFound"
	CodeLoadBalancerNotFound        = "LoadBalancerNotFound"
	CodeIncompatibleProtocols       = "IncompatibleProtocols"
	CodeValidationError             = "ValidationError"
	CodeDuplicateTagKeys            = "DuplicateTagKeys"
	CodeTooManyTags                 = "TooManyTags"
	CodeTargetGroupAssociationLimit = "TargetGroupAssociationLimit"
	CodeUnsupportedProtocol         = "UnsupportedProtocol"
	// EC2
	CodeInvalidVpcIDNotFound                = "InvalidVpcID.NotFound"
	CodeInvalidSubnetIDNotFound             = "InvalidSubnetID.NotFound"
	CodeInvalidVpcEndpointIDNotFound        = "InvalidVpcEndpointId.NotFound"
	CodeInvalidVpcEndpointServiceIDNotFound = "InvalidVpcEndpointServiceId.NotFound"
	CodeInvalidServiceName                  = "InvalidServiceName"
	CodeInvalidParameterValue               = "InvalidParameterValue"
	CodeInvalidParameter                    = "InvalidParameter"
	CodeInvalidParameterCombination         = "InvalidParameterCombination"
	CodeMissingParameter                    = "MissingParameter"
	CodeInvalidVpcRange                     = "InvalidVpc.Range"
	CodeInvalidSubnetRange                  = "InvalidSubnet.Range"
	CodeInvalidSubnetConflict               = "InvalidSubnet.Conflict"
	CodeDependencyViolation                 = "DependencyViolation"
	CodeInvalidState                        = "InvalidState"
	CodeInvalidID                           = "InvalidID"
	CodeInvalidVpcEndpointServiceNotFound   = "InvalidVpcEndpointService.NotFound"
	CodeExistingVpcEndpointConnections      = "ExistingVpcEndpointConnections"
	CodeVpcEndpointLimitExceeded            = "VpcEndpointLimitExceeded"
	CodeInvalidPrincipal                    = "InvalidPrincipal"
	CodeIdempotentParameterMismatch         = "IdempotentParameterMismatch"
	CodeInvalidFilter                       = "InvalidFilter"
)

// CodeInvalidVpcIdNotFound is the EC2 code spelled as in the brief's
// listing; EC2 itself returns "InvalidVpcID.NotFound".
const CodeInvalidVpcIdNotFound = CodeInvalidVpcIDNotFound

func newError(op, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Operation: op}
}

// AsError returns the *Error inside err, if there is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// ErrorCode returns the AWS error code carried by err, or "" when err is not
// (and does not wrap) an *Error.
func ErrorCode(err error) string {
	if e, ok := AsError(err); ok {
		return e.Code
	}
	return ""
}

// UnsuccessfulItem is one failed item of an EC2 batch action
// (delete-vpc-endpoints, accept-vpc-endpoint-connections, ...). EC2 reports
// per-item failures inside a successful response rather than failing the
// whole call; the AWS CLI then prints them and exits 0.
type UnsuccessfulItem struct {
	Error      UnsuccessfulItemError `json:"Error"`
	ResourceId string                `json:"ResourceId"`
}

// UnsuccessfulItemError is the error of one UnsuccessfulItem.
type UnsuccessfulItemError struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

// Unsuccessful is the Unsuccessful list of an EC2 batch action.
type Unsuccessful []UnsuccessfulItem

// Err turns the first failed item into an *Error for operation op, or nil
// when every item succeeded. Callers that want a non-zero exit on any failed
// item (unlike the AWS CLI) use it.
func (u Unsuccessful) Err(op string) error {
	if len(u) == 0 {
		return nil
	}
	return &Error{Code: u[0].Error.Code, Message: u[0].Error.Message + " (" + u[0].ResourceId + ")", Operation: op}
}

func unsuccessful(id string, e *Error) UnsuccessfulItem {
	return UnsuccessfulItem{Error: UnsuccessfulItemError{Code: e.Code, Message: e.Message}, ResourceId: id}
}
