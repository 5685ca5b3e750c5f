package api_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/criachat/criachat/internal/store"
)

// Contacts of the Application API (reference §3.4, §6.5, §9.5–9.7), with the
// roles of §2.6, the account scoping of §2.1 and the error bodies of §8.1.

// contactKeys are the keys of the contact object (§3.4, _contact.json.jbuilder)
// with contact inboxes and without last_activity_at (omitted while null).
var contactKeys = []string{"additional_attributes", "availability_status", "blocked", "contact_inboxes", "created_at",
	"custom_attributes", "email", "id", "identifier", "name", "phone_number", "thumbnail"}

func contactsPath(a tenant) string { return "/api/v1/accounts/" + itoa(a.AccountID) + "/contacts" }

func contactPath(a tenant, id int64) string { return contactsPath(a) + "/" + itoa(id) }

// newContact creates a contact through the API and returns its id.
func (e *env) newContact(a tenant, body map[string]any) int64 {
	e.t.Helper()
	res := e.do("POST", contactsPath(a), a.Token, body)
	if res.Status != http.StatusOK {
		e.t.Fatalf("create contact %v: %d %s", body, res.Status, res.Raw)
	}
	return res.num("payload", "contact", "id")
}

// TestCreateContact: POST /contacts answers {"payload":{"contact":…,"contact_inbox":…}}
// with the contact object of §3.4; the email is stored lowercased.
func TestCreateContact(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		res := e.do("POST", contactsPath(a), a.Token, map[string]any{
			"name": "Jane Roe", "email": "Jane@Example.COM", "phone_number": "+15551234567", "identifier": "crm-1",
			"additional_attributes": map[string]any{"city": "Lisbon"}, "custom_attributes": map[string]any{"plan": "pro"},
			"avatar_url": "https://example.com/a.png",
		}).expect(t, http.StatusOK)
		checkKeyOrder(t, "contact", rawAt(t, res.Raw, "payload", "contact"), contactKeyOrder)
		if res.str("payload", "contact", "email") != "jane@example.com" || res.str("payload", "contact", "name") != "Jane Roe" ||
			res.str("payload", "contact", "availability_status") != "offline" || res.str("payload", "contact", "thumbnail") != "" ||
			res.get("payload", "contact", "blocked") != false || res.str("payload", "contact", "custom_attributes", "plan") != "pro" ||
			res.str("payload", "contact", "additional_attributes", "city") != "Lisbon" || res.num("payload", "contact", "created_at") < time.Now().Add(-time.Minute).Unix() {
			t.Fatalf("contact = %s", res.Raw)
		}
		if cis, ok := res.get("payload", "contact", "contact_inboxes").([]any); !ok || len(cis) != 0 {
			t.Fatalf("contact_inboxes = %v, want []", res.get("payload", "contact", "contact_inboxes"))
		}
		if !res.has("inbox", "payload", "contact_inbox") || res.get("payload", "contact_inbox", "inbox") != nil ||
			!res.has("source_id", "payload", "contact_inbox") || res.get("payload", "contact_inbox", "source_id") != nil {
			t.Fatalf("contact_inbox = %v, want inbox and source_id null", res.get("payload", "contact_inbox"))
		}
		// A contact with nothing but a name (or nothing at all) is allowed; unset values are null.
		res = e.do("POST", contactsPath(a), a.Token, map[string]any{"name": "Walk-in"}).expect(t, http.StatusOK)
		for _, k := range []string{"email", "phone_number", "identifier"} {
			if !res.has(k, "payload", "contact") || res.get("payload", "contact", k) != nil {
				t.Errorf("%s = %v, want null", k, res.get("payload", "contact", k))
			}
		}
		e.do("POST", contactsPath(a), a.Token, `{}`).expect(t, http.StatusOK)
	})
}

