package api

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/criachat/criachat/internal/secret"
)

// requestInfo collects what the single log line of a request reports. Handlers
// and auth fill in the ids they learn.
type requestInfo struct {
	id        string
	accountID int64
	userID    int64
}

type requestInfoKey struct{}

func requestInfoFrom(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusRecorder) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// edge is the outermost middleware: request id, body limit, panic recovery,
// metrics and one log line per request.
func (s *Server) edge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &requestInfo{id: requestID(r.Header.Get("X-Request-Id"))}
		w.Header().Set("X-Request-Id", ri.id)
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, ri))
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
		}
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "request_id", ri.id, "panic", p, "stack", string(debug.Stack()))
				if !rec.wrote {
					writeJSON(rec, http.StatusInternalServerError, railsError{500, "Internal Server Error"})
				}
			}
			elapsed := time.Since(start)
			route := r.Pattern // set by the ServeMux on this request
			if route == "" {
				route = "unmatched"
			}
			s.metrics.observe(route, r.Method, rec.status, elapsed)
			attrs := []slog.Attr{
				slog.String("request_id", ri.id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("route", route), slog.Int("status", rec.status), slog.Duration("duration", elapsed),
			}
			if ri.accountID != 0 {
				attrs = append(attrs, slog.Int64("account_id", ri.accountID))
			}
			if ri.userID != 0 {
				attrs = append(attrs, slog.Int64("user_id", ri.userID))
			}
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// requestID keeps a caller's id when it is short and plain, and makes one otherwise.
func requestID(given string) string {
	if n := len(given); n > 0 && n <= 64 {
		plain := true
		for _, c := range given {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				plain = false
				break
			}
		}
		if plain {
			return given
		}
	}
	return secret.NewToken()
}

// handler is an HTTP handler that returns its error for the adapter to render.
type handler func(w http.ResponseWriter, r *http.Request) error

// app adapts a handler of the Application API (Chatwoot's handle_with_exception bodies).
func (s *Server) app(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, appSurface, err)
		}
	})
}

// rails adapts a handler whose not-found and internal errors use Rails'
// default JSON (the Platform API).
func (s *Server) rails(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, railsSurface, err)
		}
	})
}

// pathID parses a numeric path parameter; a non-number is not found, as in Rails.
func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}
