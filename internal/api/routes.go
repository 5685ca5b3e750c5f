package api

import "net/http"

// routes lists every route, one per line, with its auth wrapper inline:
// app/rails pick the error body dialect; user, member, admin, botOrMember and
// platformApp say who may call. botOrMember wraps exactly Chatwoot's
// BOT_ACCESSIBLE_ENDPOINTS (reference §2.1): every other route answers an
// agent bot's token with 401.
func (s *Server) routes(mux *http.ServeMux) {
	handle := func(pattern string, h http.Handler) {
		mux.Handle(pattern, h)
		s.patterns = append(s.patterns, pattern)
	}
	// Operations.
	handle("GET /health", s.app(s.health))
	handle("GET /api", s.app(s.apiStatus))
	handle("GET /metrics", s.metrics.handler())

	// Dashboard sessions (devise_token_auth, reference §2.2).
	handle("POST /auth/sign_in", s.app(s.signIn))
	handle("DELETE /auth/sign_out", s.app(s.signOut))
	handle("GET /auth/validate_token", s.app(s.validateToken))

	// Profile (reference §2.2).
	handle("GET /api/v1/profile", s.app(s.user(s.showProfile)))
	handle("PUT /api/v1/profile", s.app(s.user(s.updateProfile)))
	handle("PATCH /api/v1/profile", s.app(s.user(s.updateProfile)))
	handle("POST /api/v1/profile/reset_access_token", s.app(s.user(s.resetAccessToken)))
	handle("POST /api/v1/profile/availability", s.app(s.user(s.setAvailability)))
	handle("POST /api/v1/profile/auto_offline", s.app(s.user(s.setAutoOffline)))
	handle("PUT /api/v1/profile/set_active_account", s.app(s.user(s.setActiveAccount)))

	// Accounts (reference §3.1).
	handle("GET /api/v1/accounts/{account_id}", s.app(s.member(s.showAccount)))
	handle("PATCH /api/v1/accounts/{account_id}", s.app(s.admin(s.updateAccount)))
	handle("PUT /api/v1/accounts/{account_id}", s.app(s.admin(s.updateAccount)))
	handle("GET /api/v1/accounts/{account_id}/cache_keys", s.app(s.member(s.showCacheKeys)))
	handle("POST /api/v1/accounts/{account_id}/update_active_at", s.app(s.member(s.updateActiveAt)))

	// Agents (reference §3.2).
	handle("GET /api/v1/accounts/{account_id}/agents", s.app(s.member(s.listAgents)))
	handle("POST /api/v1/accounts/{account_id}/agents", s.app(s.admin(s.idempotent(s.createAgent))))
	handle("PATCH /api/v1/accounts/{account_id}/agents/{id}", s.app(s.admin(s.updateAgent)))
	handle("PUT /api/v1/accounts/{account_id}/agents/{id}", s.app(s.admin(s.updateAgent)))
	handle("DELETE /api/v1/accounts/{account_id}/agents/{id}", s.app(s.admin(s.deleteAgent)))

	// Inboxes and inbox members (reference §3.3).
	handle("GET /api/v1/accounts/{account_id}/inboxes", s.app(s.member(s.listInboxes)))
	handle("GET /api/v1/accounts/{account_id}/inboxes/{id}", s.app(s.member(s.showInbox)))
	handle("POST /api/v1/accounts/{account_id}/inboxes", s.app(s.admin(s.createInbox)))
	handle("PATCH /api/v1/accounts/{account_id}/inboxes/{id}", s.app(s.admin(s.updateInbox)))
	handle("PUT /api/v1/accounts/{account_id}/inboxes/{id}", s.app(s.admin(s.updateInbox)))
	handle("DELETE /api/v1/accounts/{account_id}/inboxes/{id}", s.app(s.admin(s.deleteInbox)))
	handle("POST /api/v1/accounts/{account_id}/inboxes/{id}/reset_secret", s.app(s.admin(s.resetInboxSecret)))
	handle("GET /api/v1/accounts/{account_id}/inboxes/{id}/assignable_agents", s.app(s.member(s.listInboxAssignableAgents)))
	handle("GET /api/v1/accounts/{account_id}/inbox_members/{inbox_id}", s.app(s.member(s.listInboxMembers)))
	handle("POST /api/v1/accounts/{account_id}/inbox_members", s.app(s.admin(s.addInboxMembers)))
	handle("PATCH /api/v1/accounts/{account_id}/inbox_members", s.app(s.admin(s.setInboxMembers)))
	handle("DELETE /api/v1/accounts/{account_id}/inbox_members", s.app(s.admin(s.removeInboxMembers)))
	handle("GET /api/v1/accounts/{account_id}/assignable_agents", s.app(s.member(s.listAssignableAgents)))
	handle("GET /api/v1/accounts/{account_id}/inboxes/{id}/agent_bot", s.app(s.member(s.showInboxAgentBot)))
	handle("POST /api/v1/accounts/{account_id}/inboxes/{id}/set_agent_bot", s.app(s.admin(s.setInboxAgentBot)))

	// Agent bots (reference §3.10).
	handle("GET /api/v1/accounts/{account_id}/agent_bots", s.app(s.member(s.listAgentBots)))
	handle("GET /api/v1/accounts/{account_id}/agent_bots/{id}", s.app(s.member(s.showAgentBot)))
	handle("POST /api/v1/accounts/{account_id}/agent_bots", s.app(s.admin(s.createAgentBot)))
	handle("PATCH /api/v1/accounts/{account_id}/agent_bots/{id}", s.app(s.admin(s.updateAgentBot)))
	handle("PUT /api/v1/accounts/{account_id}/agent_bots/{id}", s.app(s.admin(s.updateAgentBot)))
	handle("DELETE /api/v1/accounts/{account_id}/agent_bots/{id}", s.app(s.admin(s.deleteAgentBot)))
	handle("DELETE /api/v1/accounts/{account_id}/agent_bots/{id}/avatar", s.app(s.admin(s.deleteAgentBotAvatar)))
	handle("POST /api/v1/accounts/{account_id}/agent_bots/{id}/reset_access_token", s.app(s.admin(s.resetAgentBotToken)))
	handle("POST /api/v1/accounts/{account_id}/agent_bots/{id}/reset_secret", s.app(s.admin(s.resetAgentBotSecret)))

	// Labels, teams, canned responses, custom attributes, custom filters (reference §3.7).
	handle("GET /api/v1/accounts/{account_id}/labels", s.app(s.member(s.listLabels)))
	handle("GET /api/v1/accounts/{account_id}/labels/{id}", s.app(s.admin(s.showLabel)))
	handle("POST /api/v1/accounts/{account_id}/labels", s.app(s.admin(s.createLabel)))
	handle("PATCH /api/v1/accounts/{account_id}/labels/{id}", s.app(s.admin(s.updateLabel)))
	handle("PUT /api/v1/accounts/{account_id}/labels/{id}", s.app(s.admin(s.updateLabel)))
	handle("DELETE /api/v1/accounts/{account_id}/labels/{id}", s.app(s.admin(s.deleteLabel)))
	handle("GET /api/v1/accounts/{account_id}/teams", s.app(s.member(s.listTeams)))
	handle("GET /api/v1/accounts/{account_id}/teams/{id}", s.app(s.member(s.showTeam)))
	handle("POST /api/v1/accounts/{account_id}/teams", s.app(s.admin(s.createTeam)))
	handle("PATCH /api/v1/accounts/{account_id}/teams/{id}", s.app(s.admin(s.updateTeam)))
	handle("PUT /api/v1/accounts/{account_id}/teams/{id}", s.app(s.admin(s.updateTeam)))
	handle("DELETE /api/v1/accounts/{account_id}/teams/{id}", s.app(s.admin(s.deleteTeam)))
	handle("GET /api/v1/accounts/{account_id}/teams/{team_id}/team_members", s.app(s.member(s.listTeamMembers)))
	handle("POST /api/v1/accounts/{account_id}/teams/{team_id}/team_members", s.app(s.admin(s.addTeamMembers)))
	handle("PATCH /api/v1/accounts/{account_id}/teams/{team_id}/team_members", s.app(s.admin(s.setTeamMembers)))
	handle("DELETE /api/v1/accounts/{account_id}/teams/{team_id}/team_members", s.app(s.admin(s.removeTeamMembers)))
	handle("GET /api/v1/accounts/{account_id}/canned_responses", s.app(s.member(s.listCannedResponses)))
	handle("POST /api/v1/accounts/{account_id}/canned_responses", s.app(s.member(s.createCannedResponse)))
	handle("PATCH /api/v1/accounts/{account_id}/canned_responses/{id}", s.app(s.member(s.updateCannedResponse)))
	handle("PUT /api/v1/accounts/{account_id}/canned_responses/{id}", s.app(s.member(s.updateCannedResponse)))
	handle("DELETE /api/v1/accounts/{account_id}/canned_responses/{id}", s.app(s.member(s.deleteCannedResponse)))
	handle("GET /api/v1/accounts/{account_id}/custom_attribute_definitions", s.app(s.member(s.listCustomAttributes)))
	handle("GET /api/v1/accounts/{account_id}/custom_attribute_definitions/{id}", s.app(s.member(s.showCustomAttribute)))
	handle("POST /api/v1/accounts/{account_id}/custom_attribute_definitions", s.app(s.admin(s.createCustomAttribute)))
	handle("PATCH /api/v1/accounts/{account_id}/custom_attribute_definitions/{id}", s.app(s.admin(s.updateCustomAttribute)))
	handle("PUT /api/v1/accounts/{account_id}/custom_attribute_definitions/{id}", s.app(s.admin(s.updateCustomAttribute)))
	handle("DELETE /api/v1/accounts/{account_id}/custom_attribute_definitions/{id}", s.app(s.admin(s.deleteCustomAttribute)))
	handle("GET /api/v1/accounts/{account_id}/custom_filters", s.app(s.member(s.listCustomFilters)))
	handle("GET /api/v1/accounts/{account_id}/custom_filters/{id}", s.app(s.member(s.showCustomFilter)))
	handle("POST /api/v1/accounts/{account_id}/custom_filters", s.app(s.member(s.createCustomFilter)))
	handle("PATCH /api/v1/accounts/{account_id}/custom_filters/{id}", s.app(s.member(s.updateCustomFilter)))
	handle("PUT /api/v1/accounts/{account_id}/custom_filters/{id}", s.app(s.member(s.updateCustomFilter)))
	handle("DELETE /api/v1/accounts/{account_id}/custom_filters/{id}", s.app(s.member(s.deleteCustomFilter)))

	// Events feed (beyond Chatwoot, docs/webhooks.md).
	handle("GET /api/v1/accounts/{account_id}/events", s.app(s.admin(s.listEvents)))

	// Webhooks (reference §3.9); reset_secret and the delivery log are CriaChat's.
	handle("GET /api/v1/accounts/{account_id}/webhooks", s.app(s.admin(s.listWebhooks)))
	handle("POST /api/v1/accounts/{account_id}/webhooks", s.app(s.admin(s.createWebhook)))
	handle("PATCH /api/v1/accounts/{account_id}/webhooks/{id}", s.app(s.admin(s.updateWebhook)))
	handle("PUT /api/v1/accounts/{account_id}/webhooks/{id}", s.app(s.admin(s.updateWebhook)))
	handle("DELETE /api/v1/accounts/{account_id}/webhooks/{id}", s.app(s.admin(s.deleteWebhook)))
	handle("POST /api/v1/accounts/{account_id}/webhooks/{id}/reset_secret", s.app(s.admin(s.resetWebhookSecret)))
	handle("GET /api/v1/accounts/{account_id}/webhooks/{id}/deliveries", s.app(s.admin(s.listDeliveries(webhookTarget))))
	handle("GET /api/v1/accounts/{account_id}/webhooks/{id}/deliveries/{delivery_id}", s.app(s.admin(s.showDelivery(webhookTarget))))
	handle("POST /api/v1/accounts/{account_id}/webhooks/{id}/deliveries/{delivery_id}/redeliver", s.app(s.admin(s.redeliver(webhookTarget))))
	// The same log for an API inbox's callbacks and an agent bot's deliveries (beyond Chatwoot).
	handle("GET /api/v1/accounts/{account_id}/inboxes/{id}/webhook_deliveries", s.app(s.admin(s.listDeliveries(apiInboxTarget))))
	handle("GET /api/v1/accounts/{account_id}/inboxes/{id}/webhook_deliveries/{delivery_id}", s.app(s.admin(s.showDelivery(apiInboxTarget))))
	handle("POST /api/v1/accounts/{account_id}/inboxes/{id}/webhook_deliveries/{delivery_id}/redeliver", s.app(s.admin(s.redeliver(apiInboxTarget))))
	handle("GET /api/v1/accounts/{account_id}/agent_bots/{id}/deliveries", s.app(s.admin(s.listDeliveries(agentBotTarget))))
	handle("GET /api/v1/accounts/{account_id}/agent_bots/{id}/deliveries/{delivery_id}", s.app(s.admin(s.showDelivery(agentBotTarget))))
	handle("POST /api/v1/accounts/{account_id}/agent_bots/{id}/deliveries/{delivery_id}/redeliver", s.app(s.admin(s.redeliver(agentBotTarget))))

	// Contacts (reference §3.4).
	handle("GET /api/v1/accounts/{account_id}/contacts", s.app(s.member(s.listContacts)))
	handle("GET /api/v1/accounts/{account_id}/contacts/search", s.app(s.member(s.searchContacts)))
	handle("POST /api/v1/accounts/{account_id}/contacts/filter", s.app(s.member(s.filterContacts)))
	handle("POST /api/v1/accounts/{account_id}/contacts", s.app(s.member(s.idempotent(s.createContact))))
	handle("GET /api/v1/accounts/{account_id}/contacts/{id}", s.app(s.member(s.showContact)))
	handle("PATCH /api/v1/accounts/{account_id}/contacts/{id}", s.app(s.member(s.updateContact)))
	handle("PUT /api/v1/accounts/{account_id}/contacts/{id}", s.app(s.member(s.updateContact)))
	handle("DELETE /api/v1/accounts/{account_id}/contacts/{id}", s.app(s.admin(s.deleteContact)))
	handle("POST /api/v1/accounts/{account_id}/contacts/{id}/destroy_custom_attributes", s.app(s.member(s.destroyContactCustomAttributes)))
	handle("GET /api/v1/accounts/{account_id}/contacts/{id}/contactable_inboxes", s.app(s.member(s.contactableInboxes)))
	handle("POST /api/v1/accounts/{account_id}/contacts/{id}/contact_inboxes", s.app(s.member(s.createContactInbox)))
	handle("POST /api/v1/accounts/{account_id}/contact_inboxes/filter", s.app(s.member(s.filterContactInboxes)))
	handle("GET /api/v1/accounts/{account_id}/contacts/{id}/labels", s.app(s.member(s.listContactLabels)))
	handle("POST /api/v1/accounts/{account_id}/contacts/{id}/labels", s.app(s.member(s.setContactLabels)))
	handle("GET /api/v1/accounts/{account_id}/contacts/{id}/notes", s.app(s.member(s.listNotes)))
	handle("POST /api/v1/accounts/{account_id}/contacts/{id}/notes", s.app(s.member(s.createNote)))
	handle("GET /api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}", s.app(s.member(s.showNote)))
	handle("PATCH /api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}", s.app(s.member(s.updateNote)))
	handle("PUT /api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}", s.app(s.member(s.updateNote)))
	handle("DELETE /api/v1/accounts/{account_id}/contacts/{id}/notes/{note_id}", s.app(s.member(s.deleteNote)))
	handle("POST /api/v1/accounts/{account_id}/actions/contact_merge", s.app(s.member(s.mergeContacts)))

	// Conversations (reference §3.5).
	handle("GET /api/v1/accounts/{account_id}/conversations", s.app(s.member(s.listConversations)))
	handle("GET /api/v1/accounts/{account_id}/contacts/{id}/conversations", s.app(s.member(s.contactConversations)))
	handle("GET /api/v1/accounts/{account_id}/conversations/meta", s.app(s.member(s.conversationMeta)))
	handle("GET /api/v1/accounts/{account_id}/conversations/search", s.app(s.member(s.searchConversations)))
	handle("POST /api/v1/accounts/{account_id}/conversations/filter", s.app(s.member(s.filterConversations)))
	handle("POST /api/v1/accounts/{account_id}/bulk_actions", s.app(s.member(s.bulkActions)))
	handle("POST /api/v1/accounts/{account_id}/conversations", s.app(s.botOrMember(s.idempotent(s.createConversation))))
	handle("GET /api/v1/accounts/{account_id}/conversations/{conversation_id}", s.app(s.botOrMember(s.showConversation)))
	handle("PATCH /api/v1/accounts/{account_id}/conversations/{conversation_id}", s.app(s.botOrMember(s.updateConversation)))
	handle("PUT /api/v1/accounts/{account_id}/conversations/{conversation_id}", s.app(s.botOrMember(s.updateConversation)))
	handle("DELETE /api/v1/accounts/{account_id}/conversations/{conversation_id}", s.app(s.admin(s.deleteConversation)))
	handle("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status", s.app(s.botOrMember(s.toggleStatus)))
	handle("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_priority", s.app(s.botOrMember(s.togglePriority)))
	handle("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_typing_status", s.app(s.botOrMember(s.toggleTypingStatus)))
	handle("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/custom_attributes", s.app(s.botOrMember(s.setCustomAttributes)))
	handle("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/assignments", s.app(s.botOrMember(s.assign)))
	handle("GET /api/v1/accounts/{account_id}/conversations/{conversation_id}/labels", s.app(s.botOrMember(s.conversationLabels)))
	handle("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/labels", s.app(s.botOrMember(s.setConversationLabels)))
	handle("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/update_last_seen", s.app(s.member(s.updateLastSeen)))
	handle("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/unread", s.app(s.member(s.markUnread)))
	handle("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/mute", s.app(s.member(s.muteConversation)))
	handle("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/unmute", s.app(s.member(s.unmuteConversation)))
	handle("GET /api/v1/accounts/{account_id}/conversations/{conversation_id}/participants", s.app(s.member(s.listParticipants)))
	handle("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/participants", s.app(s.member(s.addParticipants)))
	handle("PATCH /api/v1/accounts/{account_id}/conversations/{conversation_id}/participants", s.app(s.member(s.setParticipants)))
	handle("PUT /api/v1/accounts/{account_id}/conversations/{conversation_id}/participants", s.app(s.member(s.setParticipants)))
	handle("DELETE /api/v1/accounts/{account_id}/conversations/{conversation_id}/participants", s.app(s.member(s.removeParticipants)))

	// Messages (reference §3.6).
	handle("GET /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages", s.app(s.member(s.listMessages)))
	handle("POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages", s.app(s.botOrMember(s.upload(s.idempotent(s.createMessage)))))
	handle("PATCH /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages/{message_id}", s.app(s.member(s.updateMessage)))
	handle("PUT /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages/{message_id}", s.app(s.member(s.updateMessage)))
	handle("DELETE /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages/{message_id}", s.app(s.member(s.deleteMessage)))

	// Attachments (reference §3.5, §3.6): a conversation's list, and the signed file URLs (no token).
	handle("GET /api/v1/accounts/{account_id}/conversations/{conversation_id}/attachments", s.app(s.member(s.listConversationAttachments)))
	handle("GET /attachments/{id}/{signature}/{filename}", s.rails(s.serveAttachment))

	// Platform API (reference §2.3, §3.15).
	handle("GET /platform/api/v1/accounts", s.rails(s.platformApp(s.listPlatformAccounts)))
	handle("POST /platform/api/v1/accounts", s.rails(s.platformApp(s.createPlatformAccount)))
	handle("GET /platform/api/v1/accounts/{account_id}", s.rails(s.platformApp(s.showPlatformAccount)))
	handle("PATCH /platform/api/v1/accounts/{account_id}", s.rails(s.platformApp(s.updatePlatformAccount)))
	handle("PUT /platform/api/v1/accounts/{account_id}", s.rails(s.platformApp(s.updatePlatformAccount)))
	handle("DELETE /platform/api/v1/accounts/{account_id}", s.rails(s.platformApp(s.deletePlatformAccount)))
	handle("GET /platform/api/v1/accounts/{account_id}/account_users", s.rails(s.platformApp(s.listPlatformAccountUsers)))
	handle("POST /platform/api/v1/accounts/{account_id}/account_users", s.rails(s.platformApp(s.createPlatformAccountUser)))
	handle("DELETE /platform/api/v1/accounts/{account_id}/account_users", s.rails(s.platformApp(s.deletePlatformAccountUser)))
	handle("POST /platform/api/v1/users", s.rails(s.platformApp(s.createPlatformUser)))
	handle("GET /platform/api/v1/users/{id}", s.rails(s.platformApp(s.showPlatformUser)))
	handle("PATCH /platform/api/v1/users/{id}", s.rails(s.platformApp(s.updatePlatformUser)))
	handle("PUT /platform/api/v1/users/{id}", s.rails(s.platformApp(s.updatePlatformUser)))
	handle("DELETE /platform/api/v1/users/{id}", s.rails(s.platformApp(s.deletePlatformUser)))
	handle("POST /platform/api/v1/users/{id}/token", s.rails(s.platformApp(s.platformUserToken)))

	// Anything else: Rails' JSON 404.
	mux.Handle("/", s.rails(s.notFound))
}

// Patterns lists the registered route patterns ("METHOD /path/{param}"), so
// tests can sweep every route (tenancy, malformed input).
func (s *Server) Patterns() []string { return append([]string(nil), s.patterns...) }
