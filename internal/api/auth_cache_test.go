package api_test

import (
	"testing"
)

// TestAccessChangesApplyAtOnce: the token's member row is cached between
// requests (CRIACHAT_AUTH_CACHE_TTL, 5 s by default), yet a changed role, a
// reset token, a removed agent and a suspended account take effect on the
// very next request (reference §2.1, §2.6).
func TestAccessChangesApplyAtOnce(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		base := "/api/v1/accounts/" + itoa(a.AccountID)
		agent := e.addAgent(a, "agent@acme.io", "agent")
		agentID := e.do("GET", "/api/v1/profile", agent, nil).expect(t, 200).num("id")
		label := func(token, title string) response {
			return e.do("POST", base+"/labels", token, map[string]any{"title": title})
		}

		e.do("GET", base+"/inboxes", agent, nil).expect(t, 200)
		label(agent, "one").expect(t, 401).body(t, notAuthorized)
		e.do("PATCH", base+"/agents/"+itoa(agentID), a.Token, map[string]any{"role": "administrator"}).expect(t, 200)
		label(agent, "two").expect(t, 200)
		e.do("PATCH", base+"/agents/"+itoa(agentID), a.Token, map[string]any{"role": "agent"}).expect(t, 200)
		label(agent, "three").expect(t, 401).body(t, notAuthorized)

		fresh := e.do("POST", "/api/v1/profile/reset_access_token", agent, nil).expect(t, 200).str("access_token")
		e.do("GET", base+"/inboxes", agent, nil).expect(t, 401).body(t, `{"error":"Invalid Access Token"}`)
		e.do("GET", base+"/inboxes", fresh, nil).expect(t, 200)

		// Removed from their only account, the agent's user and token go too.
		e.do("DELETE", base+"/agents/"+itoa(agentID), a.Token, nil).expect(t, 200)
		e.do("GET", base+"/inboxes", fresh, nil).expect(t, 401).body(t, `{"error":"Invalid Access Token"}`)

		e.do("GET", base+"/inboxes", a.Token, nil).expect(t, 200)
		e.suspend(a.AccountID)
		e.do("GET", base+"/inboxes", a.Token, nil).expect(t, 401).body(t, `{"error":"Account is suspended"}`)
	})
}
