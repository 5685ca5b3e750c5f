package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Agent bots (reference §2.1 bot tokens, §3.10, §6.2 pending and handoff, §6.3).

// agentBotKeys is the order of _agent_bot.json.jbuilder; agents see it without secret.
var agentBotKeys = []string{"id", "name", "description", "thumbnail", "outgoing_url", "bot_type", "bot_config",
	"account_id", "access_token", "secret", "system_bot"}

const botsNotAllowed = `{"error":"Access to this endpoint is not authorized for bots"}`

// newBot creates an agent bot as the tenant's administrator.
func (e *env) newBot(a tenant, name string) response {
	e.t.Helper()
	return e.do("POST", "/api/v1/accounts/"+itoa(a.AccountID)+"/agent_bots", a.Token,
		map[string]any{"name": name, "outgoing_url": "https://bots.example/" + name}).expect(e.t, 200)
}

// connect connects a bot to the chat's inbox (botID 0 disconnects).
func (e *env) connect(c chat, botID int64) {
	e.t.Helper()
	var bot any
	if botID != 0 {
		bot = botID
	}
	res := e.do("POST", c.path(fmt.Sprintf("/inboxes/%d/set_agent_bot", c.InboxID)), c.Token, map[string]any{"agent_bot": bot}).expect(e.t, 200)
	if res.Raw != "" {
		e.t.Fatalf("set_agent_bot body = %q, want empty", res.Raw)
	}
}

