package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"testing"
)

// Contact inboxes (reference §3.4, §6.4): created with a contact or on their
// own, listed in the contact object, looked up by source_id, and the
// contactable inboxes of a contact.

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// contactKeyOrder is the contact object's key order (_contact.json.jbuilder)
// with last_activity_at unset.
var contactKeyOrder = []string{"additional_attributes", "availability_status", "email", "id", "name", "phone_number",
	"blocked", "identifier", "thumbnail", "custom_attributes", "created_at", "contact_inboxes"}

// slimInboxKeys is the slim inbox (_inbox_slim.json.jbuilder).
var slimInboxKeys = []string{"id", "avatar_url", "channel_id", "name", "channel_type", "provider"}

// rawInboxKeys is an inbox as Rails' as_json renders the record: the columns
// of Chatwoot's inboxes table in schema order.
var rawInboxKeys = []string{"id", "channel_id", "account_id", "name", "created_at", "updated_at", "channel_type",
	"enable_auto_assignment", "greeting_enabled", "greeting_message", "email_address", "working_hours_enabled",
	"out_of_office_message", "timezone", "enable_email_collect", "csat_survey_enabled", "allow_messages_after_resolved",
	"auto_assignment_config", "lock_to_single_conversation", "portal_id", "sender_name_type", "business_name", "csat_config"}

// rawAt returns the raw JSON at a path of objects.
func rawAt(t *testing.T, raw string, path ...string) []byte {
	t.Helper()
	cur := json.RawMessage(raw)
	for _, k := range path {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(cur, &m); err != nil {
			t.Fatalf("%s is not an object at %q", cur, k)
		}
		cur = m[k]
	}
	return cur
}

func TestCreateContactWithInbox(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		b := e.setup("Beta", "bob@beta.io")
		api := newAPIInbox(t, e, a, "Support").num("id")
		widget := newWidgetInbox(t, e, a, "Site").num("id")
		theirs := newAPIInbox(t, e, b, "Theirs").num("id")

		res := e.do("POST", contactsPath(a), a.Token, map[string]any{"name": "Jane", "email": "jane@example.com", "inbox_id": api}).expect(t, http.StatusOK)
		checkKeyOrder(t, "contact", rawAt(t, res.Raw, "payload", "contact"), contactKeyOrder)
		checkKeyOrder(t, "contact_inbox", rawAt(t, res.Raw, "payload", "contact_inbox"), []string{"inbox", "source_id"})
		checkKeyOrder(t, "contact_inbox.inbox", rawAt(t, res.Raw, "payload", "contact_inbox", "inbox"), rawInboxKeys)
		source := res.str("payload", "contact_inbox", "source_id")
		if !uuidRE.MatchString(source) {
			t.Fatalf("generated source_id %q is not a UUID (§6.4)", source)
		}
		inbox := func(k string) any { return res.get("payload", "contact_inbox", "inbox", k) }
		if inbox("id") != float64(api) || inbox("account_id") != float64(a.AccountID) || inbox("channel_type") != "Channel::Api" ||
			inbox("sender_name_type") != "friendly" || inbox("name") != "Support" {
			t.Fatalf("raw inbox = %v", res.get("payload", "contact_inbox", "inbox"))
		}
		if s, _ := inbox("created_at").(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(s) {
			t.Fatalf("raw inbox created_at = %v, want ISO with milliseconds (§7)", inbox("created_at"))
		}
		cis, _ := res.get("payload", "contact", "contact_inboxes").([]any)
		if len(cis) != 1 || res.str("payload", "contact", "contact_inboxes", 0, "source_id") != source {
			t.Fatalf("contact_inboxes = %v", res.get("payload", "contact", "contact_inboxes"))
		}
		var ci struct {
			Payload struct {
				Contact struct {
					ContactInboxes []json.RawMessage `json:"contact_inboxes"`
				} `json:"contact"`
			}
		}
		_ = json.Unmarshal([]byte(res.Raw), &ci)
		checkKeyOrder(t, "contact inbox", ci.Payload.Contact.ContactInboxes[0], []string{"source_id", "inbox"})
		checkKeyOrder(t, "slim inbox", rawAt(t, string(ci.Payload.Contact.ContactInboxes[0]), "inbox"), slimInboxKeys)

		// A given source_id is kept; a widget inbox works the same way.
		res = e.do("POST", contactsPath(a), a.Token, map[string]any{"name": "Joe", "inbox_id": widget, "source_id": "visitor-7"}).expect(t, http.StatusOK)
		if res.str("payload", "contact_inbox", "source_id") != "visitor-7" || res.str("payload", "contact", "contact_inboxes", 0, "inbox", "channel_type") != "Channel::WebWidget" {
			t.Fatalf("widget contact = %s", res.Raw)
		}
		count := func() int64 { return e.do("GET", contactsPath(a)+"/search?q=j", a.Token, nil).num("meta", "count") }
		before := count()
		// A taken source_id, or an inbox of another account, creates nothing.
		e.do("POST", contactsPath(a), a.Token, map[string]any{"name": "Jim", "inbox_id": widget, "source_id": "visitor-7"}).
			expect(t, http.StatusUnprocessableEntity).body(t, `{"message":"Source has already been taken","attributes":["source_id"]}`)
		e.do("POST", contactsPath(a), a.Token, map[string]any{"name": "Jim", "inbox_id": theirs}).expect(t, http.StatusNotFound).body(t, bodyNotFound)
		e.do("POST", contactsPath(a), a.Token, map[string]any{"name": "Jim", "inbox_id": 999999}).expect(t, http.StatusNotFound)
		if after := count(); after != before {
			t.Fatalf("refused creates left contacts: %d -> %d", before, after)
		}
		// Any member may create a contact in an account inbox, as in Chatwoot.
		agent := e.addAgent(a, "agent@acme.io", "agent")
		e.do("POST", contactsPath(a), agent, map[string]any{"name": "By agent", "inbox_id": api}).expect(t, http.StatusOK)
	})
}

func TestAddContactInbox(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		b := e.setup("Beta", "bob@beta.io")
		api := newAPIInbox(t, e, a, "Support").num("id")
		other := newAPIInbox(t, e, a, "Other").num("id")
		theirs := newAPIInbox(t, e, b, "Theirs").num("id")
		id := e.newContact(a, map[string]any{"name": "Jane"})
		theirContact := e.newContact(b, map[string]any{"name": "Theirs"})
		path := contactPath(a, id) + "/contact_inboxes"

		res := e.do("POST", path, a.Token, map[string]any{"inbox_id": api}).expect(t, http.StatusOK)
		checkKeyOrder(t, "contact inbox", []byte(res.Raw), []string{"source_id", "inbox"})
		checkKeyOrder(t, "slim inbox", rawAt(t, res.Raw, "inbox"), slimInboxKeys)
		if !uuidRE.MatchString(res.str("source_id")) || res.num("inbox", "id") != api || res.get("inbox", "provider") != nil {
			t.Fatalf("contact inbox = %s", res.Raw)
		}
		e.do("POST", path, a.Token, map[string]any{"inbox_id": api, "source_id": "crm-1"}).expect(t, http.StatusOK).
			body(t, `{"source_id":"crm-1","inbox":{"id":`+itoa(api)+`,"avatar_url":"","channel_id":`+itoa(api)+`,"name":"Support","channel_type":"Channel::Api","provider":null}}`)
		e.do("POST", path, a.Token, map[string]any{"inbox_id": api, "source_id": "crm-1"}).expect(t, http.StatusUnprocessableEntity).
			body(t, `{"message":"Source has already been taken","attributes":["source_id"]}`)
		// The same source_id in another inbox is fine.
		e.do("POST", path, a.Token, map[string]any{"inbox_id": other, "source_id": "crm-1"}).expect(t, http.StatusOK)
		show := e.do("GET", contactPath(a, id), a.Token, nil).expect(t, http.StatusOK)
		if cis, _ := show.get("payload", "contact_inboxes").([]any); len(cis) != 3 {
			t.Fatalf("contact_inboxes after adding 3 = %v", show.get("payload", "contact_inboxes"))
		}
		// Tenancy: another account's inbox or contact is 404; a missing inbox_id too.
		e.do("POST", path, a.Token, map[string]any{"inbox_id": theirs}).expect(t, http.StatusNotFound).body(t, bodyNotFound)
		e.do("POST", contactPath(a, theirContact)+"/contact_inboxes", a.Token, map[string]any{"inbox_id": api}).expect(t, http.StatusNotFound)
		e.do("POST", path, a.Token, map[string]any{}).expect(t, http.StatusNotFound)
		// An agent needs to be a member of the inbox (member*).
		agent := e.addAgent(a, "agent@acme.io", "agent")
		e.do("POST", path, agent, map[string]any{"inbox_id": api}).expect(t, http.StatusUnauthorized).body(t, bodyNotAuthorized)
		e.do("POST", inboxMembersPath(a), a.Token, map[string]any{"inbox_id": api, "user_ids": []int64{agentIDByEmail(t, e, a, "agent@acme.io")}}).expect(t, http.StatusOK)
		e.do("POST", path, agent, map[string]any{"inbox_id": api}).expect(t, http.StatusOK)
	})
}

func TestFilterContactInboxes(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		b := e.setup("Beta", "bob@beta.io")
		api := newAPIInbox(t, e, a, "Support").num("id")
		theirs := newAPIInbox(t, e, b, "Theirs").num("id")
		id := e.newContact(a, map[string]any{"name": "Jane", "inbox_id": api, "source_id": "s-1"})
		e.newContact(b, map[string]any{"name": "Theirs", "inbox_id": theirs, "source_id": "s-1"})
		path := "/api/v1/accounts/" + itoa(a.AccountID) + "/contact_inboxes/filter"
		res := e.do("POST", path, a.Token, map[string]any{"inbox_id": api, "source_id": "s-1"}).expect(t, http.StatusOK)
		checkKeyOrder(t, "contact", []byte(res.Raw), contactKeyOrder)
		if res.num("id") != id || res.str("contact_inboxes", 0, "source_id") != "s-1" {
			t.Fatalf("filter = %s", res.Raw)
		}
		if res := e.do("POST", path, a.Token, map[string]any{"inbox_id": api, "source_id": "nope"}); res.Status != http.StatusNotFound || res.Raw != "" {
			t.Fatalf("unknown source = %d %q, want 404 with an empty body (head :not_found)", res.Status, res.Raw)
		}
		e.do("POST", path, a.Token, map[string]any{"inbox_id": theirs, "source_id": "s-1"}).expect(t, http.StatusNotFound).body(t, bodyNotFound)
		agent := e.addAgent(a, "agent@acme.io", "agent")
		e.do("POST", path, agent, map[string]any{"inbox_id": api, "source_id": "s-1"}).expect(t, http.StatusUnauthorized).body(t, bodyNotAuthorized)
	})
}

