package awsapi

import (
	"fmt"
	"strings"
)

// service is one AWS API the handler serves: its model and its actions.
// EC2 speaks its own flavour of the Query protocol (protocol "ec2" in the
// model): flattened lists, capitalised locationNames on input, lowerCamel
// element names and <item> lists on output, <Response><Errors> errors.
type service struct {
	id      string
	model   *model
	ec2     bool
	actions map[string]*action
}

// paramName is a member's parameter name in a request, as botocore's
// serializers build it: for EC2 the queryName, else the locationName
// capitalised; for Query the locationName; else the member name.
func (s *service) paramName(r *ref, member string) string {
	if s.ec2 {
		if r.QueryName != "" {
			return r.QueryName
		}
		if n := r.LocationName; n != "" {
			return strings.ToUpper(n[:1]) + n[1:]
		}
		if n := r.shape.LocationName; n != "" {
			return strings.ToUpper(n[:1]) + n[1:]
		}
		return member
	}
	return r.serializedName(member)
}

// The errors below are worded as each service words them.

func (s *service) missing(param, path string) *apiError {
	if s.ec2 {
		return errorf(codeMissingParameter, "The request must contain the parameter %s", param)
	}
	return errorf(codeValidationError, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", path)
}

func (s *service) badValue(param, path, value, want string) *apiError {
	if s.ec2 {
		return errorf(codeInvalidParameterValue, "Value (%s) for parameter %s is invalid. %s", value, param, want)
	}
	return errorf(codeValidationError, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, path, want)
}

func (s *service) unsupported(param string) *apiError {
	msg := fmt.Sprintf("The parameter %s is part of the AWS API but gwlbctl does not support it; leave it out", param)
	if s.ec2 {
		return errorf(codeInvalidParameter, "%s", msg)
	}
	return errorf(codeValidationError, "%s", msg)
}

func (s *service) unknown(param string) *apiError {
	if s.ec2 {
		return errorf(codeUnknownParameter, "The parameter %s is not recognized", param)
	}
	return errorf(codeValidationError, "The parameter %s is not recognized", param)
}

func (s *service) invalidAction(action, version string) *apiError {
	if s.ec2 {
		return errorf(codeInvalidAction, "The action %s is not valid for this web service.", action)
	}
	return errorf(codeInvalidAction, "Could not find operation %s for version %s", action, version)
}

func (s *service) wrongVersion(action, version string) *apiError {
	if version == "" {
		return errorf(codeMissingParameter, "The request must contain the parameter Version (%s for %s)", s.model.Metadata.APIVersion, s.id)
	}
	if s.ec2 {
		return errorf(codeNoSuchVersion, "The requested version (%s) of service AmazonEC2 does not exist; gwlbctl serves %s", version, s.model.Metadata.APIVersion)
	}
	return errorf(codeInvalidAction, "Could not find operation %s for version %s; gwlbctl serves Elastic Load Balancing v2, version %s", action, version, s.model.Metadata.APIVersion)
}

func (s *service) internal(err error) *apiError {
	code := codeInternalFailure
	if s.ec2 {
		code = codeInternalError
	}
	return errorf(code, "%v", err)
}
