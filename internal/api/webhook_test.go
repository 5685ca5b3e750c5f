package api_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/store"
)

func webhooksPath(a tenant) string          { return "/api/v1/accounts/" + itoa(a.AccountID) + "/webhooks" }
func webhookPath(a tenant, id int64) string { return webhooksPath(a) + "/" + itoa(id) }

// newWebhook creates a webhook as the tenant's administrator and returns its id.
func newWebhook(t *testing.T, e *env, a tenant, url string, subscriptions ...string) int64 {
	t.Helper()
	return e.do("POST", webhooksPath(a), a.Token, map[string]any{"webhook": map[string]any{
		"url": url, "subscriptions": subscriptions}}).expect(t, 200).num("payload", "webhook", "id")
}

// appendEvent records an event of the account the way the services do, in
// its own transaction; AppendEvent writes the deliveries of the subscribed webhooks.
func appendEvent(t *testing.T, e *env, accountID int64, typ criachat.EventType, payload string) {
	t.Helper()
	ctx := context.Background()
	if err := e.store.Tx(ctx, func(q *store.Queries) error {
		return q.AppendEvent(ctx, &criachat.Event{AccountID: accountID, Type: typ, Payload: []byte(payload)}, store.EventRoute{})
	}); err != nil {
		t.Fatal(err)
	}
}

