package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"testing"
)

// Events and their payloads (reference §4.4, §4.5, §4.6), read back through
// the events feed, which serves the exact bytes webhooks deliver.

// kind names a JSON type: "string", "number", "bool", "object", "array", "null",
// or "string|null" and similar for nullable fields.
type fieldKinds map[string]string

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "?"
}

// checkFields fails unless obj has exactly the keys of want (optional keys
// end in "?") with the kinds given.
func checkFields(t *testing.T, what string, obj map[string]any, want fieldKinds) {
	t.Helper()
	for key, kinds := range want {
		optional := key[len(key)-1] == '?'
		if optional {
			key = key[:len(key)-1]
		}
		v, ok := obj[key]
		if !ok {
			if !optional {
				t.Errorf("%s: key %q missing", what, key)
			}
			continue
		}
		if k := kindOf(v); !slices.Contains(splitKinds(kinds), k) {
			t.Errorf("%s: %q is %s (%v), want %s", what, key, k, v, kinds)
		}
	}
	for key := range obj {
		if _, ok := want[key]; !ok {
			if _, ok := want[key+"?"]; !ok {
				t.Errorf("%s: unexpected key %q", what, key)
			}
		}
	}
}

func splitKinds(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '|' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// §4.5 conversation.webhook_data.
var conversationFields = fieldKinds{
	"additional_attributes": "object", "can_reply": "bool", "channel": "string", "contact_inbox": "object", "id": "number",
	"inbox_id": "number", "messages": "array", "labels": "array", "meta": "object", "status": "string",
	"custom_attributes": "object", "snoozed_until": "string|null", "unread_count": "number",
	"first_reply_created_at": "string|null", "priority": "string|null", "waiting_since": "number",
	"agent_last_seen_at": "number", "contact_last_seen_at": "number", "last_activity_at": "number", "timestamp": "number",
	"created_at": "number", "updated_at": "number", "account": "object",
}

var contactInboxFields = fieldKinds{"id": "number", "contact_id": "number", "inbox_id": "number", "source_id": "string",
	"created_at": "string", "updated_at": "string", "hmac_verified": "bool", "pubsub_token": "string"}

var metaFields = fieldKinds{"sender": "object", "assignee": "object|null", "assignee_type": "string|null", "team": "object|null",
	"hmac_verified": "bool|null"}

// §5 message push_event_data (the conversation's "messages" entries).
var messagePushFields = fieldKinds{"id": "number", "content": "string|null", "account_id": "number", "inbox_id": "number",
	"conversation_id": "number", "message_type": "number", "created_at": "number", "updated_at": "string", "private": "bool",
	"status": "string", "source_id": "string|null", "content_type": "string", "content_attributes": "object",
	"sender_type": "string|null", "sender_id": "number|null", "external_source_ids": "object", "additional_attributes": "object",
	"processed_message_content": "string|null", "sentiment": "object", "conversation": "object", "attachments?": "array",
	"sender?": "object"}

// §4.5 message.webhook_data.
var messageFields = fieldKinds{"account": "object", "additional_attributes": "object", "content_attributes": "object",
	"content_type": "string", "content": "string|null", "conversation": "object", "created_at": "string", "id": "number",
	"inbox": "object", "message_type": "string", "private": "bool", "sender": "object|null", "source_id": "string|null",
	"attachments?": "array", "event": "string"}

// §4.5 contact webhook_data (no "type").
var contactFields = fieldKinds{"account": "object", "additional_attributes": "object", "avatar": "string",
	"custom_attributes": "object", "email": "string|null", "id": "number", "identifier": "string|null", "name": "string",
	"phone_number": "string|null", "thumbnail": "string", "blocked": "bool", "event": "string", "changed_attributes?": "array"}

func checkConversation(t *testing.T, what string, c map[string]any, extra fieldKinds) {
	t.Helper()
	want := fieldKinds{}
	for k, v := range conversationFields {
		want[k] = v
	}
	for k, v := range extra {
		want[k] = v
	}
	checkFields(t, what, c, want)
	if ci, ok := c["contact_inbox"].(map[string]any); ok {
		checkFields(t, what+".contact_inbox", ci, contactInboxFields)
	}
	if meta, ok := c["meta"].(map[string]any); ok {
		checkFields(t, what+".meta", meta, metaFields)
	}
	if msgs, ok := c["messages"].([]any); ok {
		for _, m := range msgs {
			checkFields(t, what+".messages[]", m.(map[string]any), messagePushFields)
		}
	}
	if acc, ok := c["account"].(map[string]any); ok {
		checkFields(t, what+".account", acc, fieldKinds{"id": "number", "name": "string"})
	}
}

type feedEvent struct {
	Seq     int64          `json:"seq"`
	ID      string         `json:"id"`
	Event   string         `json:"event"`
	Payload map[string]any `json:"payload"`
}

func (e *env) feed(a tenant, query string) []feedEvent {
	e.t.Helper()
	res := e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/events%s", a.AccountID, query), a.Token, nil).expect(e.t, 200)
	var body struct {
		Payload []feedEvent `json:"payload"`
	}
	if err := json.Unmarshal([]byte(res.Raw), &body); err != nil {
		e.t.Fatal(err)
	}
	return body.Payload
}

// TestEventPayloads drives the Application API through a conversation's life
// and checks every event it records against the field lists of §4.5.
func TestEventPayloads(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		conv := e.open(c, nil)
		path := func(rest string) string { return c.path(fmt.Sprintf("/conversations/%d%s", conv, rest)) }
		in := e.say(c, conv, c.Token, map[string]any{"content": "my order is late", "message_type": "incoming"}).expect(t, 200)
		out := e.say(c, conv, c.Token, map[string]any{"content": "checking"}).expect(t, 200)
		e.say(c, conv, c.Token, map[string]any{"content": "internal", "private": true}).expect(t, 200)
		e.do("PATCH", path(fmt.Sprintf("/messages/%d", out.num("id"))), c.Token, map[string]any{"status": "delivered"}).expect(t, 200)
		e.do("POST", path("/assignments"), c.Token, map[string]any{"assignee_id": a.UserID}).expect(t, 200)
		team := e.do("POST", c.path("/teams"), c.Token, map[string]any{"name": "billing"}).expect(t, 200).num("id")
		e.do("POST", path("/assignments"), c.Token, map[string]any{"team_id": team}).expect(t, 200)
		e.do("POST", path("/labels"), c.Token, map[string]any{"labels": []string{"vip"}}).expect(t, 200)
		e.do("POST", path("/toggle_priority"), c.Token, map[string]any{"priority": "high"}).expect(t, 200)
		e.do("POST", path("/custom_attributes"), c.Token, map[string]any{"custom_attributes": map[string]any{"plan": "pro"}}).expect(t, 200)
		e.do("POST", path("/toggle_status"), c.Token, map[string]any{"status": "snoozed", "snoozed_until": 4102444800}).expect(t, 200)
		e.do("POST", path("/toggle_status"), c.Token, map[string]any{"status": "resolved"}).expect(t, 200)
		e.do("DELETE", path(fmt.Sprintf("/messages/%d", in.num("id"))), c.Token, nil).expect(t, 200)
		e.do("PATCH", c.path(fmt.Sprintf("/contacts/%d", c.ContactID)), c.Token, map[string]any{"name": "Carla B"}).expect(t, 200)
		e.do("DELETE", path(""), c.Token, nil).expect(t, 200)
		e.do("DELETE", c.path(fmt.Sprintf("/contacts/%d", c.ContactID)), c.Token, nil).expect(t, 200)

		events := e.feed(a, "?limit=1000")
		var seqs []int64
		byType := map[string][]feedEvent{}
		for i, ev := range events {
			if ev.Seq != int64(i+1) {
				t.Errorf("event %d has seq %d, want %d (gap-free per-account sequence)", i, ev.Seq, i+1)
			}
			seqs = append(seqs, ev.Seq)
			if got := ev.Payload["event"]; got != ev.Event {
				t.Errorf("seq %d: payload event %v, feed event %s", ev.Seq, got, ev.Event)
			}
			byType[ev.Event] = append(byType[ev.Event], ev)
		}
		var types []string
		for k := range byType {
			types = append(types, k)
		}
		sort.Strings(types)
		for _, want := range []string{"contact_created", "conversation_created", "message_created", "conversation_updated",
			"first_reply_created", "message_updated", "assignee_changed", "team_changed", "conversation_status_changed",
			"conversation_resolved", "message_deleted", "contact_updated", "conversation_deleted", "contact_deleted"} {
			if len(byType[want]) == 0 {
				t.Errorf("no %s event; got types %v", want, types)
			}
		}
		// Messages: three created (incoming, outgoing, private note) and no activity message.
		if n := len(byType["message_created"]); n != 3 {
			t.Errorf("%d message_created events, want 3 (activity messages have none)", n)
		}
		for _, ev := range byType["message_created"] {
			checkFields(t, "message_created", ev.Payload, messageFields)
			checkConversation(t, "message_created.conversation", ev.Payload["conversation"].(map[string]any), nil)
			if mt := ev.Payload["message_type"]; mt != "incoming" && mt != "outgoing" {
				t.Errorf("message_type %v is not a string enum", mt)
			}
		}
		incoming := byType["message_created"][0].Payload
		checkFields(t, "incoming sender (contact webhook_data)", incoming["sender"].(map[string]any),
			fieldKinds{"account": "object", "additional_attributes": "object", "avatar": "string", "custom_attributes": "object",
				"email": "string|null", "id": "number", "identifier": "string|null", "name": "string", "phone_number": "string|null",
				"thumbnail": "string", "blocked": "bool"})
		reply := byType["message_created"][1].Payload
		checkFields(t, "reply sender (user webhook_data)", reply["sender"].(map[string]any),
			fieldKinds{"id": "number", "name": "string", "email": "string", "type": "string"})
		if msgs := reply["conversation"].(map[string]any)["messages"].([]any); len(msgs) != 1 || msgs[0].(map[string]any)["id"] != float64(out.num("id")) {
			t.Errorf("reply's conversation.messages = %v, want the reply itself", msgs)
		}
		for _, ev := range byType["message_updated"] {
			checkFields(t, "message_updated", ev.Payload, messageFields)
		}
		for _, typ := range []string{"conversation_created", "conversation_status_changed", "conversation_resolved",
			"assignee_changed", "team_changed", "conversation_deleted", "first_reply_created"} {
			for _, ev := range byType[typ] {
				checkConversation(t, typ, ev.Payload, fieldKinds{"event": "string"})
			}
		}
		changed := map[string]bool{}
		for _, ev := range byType["conversation_updated"] {
			checkConversation(t, "conversation_updated", ev.Payload, fieldKinds{"event": "string", "changed_attributes": "array"})
			for _, ch := range ev.Payload["changed_attributes"].([]any) {
				one := ch.(map[string]any)
				if len(one) != 1 {
					t.Errorf("changed_attributes entry %v has %d keys, want 1", one, len(one))
				}
				for attr, v := range one {
					changed[attr] = true
					checkFields(t, "changed_attributes."+attr, v.(map[string]any), fieldKinds{
						"previous_value": "string|number|null|object|array|bool", "current_value": "string|number|null|object|array|bool"})
				}
			}
		}
		for _, attr := range []string{"status", "assignee_id", "team_id", "label_list", "priority", "custom_attributes",
			"snoozed_until", "waiting_since", "first_reply_created_at", "updated_at"} {
			if !changed[attr] {
				t.Errorf("no conversation_updated carried a %s change", attr)
			}
		}
		for _, typ := range []string{"contact_created", "contact_updated", "contact_deleted"} {
			for _, ev := range byType[typ] {
				checkFields(t, typ, ev.Payload, contactFields)
			}
		}
		upd := byType["contact_updated"][0].Payload["changed_attributes"].([]any)
		if name := upd[0].(map[string]any)["name"].(map[string]any); name["previous_value"] != "Carla" || name["current_value"] != "Carla B" {
			t.Errorf("contact_updated changed_attributes = %v", upd)
		}

		// The feed pages by sequence and filters by type.
		page := e.feed(a, "?after=2&limit=3")
		if len(page) != 3 || page[0].Seq != 3 || page[2].Seq != 5 {
			t.Errorf("after=2&limit=3 gave seqs %v", seqsOf(page))
		}
		only := e.feed(a, "?types=contact_created,contact_deleted")
		if len(only) != 2 || only[0].Event != "contact_created" || only[1].Event != "contact_deleted" {
			t.Errorf("types filter gave %v", only)
		}
		e.do("GET", c.path("/events?types=nope"), c.Token, nil).expect(t, 422)
		e.do("GET", c.path("/events?after=x"), c.Token, nil).expect(t, 422)
		_ = seqs
	})
}

