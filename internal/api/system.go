package api

import (
	"context"
	"net/http"
	"time"

	"github.com/criachat/criachat/internal/criachat"
)

// health is a liveness and readiness check: 200 when the database answers.
func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "failing", "database": "failing"})
		return nil
	}
	return ok(w, map[string]any{"status": "ok", "database": "ok", "version": s.build})
}

// apiStatus is Chatwoot's GET /api, which n8n calls to test credentials.
// CriaChat has no Redis: its job queue lives in the database, so both service
// states follow the database.
func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	state := "ok"
	if err := s.store.Ping(ctx); err != nil {
		state = "failing"
	}
	return ok(w, map[string]any{
		"version":        Version,
		"timestamp":      s.now().UTC().Format("2006-01-02 15:04:05"),
		"queue_services": state,
		"data_services":  state,
	})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return criachat.Errorf(criachat.ENOTFOUND, "no route for %s %s", r.Method, r.URL.Path)
}
