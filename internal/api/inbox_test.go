package api_test

import (
	"context"
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/criachat/criachat/internal/criachat"
	"github.com/criachat/criachat/internal/secret"
	"github.com/criachat/criachat/internal/store"
)

// Inboxes of the Application API (reference §3.3), with the visibility rule
// of §2.6, the tokens of §1 and the error bodies of §8.1.

// commonInboxKeys are the keys every inbox object starts with, in the order of
// _inbox.json.jbuilder (§3.3), followed by the web widget keys that are
// emitted for every inbox.
var commonInboxKeys = []string{"id", "avatar_url", "channel_id", "name", "channel_type", "greeting_enabled",
	"greeting_message", "working_hours_enabled", "enable_email_collect", "csat_survey_enabled", "csat_config",
	"enable_auto_assignment", "auto_assignment_config", "out_of_office_message", "working_hours", "timezone",
	"callback_webhook_url", "allow_messages_after_resolved", "lock_to_single_conversation", "sender_name_type",
	"business_name", "allowed_domains", "widget_color", "website_url", "hmac_mandatory", "welcome_title",
	"welcome_tagline", "web_widget_script", "website_token", "selected_feature_flags", "reply_time"}

// apiInboxKeys are the keys of an API inbox for an administrator (§3.3:
// hmac_token and secret are admin-only, then the API channel's keys).
func apiInboxKeys(admin bool) []string {
	keys := append(append([]string{}, commonInboxKeys...), "messaging_service_sid", "phone_number")
	if admin {
		keys = append(keys, "hmac_token", "secret")
	}
	return append(keys, "webhook_url", "inbox_identifier", "additional_attributes", "provider")
}

// widgetInboxKeys are the keys of a web widget inbox (§3.3 widget-only keys).
func widgetInboxKeys(admin bool) []string {
	keys := append([]string{}, commonInboxKeys...)
	if admin {
		keys = append(keys, "hmac_token")
	}
	return append(keys, "pre_chat_form_enabled", "pre_chat_form_options", "continuity_via_email",
		"messaging_service_sid", "phone_number", "provider")
}

// orderedKeysOf returns the keys of a JSON object in the order they appear.
func orderedKeysOf(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func checkKeyOrder(t *testing.T, what string, raw []byte, want []string) {
	t.Helper()
	if got := orderedKeysOf(t, raw); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s keys:\n got %v\nwant %v", what, got, want)
	}
}

var base58TokenRE = regexp.MustCompile(`^[1-9A-HJ-NP-Za-km-z]{24}$`) // §1: has_secure_token, 24-char base58

func inboxesPath(a tenant) string         { return "/api/v1/accounts/" + itoa(a.AccountID) + "/inboxes" }
func inboxPath(a tenant, id int64) string { return inboxesPath(a) + "/" + itoa(id) }

// newAPIInbox creates an API inbox as the tenant's administrator.
func newAPIInbox(t *testing.T, e *env, a tenant, name string) response {
	t.Helper()
	return e.do("POST", inboxesPath(a), a.Token, map[string]any{"name": name,
		"channel": map[string]any{"type": "api", "webhook_url": "https://hooks.example.com/" + name}}).expect(t, 200)
}

// newWidgetInbox creates a web widget inbox as the tenant's administrator.
func newWidgetInbox(t *testing.T, e *env, a tenant, name string) response {
	t.Helper()
	return e.do("POST", inboxesPath(a), a.Token, map[string]any{"name": name,
		"channel": map[string]any{"type": "web_widget", "website_url": "https://acme.io"}}).expect(t, 200)
}