// TestContactValidation: uniqueness per account and formats give Chatwoot's
// RecordInvalid bodies (§3.4, §8.1); other accounts may reuse the values.
func TestContactValidation(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		b := e.setup("Beta", "bob@beta.io")
		id := e.newContact(a, map[string]any{"email": "jane@example.com", "phone_number": "+4915112345678", "identifier": "crm-1"})
		for _, tc := range []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"email": "JANE@example.com"}, `{"message":"Email has already been taken","attributes":["email"]}`},
			{map[string]any{"identifier": "crm-1"}, `{"message":"Identifier has already been taken","attributes":["identifier"]}`},
			{map[string]any{"phone_number": "+4915112345678"}, `{"message":"Phone number has already been taken","attributes":["phone_number"]}`},
			{map[string]any{"email": "nope"}, `{"message":"Email Invalid email","attributes":["email"]}`},
			{map[string]any{"phone_number": "0151 12345"}, `{"message":"Phone number should be in e164 format","attributes":["phone_number"]}`},
			{map[string]any{"phone_number": "+0123"}, `{"message":"Phone number should be in e164 format","attributes":["phone_number"]}`},
			{map[string]any{"phone_number": "+1234567890123456"}, `{"message":"Phone number should be in e164 format","attributes":["phone_number"]}`},
			{map[string]any{"email": "jane@example.com", "phone_number": "x"},
				`{"message":"Email has already been taken, Phone number should be in e164 format","attributes":["email","phone_number"]}`},
			{map[string]any{"name": 12}, `{"message":"Name must be a string","attributes":["name"]}`},
			{map[string]any{"custom_attributes": "x"}, `{"message":"Custom attributes must be a JSON object","attributes":["custom_attributes"]}`},
			{map[string]any{"blocked": "maybe"}, `{"message":"Blocked must be a boolean","attributes":["blocked"]}`},
		} {
			e.do("POST", contactsPath(a), a.Token, tc.body).expect(t, http.StatusUnprocessableEntity).body(t, tc.want)
		}
		// The same values in another account are fine.
		e.newContact(b, map[string]any{"email": "jane@example.com", "phone_number": "+4915112345678", "identifier": "crm-1"})
		// An update may keep its own values but not take another contact's.
		e.do("PATCH", contactPath(a, id), a.Token, map[string]any{"email": "Jane@Example.com", "name": "Jane"}).expect(t, http.StatusOK)
		other := e.newContact(a, map[string]any{"email": "other@example.com"})
		e.do("PUT", contactPath(a, other), a.Token, map[string]any{"identifier": "crm-1"}).expect(t, http.StatusUnprocessableEntity).
			body(t, `{"message":"Identifier has already been taken","attributes":["identifier"]}`)
		e.do("PATCH", contactPath(a, other), a.Token, map[string]any{"phone_number": "555"}).expect(t, http.StatusUnprocessableEntity).
			body(t, `{"message":"Phone number should be in e164 format","attributes":["phone_number"]}`)
	})
}

// TestShowAndUpdateContact: show is {"payload":contact}; update merges
// custom and additional attributes into the existing ones (§9.5) and null
// clears a value; include_contact_inboxes=false drops the key.
func TestShowAndUpdateContact(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		id := e.newContact(a, map[string]any{"name": "Jane", "email": "jane@example.com",
			"custom_attributes": map[string]any{"plan": "pro", "seats": 3}, "additional_attributes": map[string]any{"city": "Lisbon"}})
		res := e.do("GET", contactPath(a, id), a.Token, nil).expect(t, http.StatusOK)
		if got := agentObjKeys(res, "payload"); !slices.Equal(got, contactKeys) {
			t.Fatalf("show keys = %v", got)
		}
		res = e.do("GET", contactPath(a, id)+"?include_contact_inboxes=false", a.Token, nil).expect(t, http.StatusOK)
		if res.has("contact_inboxes", "payload") {
			t.Fatalf("include_contact_inboxes=false still has contact_inboxes: %s", res.Raw)
		}
		res = e.do("PATCH", contactPath(a, id), a.Token, map[string]any{
			"name": "Jane Doe", "blocked": true, "custom_attributes": map[string]any{"seats": 5, "tier": "gold"},
			"additional_attributes": map[string]any{"company_name": "Acme"},
		}).expect(t, http.StatusOK)
		p := func(k ...any) any { return res.get(append([]any{"payload"}, k...)...) }
		if p("name") != "Jane Doe" || p("blocked") != true || p("email") != "jane@example.com" ||
			p("custom_attributes", "plan") != "pro" || p("custom_attributes", "seats") != 5.0 || p("custom_attributes", "tier") != "gold" ||
			p("additional_attributes", "city") != "Lisbon" || p("additional_attributes", "company_name") != "Acme" {
			t.Fatalf("merged update = %s", res.Raw)
		}
		res = e.do("PUT", contactPath(a, id), a.Token, `{"email": null}`).expect(t, http.StatusOK)
		if !res.has("email", "payload") || p("email") != nil || p("name") != "Jane Doe" {
			t.Fatalf("email null = %s", res.Raw)
		}
		// It persisted.
		res = e.do("GET", contactPath(a, id), a.Token, nil).expect(t, http.StatusOK)
		if p("email") != nil || p("custom_attributes", "tier") != "gold" || p("blocked") != true {
			t.Fatalf("after update = %s", res.Raw)
		}
		e.do("GET", contactPath(a, id+1000), a.Token, nil).expect(t, http.StatusNotFound).body(t, bodyNotFound)
		e.do("GET", contactsPath(a)+"/abc", a.Token, nil).expect(t, http.StatusNotFound).body(t, bodyNotFound)
	})
}

// TestContactLastActivity: last_activity_at is an integer when set and the
// key is absent while it is null (§3.4, §7).
func TestContactLastActivity(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		id := e.newContact(a, map[string]any{"email": "x@example.com"})
		res := e.do("GET", contactPath(a, id), a.Token, nil).expect(t, http.StatusOK)
		if res.has("last_activity_at", "payload") {
			t.Fatalf("null last_activity_at rendered: %s", res.Raw)
		}
		ctx := context.Background()
		at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		err := e.store.Tx(ctx, func(q *store.Queries) error {
			c, err := q.Contact(ctx, a.AccountID, id)
			if err != nil {
				return err
			}
			c.LastActivityAt = &at
			return q.UpdateContact(ctx, c)
		})
		if err != nil {
			t.Fatal(err)
		}
		res = e.do("GET", contactPath(a, id), a.Token, nil).expect(t, http.StatusOK)
		checkKeyOrder(t, "contact", rawAt(t, res.Raw, "payload"), []string{"additional_attributes", "availability_status", "email", "id",
			"name", "phone_number", "blocked", "identifier", "thumbnail", "custom_attributes", "last_activity_at", "created_at", "contact_inboxes"})
		if res.num("payload", "last_activity_at") != at.Unix() {
			t.Fatalf("last_activity_at = %v", res.get("payload", "last_activity_at"))
		}
	})
}

