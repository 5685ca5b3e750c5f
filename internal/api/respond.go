package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/criachat/criachat/internal/criachat"
)

// writeJSON writes v with the status. Encoding errors cannot be reported to
// the client any more; the connection is simply cut short.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ok writes a 200 JSON response.
func ok(w http.ResponseWriter, v any) error {
	writeJSON(w, http.StatusOK, v)
	return nil
}

// okEmpty writes Rails' `head :ok`: 200 with an empty body.
func okEmpty(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusOK)
	return nil
}

// noContent writes Rails' `head :no_content`: 204 with no body.
func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// decode reads a JSON object body into dst. When root is not empty it follows
// Rails' wrap_parameters: {"root": {...}} and a bare {...} both work, and an
// empty body is Rails' ParameterMissing (422).
func decode(r *http.Request, root string, dst any) error {
	body, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return criachat.Errorf(criachat.ETOOLARGE, "Request body is larger than %d bytes", tooLarge.Limit)
	} else if err != nil {
		return criachat.Errorf(criachat.EBADREQUEST, "Could not read the request body")
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		if root != "" {
			return criachat.Errorf(criachat.EINVALID, "param is missing or the value is empty: %s", root)
		}
		return nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return decodeError(err)
	}
	if root != "" {
		if inner, ok := top[root]; ok {
			if t := strings.TrimSpace(string(inner)); len(t) > 0 && t[0] == '{' {
				body = inner
			} else {
				return criachat.Errorf(criachat.EINVALID, "param is missing or the value is empty: %s", root)
			}
		}
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return decodeError(err)
	}
	return nil
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if i := strings.LastIndexByte(field, '.'); i >= 0 {
			field = field[i+1:]
		}
		if field == "" {
			return criachat.Errorf(criachat.EINVALID, "The request body must be a JSON object")
		}
		return criachat.Invalid(fmt.Sprintf("%s must be a %s", humanize(field), jsonKind(typeErr.Type.Kind().String())), field)
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return &criachat.Error{Code: criachat.EBADREQUEST, Message: "Malformed JSON in the request body", Err: err}
	}
	return &criachat.Error{Code: criachat.EBADREQUEST, Message: "The request body must be a JSON object", Err: err}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "map", "struct":
		return "JSON object"
	case "slice", "array":
		return "JSON array"
	}
	return "number"
}

// humanize turns "display_name" into "Display name", as Rails error messages do.
func humanize(field string) string {
	s := strings.ReplaceAll(field, "_", " ")
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// flexInt is an integer that also accepts a numeric string, as Rails'
// parameter coercion does ("account_id": "1" works like 1).
type flexInt int64

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeOf(int64(0))}
	}
	*f = flexInt(n)
	return nil
}

// flexBool is a boolean that also accepts "true"/"false" and 1/0.
type flexBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch strings.Trim(string(b), `"`) {
	case "true", "1", "t":
		*f = true
	case "false", "0", "f", "", "null":
		*f = false
	default:
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeOf(true)}
	}
	return nil
}

// flexNullInt is an optional integer where an explicit null means "clear":
// set tells a present key from an absent one (encoding/json calls
// UnmarshalJSON for null only on non-pointer fields).
type flexNullInt struct {
	set bool
	v   *int64
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexNullInt) UnmarshalJSON(b []byte) error {
	f.set = true
	if string(b) == "null" {
		f.v = nil
		return nil
	}
	var n flexInt
	if err := n.UnmarshalJSON(b); err != nil {
		return err
	}
	v := int64(n)
	f.v = &v
	return nil
}

// flexString is a string that also accepts a JSON number (echo ids are often numeric).
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeOf("")}
	}
	*f = flexString(n.String())
	return nil
}

// jsonObject is a JSON object that may also arrive as a string holding JSON
// (multipart forms and some clients send objects that way, reference §3.6).
type jsonObject struct{ m map[string]any }

// UnmarshalJSON implements json.Unmarshaler.
func (o *jsonObject) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		o.m = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		b = []byte(s)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeOf(map[string]any{})}
	}
	o.m = m
	return nil
}

// enumParam is a Rails enum attribute in a body: its name ("contact_attribute")
// or its integer value (1), since Rails accepts both. Resolve it with enumOf.
type enumParam struct {
	name    string
	index   int64
	isIndex bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (e *enumParam) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		e.isIndex = false
		return json.Unmarshal(b, &e.name)
	}
	if err := json.Unmarshal(b, &e.index); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeOf("")}
	}
	e.isIndex = true
	return nil
}

// enumOf resolves an enum parameter against the enum's values in integer
// order. An unknown name or an index out of range comes back as a value that
// is not in values, for the domain validation to refuse.
func enumOf[T ~string](e enumParam, values []T) T {
	if !e.isIndex {
		return T(e.name)
	}
	if e.index >= 0 && e.index < int64(len(values)) {
		return values[e.index]
	}
	return T(strconv.FormatInt(e.index, 10))
}

// enumQuery resolves an enum query parameter: a name, or the integer value as
// digits (Rails casts "1" in a where clause). "" stays "".
func enumQuery[T ~string](v string, values []T) T {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return enumOf(enumParam{index: n, isIndex: true}, values)
	}
	return T(v)
}
