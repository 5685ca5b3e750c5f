package api

import "net/http"

// routes lists every route, one per line, with its auth wrapper inline:
// app/rails pick the error body dialect; user, member, admin and platformApp
// say who may call.
func (s *Server) routes(mux *http.ServeMux) {
	// Operations.
	mux.Handle("GET /health", s.app(s.health))
	mux.Handle("GET /api", s.app(s.apiStatus))
	mux.Handle("GET /metrics", s.metrics.handler())

	// Dashboard sessions (devise_token_auth, reference §2.2).
	mux.Handle("POST /auth/sign_in", s.app(s.signIn))
	mux.Handle("DELETE /auth/sign_out", s.app(s.signOut))
	mux.Handle("GET /auth/validate_token", s.app(s.validateToken))

	// Profile (reference §2.2).
	mux.Handle("GET /api/v1/profile", s.app(s.user(s.showProfile)))
	mux.Handle("PUT /api/v1/profile", s.app(s.user(s.updateProfile)))
	mux.Handle("PATCH /api/v1/profile", s.app(s.user(s.updateProfile)))
	mux.Handle("POST /api/v1/profile/reset_access_token", s.app(s.user(s.resetAccessToken)))
	mux.Handle("POST /api/v1/profile/availability", s.app(s.user(s.setAvailability)))
	mux.Handle("POST /api/v1/profile/auto_offline", s.app(s.user(s.setAutoOffline)))
	mux.Handle("PUT /api/v1/profile/set_active_account", s.app(s.user(s.setActiveAccount)))

	// Accounts (reference §3.1).
	mux.Handle("GET /api/v1/accounts/{account_id}", s.app(s.member(s.showAccount)))
	mux.Handle("PATCH /api/v1/accounts/{account_id}", s.app(s.admin(s.updateAccount)))
	mux.Handle("PUT /api/v1/accounts/{account_id}", s.app(s.admin(s.updateAccount)))
	mux.Handle("GET /api/v1/accounts/{account_id}/cache_keys", s.app(s.member(s.showCacheKeys)))
	mux.Handle("POST /api/v1/accounts/{account_id}/update_active_at", s.app(s.member(s.updateActiveAt)))

	// Agents (reference §3.2).
	mux.Handle("GET /api/v1/accounts/{account_id}/agents", s.app(s.member(s.listAgents)))
	mux.Handle("POST /api/v1/accounts/{account_id}/agents", s.app(s.admin(s.createAgent)))
	mux.Handle("PATCH /api/v1/accounts/{account_id}/agents/{id}", s.app(s.admin(s.updateAgent)))
	mux.Handle("PUT /api/v1/accounts/{account_id}/agents/{id}", s.app(s.admin(s.updateAgent)))
	mux.Handle("DELETE /api/v1/accounts/{account_id}/agents/{id}", s.app(s.admin(s.deleteAgent)))

	// Platform API (reference §2.3, §3.15).
	mux.Handle("GET /platform/api/v1/accounts", s.rails(s.platformApp(s.listPlatformAccounts)))
	mux.Handle("POST /platform/api/v1/accounts", s.rails(s.platformApp(s.createPlatformAccount)))
	mux.Handle("GET /platform/api/v1/accounts/{account_id}", s.rails(s.platformApp(s.showPlatformAccount)))
	mux.Handle("PATCH /platform/api/v1/accounts/{account_id}", s.rails(s.platformApp(s.updatePlatformAccount)))
	mux.Handle("PUT /platform/api/v1/accounts/{account_id}", s.rails(s.platformApp(s.updatePlatformAccount)))
	mux.Handle("DELETE /platform/api/v1/accounts/{account_id}", s.rails(s.platformApp(s.deletePlatformAccount)))
	mux.Handle("GET /platform/api/v1/accounts/{account_id}/account_users", s.rails(s.platformApp(s.listPlatformAccountUsers)))
	mux.Handle("POST /platform/api/v1/accounts/{account_id}/account_users", s.rails(s.platformApp(s.createPlatformAccountUser)))
	mux.Handle("DELETE /platform/api/v1/accounts/{account_id}/account_users", s.rails(s.platformApp(s.deletePlatformAccountUser)))
	mux.Handle("POST /platform/api/v1/users", s.rails(s.platformApp(s.createPlatformUser)))
	mux.Handle("GET /platform/api/v1/users/{id}", s.rails(s.platformApp(s.showPlatformUser)))
	mux.Handle("PATCH /platform/api/v1/users/{id}", s.rails(s.platformApp(s.updatePlatformUser)))
	mux.Handle("PUT /platform/api/v1/users/{id}", s.rails(s.platformApp(s.updatePlatformUser)))
	mux.Handle("DELETE /platform/api/v1/users/{id}", s.rails(s.platformApp(s.deletePlatformUser)))
	mux.Handle("POST /platform/api/v1/users/{id}/token", s.rails(s.platformApp(s.platformUserToken)))

	// Anything else: Rails' JSON 404.
	mux.Handle("/", s.rails(s.notFound))
}