func seqsOf(list []feedEvent) []int64 {
	out := make([]int64, len(list))
	for i, e := range list {
		out[i] = e.Seq
	}
	return out
}

// TestEventsFeedTenancyAndRoles: the feed is admin only and per account.
func TestEventsFeedTenancyAndRoles(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		b := e.setup("Beta", "bea@beta.io")
		e.newChat(a, "api") // contact_created in A
		if got := e.feed(b, ""); len(got) != 0 {
			t.Errorf("B's feed shows %d events of A", len(got))
		}
		e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/events", a.AccountID), b.Token, nil).expect(t, 401)
		agent := e.addAgent(a, "agent@acme.io", "agent")
		e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/events", a.AccountID), agent, nil).expect(t, 401)
	})
}

// TestTypingEvents: toggle_typing_status fires conversation_typing_on/_off
// with Chatwoot's payload {event, user, conversation, is_private} (§4.4).
func TestTypingEvents(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		conv := e.open(c, nil)
		path := c.path(fmt.Sprintf("/conversations/%d/toggle_typing_status", conv))
		e.do("POST", path, a.Token, map[string]any{"typing_status": "on", "is_private": true}).expect(t, 200)
		e.do("POST", path, a.Token, map[string]any{"typing_status": "off"}).expect(t, 200)
		e.do("POST", path, a.Token, map[string]any{"typing_status": "recording"}).expect(t, 200)
		e.do("POST", path, a.Token, map[string]any{"typing_status": "maybe"}).expect(t, 422)
		events := e.feed(a, "?types=conversation_typing_on,conversation_typing_off")
		if len(events) != 2 || events[0].Event != "conversation_typing_on" || events[1].Event != "conversation_typing_off" {
			t.Fatalf("typing events = %v", events)
		}
		for i, ev := range events {
			checkFields(t, ev.Event, ev.Payload, fieldKinds{"event": "string", "user": "object", "conversation": "object", "is_private": "bool"})
			checkFields(t, ev.Event+".user", ev.Payload["user"].(map[string]any), fieldKinds{"id": "number", "name": "string", "email": "string", "type": "string"})
			checkConversation(t, ev.Event+".conversation", ev.Payload["conversation"].(map[string]any), nil)
			if want := i == 0; ev.Payload["is_private"] != want {
				t.Errorf("%s is_private = %v, want %v", ev.Event, ev.Payload["is_private"], want)
			}
		}
	})
}

