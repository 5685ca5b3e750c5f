package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/criachat/criachat/internal/criachat"
)

// errorStatus is the one table from application error codes to HTTP statuses.
// Chatwoot answers 401 (not 403) when a role may not do an action, so
// EUNAUTHORIZED covers both bad credentials and denied actions.
var errorStatus = map[string]int{
	criachat.EINVALID:         http.StatusUnprocessableEntity,
	criachat.ECONFLICT:        http.StatusUnprocessableEntity,
	criachat.EBADREQUEST:      http.StatusBadRequest,
	criachat.ETOOLARGE:        http.StatusRequestEntityTooLarge,
	criachat.ENOTFOUND:        http.StatusNotFound,
	criachat.EUNAUTHENTICATED: http.StatusUnauthorized,
	criachat.EUNAUTHORIZED:    http.StatusUnauthorized,
	criachat.EFORBIDDEN:       http.StatusForbidden,
	criachat.EPAYMENTREQUIRED: http.StatusPaymentRequired,
	criachat.EINTERNAL:        http.StatusInternalServerError,
}

// surface selects the error body dialect: Chatwoot's Application API wraps
// errors in handle_with_exception, while the Platform and Public APIs fall
// through to Rails' default JSON for not-found and internal errors.
type surface int

const (
	appSurface surface = iota
	railsSurface
)

// Fixed messages Chatwoot uses.
const (
	msgNotAuthorized = "You are not authorized to do this action"
	msgNotFound      = "Resource could not be found"
)

// recordInvalid is ActiveRecord::RecordInvalid's body, keys in Chatwoot's order.
type recordInvalid struct {
	Message    string   `json:"message"`
	Attributes []string `json:"attributes"`
}

// railsError is Rails' own error body ({"status":404,"error":"Not Found"}).
type railsError struct {
	Status int    `json:"status"`
	Error  string `json:"error"`
}

// errorBody renders an error the way Chatwoot does for the surface.
func errorBody(sf surface, err error) (int, any) {
	code := criachat.ErrorCode(err)
	status, ok := errorStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	var e *criachat.Error
	errors.As(err, &e)
	switch {
	case status == http.StatusInternalServerError:
		return status, railsError{500, "Internal Server Error"}
	case code == criachat.ENOTFOUND && sf == railsSurface:
		return status, railsError{404, "Not Found"}
	case code == criachat.ENOTFOUND:
		return status, map[string]any{"error": msgNotFound}
	case code == criachat.EUNAUTHENTICATED: // devise_token_auth's body
		return status, map[string]any{"errors": []string{e.Message}}
	case e != nil && len(e.Attributes) > 0: // ActiveRecord::RecordInvalid
		return status, recordInvalid{e.Message, e.Attributes}
	}
	return status, map[string]any{"error": criachat.ErrorMessage(err)}
}

// writeError renders err and logs it once when it is internal.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, sf surface, err error) {
	status, body := errorBody(sf, err)
	if status >= 500 {
		s.log.LogAttrs(r.Context(), slog.LevelError, "internal error",
			slog.String("request_id", requestInfoFrom(r.Context()).id), slog.String("error", err.Error()))
	}
	writeJSON(w, status, body)
}