// TestListContacts: GET /contacts shows only identifiable contacts (§9.6),
// 15 per page with {"meta":{"count","current_page"},"payload"} (§3.0), sorted
// by the §3.4 keys, filtered by labels[].
func TestListContacts(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		var ids []int64
		for i := 0; i < 17; i++ {
			ids = append(ids, e.newContact(a, map[string]any{"name": "c" + itoa(int64(100+i)), "email": "c" + itoa(int64(i)) + "@x.io"}))
		}
		e.newContact(a, map[string]any{"name": "anonymous"})
		phoneOnly := e.newContact(a, map[string]any{"name": "phone", "phone_number": "+15550000001"})
		idOnly := e.newContact(a, map[string]any{"name": "ident", "identifier": "ext"})
		ids = append(ids, phoneOnly, idOnly)

		res := e.do("GET", contactsPath(a), a.Token, nil).expect(t, http.StatusOK)
		if res.num("meta", "count") != 19 || res.get("meta", "current_page") != 1.0 || len(payloadIDsOf(res)) != 15 {
			t.Fatalf("page 1 meta = %v, %d rows", res.get("meta"), len(payloadIDsOf(res)))
		}
		if got := agentObjKeys(res, "meta"); !slices.Equal(got, []string{"count", "current_page"}) {
			t.Fatalf("meta keys = %v", got)
		}
		if got := agentObjKeys(res, "payload", 0); !slices.Equal(got, contactKeys) {
			t.Fatalf("item keys = %v", got)
		}
		page2 := e.do("GET", contactsPath(a)+"?page=2", a.Token, nil).expect(t, http.StatusOK)
		if page2.get("meta", "current_page") != 2.0 || page2.num("meta", "count") != 19 {
			t.Fatalf("page 2 meta = %v", page2.get("meta"))
		}
		if got := append(payloadIDsOf(res), payloadIDsOf(page2)...); !slices.Equal(got, ids) {
			t.Fatalf("pages = %v, want %v (anonymous contact excluded, id order)", got, ids)
		}
		if len(payloadIDsOf(e.do("GET", contactsPath(a)+"?page=3", a.Token, nil).expect(t, http.StatusOK))) != 0 {
			t.Fatal("page 3 not empty")
		}
		if e.do("GET", contactsPath(a)+"?page=0", a.Token, nil).get("meta", "current_page") != 1.0 {
			t.Fatal("page=0 is not page 1")
		}
		// Sorting.
		res = e.do("GET", contactsPath(a)+"?sort=-name", a.Token, nil).expect(t, http.StatusOK)
		if res.str("payload", 0, "name") != "phone" || res.str("payload", 1, "name") != "ident" || res.str("payload", 2, "name") != "c116" {
			t.Fatalf("sort=-name first = %v %v %v", res.get("payload", 0, "name"), res.get("payload", 1, "name"), res.get("payload", 2, "name"))
		}
		res = e.do("GET", contactsPath(a)+"?sort=email", a.Token, nil).expect(t, http.StatusOK)
		if res.str("payload", 0, "email") != "c0@x.io" || res.str("payload", 1, "email") != "c10@x.io" || res.str("payload", 2, "email") != "c11@x.io" {
			t.Fatalf("sort=email = %s", res.Raw)
		}
		last := e.do("GET", contactsPath(a)+"?sort=email&page=2", a.Token, nil)
		if n := len(payloadIDsOf(last)); n != 4 || last.get("payload", 3, "email") != nil {
			t.Fatalf("emails last on ascending sort: %s", last.Raw)
		}
		// labels[] keeps contacts with any of the labels.
		e.do("POST", contactPath(a, ids[3])+"/labels", a.Token, map[string]any{"labels": []string{"vip"}}).expect(t, http.StatusOK)
		e.do("POST", contactPath(a, ids[5])+"/labels", a.Token, map[string]any{"labels": []string{"lead"}}).expect(t, http.StatusOK)
		res = e.do("GET", contactsPath(a)+"?labels[]=VIP&labels[]=lead", a.Token, nil).expect(t, http.StatusOK)
		if got := payloadIDsOf(res); !slices.Equal(got, []int64{ids[3], ids[5]}) || res.num("meta", "count") != 2 {
			t.Fatalf("labels[] = %v (count %d)", got, res.num("meta", "count"))
		}
		res = e.do("GET", contactsPath(a)+"?include_contact_inboxes=false", a.Token, nil).expect(t, http.StatusOK)
		if res.has("contact_inboxes", "payload", 0) {
			t.Fatal("include_contact_inboxes=false ignored in the list")
		}
		// Any member may list.
		agent := e.addAgent(a, "agent@acme.io", "agent")
		e.do("GET", contactsPath(a), agent, nil).expect(t, http.StatusOK)
	})
}

// TestSearchContacts: q is required; the search covers all contacts, name,
// email, phone number and identifier, case-insensitively; meta.count is the
// rows on the page and has_more tells whether another page exists (§3.0).
func TestSearchContacts(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		e.do("GET", contactsPath(a)+"/search", a.Token, nil).expect(t, http.StatusUnprocessableEntity).
			body(t, `{"error":"Specify search string with parameter q"}`)
		e.do("GET", contactsPath(a)+"/search?q=%20", a.Token, nil).expect(t, http.StatusUnprocessableEntity)
		anon := e.newContact(a, map[string]any{"name": "Zed Anonymous"})
		mail := e.newContact(a, map[string]any{"name": "x", "email": "zed@example.com"})
		phone := e.newContact(a, map[string]any{"name": "y", "phone_number": "+15559990000"})
		ident := e.newContact(a, map[string]any{"name": "z", "identifier": "ZED-7"})
		res := e.do("GET", contactsPath(a)+"/search?q=ZeD", a.Token, nil).expect(t, http.StatusOK)
		if got := payloadIDsOf(res); !slices.Equal(got, []int64{anon, mail, ident}) {
			t.Fatalf("search zed = %v", got)
		}
		if res.num("meta", "count") != 3 || res.get("meta", "has_more") != false || res.get("meta", "current_page") != 1.0 {
			t.Fatalf("meta = %v", res.get("meta"))
		}
		if got := payloadIDsOf(e.do("GET", contactsPath(a)+"/search?q="+url.QueryEscape("+1555999"), a.Token, nil)); !slices.Equal(got, []int64{phone}) {
			t.Fatalf("search phone = %v", got)
		}
		for i := 0; i < 16; i++ {
			e.newContact(a, map[string]any{"name": "bulk " + itoa(int64(i))})
		}
		res = e.do("GET", contactsPath(a)+"/search?q=bulk", a.Token, nil).expect(t, http.StatusOK)
		if len(payloadIDsOf(res)) != 15 || res.num("meta", "count") != 15 || res.get("meta", "has_more") != true {
			t.Fatalf("page 1 meta = %v", res.get("meta"))
		}
		res = e.do("GET", contactsPath(a)+"/search?q=bulk&page=2", a.Token, nil).expect(t, http.StatusOK)
		if len(payloadIDsOf(res)) != 1 || res.num("meta", "count") != 1 || res.get("meta", "has_more") != false || res.get("meta", "current_page") != 2.0 {
			t.Fatalf("page 2 meta = %v", res.get("meta"))
		}
		res = e.do("GET", contactsPath(a)+"/search?q=bulk&sort=-name", a.Token, nil).expect(t, http.StatusOK)
		if res.str("payload", 0, "name") != "bulk 9" {
			t.Fatalf("sorted search starts with %v", res.get("payload", 0, "name"))
		}
	})
}