// storedInbox reads an inbox directly from the store.
func storedInbox(t *testing.T, e *env, accountID, id int64) *criachat.Inbox {
	t.Helper()
	in, err := e.store.Read().Inbox(context.Background(), accountID, id)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// inboxTestKeeper opens what the harness's keeper sealed (same key as harness run()).
func inboxTestKeeper(t *testing.T) *secret.Keeper {
	t.Helper()
	k, err := secret.NewKeeper(strings.Repeat("s", 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCreateAPIInbox(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		res := e.do("POST", inboxesPath(a), a.Token, map[string]any{
			"name": "Support API", "greeting_enabled": true, "greeting_message": "Hi!", "timezone": "Europe/Lisbon",
			"enable_auto_assignment": "false", "sender_name_type": "professional", "business_name": "Acme",
			"channel": map[string]any{"type": "api", "webhook_url": "https://hooks.example.com/cw", "hmac_mandatory": true,
				"additional_attributes": map[string]any{"agent_reply_time_window": 24}},
		}).expect(t, 200)
		checkKeyOrder(t, "api inbox", []byte(res.Raw), apiInboxKeys(true))
		if res.str("channel_type") != "Channel::Api" || res.num("channel_id") != res.num("id") || res.str("name") != "Support API" ||
			res.str("avatar_url") != "" || res.get("greeting_enabled") != true || res.str("greeting_message") != "Hi!" ||
			res.str("timezone") != "Europe/Lisbon" || res.get("enable_auto_assignment") != false ||
			res.str("sender_name_type") != "professional" || res.str("business_name") != "Acme" ||
			res.get("enable_email_collect") != true || res.get("allow_messages_after_resolved") != true ||
			res.get("lock_to_single_conversation") != false || res.get("hmac_mandatory") != true ||
			res.str("webhook_url") != "https://hooks.example.com/cw" || res.num("additional_attributes", "agent_reply_time_window") != 24 {
			t.Fatalf("api inbox = %s", res.Raw)
		}
		// §3.3: web widget keys are null on other channels; the rest of Chatwoot's channel keys too.
		for _, k := range []string{"allowed_domains", "widget_color", "website_url", "welcome_title", "welcome_tagline",
			"web_widget_script", "website_token", "selected_feature_flags", "reply_time", "callback_webhook_url",
			"out_of_office_message", "messaging_service_sid", "phone_number", "provider"} {
			if res.get(k) != nil {
				t.Errorf("%s = %v, want null", k, res.get(k))
			}
		}
		// §1 tokens: 24-char base58.
		ident, hmacToken, sec := res.str("inbox_identifier"), res.str("hmac_token"), res.str("secret")
		for _, tok := range []string{ident, hmacToken, sec} {
			if !base58TokenRE.MatchString(tok) {
				t.Fatalf("token %q is not 24-char base58", tok)
			}
		}
		// Chatwoot's default weekly schedule (OutOfOffisable).
		res.expectWeek(t)
		// Secrets are stored sealed, never in plaintext.
		in := storedInbox(t, e, a.AccountID, res.num("id"))
		if in.HMACTokenSealed == hmacToken || in.SecretSealed == sec || strings.Contains(in.HMACTokenSealed+in.SecretSealed, hmacToken) {
			t.Fatal("hmac_token or secret stored in plaintext")
		}
		k := inboxTestKeeper(t)
		if got, _ := k.Decrypt(in.HMACTokenSealed); got != hmacToken {
			t.Fatalf("sealed hmac token opens to %q, want %q", got, hmacToken)
		}
		if got, _ := k.Decrypt(in.SecretSealed); got != sec {
			t.Fatalf("sealed secret opens to %q, want %q", got, sec)
		}
		// Found by its public identifier (the Client API's key, §2.4).
		if byID, err := e.store.Read().InboxByIdentifier(context.Background(), ident); err != nil || byID.ID != in.ID {
			t.Fatalf("InboxByIdentifier = %v, %v", byID, err)
		}
		// GET shows the same object.
		got := e.do("GET", inboxPath(a, in.ID), a.Token, nil).expect(t, 200)
		if got.Raw != res.Raw {
			t.Fatalf("show differs from create:\n%s\n%s", got.Raw, res.Raw)
		}
	})
}

// expectWeek checks the default working_hours: Monday to Friday 9–17, weekend closed.
func (r response) expectWeek(t *testing.T) {
	t.Helper()
	days, _ := r.get("working_hours").([]any)
	if len(days) != 7 {
		t.Fatalf("working_hours = %v", r.get("working_hours"))
	}
	for d := range 7 {
		day := func(k string) any { return r.get("working_hours", d, k) }
		if r.num("working_hours", d, "day_of_week") != int64(d) || day("open_all_day") != false {
			t.Fatalf("day %d = %v", d, days[d])
		}
		if d == 0 || d == 6 {
			if day("closed_all_day") != true || day("open_hour") != nil || day("close_minutes") != nil {
				t.Fatalf("weekend day %d = %v", d, days[d])
			}
			continue
		}
		if day("closed_all_day") != false || r.num("working_hours", d, "open_hour") != 9 || r.num("working_hours", d, "close_hour") != 17 ||
			day("open_minutes") != float64(0) || day("close_minutes") != float64(0) {
			t.Fatalf("weekday %d = %v", d, days[d])
		}
	}
}

func TestCreateWebWidgetInbox(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		res := e.do("POST", inboxesPath(a), a.Token, map[string]any{"name": "Acme Website",
			"channel": map[string]any{"type": "web_widget", "website_url": "https://acme.io", "welcome_title": "Hello",
				"widget_color": "#000000", "reply_time": "in_a_day", "webhook_url": "https://ignored.example.com"}}).expect(t, 200)
		checkKeyOrder(t, "widget inbox", []byte(res.Raw), widgetInboxKeys(true))
		token := res.str("website_token")
		if res.str("channel_type") != "Channel::WebWidget" || !base58TokenRE.MatchString(token) || !base58TokenRE.MatchString(res.str("hmac_token")) ||
			res.str("website_url") != "https://acme.io" || res.str("widget_color") != "#000000" || res.str("welcome_title") != "Hello" ||
			res.get("welcome_tagline") != nil || res.str("reply_time") != "in_a_day" || res.get("hmac_mandatory") != false ||
			res.str("allowed_domains") != "" || res.get("pre_chat_form_enabled") != false || res.get("continuity_via_email") != true ||
			!strings.Contains(res.str("web_widget_script"), "websiteToken: '"+token+"'") {
			t.Fatalf("widget inbox = %s", res.Raw)
		}
		if flags := res.get("selected_feature_flags"); !reflect.DeepEqual(flags, []any{"attachments", "emoji_picker", "end_conversation"}) {
			t.Fatalf("selected_feature_flags = %v", flags)
		}
		if res.str("pre_chat_form_options", "pre_chat_message") != "Share your queries or comments here." ||
			res.str("pre_chat_form_options", "pre_chat_fields", 0, "name") != "emailAddress" {
			t.Fatalf("default pre-chat form = %v", res.get("pre_chat_form_options"))
		}
		res.expectWeek(t)
		if in, err := e.store.Read().InboxByWebsiteToken(context.Background(), token); err != nil || in.ID != res.num("id") || in.WebhookURL != nil {
			t.Fatalf("InboxByWebsiteToken = %+v, %v", in, err)
		}
		if in := storedInbox(t, e, a.AccountID, res.num("id")); in.HMACTokenSealed == res.str("hmac_token") {
			t.Fatal("widget hmac_token stored in plaintext")
		}
	})
}

func TestCreateInboxErrors(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		// Channel types Chatwoot has that CriaChat does not implement yet.
		for _, typ := range []string{"email", "telegram", "whatsapp", "line", "sms"} {
			e.do("POST", inboxesPath(a), a.Token, map[string]any{"name": "X", "channel": map[string]any{"type": typ}}).
				expect(t, 422).body(t, `{"error":"Channel type `+typ+` is not supported yet"}`)
		}
		// Unknown or missing types: Chatwoot's RecordInvalid for an inbox without a channel.
		for _, body := range []any{
			map[string]any{"name": "X", "channel": map[string]any{"type": "fax"}},
			map[string]any{"name": "X", "channel": map[string]any{}},
			map[string]any{"name": "X"},
		} {
			e.do("POST", inboxesPath(a), a.Token, body).expect(t, 422).body(t, `{"message":"Channel must exist","attributes":["channel"]}`)
		}
		cases := []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"channel": map[string]any{"type": "api"}}, `{"message":"Name can't be blank","attributes":["name"]}`},
			{map[string]any{"name": "-Support", "channel": map[string]any{"type": "api"}},
				`{"message":"Name should not start or end with symbols, and it should not have < > / \\ @ characters.","attributes":["name"]}`},
			{map[string]any{"name": "Web", "channel": map[string]any{"type": "web_widget"}}, `{"message":"Website url can't be blank","attributes":["website_url"]}`},
			{map[string]any{"name": "Web", "channel": map[string]any{"type": "web_widget", "website_url": "x", "reply_time": "soon"}},
				`{"message":"Reply time is not included in the list","attributes":["reply_time"]}`},
			{map[string]any{"name": "Web", "channel": map[string]any{"type": "web_widget", "website_url": "x", "selected_feature_flags": []string{"x"}}},
				`{"message":"Selected feature flags is not included in the list","attributes":["selected_feature_flags"]}`},
			{map[string]any{"name": "A", "timezone": "Nowhere/City", "channel": map[string]any{"type": "api"}}, `{"message":"Timezone is not included in the list","attributes":["timezone"]}`},
			{map[string]any{"name": "A", "sender_name_type": "shouty", "channel": map[string]any{"type": "api"}}, `{"message":"Sender name type is not included in the list","attributes":["sender_name_type"]}`},
			{map[string]any{"name": "A", "channel": map[string]any{"type": "api", "webhook_url": "javascript:alert(1)"}}, `{"message":"Webhook url is invalid","attributes":["webhook_url"]}`},
			{map[string]any{"name": 5, "channel": map[string]any{"type": "api"}}, `{"message":"Name must be a string","attributes":["name"]}`},
			{map[string]any{"name": "A", "channel": map[string]any{"type": "api", "hmac_mandatory": "perhaps"}}, `{"message":"Hmac mandatory must be a boolean","attributes":["hmac_mandatory"]}`},
		}
		for _, c := range cases {
			e.do("POST", inboxesPath(a), a.Token, c.body).expect(t, 422).body(t, c.want)
		}
		e.do("POST", inboxesPath(a), a.Token, `{"name":`).expect(t, 400)
		list := e.do("GET", inboxesPath(a), a.Token, nil).expect(t, 200)
		list.body(t, `{"payload":[]}`)
	})
}

// TestInboxLimit: the account's "inboxes" limit (§3.3 POST) gives 402.
func TestInboxLimit(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		setInboxLimit(t, e, a.AccountID, 2)
		newAPIInbox(t, e, a, "One")
		newWidgetInbox(t, e, a, "Two")
		for _, typ := range []string{"api", "email"} { // the limit comes before the channel checks
			e.do("POST", inboxesPath(a), a.Token, map[string]any{"name": "Three", "channel": map[string]any{"type": typ}}).
				expect(t, 402).body(t, `{"error":"Account limit exceeded. Upgrade to a higher plan"}`)
		}
		// Deleting one frees a place.
		first := e.do("GET", inboxesPath(a), a.Token, nil).expect(t, 200)
		e.do("DELETE", inboxPath(a, first.num("payload", 0, "id")), a.Token, nil).expect(t, 200)
		newAPIInbox(t, e, a, "Three")
	})
}

// setInboxLimit sets the account's limits {"inboxes": n}, as the Platform API does.
func setInboxLimit(t *testing.T, e *env, accountID int64, n int) {
	t.Helper()
	ctx := context.Background()
	if err := e.store.Tx(ctx, func(q *store.Queries) error {
		acct, err := q.Account(ctx, accountID)
		if err != nil {
			return err
		}
		acct.Limits = map[string]any{"inboxes": float64(n)}
		return q.UpdateAccount(ctx, acct)
	}); err != nil {
		t.Fatal(err)
	}
}

// TestInboxLimitConcurrent: concurrent creates must not take the account over
// its inboxes limit (the account row lock on PostgreSQL).
func TestInboxLimitConcurrent(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		for round := range 10 {
			r := itoa(int64(round))
			a := e.setup("Acme "+r, "ann-"+r+"@acme.io")
			setInboxLimit(t, e, a.AccountID, 1)
			body := `{"name":"Support","channel":{"type":"api"}}`
			statuses := concurrently(e, apiRequest("POST", inboxesPath(a), a.Token, body), apiRequest("POST", inboxesPath(a), a.Token, body))
			if n, err := e.store.Read().CountInboxes(context.Background(), a.AccountID); err != nil || n != 1 {
				t.Fatalf("round %d: statuses %v left %d inboxes (err %v) with a limit of 1", round, statuses, n, err)
			}
			slices.Sort(statuses)
			if !slices.Equal(statuses, []int{200, 402}) {
				t.Fatalf("round %d: statuses %v, want one 200 and one 402", round, statuses)
			}
		}
	})
}

// TestInboxVisibility: §2.6, agents see only the inboxes they are members of
// and never hmac_token or secret; administrators see everything.
func TestInboxVisibility(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		agentToken := e.addAgent(a, "bob@acme.io", "agent")
		bobID := agentIDByEmail(t, e, a, "bob@acme.io")
		sales := newAPIInbox(t, e, a, "sales").num("id")
		web := newWidgetInbox(t, e, a, "Website").num("id")
		support := newAPIInbox(t, e, a, "Support").num("id")

		admin := e.do("GET", inboxesPath(a), a.Token, nil).expect(t, 200)
		if ids := payloadIDsOf(admin); !reflect.DeepEqual(ids, []int64{sales, support, web}) { // lower(name)
			t.Fatalf("admin inboxes = %v", ids)
		}
		e.do("GET", inboxesPath(a), agentToken, nil).expect(t, 200).body(t, `{"payload":[]}`)
		e.do("GET", inboxPath(a, support), agentToken, nil).expect(t, 401).body(t, bodyNotAuthorized)

		e.do("POST", "/api/v1/accounts/"+itoa(a.AccountID)+"/inbox_members", a.Token,
			map[string]any{"inbox_id": support, "user_ids": []int64{bobID}}).expect(t, 200)
		e.do("POST", "/api/v1/accounts/"+itoa(a.AccountID)+"/inbox_members", a.Token,
			map[string]any{"inbox_id": web, "user_ids": []int64{bobID}}).expect(t, 200)
		mine := e.do("GET", inboxesPath(a), agentToken, nil).expect(t, 200)
		if ids := payloadIDsOf(mine); !reflect.DeepEqual(ids, []int64{support, web}) {
			t.Fatalf("agent inboxes = %v", ids)
		}
		raw := rawPayloadOf(t, mine)
		checkKeyOrder(t, "api inbox for an agent", raw[0], apiInboxKeys(false))
		checkKeyOrder(t, "widget inbox for an agent", raw[1], widgetInboxKeys(false))
		for i, adminRaw := range rawPayloadOf(t, admin) {
			checkKeyOrder(t, "inbox in the admin list", adminRaw, [][]string{apiInboxKeys(true), apiInboxKeys(true), widgetInboxKeys(true)}[i])
		}
		one := e.do("GET", inboxPath(a, support), agentToken, nil).expect(t, 200)
		if one.has("hmac_token") || one.has("secret") || !base58TokenRE.MatchString(one.str("inbox_identifier")) {
			t.Fatalf("agent view of an API inbox = %s", one.Raw)
		}
		e.do("GET", inboxPath(a, sales), agentToken, nil).expect(t, 401).body(t, bodyNotAuthorized)
		adminOne := e.do("GET", inboxPath(a, support), a.Token, nil).expect(t, 200)
		if !base58TokenRE.MatchString(adminOne.str("hmac_token")) || !base58TokenRE.MatchString(adminOne.str("secret")) {
			t.Fatalf("admin view lacks secrets: %s", adminOne.Raw)
		}

		// Agents may not manage inboxes (§3.3 admin routes): 401 before anything is read.
		for _, c := range []struct{ method, path string }{
			{"POST", inboxesPath(a)}, {"PATCH", inboxPath(a, support)}, {"PUT", inboxPath(a, support)},
			{"DELETE", inboxPath(a, support)}, {"POST", inboxPath(a, support) + "/reset_secret"},
			{"POST", inboxPath(a, 999999) + "/reset_secret"},
			{"POST", "/api/v1/accounts/" + itoa(a.AccountID) + "/inbox_members"},
			{"PATCH", "/api/v1/accounts/" + itoa(a.AccountID) + "/inbox_members"},
			{"DELETE", "/api/v1/accounts/" + itoa(a.AccountID) + "/inbox_members"},
		} {
			e.do(c.method, c.path, agentToken, map[string]any{"name": "x", "inbox_id": support, "user_ids": []int64{bobID},
				"channel": map[string]any{"type": "api"}}).expect(t, 401).body(t, bodyNotAuthorized)
		}
		if got := e.do("GET", inboxPath(a, support), a.Token, nil).expect(t, 200).Raw; got != adminOne.Raw {
			t.Fatal("an agent changed the inbox")
		}
	})
}

// agentIDByEmail finds a member's user id by email through GET /agents.
func agentIDByEmail(t *testing.T, e *env, a tenant, email string) int64 {
	t.Helper()
	res := e.do("GET", agentsPath(a), a.Token, nil).expect(t, 200)
	list, _ := res.JSON.([]any)
	for i := range list {
		if res.str(i, "email") == email {
			return res.num(i, "id")
		}
	}
	t.Fatalf("no agent %s", email)
	return 0
}

// rawPayloadOf returns the elements of {"payload":[…]} as raw JSON, keys in order.
func rawPayloadOf(t *testing.T, r response) []json.RawMessage {
	t.Helper()
	var p struct{ Payload []json.RawMessage }
	if err := json.Unmarshal([]byte(r.Raw), &p); err != nil {
		t.Fatal(err)
	}
	return p.Payload
}

// payloadIDsOf lists the ids of {"payload":[…]}.
func payloadIDsOf(r response) []int64 {
	list, _ := r.get("payload").([]any)
	ids := []int64{}
	for i := range list {
		ids = append(ids, r.num("payload", i, "id"))
	}
	return ids
}

// TestInboxTenancy: another account's inbox ids are 404 through one's own
// account path, on every inbox route, and nothing of theirs changes.
func TestInboxTenancy(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Alpha", "ann@alpha.io")
		b := e.setup("Beta", "bob@beta.io")
		theirs := newAPIInbox(t, e, b, "Beta Support")
		id := theirs.num("id")
		e.do("POST", "/api/v1/accounts/"+itoa(b.AccountID)+"/inbox_members", b.Token,
			map[string]any{"inbox_id": id, "user_ids": []int64{b.UserID}}).expect(t, 200)
		base := "/api/v1/accounts/" + itoa(a.AccountID)
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", inboxPath(a, id), nil},
			{"PATCH", inboxPath(a, id), map[string]any{"name": "Hijacked"}},
			{"PUT", inboxPath(a, id), map[string]any{"name": "Hijacked"}},
			{"DELETE", inboxPath(a, id), nil},
			{"POST", inboxPath(a, id) + "/reset_secret", nil},
			{"GET", inboxPath(a, id) + "/assignable_agents", nil},
			{"GET", base + "/inbox_members/" + itoa(id), nil},
			{"POST", base + "/inbox_members", map[string]any{"inbox_id": id, "user_ids": []int64{a.UserID}}},
			{"PATCH", base + "/inbox_members", map[string]any{"inbox_id": id, "user_ids": []int64{}}},
			{"DELETE", base + "/inbox_members", map[string]any{"inbox_id": id, "user_ids": []int64{b.UserID}}},
			{"GET", base + "/assignable_agents?inbox_ids[]=" + itoa(id), nil},
		} {
			e.do(c.method, c.path, a.Token, c.body).expect(t, 404).body(t, bodyNotFound)
		}
		if got := e.do("GET", inboxPath(b, id), b.Token, nil).expect(t, 200).Raw; got != theirs.Raw {
			t.Fatalf("B's inbox changed:\n%s\n%s", theirs.Raw, got)
		}
		members := e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID)+"/inbox_members/"+itoa(id), b.Token, nil).expect(t, 200)
		if ids := payloadIDsOf(members); !reflect.DeepEqual(ids, []int64{b.UserID}) {
			t.Fatalf("B's members changed: %v", ids)
		}
		// A's own list does not show B's inbox; unknown ids are 404 too.
		e.do("GET", inboxesPath(a), a.Token, nil).expect(t, 200).body(t, `{"payload":[]}`)
		e.do("GET", inboxPath(a, 999999), a.Token, nil).expect(t, 404).body(t, bodyNotFound)
		e.do("GET", inboxesPath(a)+"/abc", a.Token, nil).expect(t, 404).body(t, bodyNotFound)
	})
}

func TestUpdateInbox(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		created := newAPIInbox(t, e, a, "Support")
		id := created.num("id")
		res := e.do("PATCH", inboxPath(a, id), a.Token, map[string]any{
			"name": "Support Desk", "greeting_enabled": true, "greeting_message": "Welcome", "enable_email_collect": false,
			"csat_survey_enabled": true, "csat_config": map[string]any{"display_type": "star", "message": "Rate us", "bogus": 1},
			"auto_assignment_config": map[string]any{"max_assignment_limit": 5, "other": true},
			"working_hours_enabled":  true, "out_of_office_message": "Closed", "timezone": "Asia/Kolkata",
			"allow_messages_after_resolved": false, "lock_to_single_conversation": true, "sender_name_type": "professional",
			"business_name": "Acme Inc",
			"working_hours": []map[string]any{
				{"day_of_week": 0, "closed_all_day": false, "open_hour": 10, "open_minutes": 30, "close_hour": 14, "close_minutes": 0},
				{"day_of_week": 3, "open_all_day": true},
				{"day_of_week": 5, "closed_all_day": true},
			},
			"channel": map[string]any{"type": "web_widget", "webhook_url": "https://new.example.com/hook", "hmac_mandatory": true,
				"additional_attributes": map[string]any{"agent_reply_time_window": 48}, "website_url": "https://ignored.io"},
		}).expect(t, 200)
		checkKeyOrder(t, "updated api inbox", []byte(res.Raw), apiInboxKeys(true))
		if res.str("name") != "Support Desk" || res.get("greeting_enabled") != true || res.str("greeting_message") != "Welcome" ||
			res.get("enable_email_collect") != false || res.get("csat_survey_enabled") != true || res.get("working_hours_enabled") != true ||
			res.str("out_of_office_message") != "Closed" || res.str("timezone") != "Asia/Kolkata" ||
			res.get("allow_messages_after_resolved") != false || res.get("lock_to_single_conversation") != true ||
			res.str("sender_name_type") != "professional" || res.str("business_name") != "Acme Inc" ||
			res.str("webhook_url") != "https://new.example.com/hook" || res.get("hmac_mandatory") != true ||
			res.num("additional_attributes", "agent_reply_time_window") != 48 || res.get("website_url") != nil ||
			res.str("channel_type") != "Channel::Api" {
			t.Fatalf("updated inbox = %s", res.Raw)
		}
		// csat_config gets Chatwoot's defaults (format_csat_config); unknown keys are dropped.
		csat, _ := json.Marshal(res.get("csat_config"))
		if string(csat) != `{"button_text":"Please rate us","display_type":"star","language":"en","message":"Rate us","survey_rules":{"operator":"contains","values":[]}}` {
			t.Fatalf("csat_config = %s", csat)
		}
		res2, _ := json.Marshal(res.get("auto_assignment_config"))
		if string(res2) != `{"max_assignment_limit":5}` {
			t.Fatalf("auto_assignment_config = %s", res2)
		}
		wh := func(d int, k string) any { return res.get("working_hours", d, k) }
		if wh(0, "closed_all_day") != false || wh(0, "open_hour") != float64(10) || wh(0, "open_minutes") != float64(30) ||
			wh(3, "open_all_day") != true || wh(3, "open_hour") != float64(0) || wh(3, "close_hour") != float64(23) || wh(3, "close_minutes") != float64(59) ||
			wh(5, "closed_all_day") != true || wh(1, "open_hour") != float64(9) {
			t.Fatalf("working_hours = %v", res.get("working_hours"))
		}
		// Public keys and secrets do not change on update.
		for _, k := range []string{"inbox_identifier", "hmac_token", "secret"} {
			if res.str(k) != created.str(k) {
				t.Fatalf("%s changed on update", k)
			}
		}
		// PUT is the same action; null clears optional texts; an empty body changes nothing.
		put := e.do("PUT", inboxPath(a, id), a.Token, map[string]any{"greeting_message": nil, "channel": map[string]any{"webhook_url": nil}}).expect(t, 200)
		if put.get("greeting_message") != nil || put.get("webhook_url") != nil || put.str("name") != "Support Desk" {
			t.Fatalf("PUT = %s", put.Raw)
		}
		same := e.do("PATCH", inboxPath(a, id), a.Token, nil).expect(t, 200)
		if same.Raw != put.Raw {
			t.Fatalf("empty PATCH changed the inbox:\n%s\n%s", put.Raw, same.Raw)
		}

		// Invalid changes are 422 and change nothing.
		for _, c := range []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"name": ""}, `{"message":"Name can't be blank","attributes":["name"]}`},
			{map[string]any{"name": "a/b"}, `{"message":"Name should not start or end with symbols, and it should not have < > / \\ @ characters.","attributes":["name"]}`},
			{map[string]any{"timezone": "UTC+5"}, `{"message":"Timezone is not included in the list","attributes":["timezone"]}`},
			{map[string]any{"greeting_message": strings.Repeat("x", 10001)}, `{"message":"Greeting message is too long (maximum is 10000 characters)","attributes":["greeting_message"]}`},
			{map[string]any{"auto_assignment_config": map[string]any{"max_assignment_limit": -1}}, `{"message":"Auto assignment config max_assignment_limit must be greater than 0","attributes":["auto_assignment_config"]}`},
			{map[string]any{"working_hours": []map[string]any{{"day_of_week": 1, "close_hour": 8}}}, `{"message":"Close hour Closing time cannot be before opening time","attributes":["close_hour"]}`},
			{map[string]any{"working_hours": []map[string]any{{"day_of_week": 2, "open_hour": 24}}}, `{"message":"Open hour is not included in the list","attributes":["open_hour"]}`},
			{map[string]any{"working_hours": []map[string]any{{"day_of_week": 7}}}, `{"message":"Day of week is not included in the list","attributes":["day_of_week"]}`},
			{map[string]any{"working_hours": []map[string]any{{"day_of_week": 1, "closed_all_day": true, "open_all_day": true}}}, `{"message":"open_all_day and closed_all_day cannot be true at the same time","attributes":["base"]}`},
			{map[string]any{"channel": map[string]any{"additional_attributes": map[string]any{"agent_reply_time_window": 0}}}, `{"message":"Agent reply time window must be greater than 0","attributes":["agent_reply_time_window"]}`},
			{map[string]any{"channel": map[string]any{"webhook_url": "https://x.io/" + strings.Repeat("a", 2048)}}, `{"message":"Webhook url is too long (maximum is 2048 characters)","attributes":["webhook_url"]}`},
			{map[string]any{"working_hours": "all"}, `{"message":"Working hours must be a JSON array","attributes":["working_hours"]}`},
		} {
			e.do("PATCH", inboxPath(a, id), a.Token, c.body).expect(t, 422).body(t, c.want)
		}
		if got := e.do("GET", inboxPath(a, id), a.Token, nil).expect(t, 200).Raw; got != put.Raw {
			t.Fatalf("a refused update changed the inbox:\n%s\n%s", put.Raw, got)
		}
		e.do("PATCH", inboxPath(a, 999999), a.Token, map[string]any{"name": "x"}).expect(t, 404).body(t, bodyNotFound)
	})
}

func TestUpdateWebWidgetInbox(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		created := newWidgetInbox(t, e, a, "Website")
		id := created.num("id")
		res := e.do("PATCH", inboxPath(a, id), a.Token, map[string]any{"channel": map[string]any{
			"website_url": "https://shop.acme.io", "widget_color": "#ff0000", "welcome_title": "Hey", "welcome_tagline": "We reply fast",
			"reply_time": "in_a_few_hours", "pre_chat_form_enabled": true, "continuity_via_email": false, "hmac_mandatory": true,
			"allowed_domains": "acme.io,*.acme.io", "selected_feature_flags": []string{"use_inbox_avatar_for_bot", "attachments", "attachments"},
			"pre_chat_form_options": map[string]any{"pre_chat_message": "Tell us", "require_email": true, "junk": 1,
				"pre_chat_fields": []any{map[string]any{"name": "emailAddress", "type": "email", "required": true, "enabled": true, "x": 1}}},
			"webhook_url": "https://ignored.example.com",
		}}).expect(t, 200)
		checkKeyOrder(t, "updated widget", []byte(res.Raw), widgetInboxKeys(true))
		if res.str("website_url") != "https://shop.acme.io" || res.str("widget_color") != "#ff0000" || res.str("welcome_title") != "Hey" ||
			res.str("welcome_tagline") != "We reply fast" || res.str("reply_time") != "in_a_few_hours" || res.get("pre_chat_form_enabled") != true ||
			res.get("continuity_via_email") != false || res.get("hmac_mandatory") != true || res.str("allowed_domains") != "acme.io,*.acme.io" ||
			res.str("website_token") != created.str("website_token") || res.str("hmac_token") != created.str("hmac_token") {
			t.Fatalf("updated widget = %s", res.Raw)
		}
		if flags := res.get("selected_feature_flags"); !reflect.DeepEqual(flags, []any{"attachments", "use_inbox_avatar_for_bot"}) {
			t.Fatalf("selected_feature_flags = %v", flags)
		}
		pre, _ := json.Marshal(res.get("pre_chat_form_options"))
		if string(pre) != `{"pre_chat_fields":[{"enabled":true,"name":"emailAddress","required":true,"type":"email"}],"pre_chat_message":"Tell us","require_email":true}` {
			t.Fatalf("pre_chat_form_options = %s", pre)
		}
		if in := storedInbox(t, e, a.AccountID, id); in.WebhookURL != nil {
			t.Fatal("an API attribute was stored on a widget")
		}
		// A form without fields gets the default fields back; no flags at all is allowed.
		res = e.do("PATCH", inboxPath(a, id), a.Token, map[string]any{"channel": map[string]any{
			"pre_chat_form_options": map[string]any{"pre_chat_message": "x"}, "selected_feature_flags": []string{}}}).expect(t, 200)
		if res.str("pre_chat_form_options", "pre_chat_fields", 1, "name") != "fullName" || !reflect.DeepEqual(res.get("selected_feature_flags"), []any{}) {
			t.Fatalf("widget after reset = %s", res.Raw)
		}
		e.do("PATCH", inboxPath(a, id), a.Token, map[string]any{"channel": map[string]any{"widget_color": ""}}).
			expect(t, 422).body(t, `{"message":"Widget color can't be blank","attributes":["widget_color"]}`)
		e.do("PATCH", inboxPath(a, id), a.Token, map[string]any{"channel": map[string]any{"reply_time": "never"}}).
			expect(t, 422).body(t, `{"message":"Reply time is not included in the list","attributes":["reply_time"]}`)
	})
}

// TestResetInboxSecret: POST /inboxes/{id}/reset_secret (≥4.13) rotates an API
// inbox's webhook secret; other channels are Chatwoot's empty 404.
func TestResetInboxSecret(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		created := newAPIInbox(t, e, a, "Support")
		id := created.num("id")
		res := e.do("POST", inboxPath(a, id)+"/reset_secret", a.Token, nil).expect(t, 200)
		checkKeyOrder(t, "inbox after reset", []byte(res.Raw), apiInboxKeys(true))
		if !base58TokenRE.MatchString(res.str("secret")) || res.str("secret") == created.str("secret") {
			t.Fatalf("secret not rotated: %q -> %q", created.str("secret"), res.str("secret"))
		}
		for _, k := range []string{"hmac_token", "inbox_identifier", "name", "webhook_url"} {
			if res.str(k) != created.str(k) {
				t.Fatalf("%s changed by reset_secret", k)
			}
		}
		if got := e.do("GET", inboxPath(a, id), a.Token, nil).expect(t, 200).str("secret"); got != res.str("secret") {
			t.Fatalf("stored secret %q, answered %q", got, res.str("secret"))
		}
		in := storedInbox(t, e, a.AccountID, id)
		if opened, _ := inboxTestKeeper(t).Decrypt(in.SecretSealed); opened != res.str("secret") || in.SecretSealed == opened {
			t.Fatal("new secret not stored sealed")
		}
		widget := newWidgetInbox(t, e, a, "Website").num("id")
		if r := e.do("POST", inboxPath(a, widget)+"/reset_secret", a.Token, nil).expect(t, 404); r.Raw != "" {
			t.Fatalf("reset_secret on a widget = %q, want an empty body", r.Raw)
		}
		e.do("POST", inboxPath(a, 999999)+"/reset_secret", a.Token, nil).expect(t, 404).body(t, bodyNotFound)
	})
}

// TestDeleteInbox: §3.3 DELETE answers Chatwoot's message; CriaChat deletes at once.
func TestDeleteInbox(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		agentToken := e.addAgent(a, "bob@acme.io", "agent")
		bobID := agentIDByEmail(t, e, a, "bob@acme.io")
		id := newAPIInbox(t, e, a, "Support").num("id")
		keep := newAPIInbox(t, e, a, "Sales").num("id")
		members := "/api/v1/accounts/" + itoa(a.AccountID) + "/inbox_members"
		e.do("POST", members, a.Token, map[string]any{"inbox_id": id, "user_ids": []int64{bobID}}).expect(t, 200)
		e.do("DELETE", inboxPath(a, id), a.Token, nil).expect(t, 200).
			body(t, `{"message":"Your inbox deletion request will be processed in some time."}`)
		e.do("GET", inboxPath(a, id), a.Token, nil).expect(t, 404).body(t, bodyNotFound)
		e.do("DELETE", inboxPath(a, id), a.Token, nil).expect(t, 404).body(t, bodyNotFound)
		e.do("GET", members+"/"+itoa(id), a.Token, nil).expect(t, 404)
		e.do("GET", inboxesPath(a), agentToken, nil).expect(t, 200).body(t, `{"payload":[]}`)
		if ids, _ := e.store.Read().MemberInboxIDs(context.Background(), a.AccountID, bobID); len(ids) != 0 {
			t.Fatalf("memberships of the deleted inbox remain: %v", ids)
		}
		if ids := payloadIDsOf(e.do("GET", inboxesPath(a), a.Token, nil).expect(t, 200)); !reflect.DeepEqual(ids, []int64{keep}) {
			t.Fatalf("inboxes after delete = %v", ids)
		}
	})
}