// TestWebhooks covers §3.9: shapes, wrapping, validation bodies, the inbox,
// update, reset_secret, delete, roles and tenancy.
func TestWebhooks(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Alpha", "ann@alpha.io")
		b := e.setup("Beta", "bob@beta.io")
		agent := e.addAgent(a, "agent@alpha.io", "agent")
		inbox := newAPIInbox(t, e, a, "Support").num("id")
		bInbox := newAPIInbox(t, e, b, "Other").num("id")
		base := webhooksPath(a)

		// Create, wrapped: Chatwoot's object with a 24-character secret; no inbox key without an inbox.
		res := e.do("POST", base, a.Token, map[string]any{"webhook": map[string]any{"name": "CRM",
			"url": "https://crm.example.com/hook", "subscriptions": []string{"message_created", "conversation_created"}}}).expect(t, 200)
		id, secret1 := res.num("payload", "webhook", "id"), res.str("payload", "webhook", "secret")
		if len(secret1) != 24 {
			t.Fatalf("secret = %q, want 24 characters", secret1)
		}
		res.body(t, `{"payload":{"webhook":{"id":`+itoa(id)+`,"name":"CRM","url":"https://crm.example.com/hook","account_id":`+
			itoa(a.AccountID)+`,"subscriptions":["message_created","conversation_created"],"secret":"`+secret1+`"}}}`)

		// Bare body (wrap_parameters) with an inbox; no name is null.
		res = e.do("POST", base, a.Token, map[string]any{"url": "http://n8n.local:5678/webhook/x",
			"subscriptions": []string{"contact_created"}, "inbox_id": inbox}).expect(t, 200)
		id2 := res.num("payload", "webhook", "id")
		res.body(t, `{"payload":{"webhook":{"id":`+itoa(id2)+`,"name":null,"url":"http://n8n.local:5678/webhook/x","account_id":`+
			itoa(a.AccountID)+`,"subscriptions":["contact_created"],"secret":"`+res.str("payload", "webhook", "secret")+
			`","inbox":{"id":`+itoa(inbox)+`,"name":"Support"}}}}`)
		if res.str("payload", "webhook", "secret") == secret1 {
			t.Fatal("two webhooks share a secret")
		}

		// RecordInvalid bodies.
		for _, c := range []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"url": "ftp://x.io/h", "subscriptions": []string{"message_created"}}, `{"message":"Url is invalid","attributes":["url"]}`},
			{map[string]any{"url": "not a url", "subscriptions": []string{"message_created"}}, `{"message":"Url is invalid","attributes":["url"]}`},
			{map[string]any{"url": "https://", "subscriptions": []string{"message_created"}}, `{"message":"Url is invalid","attributes":["url"]}`},
			{map[string]any{"subscriptions": []string{"message_created"}}, `{"message":"Url is invalid","attributes":["url"]}`},
			{map[string]any{"url": "https://x.io/" + strings.Repeat("a", 2048), "subscriptions": []string{"message_created"}},
				`{"message":"Url is too long (maximum is 2048 characters)","attributes":["url"]}`},
			{map[string]any{"url": "https://x.io/1", "subscriptions": []string{}}, `{"message":"Subscriptions Invalid events","attributes":["subscriptions"]}`},
			{map[string]any{"url": "https://x.io/2"}, `{"message":"Subscriptions Invalid events","attributes":["subscriptions"]}`},
			{map[string]any{"url": "https://x.io/3", "subscriptions": []string{"message_created", "bogus"}}, `{"message":"Subscriptions Invalid events","attributes":["subscriptions"]}`},
			{map[string]any{"url": "https://x.io/4", "subscriptions": []string{"conversation_opened"}}, `{"message":"Subscriptions Invalid events","attributes":["subscriptions"]}`},
			{map[string]any{"url": "x", "subscriptions": []string{}}, `{"message":"Url is invalid, Subscriptions Invalid events","attributes":["url","subscriptions"]}`},
			{map[string]any{"url": "https://crm.example.com/hook", "subscriptions": []string{"message_updated"}}, `{"message":"Url has already been taken","attributes":["url"]}`},
			{map[string]any{"url": "https://x.io/5", "subscriptions": "message_created"}, `{"message":"Subscriptions must be a JSON array","attributes":["subscriptions"]}`},
		} {
			e.do("POST", base, a.Token, map[string]any{"webhook": c.body}).expect(t, 422).body(t, c.want)
		}
		e.do("POST", base, a.Token, "").expect(t, 422).body(t, `{"error":"param is missing or the value is empty: webhook"}`)
		// The delete events are CriaChat's additions that subscribers may ask for.
		e.do("POST", base, a.Token, map[string]any{"url": "https://x.io/deletes", "subscriptions": []string{"conversation_deleted"}}).expect(t, 200)
		// Another account's inbox is not found; another account may use the same URL.
		e.do("POST", base, a.Token, map[string]any{"url": "https://x.io/6", "subscriptions": []string{"message_created"},
			"inbox_id": bInbox}).expect(t, 404).body(t, notFound)
		newWebhook(t, e, b, "https://crm.example.com/hook", "message_created")

		// List, in creation order.
		list := e.do("GET", base, a.Token, nil).expect(t, 200)
		if list.num("payload", "webhooks", 0, "id") != id || list.num("payload", "webhooks", 1, "id") != id2 ||
			list.get("payload", "webhooks", 3) != nil || list.str("payload", "webhooks", 0, "secret") != secret1 {
			t.Fatalf("list = %s", list.Raw)
		}
		if got := keysOf(list, "payload", "webhooks", 1); !slices.Equal(got, sorted("id", "name", "url", "account_id", "subscriptions", "secret", "inbox")) {
			t.Fatalf("webhook keys = %v", got)
		}

		// Update: partial, order of subscriptions kept; the secret stays.
		res = e.do("PATCH", webhookPath(a, id), a.Token, map[string]any{"webhook": map[string]any{"name": "CRM 2",
			"subscriptions": []string{"message_updated", "message_created"}, "inbox_id": inbox}}).expect(t, 200)
		res.body(t, `{"payload":{"webhook":{"id":`+itoa(id)+`,"name":"CRM 2","url":"https://crm.example.com/hook","account_id":`+
			itoa(a.AccountID)+`,"subscriptions":["message_updated","message_created"],"secret":"`+secret1+
			`","inbox":{"id":`+itoa(inbox)+`,"name":"Support"}}}}`)
		res = e.do("PUT", webhookPath(a, id), a.Token, map[string]any{"url": "https://crm.example.com/v2", "inbox_id": nil}).expect(t, 200)
		if res.str("payload", "webhook", "url") != "https://crm.example.com/v2" || res.has("inbox", "payload", "webhook") ||
			res.str("payload", "webhook", "name") != "CRM 2" {
			t.Fatalf("after PUT: %s", res.Raw)
		}
		e.do("PATCH", webhookPath(a, id), a.Token, map[string]any{"url": "http://n8n.local:5678/webhook/x"}).expect(t, 422).
			body(t, `{"message":"Url has already been taken","attributes":["url"]}`)
		e.do("PATCH", webhookPath(a, id), a.Token, map[string]any{"subscriptions": []string{}}).expect(t, 422).
			body(t, `{"message":"Subscriptions Invalid events","attributes":["subscriptions"]}`)
		e.do("PATCH", webhookPath(a, id), a.Token, map[string]any{"inbox_id": bInbox}).expect(t, 404).body(t, notFound)
		e.do("PATCH", webhookPath(a, id), a.Token, map[string]any{"url": "javascript:alert(1)"}).expect(t, 422).
			body(t, `{"message":"Url is invalid","attributes":["url"]}`)

		// reset_secret gives a new secret, which the list then shows.
		res = e.do("POST", webhookPath(a, id)+"/reset_secret", a.Token, nil).expect(t, 200)
		secret2 := res.str("payload", "webhook", "secret")
		if len(secret2) != 24 || secret2 == secret1 || res.num("payload", "webhook", "id") != id {
			t.Fatalf("reset_secret = %s", res.Raw)
		}
		if got := e.do("GET", base, a.Token, nil).str("payload", "webhooks", 0, "secret"); got != secret2 {
			t.Fatalf("secret after reset = %q, want %q", got, secret2)
		}

		// Every webhook route is for administrators (401), and names only the account's own webhooks (404).
		bHook := e.do("GET", webhooksPath(b), b.Token, nil).num("payload", "webhooks", 0, "id")
		bBefore := e.do("GET", webhooksPath(b), b.Token, nil).Raw
		n := 0
		for _, pattern := range e.server.Patterns() {
			if !strings.Contains(pattern, "/webhooks") {
				continue
			}
			n++
			method, path, _ := strings.Cut(pattern, " ")
			path = strings.NewReplacer("{account_id}", itoa(a.AccountID), "{id}", itoa(id), "{delivery_id}", "1").Replace(path)
			e.do(method, path, agent, map[string]any{"url": "https://evil.io", "subscriptions": []string{"message_created"}}).
				expect(t, 401).body(t, notAuthorized)
			if strings.Contains(pattern, "{id}") {
				foreign := strings.Replace(path, "/webhooks/"+itoa(id), "/webhooks/"+itoa(bHook), 1)
				e.do(method, foreign, a.Token, map[string]any{"url": "https://evil.io", "subscriptions": []string{"message_created"}}).
					expect(t, 404).body(t, notFound)
			}
		}
		if n != 9 {
			t.Fatalf("swept %d webhook routes, want 9", n)
		}
		if e.do("GET", webhooksPath(b), b.Token, nil).Raw != bBefore {
			t.Fatal("B's webhooks changed")
		}
		e.do("PATCH", base+"/abc", a.Token, map[string]any{"name": "x"}).expect(t, 404)

		// Delete: head :ok, then gone.
		if res := e.do("DELETE", webhookPath(a, id), a.Token, nil).expect(t, 200); res.Raw != "" {
			t.Fatalf("DELETE body = %q, want empty", res.Raw)
		}
		e.do("DELETE", webhookPath(a, id), a.Token, nil).expect(t, 404).body(t, notFound)
		if got := e.do("GET", base, a.Token, nil); got.num("payload", "webhooks", 0, "id") != id2 || got.get("payload", "webhooks", 2) != nil {
			t.Fatalf("list after delete = %s", got.Raw)
		}

		e.constantQueries(t, base, a.Token, func() {
			for i := range 5 {
				e.do("POST", base, a.Token, map[string]any{"url": "https://x.io/more/" + itoa(int64(i)),
					"subscriptions": []string{"message_created"}, "inbox_id": inbox}).expect(t, 200)
			}
		})
	})
}

