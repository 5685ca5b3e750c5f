package criachat

import (
	"errors"
	"fmt"
)

// Application error codes. The set is closed: the HTTP layer maps each one to a
// status and to Chatwoot's error body in one table (internal/api/error.go).
const (
	EINVALID         = "invalid"          // the request is understood but a value is wrong (422)
	ECONFLICT        = "conflict"         // a uniqueness rule would be broken (422, like Rails' RecordInvalid)
	EBADREQUEST      = "bad_request"      // the request cannot be parsed (400)
	ETOOLARGE        = "too_large"        // the request body is over the limit (413)
	ENOTFOUND        = "not_found"        // the resource does not exist in this account (404)
	EUNAUTHENTICATED = "unauthenticated"  // no credentials at all (401, devise body)
	EUNAUTHORIZED    = "unauthorized"     // credentials refused or action not allowed (401, Chatwoot uses 401 for both)
	EFORBIDDEN       = "forbidden"        // the action is never allowed on this resource (403)
	EPAYMENTREQUIRED = "payment_required" // an account limit is reached (402)
	EINTERNAL        = "internal"         // anything unexpected (500, generic body)
)

// Error is CriaChat's application error: a code from the closed set, a message
// that is safe to show to the client, optional attribute names (Chatwoot's
// RecordInvalid body lists them), and the underlying cause for the log.
type Error struct {
	Code       string
	Message    string
	Attributes []string
	Err        error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("criachat %s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("criachat %s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an application error with a formatted, client-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error in Chatwoot's RecordInvalid shape:
// message is the full sentence, attributes the offending field names.
func Invalid(message string, attributes ...string) *Error {
	return &Error{Code: EINVALID, Message: message, Attributes: attributes}
}

// ErrorCode returns the code of an application error, EINTERNAL for any other
// error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of an application error and a
// generic text for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// IsNotFound reports whether err is an ENOTFOUND application error.
func IsNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }
