package awsapi

import (
	"fmt"
	"net/http"

	"github.com/gwlbctl/gwlbctl/control"
)

// apiError is an error answered in the service's error shape: the AWS
// error code, its message, and the HTTP status.
type apiError struct {
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error codes the protocol layer answers (the operations' own codes are
// control's).
const (
	codeInvalidAction              = "InvalidAction"
	codeMissingAction              = "MissingAction"
	codeMissingParameter           = "MissingParameter"
	codeValidationError            = "ValidationError"
	codeInvalidParameterValue      = "InvalidParameterValue"
	codeInvalidParameter           = "InvalidParameter"
	codeUnknownParameter           = "UnknownParameter"
	codeNoSuchVersion              = "NoSuchVersion"
	codeMalformedQueryString       = "MalformedQueryString"
	codeIncompleteSignature        = "IncompleteSignature"
	codeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
	codeInvalidClientTokenID       = "InvalidClientTokenId"
	codeMissingAuthenticationToken = "MissingAuthenticationToken"
	codeRequestExpired             = "RequestExpired"
	codeRequestEntityTooLarge      = "RequestEntityTooLarge"
	codeInternalFailure            = "InternalFailure" // ELBv2 and most Query services
	codeInternalError              = "InternalError"   // EC2
	codeMethodNotAllowed           = "MethodNotAllowed"
	codeUnsupportedMediaType       = "UnsupportedMediaType"
)

// commonStatus is the HTTP status of the codes that are not 400 and that
// no service model declares. A code found in neither the model nor here
// is a client error: 400.
var commonStatus = map[string]int{
	codeInternalFailure:            http.StatusInternalServerError,
	codeInternalError:              http.StatusInternalServerError,
	"ServiceUnavailable":           http.StatusServiceUnavailable,
	control.CodeDryRunOperation:    http.StatusPreconditionFailed, // EC2 answers a DryRun that would succeed so
	codeSignatureDoesNotMatch:      http.StatusForbidden,
	codeInvalidClientTokenID:       http.StatusForbidden,
	codeMissingAuthenticationToken: http.StatusForbidden,
	codeRequestEntityTooLarge:      http.StatusRequestEntityTooLarge,
	codeMethodNotAllowed:           http.StatusMethodNotAllowed,
	codeUnsupportedMediaType:       http.StatusUnsupportedMediaType,
}

// status is the HTTP status of code: the service model's, else the
// common table's, else 400.
func status(m *model, code string) int {
	if m != nil {
		if s := m.errorStatus(code); s != 0 {
			return s
		}
	}
	if s, ok := commonStatus[code]; ok {
		return s
	}
	return http.StatusBadRequest
}