// TestInboxEvents: inbox_created and inbox_updated (reference §4.4, §4.5;
// Chatwoot sends them only with ENABLE_INBOX_EVENTS, CriaChat to whoever
// subscribes) carry the inbox presenter's fields and never a secret.
func TestInboxEvents(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		e.do("PATCH", c.path(fmt.Sprintf("/inboxes/%d", c.InboxID)), a.Token, map[string]any{"greeting_enabled": true, "greeting_message": "Hi!"}).expect(t, 200)
		e.do("POST", c.path(fmt.Sprintf("/inboxes/%d/reset_secret", c.InboxID)), a.Token, nil).expect(t, 200)
		events := e.feed(a, "?types=inbox_created,inbox_updated")
		if len(events) != 2 || events[0].Event != "inbox_created" || events[1].Event != "inbox_updated" {
			t.Fatalf("inbox events = %v (a secret rotation is no inbox_updated)", events)
		}
		base := fieldKinds{"allow_messages_after_resolved": "bool", "lock_to_single_conversation": "bool",
			"auto_assignment_config": "object", "enable_auto_assignment": "bool", "enable_email_collect": "bool",
			"greeting_enabled": "bool", "greeting_message": "string|null", "csat_survey_enabled": "bool",
			"business_name": "string|null", "sender_name_type": "string", "timezone": "string",
			"out_of_office_message": "string|null", "working_hours_enabled": "bool", "working_hours": "array",
			"created_at": "string", "updated_at": "string", "channel": "object", "account": "object", "event": "string",
			"changed_attributes?": "array"}
		for _, ev := range events {
			checkFields(t, ev.Event, ev.Payload, base)
			ch := ev.Payload["channel"].(map[string]any)
			if _, leaked := ch["secret"]; leaked {
				t.Errorf("%s channel carries the secret", ev.Event)
			}
			if _, leaked := ch["hmac_token"]; leaked {
				t.Errorf("%s channel carries the hmac_token", ev.Event)
			}
		}
		changes := events[1].Payload["changed_attributes"].([]any)
		if len(changes) != 3 { // greeting_enabled, greeting_message, updated_at
			t.Errorf("inbox_updated changed_attributes = %v", changes)
		}
	})
}

