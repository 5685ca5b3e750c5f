// Package api is CriaChat's HTTP surface: the Chatwoot-compatible Application
// API, the dashboard session endpoints, the Platform API and the operational
// endpoints. Every route is listed in routes.go; handlers return errors that
// one table (error.go) turns into Chatwoot's error bodies; presenters turn
// domain values into Chatwoot's JSON shapes.
package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/criachat/criachat/internal/account"
	"github.com/criachat/criachat/internal/blob"
	"github.com/criachat/criachat/internal/conversation"
	"github.com/criachat/criachat/internal/event"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// Version is the Chatwoot API version CriaChat is compatible with, reported by GET /api.
const Version = "4.15.1"

// Options configure a Server.
type Options struct {
	Store    *store.Store
	Accounts *account.Service
	Keeper   *secret.Keeper // seals and opens stored secrets (inbox HMAC tokens and webhook secrets)
	// Events renders and records events; built from Keeper when nil.
	Events *event.Recorder
	// Conversations is built from Store when nil.
	Conversations *conversation.Service
	Logger        *slog.Logger
	MaxBodyBytes  int64
	// BuildVersion is CriaChat's own version, reported by GET /health.
	BuildVersion string
	// DataDir is CRIACHAT_DATA_DIR: uploaded files go under DataDir/uploads.
	DataDir string
	// RateLimits are the request throttles of reference §8.2 (nil: none).
	RateLimits *RateLimits
}

// Server holds the dependencies of the handlers.
type Server struct {
	store         *store.Store
	accounts      *account.Service
	conversations *conversation.Service
	events        *event.Recorder
	keeper        *secret.Keeper
	files         *blob.Store
	log           *slog.Logger
	maxBody       int64
	metrics       *metrics
	build         string
	now           func() time.Time
	limits        *limiter // nil: no throttles
	handler       http.Handler
	patterns      []string
}

// New returns a server with its routes registered.
func New(o Options) *Server {
	s := &Server{
		store: o.Store, accounts: o.Accounts, keeper: o.Keeper, log: o.Logger, maxBody: o.MaxBodyBytes,
		metrics: newMetrics(), build: o.BuildVersion, now: time.Now, files: blob.New(o.DataDir),
	}
	if s.events = o.Events; s.events == nil {
		s.events = event.NewRecorder(o.Keeper)
	}
	if s.conversations = o.Conversations; s.conversations == nil {
		s.conversations = conversation.NewService(o.Store, s.events, 0)
	}
	if s.maxBody <= 0 {
		s.maxBody = 40 << 20
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.limits = newLimiter(o.RateLimits, s.now)
	mux := http.NewServeMux()
	s.routes(mux)
	s.handler = s.edge(s.throttle(mux))
	return s
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }
