package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/criachat/criachat/internal/webhook"
)

// The whole path of an account webhook (reference §3.9, §4.2, §4.3): a change
// through the API, the worker's delivery to a real local receiver, the
// delivery log with its attempt, and a redelivery.

type hookRequest struct {
	header http.Header
	body   []byte
}

func hookReceiver(t *testing.T, codes ...int) (*httptest.Server, func() []hookRequest) {
	var mu sync.Mutex
	var got []hookRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, hookRequest{r.Header.Clone(), body})
		code := 200
		if len(got) <= len(codes) {
			code = codes[len(got)-1]
		}
		mu.Unlock()
		w.WriteHeader(code)
		fmt.Fprint(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []hookRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]hookRequest(nil), got...)
	}
}

func (e *env) deliverAll() {
	e.t.Helper()
	sender := webhook.NewSender(webhook.SenderOptions{AllowPrivate: true})
	defer sender.Close()
	w := webhook.NewWorker(e.store, sender, e.keeper, nil, webhook.WorkerOptions{})
	for {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func TestWebhookEndToEnd(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		srv, got := hookReceiver(t)
		hook := e.do("POST", webhooksPath(a), a.Token, map[string]any{"webhook": map[string]any{
			"url": srv.URL + "/n8n", "subscriptions": []string{"message_created", "conversation_status_changed"}}}).expect(t, 200)
		hookID, secret := hook.num("payload", "webhook", "id"), hook.str("payload", "webhook", "secret")
		c := e.newChat(a, "api") // contact_created: not subscribed
		conv := e.open(c, nil)   // conversation_created: not subscribed
		msg := e.say(c, conv, c.Token, map[string]any{"content": "hello", "message_type": "incoming"}).expect(t, 200)
		e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_status", conv)), c.Token, map[string]any{"status": "resolved"}).expect(t, 200)
		e.deliverAll()

		reqs := got()
		if len(reqs) != 2 {
			t.Fatalf("receiver got %d requests, want 2 (only subscribed events)", len(reqs))
		}
		// Deliveries go out in parallel: order them by event for the checks.
		if strings.Contains(string(reqs[0].body), `"event":"conversation_status_changed"`) {
			reqs[0], reqs[1] = reqs[1], reqs[0]
		}
		var first map[string]any
		if err := json.Unmarshal(reqs[0].body, &first); err != nil {
			t.Fatal(err)
		}
		if first["event"] != "message_created" || first["id"] != float64(msg.num("id")) || first["message_type"] != "incoming" {
			t.Errorf("first delivery = %s", reqs[0].body)
		}
		var second map[string]any
		json.Unmarshal(reqs[1].body, &second)
		if second["event"] != "conversation_status_changed" || second["status"] != "resolved" {
			t.Errorf("second delivery = %s", reqs[1].body)
		}
		for _, r := range reqs {
			ts, _ := strconv.ParseInt(r.header.Get("X-Chatwoot-Timestamp"), 10, 64)
			if !webhook.Verify(secret, r.header.Get("X-Chatwoot-Signature"), ts, r.body) {
				t.Errorf("signature does not verify with the webhook's secret")
			}
		}

		log := e.do("GET", webhookPath(a, hookID)+"/deliveries", a.Token, nil).expect(t, 200)
		if log.num("meta", "count") != 2 || log.str("payload", 0, "event") != "conversation_status_changed" ||
			log.str("payload", 0, "state") != "delivered" || log.num("payload", 0, "last_status_code") != 200 {
			t.Fatalf("delivery log = %s", log.Raw)
		}
		deliveryID, uuid := log.num("payload", 1, "id"), log.str("payload", 1, "uuid")
		if uuid != reqs[0].header.Get("X-Chatwoot-Delivery") {
			t.Errorf("log uuid %s, header %s", uuid, reqs[0].header.Get("X-Chatwoot-Delivery"))
		}
		one := e.do("GET", fmt.Sprintf("%s/deliveries/%d", webhookPath(a, hookID), deliveryID), a.Token, nil).expect(t, 200)
		if one.num("payload", "attempts", 0, "status_code") != 200 || one.str("payload", "attempts", 0, "response") != `{"ok":true}` ||
			one.str("payload", "payload", "event") != "message_created" {
			t.Fatalf("delivery = %s", one.Raw)
		}

		again := e.do("POST", fmt.Sprintf("%s/deliveries/%d/redeliver", webhookPath(a, hookID), deliveryID), a.Token, nil).expect(t, 200)
		e.deliverAll()
		reqs = got()
		if strings.Contains(string(reqs[0].body), `"event":"conversation_status_changed"`) {
			reqs[0], reqs[1] = reqs[1], reqs[0]
		}
		if len(reqs) != 3 || string(reqs[2].body) != string(reqs[0].body) {
			t.Fatalf("redelivery: receiver got %d requests", len(reqs))
		}
		if h := reqs[2].header.Get("X-Chatwoot-Delivery"); h == uuid || h != again.str("payload", "uuid") {
			t.Errorf("redelivery id %s: want a new id %s (not %s)", h, again.str("payload", "uuid"), uuid)
		}
		// X-CriaChat-Event names the event: the same on a redelivery, and the
		// event's id in the feed.
		feed := e.feed(a, "?types=message_created")
		if len(feed) != 1 || reqs[0].header.Get("X-CriaChat-Event") != feed[0].ID || reqs[2].header.Get("X-CriaChat-Event") != feed[0].ID {
			t.Errorf("X-CriaChat-Event %q and %q, feed id %v", reqs[0].header.Get("X-CriaChat-Event"), reqs[2].header.Get("X-CriaChat-Event"), feed)
		}
	})
}

// TestAPIInboxCallback: an API inbox's webhook_url receives every
// conversation and message event of that inbox, signed with the inbox
// secret, and nothing of other inboxes (reference §4.3).
func TestAPIInboxCallback(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		srv, got := hookReceiver(t)
		c := e.newChat(a, "api")
		other := e.newChat(a, "api")
		in := e.do("PATCH", c.path(fmt.Sprintf("/inboxes/%d", c.InboxID)), a.Token, map[string]any{"channel": map[string]any{"webhook_url": srv.URL}}).expect(t, 200)
		secret := in.str("secret")
		conv := e.open(c, nil)
		e.say(c, conv, c.Token, map[string]any{"content": "hi", "message_type": "incoming"}).expect(t, 200)
		e.say(c, conv, c.Token, map[string]any{"content": "hello, how can I help?"}).expect(t, 200)
		e.open(other, nil)
		e.deliverAll()
		var events []string
		for _, r := range got() {
			var body map[string]any
			json.Unmarshal(r.body, &body)
			events = append(events, body["event"].(string))
			ts, _ := strconv.ParseInt(r.header.Get("X-Chatwoot-Timestamp"), 10, 64)
			if secret == "" || !webhook.Verify(secret, r.header.Get("X-Chatwoot-Signature"), ts, r.body) {
				t.Errorf("%s: signature does not verify with the inbox secret", body["event"])
			}
		}
		// The reply ends the wait and is the first reply: conversation_updated.
		// first_reply_created is not an inbox callback event.
		sort.Strings(events)
		want := []string{"conversation_created", "conversation_updated", "message_created", "message_created"}
		if fmt.Sprint(events) != fmt.Sprint(want) {
			t.Errorf("inbox callback got %v, want %v", events, want)
		}
	})
}

// TestAgentBotDeliveries: the bot connected to an inbox gets its events at
// outgoing_url, signed with the bot's secret (reference §4.3): messages of
// the inbox, the handoff's status change and conversation_opened; not
// conversation_created. Its own reply is sent by its access token.
func TestAgentBotDeliveries(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		srv, got := hookReceiver(t)
		c := e.newChat(a, "api")
		bot := e.do("POST", c.path("/agent_bots"), a.Token, map[string]any{"name": "Triage", "outgoing_url": srv.URL + "/bot"}).expect(t, 200)
		e.connect(c, bot.num("id"))
		conv := e.open(c, nil)
		e.say(c, conv, c.Token, map[string]any{"content": "hi", "message_type": "incoming"}).expect(t, 200)
		e.say(c, conv, bot.str("access_token"), map[string]any{"content": "Hello, I am a bot"}).expect(t, 200)
		e.do("POST", c.path(fmt.Sprintf("/conversations/%d/toggle_status", conv)), bot.str("access_token"), map[string]any{"status": "open"}).expect(t, 200)
		e.deliverAll()
		var events []string
		for _, r := range got() {
			var body map[string]any
			json.Unmarshal(r.body, &body)
			events = append(events, body["event"].(string))
			ts, _ := strconv.ParseInt(r.header.Get("X-Chatwoot-Timestamp"), 10, 64)
			if !webhook.Verify(bot.str("secret"), r.header.Get("X-Chatwoot-Signature"), ts, r.body) {
				t.Errorf("%s: signature does not verify with the bot secret", body["event"])
			}
			if body["event"] == "message_created" && body["message_type"] == "outgoing" {
				if s := body["sender"].(map[string]any); s["type"] != "agent_bot" || s["name"] != "Triage" {
					t.Errorf("bot message sender = %v", s)
				}
			}
		}
		sort.Strings(events)
		want := []string{"conversation_opened", "conversation_status_changed", "conversation_updated", "conversation_updated",
			"message_created", "message_created"}
		if fmt.Sprint(events) != fmt.Sprint(want) {
			t.Errorf("bot got %v, want %v", events, want)
		}
	})
}

// TestErrorBodyKeyOrder: error bodies keep Chatwoot's key order (§8.1):
// RecordInvalid's message before attributes, Rails' status before error.
func TestErrorBodyKeyOrder(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		res := e.do("POST", webhooksPath(a), a.Token, map[string]any{"webhook": map[string]any{"url": "nope", "subscriptions": []string{"message_created"}}}).expect(t, 422)
		checkKeyOrder(t, "RecordInvalid body", []byte(res.Raw), []string{"message", "attributes"})
		res = e.do("GET", "/attachments/1/bad-signature/x.png", "", nil).expect(t, 404)
		checkKeyOrder(t, "Rails 404 body", []byte(res.Raw), []string{"status", "error"})
	})
}

// TestInboxAndBotDeliveryLogs: an API inbox's callbacks and an agent bot's
// deliveries have the same log and redelivery as account webhooks.
func TestInboxAndBotDeliveryLogs(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		srv, got := hookReceiver(t, 500)
		c := e.newChat(a, "api")
		e.do("PATCH", c.path(fmt.Sprintf("/inboxes/%d", c.InboxID)), a.Token, map[string]any{"channel": map[string]any{"webhook_url": srv.URL + "/inbox"}}).expect(t, 200)
		bot := e.do("POST", c.path("/agent_bots"), a.Token, map[string]any{"name": "Triage", "outgoing_url": srv.URL + "/bot"}).expect(t, 200)
		e.connect(c, bot.num("id"))
		conv := e.open(c, nil)
		e.say(c, conv, c.Token, map[string]any{"content": "hi", "message_type": "incoming"}).expect(t, 200)
		e.deliverAll()

		inboxLog := e.do("GET", c.path(fmt.Sprintf("/inboxes/%d/webhook_deliveries", c.InboxID)), a.Token, nil).expect(t, 200)
		if inboxLog.num("meta", "count") != 2 { // conversation_created, message_created
			t.Fatalf("inbox log = %s", inboxLog.Raw)
		}
		botLog := e.do("GET", c.path(fmt.Sprintf("/agent_bots/%d/deliveries?event=message_created", bot.num("id"))), a.Token, nil).expect(t, 200)
		if botLog.num("meta", "count") != 1 || botLog.str("payload", 0, "event") != "message_created" {
			t.Fatalf("bot log = %s", botLog.Raw)
		}
		// One of the three first requests got the scripted 500: it is pending with one attempt.
		pending := 0
		for _, path := range []string{fmt.Sprintf("/inboxes/%d/webhook_deliveries?state=pending", c.InboxID), fmt.Sprintf("/agent_bots/%d/deliveries?state=pending", bot.num("id"))} {
			pending += int(e.do("GET", c.path(path), a.Token, nil).expect(t, 200).num("meta", "count"))
		}
		if pending != 1 {
			t.Errorf("%d pending deliveries after one 500, want 1", pending)
		}
		id := inboxLog.num("payload", 0, "id")
		one := e.do("GET", c.path(fmt.Sprintf("/inboxes/%d/webhook_deliveries/%d", c.InboxID, id)), a.Token, nil).expect(t, 200)
		if len(one.get("payload", "attempts").([]any)) != 1 {
			t.Fatalf("inbox delivery = %s", one.Raw)
		}
		before := len(got())
		e.do("POST", c.path(fmt.Sprintf("/inboxes/%d/webhook_deliveries/%d/redeliver", c.InboxID, id)), a.Token, nil).expect(t, 200)
		e.deliverAll()
		if len(got()) != before+1 {
			t.Errorf("redelivery sent %d requests", len(got())-before)
		}
		// A bot's delivery is not found under the inbox, nor under another account.
		botDelivery := botLog.num("payload", 0, "id")
		e.do("GET", c.path(fmt.Sprintf("/inboxes/%d/webhook_deliveries/%d", c.InboxID, botDelivery)), a.Token, nil).expect(t, 404)
		b := e.setup("Beta", "bea@beta.io")
		e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/agent_bots/%d/deliveries", b.AccountID, bot.num("id")), b.Token, nil).expect(t, 404)
	})
}