func TestContactableInboxes(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		b := e.setup("Beta", "bob@beta.io")
		api := newAPIInbox(t, e, a, "Support").num("id")
		widget := newWidgetInbox(t, e, a, "Site").num("id")
		api2 := newAPIInbox(t, e, a, "Sales").num("id")
		widget2 := newWidgetInbox(t, e, a, "Blog").num("id")
		id := e.newContact(a, map[string]any{"name": "Jane", "inbox_id": api, "source_id": "old"})
		e.do("POST", contactPath(a, id)+"/contact_inboxes", a.Token, map[string]any{"inbox_id": api, "source_id": "latest"}).expect(t, http.StatusOK)
		e.do("POST", contactPath(a, id)+"/contact_inboxes", a.Token, map[string]any{"inbox_id": widget, "source_id": "w"}).expect(t, http.StatusOK)
		path := contactPath(a, id) + "/contactable_inboxes"
		res := e.do("GET", path, a.Token, nil).expect(t, http.StatusOK)
		entries := rawPayloadOf(t, res)
		if len(entries) != 3 {
			t.Fatalf("contactable inboxes = %s (the widget without a contact inbox is left out)", res.Raw)
		}
		checkKeyOrder(t, "entry", entries[0], []string{"inbox", "source_id"})
		checkKeyOrder(t, "inbox", rawAt(t, string(entries[0]), "inbox"), slimInboxKeys)
		got := []int64{res.num("payload", 0, "inbox", "id"), res.num("payload", 1, "inbox", "id"), res.num("payload", 2, "inbox", "id")}
		if !slices.Equal(got, []int64{api, widget, api2}) {
			t.Fatalf("inboxes = %v, want %v", got, []int64{api, widget, api2})
		}
		if res.str("payload", 0, "source_id") != "latest" || res.str("payload", 1, "source_id") != "w" || !uuidRE.MatchString(res.str("payload", 2, "source_id")) {
			t.Fatalf("source ids = %s", res.Raw)
		}
		_ = widget2
		// An agent sees only the inboxes they are a member of.
		agent := e.addAgent(a, "agent@acme.io", "agent")
		e.do("GET", path, agent, nil).expect(t, http.StatusOK).body(t, `{"payload":[]}`)
		e.do("POST", inboxMembersPath(a), a.Token, map[string]any{"inbox_id": api2, "user_ids": []int64{agentIDByEmail(t, e, a, "agent@acme.io")}}).expect(t, http.StatusOK)
		res = e.do("GET", path, agent, nil).expect(t, http.StatusOK)
		if ids := []int64{res.num("payload", 0, "inbox", "id")}; len(rawPayloadOf(t, res)) != 1 || ids[0] != api2 {
			t.Fatalf("agent's contactable inboxes = %s", res.Raw)
		}
		theirs := e.newContact(b, map[string]any{"name": "Theirs"})
		e.do("GET", contactPath(a, theirs)+"/contactable_inboxes", a.Token, nil).expect(t, http.StatusNotFound).body(t, bodyNotFound)
	})
}

// TestContactInboxesBatchLoaded: a page with contact inboxes costs the same
// number of statements for 1 contact as for 15.
func TestContactInboxesBatchLoaded(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		b := e.setup("Beta", "bob@beta.io")
		inA := newAPIInbox(t, e, a, "A").num("id")
		inB := newAPIInbox(t, e, b, "B").num("id")
		inB2 := newWidgetInbox(t, e, b, "B2").num("id")
		e.newContact(a, map[string]any{"email": "one@example.com", "inbox_id": inA})
		for i := 0; i < 15; i++ {
			id := e.newContact(b, map[string]any{"email": "c" + itoa(int64(i)) + "@example.com", "inbox_id": inB})
			e.do("POST", contactPath(b, id)+"/contact_inboxes", b.Token, map[string]any{"inbox_id": inB2}).expect(t, http.StatusOK)
		}
		cost := func(tn tenant, path string) (int64, response) {
			res, n := e.statementsFor("GET", path, tn.Token, nil)
			res.expect(t, http.StatusOK)
			return n, res
		}
		one, _ := cost(a, contactsPath(a))
		fifteen, res := cost(b, contactsPath(b))
		if one != fifteen {
			t.Fatalf("GET /contacts: %d statements for 1 contact, %d for 15", one, fifteen)
		}
		for i := 0; i < 15; i++ {
			if cis, _ := res.get("payload", i, "contact_inboxes").([]any); len(cis) != 2 {
				t.Fatalf("contact %d has %d contact inboxes", i, len(cis))
			}
		}
		one, _ = cost(a, contactsPath(a)+"/search?q=example")
		fifteen, _ = cost(b, contactsPath(b)+"/search?q=example")
		if one != fifteen {
			t.Fatalf("search: %d statements for 1 contact, %d for 15", one, fifteen)
		}
	})
}