// TestEventPayloadKeyOrder: payloads keep Chatwoot's key order (reference
// §4.5), so receivers that compare or hash bodies see the same bytes' shape.
func TestEventPayloadKeyOrder(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		conv := e.open(c, nil)
		e.say(c, conv, c.Token, map[string]any{"content": "hello", "message_type": "incoming"}).expect(t, 200)
		e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_priority", conv)), a.Token, map[string]any{"priority": "high"}).expect(t, 200)
		upd := e.do("GET", c.path("/events?types=conversation_updated"), a.Token, nil).expect(t, 200)
		var updBody struct {
			Payload []struct {
				Payload struct {
					ChangedAttributes []map[string]json.RawMessage `json:"changed_attributes"`
				} `json:"payload"`
			} `json:"payload"`
		}
		if err := json.Unmarshal([]byte(upd.Raw), &updBody); err != nil || len(updBody.Payload) == 0 {
			t.Fatalf("conversation_updated feed = %s", upd.Raw)
		}
		for _, ch := range updBody.Payload[0].Payload.ChangedAttributes {
			for attr, v := range ch {
				checkKeyOrder(t, "changed_attributes."+attr, v, []string{"previous_value", "current_value"})
			}
		}
		res := e.do("GET", c.path("/events?types=message_created"), a.Token, nil).expect(t, 200)
		var body struct {
			Payload []struct {
				Payload json.RawMessage `json:"payload"`
			} `json:"payload"`
		}
		if err := json.Unmarshal([]byte(res.Raw), &body); err != nil || len(body.Payload) != 1 {
			t.Fatalf("feed = %s", res.Raw)
		}
		raw := body.Payload[0].Payload
		checkKeyOrder(t, "message webhook_data", raw, []string{"account", "additional_attributes", "content_attributes",
			"content_type", "content", "conversation", "created_at", "id", "inbox", "message_type", "private", "sender",
			"source_id", "event"})
		var m struct {
			Conversation json.RawMessage `json:"conversation"`
		}
		json.Unmarshal(raw, &m)
		checkKeyOrder(t, "conversation webhook_data", m.Conversation, []string{"additional_attributes", "can_reply", "channel",
			"contact_inbox", "id", "inbox_id", "messages", "labels", "meta", "status", "custom_attributes", "snoozed_until",
			"unread_count", "first_reply_created_at", "priority", "waiting_since", "agent_last_seen_at",
			"contact_last_seen_at", "last_activity_at", "timestamp", "created_at", "updated_at", "account"})
	})
}

