package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
)

// Mentions in private notes (Chatwoot's Messages::MentionService) and
// GET /conversations?conversation_type=mention (reference §3.5, §5).

// mentionLink is the dashboard editor's mention of a user or team.
func mentionLink(kind string, id int64, name string) string {
	return fmt.Sprintf("[@%s](mention://%s/%d/%s)", name, kind, id, strings.ReplaceAll(name, " ", "%20"))
}

// mentionedUserIDs reads the conversation's mention rows from the store.
func (e *env) mentionedUserIDs(accountID, displayID int64) []int64 {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.store.Read().Conversation(ctx, accountID, displayID)
	if err != nil {
		e.t.Fatal(err)
	}
	list, err := e.store.Read().ConversationMentions(ctx, accountID, c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	ids := []int64{}
	for _, m := range list {
		ids = append(ids, m.UserID)
	}
	return ids
}

func TestMentions(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		bo := e.addAgent(a, "bo@acme.io", "agent")
		boID := e.do("GET", "/api/v1/profile", bo, nil).num("id")
		cy := e.addAgent(a, "cy@acme.io", "agent")
		cyID := e.do("GET", "/api/v1/profile", cy, nil).num("id")
		outsider := e.addAgent(a, "dee@acme.io", "agent") // in the account, not in the inbox
		outsiderID := e.do("GET", "/api/v1/profile", outsider, nil).num("id")
		e.do("POST", c.path("/inbox_members"), a.Token, map[string]any{"inbox_id": c.InboxID, "user_ids": []int64{boID, cyID}}).expect(t, 200)
		b := e.setup("Beta", "bea@beta.io")
		conv := e.open(c, nil)
		other := e.open(c, nil)
		mentionList := func(token, query string) []int64 {
			t.Helper()
			res := e.do("GET", c.path("/conversations?conversation_type=mention"+query), token, nil).expect(t, 200)
			return ascending(payloadIDs(res.get("data", "payload")))
		}
		participants := func(conv int64) []int64 {
			t.Helper()
			return ascending(agentIDsOf(e.do("GET", c.path(fmt.Sprintf("/conversations/%d/participants", conv)), a.Token, nil).expect(t, 200)))
		}

		// A private note mentions Bo: his mention list has the conversation, Cy's does not.
		e.say(c, conv, a.Token, map[string]any{"content": "please check " + mentionLink("user", boID, "bo"), "private": true}).expect(t, 200)
		wantIDs(t, "Bo's mentions", mentionList(bo, ""), []int64{conv})
		wantIDs(t, "Cy's mentions", mentionList(cy, ""), []int64{})
		wantIDs(t, "the admin's mentions", mentionList(a.Token, ""), []int64{})
		if n := e.do("GET", c.path("/conversations/meta?conversation_type=mention"), bo, nil).expect(t, 200).num("meta", "all_count"); n != 1 {
			t.Errorf("Bo's mention meta all_count = %d, want 1", n)
		}
		// Bo became a participant, as in Chatwoot.
		wantIDs(t, "participants", participants(conv), []int64{boID})

		// A public reply with the same link mentions nobody.
		e.say(c, other, a.Token, map[string]any{"content": "hey " + mentionLink("user", cyID, "cy")}).expect(t, 200)
		wantIDs(t, "mentions after a public link", e.mentionedUserIDs(a.AccountID, other), []int64{})
		wantIDs(t, "Cy's mentions after a public link", mentionList(cy, ""), []int64{})

		// Users of another account, members without access to the inbox, and
		// unknown ids are not mentioned; the account's administrator is.
		e.say(c, other, cy, map[string]any{"private": true, "content": mentionLink("user", b.UserID, "bea") + " " +
			mentionLink("user", outsiderID, "dee") + " " + mentionLink("user", 999999, "ghost") + " " +
			mentionLink("user", a.UserID, "Admin Acme")}).expect(t, 200)
		wantIDs(t, "mentions of strangers", e.mentionedUserIDs(a.AccountID, other), []int64{a.UserID})
		wantIDs(t, "the admin's mentions", mentionList(a.Token, ""), []int64{other})
		wantIDs(t, "participants of the other conversation", participants(other), []int64{a.UserID})

		// Mentioning Bo again keeps one row.
		e.say(c, conv, cy, map[string]any{"content": mentionLink("user", boID, "bo") + " ping " + mentionLink("user", boID, "bo"), "private": true}).expect(t, 200)
		wantIDs(t, "mention rows after a second mention", e.mentionedUserIDs(a.AccountID, conv), []int64{boID})
		wantIDs(t, "participants after a second mention", participants(conv), []int64{boID})

		// A team mention mentions its members who may see the conversation.
		team := e.do("POST", c.path("/teams"), a.Token, map[string]any{"name": "billing"}).expect(t, 200).num("id")
		e.do("POST", c.path(fmt.Sprintf("/teams/%d/team_members", team)), a.Token, map[string]any{"user_ids": []int64{cyID, outsiderID}}).expect(t, 200)
		e.say(c, conv, bo, map[string]any{"content": "over to " + mentionLink("team", team, "billing"), "private": true}).expect(t, 200)
		wantIDs(t, "mentions after a team mention", e.mentionedUserIDs(a.AccountID, conv), []int64{boID, cyID})
		wantIDs(t, "Cy's mentions after the team mention", mentionList(cy, ""), []int64{conv})
		wantIDs(t, "the outsider's mentions", mentionList(outsider, "&status=all"), []int64{})

		// The list keeps the other filters: a resolved conversation leaves the default (open) list.
		e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_status", conv)), a.Token, map[string]any{"status": "resolved"}).expect(t, 200)
		wantIDs(t, "Bo's open mentions", mentionList(bo, ""), []int64{})
		wantIDs(t, "Bo's resolved mentions", mentionList(bo, "&status=resolved"), []int64{conv})
		// Another account's member sees none of them in their own account.
		res := e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/conversations?conversation_type=mention&status=all", b.AccountID), b.Token, nil).expect(t, 200)
		wantIDs(t, "Beta's mentions", payloadIDs(res.get("data", "payload")), []int64{})

		// The feed has one conversation_mentioned per mention, with the user.
		events := e.feed(a, "?types=conversation_mentioned")
		var got []int64
		for _, ev := range events {
			checkConversation(t, "conversation_mentioned", ev.Payload, fieldKinds{"event": "string", "mentioned_user": "object"})
			user := ev.Payload["mentioned_user"].(map[string]any)
			checkFields(t, "conversation_mentioned.mentioned_user", user, fieldKinds{"id": "number", "name": "string", "email": "string", "type": "string"})
			got = append(got, int64(user["id"].(float64)))
		}
		wantIDs(t, "mentioned users in the feed", got, []int64{boID, a.UserID, boID, cyID})
		if id := events[1].Payload["id"]; id != float64(other) {
			t.Errorf("second conversation_mentioned is about conversation %v, want %d", id, other)
		}
		raw := e.do("GET", c.path("/events?types=conversation_mentioned&limit=1"), a.Token, nil).expect(t, 200).Raw
		if !strings.Contains(raw, fmt.Sprintf(`"event":"conversation_mentioned","mentioned_user":{"id":%d,"name":"bo@acme.io","email":"bo@acme.io","type":"user"}}`, boID)) {
			t.Errorf("conversation_mentioned does not end with event and mentioned_user: %s", raw)
		}
		// It is feed only: webhooks cannot subscribe to it.
		e.do("POST", c.path("/webhooks"), a.Token, map[string]any{"url": "https://hooks.example.com/x",
			"subscriptions": []criachat.EventType{criachat.EventConversationMentioned}}).expect(t, 422)
	})
}

// TestMentionInFirstMessage: a conversation created with a private first
// message mentions as any note does.
func TestMentionInFirstMessage(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		conv := e.open(c, map[string]any{"message": map[string]any{"content": "note to self " + mentionLink("user", a.UserID, "ann"), "private": true}})
		wantIDs(t, "mentions", e.mentionedUserIDs(a.AccountID, conv), []int64{a.UserID})
	})
}