// TestFilterContacts: the §6.5 contact vocabulary with AND/OR and Chatwoot's
// 422 texts (config/locales/en.yml errors.custom_filters.*).
func TestFilterContacts(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		ann := e.newContact(a, map[string]any{"name": "Ann", "email": "ann@acme.io", "additional_attributes": map[string]any{"city": "Berlin"},
			"custom_attributes": map[string]any{"plan": "pro", "seats": 10}})
		bob := e.newContact(a, map[string]any{"name": "Bob", "email": "bob@acme.io", "blocked": true, "additional_attributes": map[string]any{"city": "Boston"}})
		cleo := e.newContact(a, map[string]any{"name": "Cleo", "phone_number": "+4915100000000"})
		e.newContact(a, map[string]any{"name": "Ann"}) // not identifiable: never listed
		path := contactsPath(a) + "/filter"
		cond := func(key, op string, values any, qop any) map[string]any {
			return map[string]any{"attribute_key": key, "filter_operator": op, "values": values, "query_operator": qop}
		}
		filter := func(rows ...map[string]any) response {
			return e.do("POST", path, a.Token, map[string]any{"payload": rows})
		}
		res := filter(cond("name", "equal_to", []string{"ann"}, nil)).expect(t, http.StatusOK)
		if got := payloadIDsOf(res); !slices.Equal(got, []int64{ann}) || res.num("meta", "count") != 1 || res.get("meta", "current_page") != 1.0 {
			t.Fatalf("name = ann: %s", res.Raw)
		}
		if got := agentObjKeys(res, "payload", 0); !slices.Equal(got, contactKeys) {
			t.Fatalf("filter item keys = %v", got)
		}
		res = filter(cond("email", "contains", []string{"acme"}, "AND"), cond("city", "equal_to", []string{"boston"}, nil)).expect(t, http.StatusOK)
		if got := payloadIDsOf(res); !slices.Equal(got, []int64{bob}) {
			t.Fatalf("AND = %v", got)
		}
		res = filter(cond("name", "equal_to", []string{"cleo"}, "or"), cond("blocked", "equal_to", []bool{true}, nil)).expect(t, http.StatusOK)
		if got := payloadIDsOf(res); !slices.Equal(got, []int64{bob, cleo}) {
			t.Fatalf("OR = %v", got)
		}
		// Custom attributes are those the account defined for contacts (§6.5).
		seats := map[string]any{"attribute_key": "seats", "filter_operator": "is_greater_than", "values": []int{5},
			"custom_attribute_type": "contact_attribute", "query_operator": nil}
		filter(seats).expect(t, http.StatusUnprocessableEntity)
		e.do("POST", "/api/v1/accounts/"+itoa(a.AccountID)+"/custom_attribute_definitions", a.Token, map[string]any{
			"attribute_display_name": "Seats", "attribute_display_type": "number", "attribute_key": "seats",
			"attribute_model": "contact_attribute"}).expect(t, http.StatusOK)
		res = filter(seats).expect(t, http.StatusOK)
		if got := payloadIDsOf(res); !slices.Equal(got, []int64{ann}) {
			t.Fatalf("custom seats > 5 = %v", got)
		}
		res = filter(cond("phone_number", "equal_to", "4915100000000", nil)).expect(t, http.StatusOK) // a scalar value works too
		if got := payloadIDsOf(res); !slices.Equal(got, []int64{cleo}) {
			t.Fatalf("phone = %v", got)
		}
		// Page in the body, 15 per page.
		for i := 0; i < 15; i++ {
			e.newContact(a, map[string]any{"name": "bulk", "email": "bulk" + itoa(int64(i)) + "@acme.io"})
		}
		res = e.do("POST", path, a.Token, map[string]any{"payload": []any{cond("email", "contains", []string{"acme"}, nil)}, "page": 2}).expect(t, http.StatusOK)
		if res.num("meta", "count") != 17 || res.get("meta", "current_page") != 2.0 || len(payloadIDsOf(res)) != 2 {
			t.Fatalf("page 2 = %v, %d rows", res.get("meta"), len(payloadIDsOf(res)))
		}

		allowedKeys := "name,phone_number,email,identifier,country_code,city,company_name,labels,created_at,last_activity_at,blocked"
		for _, tc := range []struct {
			name string
			body any
			want string
		}{
			{"unknown key", map[string]any{"payload": []any{cond("shoe_size", "equal_to", []string{"9"}, nil)}},
				`{"error":"Invalid attribute key - [shoe_size]. The key should be one of [` + allowedKeys + `] or a custom attribute defined in the account."}`},
			{"operator not allowed", map[string]any{"payload": []any{cond("identifier", "contains", []string{"x"}, nil)}},
				`{"error":"Invalid operator. The allowed operators for identifier are [equal_to,not_equal_to]."}`},
			{"unknown operator", map[string]any{"payload": []any{cond("name", "like", []string{"x"}, nil)}},
				`{"error":"Invalid operator. The allowed operators for name are [equal_to,not_equal_to,contains,does_not_contain]."}`},
			{"bad query operator", map[string]any{"payload": []any{cond("name", "equal_to", []string{"x"}, "XOR"), cond("name", "equal_to", []string{"y"}, nil)}},
				`{"error":"Query operator must be either \"AND\" or \"OR\"."}`},
			{"missing query operator between rows", map[string]any{"payload": []any{cond("name", "equal_to", []string{"x"}, nil), cond("name", "equal_to", []string{"y"}, nil)}},
				`{"error":"Query operator must be either \"AND\" or \"OR\"."}`},
			{"no values", map[string]any{"payload": []any{cond("name", "equal_to", []string{}, nil)}},
				`{"error":"Invalid value. The values provided for name are invalid"}`},
			{"bad date", map[string]any{"payload": []any{cond("created_at", "is_greater_than", []string{"yesterday"}, nil)}},
				`{"error":"Invalid value. The values provided for created_at are invalid"}`},
			{"days out of range", map[string]any{"payload": []any{cond("created_at", "days_before", []string{"0"}, nil)}},
				`{"error":"Invalid value. The values provided for created_at are invalid"}`},
			{"no payload", map[string]any{}, `{"error":"param is missing or the value is empty: payload"}`},
		} {
			res := e.do("POST", path, a.Token, tc.body)
			if res.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d %s", tc.name, res.Status, res.Raw)
				continue
			}
			res.body(t, tc.want)
		}
		e.do("POST", path, a.Token, `{"payload": "x"}`).expect(t, http.StatusUnprocessableEntity)
		e.do("POST", path, a.Token, `{"payload": [{"attribute_key": 5}]}`).expect(t, http.StatusUnprocessableEntity)
	})
}

// TestDeleteContact: administrators only (§3.4 DELETE admin); agents get 401.
func TestDeleteContact(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		agent := e.addAgent(a, "agent@acme.io", "agent")
		id := e.newContact(a, map[string]any{"email": "x@example.com"})
		e.do("DELETE", contactPath(a, id), agent, nil).expect(t, http.StatusUnauthorized).body(t, bodyNotAuthorized)
		e.do("GET", contactPath(a, id), agent, nil).expect(t, http.StatusOK)
		res := e.do("DELETE", contactPath(a, id), a.Token, nil).expect(t, http.StatusOK)
		if res.Raw != "" {
			t.Fatalf("delete body = %q, want empty (head :ok)", res.Raw)
		}
		e.do("GET", contactPath(a, id), a.Token, nil).expect(t, http.StatusNotFound)
		e.do("DELETE", contactPath(a, id), a.Token, nil).expect(t, http.StatusNotFound).body(t, bodyNotFound)
		// Its email is free again.
		e.newContact(a, map[string]any{"email": "x@example.com"})
	})
}

// TestDestroyCustomAttributes removes the listed keys (§9.5) and answers
// {"payload": contact} with contact inboxes.
func TestDestroyCustomAttributes(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		id := e.newContact(a, map[string]any{"custom_attributes": map[string]any{"a": 1, "b": 2, "c": 3}})
		res := e.do("POST", contactPath(a, id)+"/destroy_custom_attributes", a.Token, map[string]any{"custom_attributes": []string{"a", "c", "zz"}}).
			expect(t, http.StatusOK)
		if got := agentObjKeys(res, "payload", "custom_attributes"); !slices.Equal(got, []string{"b"}) {
			t.Fatalf("custom attributes left = %v", got)
		}
		if !res.has("contact_inboxes", "payload") {
			t.Fatal("contact_inboxes missing")
		}
		e.do("POST", contactPath(a, id)+"/destroy_custom_attributes", a.Token, map[string]any{"custom_attributes": "b"}).
			expect(t, http.StatusUnprocessableEntity)
	})
}

// TestContactLabels: POST replaces the list with lowercased titles; GET lists
// them; both are {"payload":[titles]} (§3.4, §9.4).
func TestContactLabels(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		id := e.newContact(a, map[string]any{"email": "x@example.com"})
		path := contactPath(a, id) + "/labels"
		e.do("GET", path, a.Token, nil).expect(t, http.StatusOK).body(t, `{"payload":[]}`)
		e.do("POST", path, a.Token, map[string]any{"labels": []string{"VIP", "Lead ", "vip"}}).expect(t, http.StatusOK).body(t, `{"payload":["vip","lead"]}`)
		e.do("GET", path, a.Token, nil).expect(t, http.StatusOK).body(t, `{"payload":["vip","lead"]}`)
		e.do("POST", path, a.Token, map[string]any{"labels": []string{"customer"}}).expect(t, http.StatusOK).body(t, `{"payload":["customer"]}`)
		e.do("POST", path, a.Token, map[string]any{"labels": "customer"}).expect(t, http.StatusUnprocessableEntity)
		e.do("POST", path, a.Token, map[string]any{}).expect(t, http.StatusOK).body(t, `{"payload":[]}`)
	})
}

// TestContactNotes: CRUD with note objects {id, content, account_id,
// contact_id, user, created_at, updated_at}; the index is a bare array,
// latest first.
func TestContactNotes(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		agent := e.addAgent(a, "agent@acme.io", "agent")
		id := e.newContact(a, map[string]any{"email": "x@example.com"})
		path := contactPath(a, id) + "/notes"
		e.do("GET", path, a.Token, nil).expect(t, http.StatusOK).body(t, `[]`)
		res := e.do("POST", path, a.Token, map[string]any{"note": map[string]any{"content": "Called them"}}).expect(t, http.StatusOK)
		noteKeys := []string{"account_id", "contact_id", "content", "created_at", "id", "updated_at", "user"}
		if got := agentObjKeys(res); !slices.Equal(got, noteKeys) {
			t.Fatalf("note keys = %v", got)
		}
		first := res.num("id")
		if res.str("content") != "Called them" || res.num("account_id") != a.AccountID || res.num("contact_id") != id ||
			res.num("user", "id") != a.UserID || res.str("user", "role") != "administrator" || res.num("created_at") == 0 {
			t.Fatalf("note = %s", res.Raw)
		}
		// A bare body works too (Chatwoot reads params[:note] or params).
		second := e.do("POST", path, agent, map[string]any{"content": "Follow up"}).expect(t, http.StatusOK).num("id")
		e.do("POST", path, a.Token, map[string]any{"note": map[string]any{"content": " "}}).expect(t, http.StatusUnprocessableEntity).
			body(t, `{"message":"Content can't be blank","attributes":["content"]}`)
		e.do("POST", path, a.Token, `{}`).expect(t, http.StatusUnprocessableEntity)
		res = e.do("GET", path, a.Token, nil).expect(t, http.StatusOK)
		if list, _ := res.JSON.([]any); len(list) != 2 || res.num(0, "id") != second || res.num(1, "id") != first || res.str(0, "user", "email") != "agent@acme.io" {
			t.Fatalf("notes = %s", res.Raw)
		}
		res = e.do("PATCH", path+"/"+itoa(first), a.Token, map[string]any{"note": map[string]any{"content": "Called twice"}}).expect(t, http.StatusOK)
		if res.str("content") != "Called twice" || res.num("id") != first {
			t.Fatalf("updated note = %s", res.Raw)
		}
		e.do("GET", path+"/"+itoa(first), agent, nil).expect(t, http.StatusOK)
		e.do("DELETE", path+"/"+itoa(first), agent, nil).expect(t, http.StatusOK)
		e.do("GET", path+"/"+itoa(first), a.Token, nil).expect(t, http.StatusNotFound).body(t, bodyNotFound)
		// A note is reached only through its own contact.
		other := e.newContact(a, map[string]any{"email": "y@example.com"})
		e.do("GET", contactPath(a, other)+"/notes/"+itoa(second), a.Token, nil).expect(t, http.StatusNotFound)
		// Deleting the contact deletes its notes.
		e.do("DELETE", contactPath(a, id), a.Token, nil).expect(t, http.StatusOK)
		e.do("GET", path, a.Token, nil).expect(t, http.StatusNotFound)
	})
}

// TestMergeContacts: POST /actions/contact_merge moves notes and labels to the
// base, fills the base's blanks from the mergee (base wins), deletes the mergee
// and answers with the bare base contact (§3.4, §9.7).
func TestMergeContacts(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		agent := e.addAgent(a, "agent@acme.io", "agent")
		base := e.newContact(a, map[string]any{"name": "Base", "email": "base@example.com", "custom_attributes": map[string]any{"plan": "pro"}})
		inbox := newAPIInbox(t, e, a, "Support").num("id")
		mergee := e.newContact(a, map[string]any{"name": "Mergee", "email": "m@example.com", "phone_number": "+15550001111",
			"custom_attributes": map[string]any{"plan": "free", "seats": 4}, "inbox_id": inbox, "source_id": "mergee-src"})
		e.do("POST", contactPath(a, mergee)+"/labels", a.Token, map[string]any{"labels": []string{"lead"}}).expect(t, http.StatusOK)
		e.do("POST", contactPath(a, mergee)+"/notes", a.Token, map[string]any{"content": "hello"}).expect(t, http.StatusOK)
		path := "/api/v1/accounts/" + itoa(a.AccountID) + "/actions/contact_merge"
		e.do("POST", path, agent, map[string]any{"base_contact_id": base, "mergee_contact_id": base}).expect(t, http.StatusUnprocessableEntity).
			body(t, `{"error":"A contact cannot be merged into itself"}`)
		res := e.do("POST", path, agent, map[string]any{"base_contact_id": base, "mergee_contact_id": itoa(mergee)}).expect(t, http.StatusOK)
		want := []string{"additional_attributes", "availability_status", "blocked", "created_at", "custom_attributes", "email", "id",
			"identifier", "name", "phone_number", "thumbnail"}
		if got := agentObjKeys(res); !slices.Equal(got, want) {
			t.Fatalf("merge response keys = %v, want %v (bare contact)", got, want)
		}
		if res.num("id") != base || res.str("name") != "Base" || res.str("email") != "base@example.com" || res.str("phone_number") != "+15550001111" ||
			res.str("custom_attributes", "plan") != "pro" || res.get("custom_attributes", "seats") != 4.0 {
			t.Fatalf("merged = %s", res.Raw)
		}
		e.do("GET", contactPath(a, mergee), a.Token, nil).expect(t, http.StatusNotFound)
		if show := e.do("GET", contactPath(a, base), a.Token, nil); show.str("payload", "contact_inboxes", 0, "source_id") != "mergee-src" {
			t.Fatalf("contact inboxes after merge = %s", show.Raw)
		}
		e.do("GET", contactPath(a, base)+"/labels", a.Token, nil).expect(t, http.StatusOK).body(t, `{"payload":["lead"]}`)
		if notes := e.do("GET", contactPath(a, base)+"/notes", a.Token, nil); notes.str(0, "content") != "hello" {
			t.Fatalf("notes after merge = %s", notes.Raw)
		}
		// The mergee's email is free again, its phone number is the base's now.
		e.newContact(a, map[string]any{"email": "m@example.com"})
		e.do("POST", contactsPath(a), a.Token, map[string]any{"phone_number": "+15550001111"}).expect(t, http.StatusUnprocessableEntity)
		e.do("POST", path, a.Token, map[string]any{"base_contact_id": base}).expect(t, http.StatusNotFound).body(t, bodyNotFound)
		e.do("POST", path, a.Token, map[string]any{"base_contact_id": base, "mergee_contact_id": 999999}).expect(t, http.StatusNotFound)
	})
}