func TestAgentBotCRUD(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		agent := e.addAgent(a, "bob@acme.io", "agent")
		base := "/api/v1/accounts/" + itoa(a.AccountID) + "/agent_bots"

		created := e.do("POST", base, a.Token, map[string]any{"name": "Faq", "description": "answers", "outgoing_url": "https://bots.example/faq",
			"bot_type": "webhook", "bot_config": map[string]any{"lang": "pt"}}).expect(t, 200)
		checkKeyOrder(t, "agent bot", []byte(created.Raw), agentBotKeys)
		id := created.num("id")
		token, secret := created.str("access_token"), created.str("secret")
		if created.str("name") != "Faq" || created.str("description") != "answers" || created.str("thumbnail") != "" ||
			created.str("outgoing_url") != "https://bots.example/faq" || created.str("bot_type") != "webhook" ||
			created.str("bot_config", "lang") != "pt" || created.num("account_id") != a.AccountID || created.get("system_bot") != false ||
			len(token) < 20 || len(secret) < 20 || token == secret {
			t.Fatalf("created = %s", created.Raw)
		}
		// Defaults: no description or URL is null, bot_config {}.
		plain := e.do("POST", base, a.Token, map[string]any{"name": "Plain"}).expect(t, 200)
		if plain.get("description") != nil || plain.get("outgoing_url") != nil || len(plain.get("bot_config").(map[string]any)) != 0 {
			t.Fatalf("plain bot = %s", plain.Raw)
		}

		// Any member reads; only administrators see the secret.
		var list []json.RawMessage
		raw := e.do("GET", base, a.Token, nil).expect(t, 200).Raw
		if err := json.Unmarshal([]byte(raw), &list); err != nil || len(list) != 2 {
			t.Fatalf("list = %s", raw)
		}
		checkKeyOrder(t, "listed bot", list[0], agentBotKeys)
		withoutSecret := append(append([]string{}, agentBotKeys[:9]...), "system_bot")
		raw = e.do("GET", base, agent, nil).expect(t, 200).Raw
		if err := json.Unmarshal([]byte(raw), &list); err != nil || len(list) != 2 {
			t.Fatalf("agent's list = %s", raw)
		}
		checkKeyOrder(t, "bot an agent lists", list[0], withoutSecret)
		shown := e.do("GET", base+"/"+itoa(id), agent, nil).expect(t, 200)
		checkKeyOrder(t, "bot an agent reads", []byte(shown.Raw), withoutSecret)
		if shown.str("access_token") != token {
			t.Fatalf("shown token = %q, want %q", shown.str("access_token"), token)
		}

		// Agents cannot change bots.
		for _, r := range []struct{ method, path string }{
			{"POST", base}, {"PATCH", base + "/" + itoa(id)}, {"PUT", base + "/" + itoa(id)}, {"DELETE", base + "/" + itoa(id)},
			{"DELETE", base + "/" + itoa(id) + "/avatar"}, {"POST", base + "/" + itoa(id) + "/reset_access_token"},
			{"POST", base + "/" + itoa(id) + "/reset_secret"},
		} {
			e.do(r.method, r.path, agent, map[string]any{"name": "x"}).expect(t, 401).body(t, notAuthorized)
		}

		// Validation (Rails' RecordInvalid body).
		e.do("POST", base, a.Token, map[string]any{"description": "no name"}).expect(t, 422).
			body(t, `{"message":"Name can't be blank","attributes":["name"]}`)
		e.do("PATCH", base+"/"+itoa(id), a.Token, map[string]any{"outgoing_url": "ftp://x.io"}).expect(t, 422).
			body(t, `{"message":"Outgoing url is invalid","attributes":["outgoing_url"]}`)
		e.do("POST", base, a.Token, map[string]any{"name": "x", "outgoing_url": "https://x.io/" + strings.Repeat("a", 2048)}).expect(t, 422).
			body(t, `{"message":"Outgoing url is too long (maximum is 2048 characters)","attributes":["outgoing_url"]}`)
		e.do("POST", base, a.Token, map[string]any{"name": "x", "bot_type": "csml"}).expect(t, 422)

		// Update: given attributes change, others stay; null clears.
		upd := e.do("PATCH", base+"/"+itoa(id), a.Token, map[string]any{"name": "FAQ", "description": nil, "avatar_url": "https://img.example/faq.png"}).expect(t, 200)
		if upd.str("name") != "FAQ" || upd.get("description") != nil || upd.str("outgoing_url") != "https://bots.example/faq" ||
			upd.str("thumbnail") != "https://img.example/faq.png" || upd.str("bot_config", "lang") != "pt" {
			t.Fatalf("updated = %s", upd.Raw)
		}
		e.do("PUT", base+"/"+itoa(id), a.Token, map[string]any{"bot_config": map[string]any{"lang": "en"}}).expect(t, 200)
		if got := e.do("DELETE", base+"/"+itoa(id)+"/avatar", a.Token, nil).expect(t, 200); got.str("thumbnail") != "" || got.str("bot_config", "lang") != "en" {
			t.Fatalf("after avatar delete = %s", got.Raw)
		}

		// The token works on a bot endpoint until it is reset.
		c := e.newChat(a, "api")
		conv := e.open(c, nil)
		convPath := c.path(fmt.Sprintf("/conversations/%d", conv))
		e.do("GET", convPath, token, nil).expect(t, 200)
		reset := e.do("POST", base+"/"+itoa(id)+"/reset_access_token", a.Token, nil).expect(t, 200)
		if reset.str("access_token") == "" || reset.str("access_token") == token || reset.str("secret") != secret {
			t.Fatalf("reset token = %s", reset.Raw)
		}
		e.do("GET", convPath, token, nil).expect(t, 401).body(t, `{"error":"Invalid Access Token"}`)
		e.do("GET", convPath, reset.str("access_token"), nil).expect(t, 200)
		rotated := e.do("POST", base+"/"+itoa(id)+"/reset_secret", a.Token, nil).expect(t, 200)
		if rotated.str("secret") == "" || rotated.str("secret") == secret || rotated.str("access_token") != reset.str("access_token") {
			t.Fatalf("reset secret = %s", rotated.Raw)
		}

		// Delete: 200 empty, then gone with its token.
		if res := e.do("DELETE", base+"/"+itoa(id), a.Token, nil).expect(t, 200); res.Raw != "" {
			t.Fatalf("delete body = %q", res.Raw)
		}
		e.do("GET", base+"/"+itoa(id), a.Token, nil).expect(t, 404)
		e.do("GET", convPath, reset.str("access_token"), nil).expect(t, 401).body(t, `{"error":"Invalid Access Token"}`)
	})
}

// TestAgentBotTenancy: another account's bot is not found through this
// account's paths, and cannot be connected to its inboxes.
func TestAgentBotTenancy(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Alpha", "ann@alpha.io")
		b := e.setup("Beta", "bob@beta.io")
		theirs := e.newBot(b, "theirs").num("id")
		base := "/api/v1/accounts/" + itoa(a.AccountID) + "/agent_bots/" + itoa(theirs)
		for _, r := range []struct{ method, path string }{
			{"GET", base}, {"PATCH", base}, {"PUT", base}, {"DELETE", base}, {"DELETE", base + "/avatar"},
			{"POST", base + "/reset_access_token"}, {"POST", base + "/reset_secret"},
		} {
			e.do(r.method, r.path, a.Token, map[string]any{"name": "hijack"}).expect(t, 404)
		}
		c := e.newChat(a, "api")
		e.do("POST", c.path(fmt.Sprintf("/inboxes/%d/set_agent_bot", c.InboxID)), a.Token, map[string]any{"agent_bot": theirs}).expect(t, 404)
		conv := e.open(c, nil)
		if res := e.do("POST", c.path(fmt.Sprintf("/conversations/%d/assignments", conv)), a.Token,
			map[string]any{"assignee_id": theirs, "assignee_type": "AgentBot"}).expect(t, 200); res.Raw != "null\n" {
			t.Fatalf("assigning another account's bot = %q, want null", res.Raw)
		}
		if got := e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID)+"/agent_bots/"+itoa(theirs), b.Token, nil).expect(t, 200); got.str("name") != "theirs" {
			t.Fatalf("B's bot changed: %s", got.Raw)
		}
	})
}

// TestInboxAgentBot: set_agent_bot connects, replaces and (with null)
// disconnects; GET agent_bot shows {"agent_bot": bot} or {}.
func TestInboxAgentBot(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		agent := e.addAgent(a, "bob@acme.io", "agent")
		c := e.newChat(a, "api")
		show := c.path(fmt.Sprintf("/inboxes/%d/agent_bot", c.InboxID))
		e.do("GET", show, a.Token, nil).expect(t, 200).body(t, `{}`)
		first, second := e.newBot(a, "first").num("id"), e.newBot(a, "second").num("id")
		e.connect(c, first)
		e.connect(c, second)
		got := e.do("GET", show, a.Token, nil).expect(t, 200)
		var wrapped map[string]json.RawMessage
		if err := json.Unmarshal([]byte(got.Raw), &wrapped); err != nil || len(wrapped) != 1 {
			t.Fatalf("inbox agent_bot = %s", got.Raw)
		}
		checkKeyOrder(t, "inbox agent_bot", wrapped["agent_bot"], agentBotKeys)
		if got.num("agent_bot", "id") != second {
			t.Fatalf("inbox bot = %s, want the second", got.Raw)
		}
		// Agents: not a member of the inbox → 401; never allowed to set.
		e.do("GET", show, agent, nil).expect(t, 401).body(t, notAuthorized)
		e.do("POST", c.path(fmt.Sprintf("/inboxes/%d/set_agent_bot", c.InboxID)), agent, map[string]any{"agent_bot": nil}).expect(t, 401).body(t, notAuthorized)
		e.do("POST", c.path(fmt.Sprintf("/inboxes/%d/set_agent_bot", c.InboxID)), a.Token, map[string]any{"agent_bot": 999999}).expect(t, 404)
		e.do("POST", c.path("/inboxes/999999/set_agent_bot"), a.Token, map[string]any{"agent_bot": first}).expect(t, 404)
		e.connect(c, 0)
		e.do("GET", show, a.Token, nil).expect(t, 200).body(t, `{}`)
	})
}

// botAllowed is Chatwoot 4.15.1's BOT_ACCESSIBLE_ENDPOINTS as routes.
var botAllowed = map[string]bool{
	"POST /api/v1/accounts/{account_id}/conversations":                                        true,
	"GET /api/v1/accounts/{account_id}/conversations/{conversation_id}":                       true,
	"PATCH /api/v1/accounts/{account_id}/conversations/{conversation_id}":                     true,
	"PUT /api/v1/accounts/{account_id}/conversations/{conversation_id}":                       true,
	"POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_status":        true,
	"POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_priority":      true,
	"POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/toggle_typing_status": true,
	"POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/custom_attributes":    true,
	"POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/assignments":          true,
	"GET /api/v1/accounts/{account_id}/conversations/{conversation_id}/labels":                true,
	"POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/labels":               true,
	"POST /api/v1/accounts/{account_id}/conversations/{conversation_id}/messages":             true,
}

