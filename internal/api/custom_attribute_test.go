package api_test

import (
	"testing"
)

// TestCustomAttributeDefinitions covers §3.7 custom attribute definitions:
// shape with ISO timestamps, model filter (all models when absent), enums by
// name or integer (§6.1), key rules, roles (read any, write admin), DELETE 204, tenancy.
func TestCustomAttributeDefinitions(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		a := e.setup("Alpha", "ann@alpha.io")
		b := e.setup("Beta", "bob@beta.io")
		agent := e.addAgent(a, "agent@alpha.io", "agent")
		base := "/api/v1/accounts/" + itoa(a.AccountID) + "/custom_attribute_definitions"

		res := e.do("POST", base, a.Token, map[string]any{"custom_attribute_definition": map[string]any{
			"attribute_display_name": "Plan", "attribute_key": "plan", "attribute_display_type": "list",
			"attribute_description": "Billing plan", "attribute_model": "conversation_attribute",
			"attribute_values": []string{"free", "pro"}, "regex_pattern": "^[a-z]+$", "regex_cue": "lowercase", "default_value": ""}}).expect(t, 200)
		plan := res.num("id")
		created, updated := res.str("created_at"), res.str("updated_at")
		if !isoMillis.MatchString(created) || !isoMillis.MatchString(updated) {
			t.Fatalf("timestamps = %s", res.Raw)
		}
		res.body(t, `{"id":`+itoa(plan)+`,"attribute_display_name":"Plan","attribute_display_type":"list",
			"attribute_description":"Billing plan","attribute_key":"plan","regex_pattern":"^[a-z]+$","regex_cue":"lowercase",
			"attribute_values":["free","pro"],"attribute_model":"conversation_attribute","default_value":null,
			"created_at":"`+created+`","updated_at":"`+updated+`"}`)
		// Integers work as Rails enum values (swagger documents them): 7 = checkbox, 1 = contact_attribute.
		res = e.do("POST", base, a.Token, map[string]any{"attribute_display_name": "VIP", "attribute_key": "vip",
			"attribute_display_type": 7, "attribute_model": 1}).expect(t, 200)
		vip := res.num("id")
		if res.str("attribute_display_type") != "checkbox" || res.str("attribute_model") != "contact_attribute" ||
			res.get("attribute_description") != nil || res.get("attribute_values") == nil {
			t.Fatalf("integer enums = %s", res.Raw)
		}
		// Defaults: text, conversation_attribute.
		res = e.do("POST", base, a.Token, map[string]any{"attribute_display_name": "Order", "attribute_key": "order_id"}).expect(t, 200)
		if res.str("attribute_display_type") != "text" || res.str("attribute_model") != "conversation_attribute" {
			t.Fatalf("defaults = %s", res.Raw)
		}
		// The same key for the other model, or in another account, is fine.
		e.do("POST", base, a.Token, map[string]any{"attribute_display_name": "Plan", "attribute_key": "plan", "attribute_model": "contact_attribute"}).expect(t, 200)
		e.do("POST", "/api/v1/accounts/"+itoa(b.AccountID)+"/custom_attribute_definitions", b.Token,
			map[string]any{"attribute_display_name": "Plan", "attribute_key": "plan"}).expect(t, 200)

		for _, c := range []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"attribute_display_name": "P", "attribute_key": "plan"},
				`{"message":"Attribute key has already been taken","attributes":["attribute_key"]}`},
			{map[string]any{"attribute_display_name": "S", "attribute_key": "status"},
				`{"message":"Attribute key The provided key is not allowed as it might conflict with default attributes.","attributes":["attribute_key"]}`},
			{map[string]any{"attribute_display_name": "S", "attribute_key": "has space"},
				`{"message":"Attribute key must only contain letters, numbers, underscores, hyphens, and dots","attributes":["attribute_key"]}`},
			{map[string]any{"attribute_display_name": "S", "attribute_key": "k", "attribute_display_type": "color"},
				`{"message":"Attribute display type is not included in the list","attributes":["attribute_display_type"]}`},
			{map[string]any{"attribute_display_name": "S", "attribute_key": "k", "attribute_display_type": 8},
				`{"message":"Attribute display type is not included in the list","attributes":["attribute_display_type"]}`},
			{map[string]any{"attribute_display_name": "S", "attribute_key": "k", "attribute_model": "company_attribute"},
				`{"message":"Attribute model is not included in the list","attributes":["attribute_model"]}`},
			{map[string]any{"attribute_key": "k"},
				`{"message":"Attribute display name can't be blank","attributes":["attribute_display_name"]}`},
			{map[string]any{"attribute_display_name": "S"},
				`{"message":"Attribute key can't be blank","attributes":["attribute_key"]}`},
			{map[string]any{"attribute_display_name": "S", "attribute_key": "k", "attribute_values": []int{1}},
				`{"message":"Attribute values must be a string","attributes":["attribute_values"]}`},
			{map[string]any{"attribute_display_name": "S", "attribute_key": "k", "attribute_model": true},
				`{"message":"Attribute model must be a string","attributes":["attribute_model"]}`},
		} {
			e.do("POST", base, a.Token, map[string]any{"custom_attribute_definition": c.body}).expect(t, 422).body(t, c.want)
		}

		// Reads: any member; without attribute_model every model; by name or integer.
		all := e.do("GET", base, agent, nil).expect(t, 200)
		if all.num(0, "id") != plan || all.num(1, "id") != vip || all.get(3) == nil || all.get(4) != nil {
			t.Fatalf("all definitions = %s", all.Raw)
		}
		contact := e.do("GET", base+"?attribute_model=contact_attribute", agent, nil).expect(t, 200)
		if contact.num(0, "id") != vip || contact.get(2) != nil || contact.str(1, "attribute_model") != "contact_attribute" {
			t.Fatalf("contact definitions = %s", contact.Raw)
		}
		if byIndex := e.do("GET", base+"?attribute_model=1", agent, nil).expect(t, 200); byIndex.Raw != contact.Raw {
			t.Fatalf("attribute_model=1 = %s", byIndex.Raw)
		}
		if conv := e.do("GET", base+"?attribute_model=conversation_attribute", agent, nil); conv.num(0, "id") != plan || conv.get(2) != nil {
			t.Fatalf("conversation definitions = %s", conv.Raw)
		}
		e.do("GET", base+"?attribute_model=nonsense", agent, nil).expect(t, 200).body(t, `[]`)
		e.do("GET", base+"/"+itoa(plan), agent, nil).expect(t, 200)

		// Writes: administrators only.
		e.do("POST", base, agent, map[string]any{"attribute_display_name": "X", "attribute_key": "x"}).expect(t, 401).body(t, notAuthorized)
		e.do("PATCH", base+"/"+itoa(plan), agent, map[string]any{"attribute_display_name": "X"}).expect(t, 401).body(t, notAuthorized)
		e.do("DELETE", base+"/"+itoa(plan), agent, nil).expect(t, 401).body(t, notAuthorized)

		res = e.do("PATCH", base+"/"+itoa(plan), a.Token, map[string]any{"custom_attribute_definition": map[string]any{
			"attribute_display_name": "Plan name", "attribute_values": []string{"free"}, "attribute_display_type": "text"}}).expect(t, 200)
		if res.str("attribute_display_name") != "Plan name" || res.str("attribute_display_type") != "text" ||
			res.get("attribute_values").([]any)[0] != "free" || res.str("regex_cue") != "lowercase" {
			t.Fatalf("PATCH = %s", res.Raw)
		}
		e.do("PUT", base+"/"+itoa(plan), a.Token, map[string]any{"attribute_description": "Plans"}).expect(t, 200)
		e.do("PATCH", base+"/"+itoa(plan), a.Token, map[string]any{"attribute_key": "order_id"}).expect(t, 422).
			body(t, `{"message":"Attribute key has already been taken","attributes":["attribute_key"]}`)
		e.do("PATCH", base+"/"+itoa(plan), a.Token, map[string]any{"attribute_model": "ticket"}).expect(t, 422)

		// Tenancy.
		bList := e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID)+"/custom_attribute_definitions", b.Token, nil).expect(t, 200)
		bID := itoa(bList.num(0, "id"))
		e.do("GET", base+"/"+bID, a.Token, nil).expect(t, 404).body(t, notFound)
		e.do("PATCH", base+"/"+bID, a.Token, map[string]any{"attribute_display_name": "hijack"}).expect(t, 404)
		e.do("DELETE", base+"/"+bID, a.Token, nil).expect(t, 404)
		if e.do("GET", "/api/v1/accounts/"+itoa(b.AccountID)+"/custom_attribute_definitions", b.Token, nil).Raw != bList.Raw {
			t.Fatal("B's definitions changed")
		}

		res = e.do("DELETE", base+"/"+itoa(plan), a.Token, nil).expect(t, 204)
		if res.Raw != "" {
			t.Fatalf("DELETE body = %q", res.Raw)
		}
		e.do("GET", base+"/"+itoa(plan), a.Token, nil).expect(t, 404)

		e.constantQueries(t, base, agent, func() {
			for _, key := range []string{"k1", "k2", "k3"} {
				e.do("POST", base, a.Token, map[string]any{"attribute_display_name": key, "attribute_key": key}).expect(t, 200)
			}
		})
	})
}