// TestContactTenancy: every id parameter of the contact routes is scoped to
// the account in the path: another account's contact, note and merge ids are
// 404 through the caller's own account, and nothing of theirs changes.
func TestContactTenancy(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Alpha", "ann@alpha.io")
		b := e.setup("Beta", "bob@beta.io")
		mine := e.newContact(a, map[string]any{"email": "mine@alpha.io"})
		theirs := e.newContact(b, map[string]any{"email": "theirs@beta.io", "custom_attributes": map[string]any{"k": "v"}})
		theirNote := e.do("POST", contactPath(b, theirs)+"/notes", b.Token, map[string]any{"content": "secret"}).expect(t, http.StatusOK).num("id")
		e.do("POST", contactPath(b, theirs)+"/labels", b.Token, map[string]any{"labels": []string{"b"}}).expect(t, http.StatusOK)
		before := e.do("GET", contactPath(b, theirs), b.Token, nil).expect(t, http.StatusOK).Raw

		for _, req := range []struct {
			method, path string
			body         any
		}{
			{"GET", contactPath(a, theirs), nil},
			{"PATCH", contactPath(a, theirs), map[string]any{"name": "hijack"}},
			{"PUT", contactPath(a, theirs), map[string]any{"name": "hijack"}},
			{"DELETE", contactPath(a, theirs), nil},
			{"POST", contactPath(a, theirs) + "/destroy_custom_attributes", map[string]any{"custom_attributes": []string{"k"}}},
			{"GET", contactPath(a, theirs) + "/labels", nil},
			{"POST", contactPath(a, theirs) + "/labels", map[string]any{"labels": []string{"x"}}},
			{"GET", contactPath(a, theirs) + "/notes", nil},
			{"POST", contactPath(a, theirs) + "/notes", map[string]any{"content": "x"}},
			{"GET", contactPath(a, theirs) + "/notes/" + itoa(theirNote), nil},
			{"PATCH", contactPath(a, theirs) + "/notes/" + itoa(theirNote), map[string]any{"content": "x"}},
			{"DELETE", contactPath(a, theirs) + "/notes/" + itoa(theirNote), nil},
			{"GET", contactPath(a, mine) + "/notes/" + itoa(theirNote), nil},
			{"DELETE", contactPath(a, mine) + "/notes/" + itoa(theirNote), nil},
			{"POST", "/api/v1/accounts/" + itoa(a.AccountID) + "/actions/contact_merge", map[string]any{"base_contact_id": mine, "mergee_contact_id": theirs}},
			{"POST", "/api/v1/accounts/" + itoa(a.AccountID) + "/actions/contact_merge", map[string]any{"base_contact_id": theirs, "mergee_contact_id": mine}},
		} {
			res := e.do(req.method, req.path, a.Token, req.body)
			if res.Status != http.StatusNotFound || res.Raw == "" {
				t.Errorf("%s %s = %d %s, want 404", req.method, req.path, res.Status, res.Raw)
			} else {
				res.body(t, bodyNotFound)
			}
		}
		if got := e.do("GET", contactPath(b, theirs), b.Token, nil).Raw; got != before {
			t.Fatalf("B's contact changed:\n%s\n%s", before, got)
		}
		e.do("GET", contactPath(b, theirs)+"/notes/"+itoa(theirNote), b.Token, nil).expect(t, http.StatusOK)
		e.do("GET", contactPath(b, theirs)+"/labels", b.Token, nil).expect(t, http.StatusOK).body(t, `{"payload":["b"]}`)
		e.do("GET", contactPath(a, mine), a.Token, nil).expect(t, http.StatusOK)
		// Lists, search and filter never show another account's contacts.
		for _, res := range []response{
			e.do("GET", contactsPath(a), a.Token, nil),
			e.do("GET", contactsPath(a)+"/search?q=theirs", a.Token, nil),
			e.do("POST", contactsPath(a)+"/filter", a.Token, map[string]any{"payload": []any{map[string]any{
				"attribute_key": "email", "filter_operator": "contains", "values": []string{"beta"}}}}),
		} {
			for _, id := range payloadIDsOf(res) {
				if id == theirs {
					t.Fatalf("B's contact listed in A: %s", res.Raw)
				}
			}
		}
	})
}

// TestCreateContactIdempotent: POST /contacts honours Idempotency-Key, like
// agent creation: the replay returns the first response and creates nothing.
func TestCreateContactIdempotent(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		send := func(body string) response {
			return e.doWith("POST", contactsPath(a), body, func(r *http.Request) {
				r.Header.Set("api_access_token", a.Token)
				r.Header.Set("Idempotency-Key", "k-1")
			})
		}
		first := send(`{"name":"Once","email":"once@example.com"}`).expect(t, http.StatusOK)
		again := send(`{"name":"Once","email":"once@example.com"}`).expect(t, http.StatusOK)
		if again.Raw != first.Raw || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay = %s (%v)", again.Raw, again.Header)
		}
		send(`{"name":"Other"}`).expect(t, http.StatusUnprocessableEntity)
		n, err := e.store.Read().CountContacts(context.Background(), store.ContactQuery{AccountID: a.AccountID})
		if err != nil || n != 1 {
			t.Fatalf("contacts = %d, %v", n, err)
		}
	})
}

// TestContactListQueryCount: a page of contacts costs the same number of
// statements whatever its length (contact inboxes are loaded for the whole page).
func TestContactListQueryCount(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Acme", "ann@acme.io")
		b := e.setup("Beta", "bob@beta.io")
		e.newContact(a, map[string]any{"email": "one@example.com"})
		for i := 0; i < 15; i++ {
			e.newContact(b, map[string]any{"email": "c" + itoa(int64(i)) + "@example.com", "custom_attributes": map[string]any{"i": i}})
		}
		cost := func(t tenant, path string) int64 {
			res, n := e.statementsFor("GET", path, t.Token, nil)
			res.expect(e.t, http.StatusOK)
			return n
		}
		for _, suffix := range []string{"", "?sort=-email", "?labels[]=x"} {
			one, fifteen := cost(a, contactsPath(a)+suffix), cost(b, contactsPath(b)+suffix)
			if one != fifteen {
				t.Errorf("GET /contacts%s: %d statements for 1 contact, %d for 15", suffix, one, fifteen)
			}
		}
		one, fifteen := cost(a, contactsPath(a)+"/search?q=example"), cost(b, contactsPath(b)+"/search?q=example")
		if one != fifteen {
			t.Errorf("search: %d statements for 1 contact, %d for 15", one, fifteen)
		}
	})
}