var uuidV8 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestWebhookDeliveries covers the delivery log: paging newest first,
// filters, the shapes, one delivery with its payload and attempts, and
// redelivery.
func TestWebhookDeliveries(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Alpha", "ann@alpha.io")
		b := e.setup("Beta", "bob@beta.io")
		hook := newWebhook(t, e, a, "https://crm.example.com/hook", "message_created", "conversation_created")
		other := newWebhook(t, e, a, "https://other.example.com/hook", "contact_created")
		bHook := newWebhook(t, e, b, "https://crm.example.com/hook", "message_created")
		deliveries := webhookPath(a, hook) + "/deliveries"

		// 30 events for hook (every fifth a conversation_created), one for other, one in account B.
		for i := range 30 {
			typ := criachat.EventMessageCreated
			if i%5 == 4 {
				typ = criachat.EventConversationCreated
			}
			appendEvent(t, e, a.AccountID, typ, `{"event":"`+string(typ)+`","id":`+itoa(int64(i))+`}`)
		}
		appendEvent(t, e, a.AccountID, criachat.EventContactCreated, `{"event":"contact_created","id":99}`)
		appendEvent(t, e, b.AccountID, criachat.EventMessageCreated, `{"event":"message_created","id":1}`)

		page1 := e.do("GET", deliveries, a.Token, nil).expect(t, 200)
		if page1.num("meta", "count") != 30 || page1.num("meta", "current_page") != 1 || page1.get("payload", 24) == nil ||
			page1.get("payload", 25) != nil {
			t.Fatalf("page 1 meta = %v, %d rows", page1.get("meta"), len(page1.get("payload").([]any)))
		}
		wantKeys := sorted("id", "uuid", "event", "event_id", "url", "state", "attempts", "last_status_code", "last_error",
			"next_attempt_at", "redelivery_of", "created_at", "updated_at", "completed_at")
		if got := keysOf(page1, "payload", 0); !slices.Equal(got, wantKeys) {
			t.Fatalf("delivery keys = %v", got)
		}
		newest := page1.get("payload", 0).(map[string]any)
		if newest["event"] != "conversation_created" || newest["url"] != "https://crm.example.com/hook" || newest["state"] != "pending" ||
			newest["attempts"] != 0.0 || newest["last_status_code"] != nil || newest["last_error"] != nil ||
			newest["redelivery_of"] != nil || newest["completed_at"] != nil || !uuidV8.MatchString(newest["uuid"].(string)) {
			t.Fatalf("newest delivery = %v", newest)
		}
		iso := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
		for _, k := range []string{"next_attempt_at", "created_at", "updated_at"} {
			if s, _ := newest[k].(string); !iso.MatchString(s) {
				t.Fatalf("%s = %v, want an ISO time", k, newest[k])
			}
		}
		seen := map[string]bool{}
		for i := range 25 {
			if i > 0 && page1.num("payload", i, "id") >= page1.num("payload", i-1, "id") {
				t.Fatalf("deliveries not newest first: %s", page1.Raw)
			}
			seen[page1.str("payload", i, "uuid")] = true
		}
		if len(seen) != 25 {
			t.Fatalf("%d distinct uuids on a page of 25", len(seen))
		}
		page2 := e.do("GET", deliveries+"?page=2", a.Token, nil).expect(t, 200)
		if page2.num("meta", "count") != 30 || page2.num("meta", "current_page") != 2 || page2.get("payload", 4) == nil ||
			page2.get("payload", 5) != nil || page2.num("payload", 0, "id") >= page1.num("payload", 24, "id") {
			t.Fatalf("page 2 = %s", page2.Raw)
		}
		e.do("GET", deliveries+"?page=3", a.Token, nil).expect(t, 200).body(t, `{"payload":[],"meta":{"count":30,"current_page":3}}`)

		// Filters.
		conv := e.do("GET", deliveries+"?event=conversation_created", a.Token, nil).expect(t, 200)
		if conv.num("meta", "count") != 6 || conv.get("payload", 5) == nil || conv.get("payload", 6) != nil {
			t.Fatalf("event filter = %s", conv.Raw)
		}
		for i := range 6 {
			if conv.str("payload", i, "event") != "conversation_created" {
				t.Fatalf("event filter = %s", conv.Raw)
			}
		}
		if got := e.do("GET", deliveries+"?state=pending&event=message_created", a.Token, nil).expect(t, 200); got.num("meta", "count") != 24 {
			t.Fatalf("pending message_created = %v", got.get("meta"))
		}
		e.do("GET", deliveries+"?state=delivered", a.Token, nil).expect(t, 200).body(t, `{"payload":[],"meta":{"count":0,"current_page":1}}`)
		e.do("GET", deliveries+"?state=failed&page=2", a.Token, nil).expect(t, 200).body(t, `{"payload":[],"meta":{"count":0,"current_page":2}}`)
		e.do("GET", deliveries+"?state=done", a.Token, nil).expect(t, 422)
		e.do("GET", deliveries+"?event=bogus", a.Token, nil).expect(t, 422)
		otherList := e.do("GET", webhookPath(a, other)+"/deliveries", a.Token, nil).expect(t, 200)
		if otherList.num("meta", "count") != 1 || otherList.str("payload", 0, "event") != "contact_created" {
			t.Fatalf("other webhook's deliveries = %s", otherList.Raw)
		}

		// One delivery: the same fields, the event payload as an object, and the attempts (a list
		// in place of the count), none yet.
		did := page1.num("payload", 1, "id")
		show := e.do("GET", deliveries+"/"+itoa(did), a.Token, nil).expect(t, 200)
		if got := keysOf(show, "payload"); !slices.Equal(got, sorted(append(wantKeys, "payload")...)) {
			t.Fatalf("delivery detail keys = %v", got)
		}
		if show.str("payload", "uuid") != page1.str("payload", 1, "uuid") || show.str("payload", "event") != "message_created" ||
			show.str("payload", "payload", "event") != "message_created" || show.num("payload", "payload", "id") != 28 {
			t.Fatalf("delivery detail = %s", show.Raw)
		}
		if attempts, ok := show.get("payload", "attempts").([]any); !ok || len(attempts) != 0 {
			t.Fatalf("attempts = %v, want []", show.get("payload", "attempts"))
		}
		// Deliveries are reached only through their own webhook and account.
		otherDelivery := otherList.num("payload", 0, "id")
		e.do("GET", deliveries+"/"+itoa(otherDelivery), a.Token, nil).expect(t, 404).body(t, notFound)
		e.do("POST", deliveries+"/"+itoa(otherDelivery)+"/redeliver", a.Token, nil).expect(t, 404).body(t, notFound)
		bDelivery := e.do("GET", webhookPath(b, bHook)+"/deliveries", b.Token, nil).expect(t, 200).num("payload", 0, "id")
		e.do("GET", webhookPath(a, hook)+"/deliveries/"+itoa(bDelivery), a.Token, nil).expect(t, 404)
		e.do("GET", webhookPath(a, bHook)+"/deliveries/"+itoa(bDelivery), a.Token, nil).expect(t, 404)
		e.do("GET", deliveries+"/abc", a.Token, nil).expect(t, 404)

		// A new URL applies to the deliveries still pending.
		e.do("PATCH", webhookPath(a, hook), a.Token, map[string]any{"url": "https://crm.example.com/v2"}).expect(t, 200)
		if got := e.do("GET", deliveries+"/"+itoa(did), a.Token, nil).str("payload", "url"); got != "https://crm.example.com/v2" {
			t.Fatalf("pending delivery url = %q after the webhook's URL changed", got)
		}

		// Redeliver: a new pending delivery of the same event, with its own uuid, that wakes the worker.
		select {
		case <-e.store.Deliveries():
		default:
		}
		res := e.do("POST", deliveries+"/"+itoa(did)+"/redeliver", a.Token, nil).expect(t, 200)
		if got := keysOf(res, "payload"); !slices.Equal(got, wantKeys) {
			t.Fatalf("redelivery keys = %v", got)
		}
		re := res.get("payload").(map[string]any)
		if res.num("payload", "id") <= page1.num("payload", 0, "id") || res.num("payload", "redelivery_of") != did ||
			re["uuid"] == show.str("payload", "uuid") || !uuidV8.MatchString(re["uuid"].(string)) ||
			re["event_id"] != show.get("payload", "event_id") || re["event"] != "message_created" ||
			re["url"] != "https://crm.example.com/v2" || re["state"] != "pending" || re["attempts"] != 0.0 || re["next_attempt_at"] == nil {
			t.Fatalf("redelivery = %s (of %s)", res.Raw, show.Raw)
		}
		select {
		case <-e.store.Deliveries():
		default:
			t.Fatal("redelivery did not wake the delivery worker")
		}
		after := e.do("GET", deliveries, a.Token, nil).expect(t, 200)
		if after.num("meta", "count") != 31 || after.num("payload", 0, "id") != res.num("payload", "id") {
			t.Fatalf("after redelivery: %s", after.Raw)
		}
		reShow := e.do("GET", deliveries+"/"+itoa(res.num("payload", "id")), a.Token, nil).expect(t, 200)
		if reShow.num("payload", "payload", "id") != 28 || reShow.str("payload", "uuid") != re["uuid"] {
			t.Fatalf("redelivery detail = %s", reShow.Raw)
		}

		e.constantQueries(t, deliveries, a.Token, func() {
			for range 5 {
				appendEvent(t, e, a.AccountID, criachat.EventMessageCreated, `{"event":"message_created"}`)
			}
		})
	})
}