// TestBotTokenEndpoints: a bot's token works on each bot endpoint of its own
// account and nowhere else, with Chatwoot's 401 bodies.
func TestBotTokenEndpoints(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		other := e.setup("Other", "olga@other.io")
		c := e.newChat(a, "api")
		e.do("POST", c.path("/labels"), a.Token, map[string]any{"title": "billing"}).expect(t, 200)
		bot := e.newBot(a, "helper")
		botID, tok := bot.num("id"), bot.str("access_token")
		conv := e.open(c, nil)
		cp := func(rest string) string { return c.path(fmt.Sprintf("/conversations/%d%s", conv, rest)) }

		// Every allowed endpoint, in a bot's usual order.
		created := e.do("POST", c.path("/conversations"), tok, map[string]any{"source_id": c.SourceID, "inbox_id": c.InboxID}).expect(t, 200)
		if created.num("inbox_id") != c.InboxID {
			t.Fatalf("bot-created conversation = %s", created.Raw)
		}
		if got := e.do("GET", cp(""), tok, nil).expect(t, 200); got.num("id") != conv {
			t.Fatalf("show = %s", got.Raw)
		}
		if got := e.do("PATCH", cp(""), tok, map[string]any{"priority": "high"}).expect(t, 200); got.str("priority") != "high" {
			t.Fatalf("update = %s", got.Raw)
		}
		e.do("PUT", cp(""), tok, map[string]any{"priority": "low"}).expect(t, 200)
		e.do("POST", cp("/toggle_priority"), tok, map[string]any{"priority": "urgent"}).expect(t, 200)
		e.do("POST", cp("/toggle_typing_status"), tok, map[string]any{"typing_status": "on"}).expect(t, 200)
		e.do("POST", cp("/custom_attributes"), tok, map[string]any{"custom_attributes": map[string]any{"order": "42"}}).expect(t, 200).
			body(t, `{"custom_attributes":{"order":"42"}}`)
		e.do("POST", cp("/labels"), tok, map[string]any{"labels": []string{"billing"}}).expect(t, 200).body(t, `{"payload":["billing"]}`)
		e.do("GET", cp("/labels"), tok, nil).expect(t, 200).body(t, `{"payload":["billing"]}`)
		msg := e.do("POST", cp("/messages"), tok, map[string]any{"content": "Hi, I am a bot"}).expect(t, 200)
		if msg.num("message_type") != 1 {
			t.Fatalf("bot message = %s", msg.Raw)
		}
		wantSender := fmt.Sprintf(`{"id":%d,"name":"helper","avatar_url":"","type":"agent_bot"}`, botID)
		if sender, _ := json.Marshal(msg.get("sender")); !jsonEqual(t, string(sender), wantSender) {
			t.Fatalf("bot message sender = %s, want %s", sender, wantSender)
		}
		assigned := e.do("POST", cp("/assignments"), tok, map[string]any{"assignee_id": botID, "assignee_type": "AgentBot"}).expect(t, 200)
		checkKeyOrder(t, "agent_bot_slim", []byte(assigned.Raw), []string{"id", "name", "description", "thumbnail", "outgoing_url", "bot_type"})
		toggled := e.do("POST", cp("/toggle_status"), tok, map[string]any{"status": "resolved"}).expect(t, 200)
		if toggled.str("payload", "current_status") != "resolved" || toggled.get("payload", "success") != true {
			t.Fatalf("toggle = %s", toggled.Raw)
		}
		// The messages list (a user endpoint) shows the bot as the sender.
		list := e.do("GET", cp("/messages"), a.Token, nil).expect(t, 200)
		found := false
		for i := range list.get("payload").([]any) {
			if list.str("payload", i, "sender", "type") == "agent_bot" && list.num("payload", i, "sender", "id") == botID {
				found = true
			}
		}
		if !found {
			t.Fatalf("messages list has no bot sender: %s", list.Raw)
		}

		// Every other route answers the bot's token with 401 "not authorized for bots".
		n := 0
		for _, pattern := range e.server.Patterns() {
			if _, path, _ := strings.Cut(pattern, " "); !strings.HasPrefix(path, "/api/v1/") || botAllowed[pattern] {
				continue
			}
			n++
			method, path := routePath(pattern, a.AccountID)
			if res := e.do(method, path, tok, map[string]any{"name": "x"}); res.Status != 401 || !jsonEqual(t, res.Raw, botsNotAllowed) {
				t.Errorf("%s %s with a bot token = %d %s, want 401 %s", method, path, res.Status, res.Raw, botsNotAllowed)
			}
		}
		if n < 50 {
			t.Fatalf("swept only %d routes", n)
		}
		// Every allowed route in another account: 401 "Bot is not authorized to access this account".
		for pattern := range botAllowed {
			method, path := routePath(pattern, other.AccountID)
			if res := e.do(method, path, tok, map[string]any{}); res.Status != 401 || !jsonEqual(t, res.Raw, `{"error":"Bot is not authorized to access this account"}`) {
				t.Errorf("%s %s in another account = %d %s", method, path, res.Status, res.Raw)
			}
		}
		e.do("GET", "/api/v1/accounts/999999/conversations/1", tok, nil).expect(t, 404)
		e.suspend(a.AccountID)
		e.do("GET", cp(""), tok, nil).expect(t, 401).body(t, `{"error":"Account is suspended"}`)
	})
}