// TestContactDeletionDeletesConversationsWithEvents: deleting a contact
// removes its conversations, each with conversation_deleted, then
// contact_deleted.
func TestContactDeletionDeletesConversationsWithEvents(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		first := e.open(c, nil)
		e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_status", first)), a.Token, map[string]any{"status": "resolved"}).expect(t, 200)
		second := e.open(c, nil)
		e.do("DELETE", c.path(fmt.Sprintf("/contacts/%d", c.ContactID)), a.Token, nil).expect(t, 200)
		e.do("GET", c.path(fmt.Sprintf("/conversations/%d", second)), a.Token, nil).expect(t, 404)
		events := e.feed(a, "?types=conversation_deleted,contact_deleted")
		if len(events) != 3 || events[2].Event != "contact_deleted" {
			t.Fatalf("deletion events = %v", events)
		}
		ids := map[float64]bool{}
		for _, ev := range events[:2] {
			if ev.Event != "conversation_deleted" {
				t.Fatalf("deletion events = %v", events)
			}
			ids[ev.Payload["id"].(float64)] = true
		}
		if !ids[float64(first)] || !ids[float64(second)] {
			t.Errorf("conversation_deleted for %v, want %d and %d", ids, first, second)
		}
	})
}

// TestMessageCreatedUnreadCount: a message_created payload's conversation
// counts the incoming messages no agent has seen, the new one included, up to
// ten (reference §4.5); a reply adds nothing, and seeing the conversation
// starts the count again.
func TestMessageCreatedUnreadCount(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		c := e.newChat(a, "api")
		conv := e.open(c, nil)
		incoming := map[string]any{"content": "hello?", "message_type": "incoming"}
		for i := 0; i < 11; i++ {
			e.say(c, conv, c.Token, incoming).expect(t, 200)
		}
		e.say(c, conv, c.Token, map[string]any{"content": "on it"}).expect(t, 200)
		e.do("POST", c.path(fmt.Sprintf("/conversations/%d/update_last_seen", conv)), c.Token, nil).expect(t, 200)
		e.say(c, conv, c.Token, incoming).expect(t, 200)

		want := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 1}
		var got, pushed []float64
		for _, ev := range e.feed(a, "?types=message_created&limit=100") {
			cv := ev.Payload["conversation"].(map[string]any)
			got = append(got, cv["unread_count"].(float64))
			msgs := cv["messages"].([]any)
			pushed = append(pushed, msgs[0].(map[string]any)["conversation"].(map[string]any)["unread_count"].(float64))
		}
		if !slices.Equal(got, want) || !slices.Equal(pushed, want) {
			t.Fatalf("unread_count per message_created = %v (messages[0]: %v), want %v", got, pushed, want)
		}
	})
}