// jsonEqual compares two JSON texts as decoded values.
func jsonEqual(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if json.Unmarshal([]byte(got), &g) != nil {
		return false
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %q: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return string(gb) == string(wb)
}

// TestPendingWhileBotActive: a new conversation starts pending while a bot is
// connected to its inbox, whatever status was asked for (Chatwoot's
// determine_conversation_status); open without a bot. The handoff is
// toggle_status open, by the bot (success null) or by an agent.
func TestPendingWhileBotActive(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		status := func(conv int64) string {
			return e.do("GET", c.path(fmt.Sprintf("/conversations/%d", conv)), a.Token, nil).expect(t, 200).str("status")
		}
		if s := status(e.open(c, nil)); s != "open" {
			t.Fatalf("without a bot: %s, want open", s)
		}
		bot := e.newBot(a, "triage")
		tok := bot.str("access_token")
		e.connect(c, bot.num("id"))
		first := e.open(c, nil)
		if s := status(first); s != "pending" {
			t.Fatalf("with a bot: %s, want pending", s)
		}
		if s := status(e.open(c, map[string]any{"status": "open"})); s != "pending" {
			t.Fatalf("with a bot and status open: %s, want pending", s)
		}
		// Handoff by the bot.
		res := e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_status", first)), tok, map[string]any{"status": "open"}).expect(t, 200)
		if !jsonEqual(t, res.Raw, fmt.Sprintf(`{"payload":{"success":null,"conversation_id":%d,"current_status":"open","snoozed_until":null}}`, first)) {
			t.Fatalf("bot handoff = %s", res.Raw)
		}
		// Handoff by an administrator.
		second := e.open(c, nil)
		res = e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_status", second)), a.Token, map[string]any{"status": "open"}).expect(t, 200)
		if res.get("payload", "success") != true || status(second) != "open" {
			t.Fatalf("agent handoff = %s", res.Raw)
		}
		// A customer writing on a resolved conversation goes back to the bot (pending).
		e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_status", second)), a.Token, map[string]any{"status": "resolved"}).expect(t, 200)
		e.say(c, second, a.Token, map[string]any{"content": "one more thing", "message_type": "incoming"}).expect(t, 200)
		if s := status(second); s != "pending" {
			t.Fatalf("resolved + incoming with a bot: %s, want pending", s)
		}
		e.connect(c, 0)
		if s := status(e.open(c, nil)); s != "open" {
			t.Fatalf("after disconnecting the bot: %s, want open", s)
		}
	})
}

// TestAssignAgentBot: assigning a bot clears the user assignee and shows as
// assignee_type AgentBot; assigning a user clears the bot.
func TestAssignAgentBot(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		conv := e.open(c, map[string]any{"assignee_id": a.UserID})
		bot := e.newBot(a, "router")
		botID := bot.num("id")
		assign := c.path(fmt.Sprintf("/conversations/%d/assignments", conv))
		show := c.path(fmt.Sprintf("/conversations/%d", conv))
		got := e.do("POST", assign, a.Token, map[string]any{"assignee_id": botID, "assignee_type": "AgentBot"}).expect(t, 200)
		want := fmt.Sprintf(`{"id":%d,"name":"router","description":null,"thumbnail":"","outgoing_url":"https://bots.example/router","bot_type":"webhook"}`, botID)
		if !jsonEqual(t, got.Raw, want) {
			t.Fatalf("assign bot = %s, want %s", got.Raw, want)
		}
		conversation := e.do("GET", show, a.Token, nil).expect(t, 200)
		if conversation.str("meta", "assignee_type") != "AgentBot" || conversation.num("meta", "assignee", "id") != botID {
			t.Fatalf("conversation meta = %v", conversation.get("meta"))
		}
		e.do("POST", assign, a.Token, map[string]any{"assignee_id": 999999, "assignee_type": "AgentBot"}).expect(t, 200)
		if got := e.do("GET", show, a.Token, nil).expect(t, 200); got.num("meta", "assignee", "id") != botID {
			t.Fatalf("an unknown bot changed the assignee: %v", got.get("meta"))
		}
		e.do("POST", assign, a.Token, map[string]any{"assignee_id": a.UserID}).expect(t, 200)
		conversation = e.do("GET", show, a.Token, nil).expect(t, 200)
		if conversation.str("meta", "assignee_type") != "User" || conversation.num("meta", "assignee", "id") != a.UserID {
			t.Fatalf("conversation meta after assigning a user = %v", conversation.get("meta"))
		}
	})
}
